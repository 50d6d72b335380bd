//go:build linux

package process

import (
	"os/exec"
	"syscall"
)

// setProcAttr has the kernel kill the child if the test binary dies (say,
// on a go test -timeout panic), so no broker outlives its test.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
