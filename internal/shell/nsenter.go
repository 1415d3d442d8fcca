package shell

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/ctop-like/ctop-like/internal/collector/cgroups"
)

// Enter runs shell (normally /bin/sh) inside the container whose first
// process is pid: in its cgroups (every hierarchy of mounts it is in, so
// the shell is counted and limited with the container; best effort) and its mount, PID, network, UTS,
// IPC and cgroup namespaces, with its root and working directory — what
// `docker exec` does for runtimes without an exec API. It returns the
// shell's exit code when the shell ends, with the terminal's modes and
// foreground process group restored.
//
// It runs util-linux nsenter rather than calling setns itself: the kernel
// refuses to move a multithreaded process into another mount namespace
// (setns(CLONE_NEWNS) fails with EINVAL), and a Go program is always
// multithreaded; and a PID namespace applies only to children forked after
// setns, which a Go program cannot do safely between setns and exec. nsenter
// is a small single-threaded C program that does exactly this, and is on
// every node that has util-linux.
func Enter(ctx context.Context, mounts cgroups.Mounts, pid int, shell string, tty Terminal) (int, error) {
	procs, err := cgroupProcs(mounts, "/proc", pid)
	if err != nil {
		return -1, fmt.Errorf("shell in process %d: %w", pid, err)
	}
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		return -1, fmt.Errorf("shell in process %d: nsenter (util-linux) is needed: %w", pid, err)
	}
	// The wrapper joins the cgroups, then becomes nsenter: joining first
	// means nsenter and the shell it forks are in the container's cgroups
	// from their first instruction. Joining is best effort (a v1 cpuset
	// with no CPUs refuses members): a shell outside one hierarchy is
	// better than none.
	args := []string{"-c", `n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ 2>/dev/null > "$1"; shift; n=$((n-1)); done; exec "$@"`,
		"join", strconv.Itoa(len(procs))}
	args = append(args, procs...)
	args = append(args, nsenter, "-t", strconv.Itoa(pid), "-m", "-u", "-i", "-n", "-p", "-C", "-r", "-w", "--", shell)
	cmd := exec.CommandContext(ctx, "/bin/sh", args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty.In, tty.Out, tty.Out

	restore := tty.saveModes()
	defer restore()
	fd := int(tty.In.Fd())
	ours, ferr := unix.IoctlGetInt(fd, unix.TIOCGPGRP)
	foreground := ferr == nil
	if foreground {
		// The tty is our controlling terminal: give the shell's process
		// group the foreground, so Ctrl-C and Ctrl-Z reach the shell and
		// not ctop-like, and take it back after.
		cmd.SysProcAttr = &syscall.SysProcAttr{Foreground: true, Ctty: fd}
	} else {
		// Not our controlling terminal (no tty of our own): the shell gets
		// a session with this terminal as its controlling one.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	}
	err = cmd.Run()
	if foreground {
		// We are in the background now: setting the foreground group from
		// there would stop us with SIGTTOU unless it is ignored.
		signal.Ignore(syscall.SIGTTOU)
		unix.IoctlSetPointerInt(fd, unix.TIOCSPGRP, ours)
		signal.Reset(syscall.SIGTTOU)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return -1, fmt.Errorf("shell in process %d: %w", pid, err)
	}
	return 0, nil
}

// cgroupProcs lists the cgroup.procs files of every cgroup pid is in, from
// /proc/<pid>/cgroup (under procRoot, the /proc nsenter reads) and the
// hierarchies mounts locates.
func cgroupProcs(mounts cgroups.Mounts, procRoot string, pid int) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "cgroup"))
	if err != nil {
		return nil, err
	}
	var files []string
	for _, dir := range mounts.ProcessDirs(data) {
		file := filepath.Join(dir, "cgroup.procs")
		if _, err := os.Stat(file); err == nil {
			files = append(files, file)
		}
	}
	return files, nil
}
