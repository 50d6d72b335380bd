//go:build unix && !linux

package process

import "os/exec"

// setProcAttr has no parent-death signal outside Linux; the test cleanups
// still stop every broker they started.
func setProcAttr(*exec.Cmd) {}
