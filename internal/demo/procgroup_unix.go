//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup keeps a Ctrl-C in the terminal from reaching cmd directly,
// so that it gets exactly one interrupt, from command's Cancel: on a second
// one, terraform stops at once instead of shutting down gracefully.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
