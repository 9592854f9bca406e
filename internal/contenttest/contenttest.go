// Package contenttest gives tests the shipped knowledge with one file
// edited: a schedule with a calendar feed, a channel, a broken value.
package contenttest

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"teamsbot/knowledge"
)

// Knowledge returns a copy of the shipped knowledge/ with the file name
// replaced by edit's result.
func Knowledge(t testing.TB, name string, edit func(string) string) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(knowledge.FS, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(knowledge.FS, p)
		out[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f, ok := out[name]
	if !ok {
		t.Fatalf("no %s in the shipped knowledge", name)
	}
	f.Data = []byte(edit(string(f.Data)))
	return out
}
