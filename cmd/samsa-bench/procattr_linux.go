package main

import "syscall"

// childAttr puts a child in its own process group, so that a Ctrl-C in the
// terminal reaches only the benchmark, which then stops the child with
// SIGTERM and removes its data directory, and makes the kernel send the
// child SIGTERM if the benchmark dies without stopping it.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
