// Package shell opens an interactive shell inside a container on the
// operator's terminal and returns when that shell ends: through the engine's
// exec API for Docker and Podman, and by entering the namespaces and cgroup
// of the container's first process for every other runtime (Mesos
// containerizer, containerd, CRI-O, raw cgroups), which have no API that
// ctop-like talks to. The caller suspends its screen around the call; the
// terminal's modes are restored whatever the shell did to them.
package shell

import (
	"os"

	"golang.org/x/term"
)

// Terminal is the terminal the shell is given: normally the operator's tty
// (os.Stdin and os.Stdout while the screen is suspended).
type Terminal struct {
	In  *os.File
	Out *os.File
}

// size is the terminal's size in characters, 0×0 when it is not a terminal.
func (t Terminal) size() (width, height int) {
	w, h, err := term.GetSize(int(t.Out.Fd()))
	if err != nil {
		return 0, 0
	}
	return w, h
}

// saveModes returns a function that puts the terminal's modes back as they
// are now; nothing to restore when In is not a terminal.
func (t Terminal) saveModes() func() {
	fd := int(t.In.Fd())
	st, err := term.GetState(fd)
	if err != nil {
		return func() {}
	}
	return func() { term.Restore(fd, st) }
}
