//go:build unix && !linux

package main

import "syscall"

// childAttr puts a child in its own process group (see the Linux version;
// only Linux can also tie a child's life to its parent's).
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
