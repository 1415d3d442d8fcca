package logs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrNotFiles says a process's stdout and stderr are not regular files (a
// terminal, a pipe, a socket, /dev/null): there is no log to read.
var ErrNotFiles = errors.New("its stdout and stderr are not files")

// stdFile is descriptor fd of pid when it names a regular file, nil
// otherwise (a terminal, a pipe, a socket, /dev/null), and the file's name
// as the link says it, in the process's own mount namespace. The name is
// only shown: the log is read through the descriptor (see open.go), so
// neither the path nor a link the process leaves at it is ever opened, and a
// deleted file the process still writes to is read too.
func stdFile(procRoot string, pid, fd int) (*heldFD, string) {
	h := &heldFD{procRoot: procRoot, pid: pid, fd: fd}
	target, err := os.Readlink(h.link())
	if err != nil {
		return nil, ""
	}
	st, err := os.Stat(h.link()) // the held inode; nothing is opened
	if err != nil || !st.Mode().IsRegular() {
		return nil, ""
	}
	return h, target
}

// Process is the log of a process whose stdout or stderr is a regular file
// (procRoot is normally /proc). A stderr that is the same file as stdout
// (`2>&1`) is read once, as stdout. Following ends when the process exits.
func Process(procRoot string, pid int) (Source, error) {
	alive := func() error {
		if _, err := os.Stat(filepath.Join(procRoot, strconv.Itoa(pid))); err != nil {
			return fmt.Errorf("process %d exited", pid)
		}
		return nil
	}
	src := stdSource(procRoot, pid, alive)
	if src == nil {
		return nil, fmt.Errorf("process %d: %w", pid, ErrNotFiles)
	}
	return src, nil
}

// Cgroup is the log of a container known only by its cgroup (a Mesos
// containerizer task on this node, containerd, CRI-O, raw): the files that
// the first of its processes writing to files has as stdout and stderr —
// for a Mesos task, its executor's sandbox `stdout` and `stderr`. dir is
// the container's cgroup directory in any hierarchy (its cgroup.procs lists
// the processes). Following ends when the cgroup is empty or removed.
func Cgroup(procRoot, dir string) (Source, error) {
	pids, err := readPids(dir)
	if err != nil {
		return nil, fmt.Errorf("cgroup %s: %w", dir, err)
	}
	alive := func() error {
		left, err := readPids(dir)
		if err != nil {
			return fmt.Errorf("the container's cgroup %s was removed", dir)
		}
		if len(left) == 0 {
			return fmt.Errorf("every process of the container exited")
		}
		return nil
	}
	for _, pid := range pids {
		if src := stdSource(procRoot, pid, alive); src != nil {
			return src, nil
		}
	}
	return nil, fmt.Errorf("cgroup %s: none of its %d processes writes to files: %w", dir, len(pids), ErrNotFiles)
}

func stdSource(procRoot string, pid int, alive func() error) Source {
	out, outName := stdFile(procRoot, pid, 1)
	errf, errName := stdFile(procRoot, pid, 2)
	var parts []Source
	if out != nil {
		parts = append(parts, File{Path: outName, Std: Stdout, Alive: alive, held: out})
	}
	if errf != nil && !sameFile(out, errf) {
		parts = append(parts, File{Path: errName, Std: Stderr, Alive: alive, held: errf})
	}
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return parts[0]
	}
	return Merge(parts...)
}

// sameFile says whether two descriptors hold one file (2>&1).
func sameFile(a, b *heldFD) bool {
	if a == nil || b == nil {
		return false
	}
	sa, err1 := os.Stat(a.link())
	sb, err2 := os.Stat(b.link())
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// readPids reads cgroup.procs (v1 and v2), or tasks where a v1 hierarchy
// lacks it.
func readPids(dir string) ([]int, error) {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if errors.Is(err, os.ErrNotExist) {
		if _, serr := os.Stat(dir); serr == nil {
			b, err = os.ReadFile(filepath.Join(dir, "tasks"))
		}
	}
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		if p, err := strconv.Atoi(f); err == nil {
			pids = append(pids, p)
		}
	}
	return pids, nil
}
