//go:build !linux

package redistest

import "os/exec"

// dieWithParent: only Linux can tie a child's life to its parent's; the
// run kills the server when it ends.
func dieWithParent(*exec.Cmd) {}
