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

// stdFile is the file behind fd of pid as this process can open it, or ""
// when that fd is not a regular file. The link's text names the file in the
// process's own mount namespace: when the same path here is another file
// (a container with its own root), the file is reached through
// /proc/<pid>/root instead.
func stdFile(procRoot string, pid, fd int) string {
	link := filepath.Join(procRoot, strconv.Itoa(pid), "fd", strconv.Itoa(fd))
	target, err := os.Readlink(link)
	if err != nil || !strings.HasPrefix(target, "/") || strings.HasSuffix(target, " (deleted)") {
		return ""
	}
	st, err := os.Stat(link)
	if err != nil || !st.Mode().IsRegular() {
		return ""
	}
	if here, err := os.Stat(target); err == nil && os.SameFile(here, st) {
		return target
	}
	inRoot := filepath.Join(procRoot, strconv.Itoa(pid), "root", target)
	if there, err := os.Stat(inRoot); err == nil && os.SameFile(there, st) {
		return inRoot
	}
	return ""
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
	out, errf := stdFile(procRoot, pid, 1), stdFile(procRoot, pid, 2)
	var parts []Source
	if out != "" {
		parts = append(parts, File{Path: out, Std: Stdout, Alive: alive})
	}
	if errf != "" && !sameFile(out, errf) {
		parts = append(parts, File{Path: errf, Std: Stderr, Alive: alive})
	}
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return parts[0]
	}
	return Merge(parts...)
}

func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
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

// Sandbox is the log of a Mesos task from its executor's sandbox directory
// on this node (the agent state's executors[].directory): the `stdout` and
// `stderr` files there. alive, when set, ends a followed log as File's does.
func Sandbox(dir string, alive func() error) Source {
	return Merge(
		File{Path: filepath.Join(dir, "stdout"), Std: Stdout, Alive: alive},
		File{Path: filepath.Join(dir, "stderr"), Std: Stderr, Alive: alive},
	)
}
