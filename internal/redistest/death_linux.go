package redistest

import (
	"os/exec"
	"runtime"
	"syscall"
)

// dieWithParent has the kernel kill cmd when the test binary dies (a
// timeout's panic, a SIGKILL). The signal follows the thread that started
// cmd, so that thread is kept for the whole run (Main runs on the main
// goroutine).
func dieWithParent(cmd *exec.Cmd) {
	runtime.LockOSThread()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
