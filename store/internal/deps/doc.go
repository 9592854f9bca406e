// Package deps holds no code: its test enforces the import limits of the
// store packages stated in their doc.go files (a store imports package bot,
// its engine, store/internal packages and the standard library; storetest
// imports bot and the standard library; internal helpers import the standard
// library only).
package deps
