package main

import (
	"bytes"
	"github.com/ctop-like/ctop-like/bench/benchstats"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// taskCPU is the CPU time (user+sys) of every live thread of pid in
// nanoseconds, from /proc/<pid>/task/*/schedstat (the scheduler's own
// nanosecond clock, unlike the 10 ms ticks of /proc/<pid>/stat). Threads
// that exited are lost, which Go programs' threads almost never do; the
// ticks of /proc/<pid>/stat are the fallback.
func taskCPU(pid int) (ns int64, ok bool) {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return statCPU(pid)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name(), "schedstat"))
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			continue
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return statCPU(pid)
		}
		ns += v
		ok = true
	}
	if !ok {
		return statCPU(pid)
	}
	return ns, true
}

// statCPU is utime+stime of /proc/<pid>/stat in nanoseconds (USER_HZ 100).
func statCPU(pid int) (int64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return (u + s) * 10_000_000, true
}

// vmHWM is the peak resident set of pid in bytes (VmHWM of status).
func vmHWM(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				v, _ := strconv.ParseInt(f[0], 10, 64)
				return v * 1024
			}
		}
	}
	return 0
}

// daemonPIDs finds the Docker daemons whose CPU is charged to a client:
// dockerd, containerd and the containerd shims (which read the cgroups
// that `docker stats` asks for). It only reads /proc/<pid>/comm.
func daemonPIDs() []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/comm")
		if err != nil {
			continue
		}
		switch c := strings.TrimSpace(string(b)); {
		case c == "dockerd", c == "containerd", strings.HasPrefix(c, "containerd-shim"):
			out = append(out, pid)
		}
	}
	slices.Sort(out)
	return out
}

// daemonsCPU samples the CPU of each pid from /proc/<pid>/stat: 10 ms
// ticks, but with the threads that exited (the shims' Go runtimes end
// threads locked to namespaces), which schedstat sums would miss.
func daemonsCPU(pids []int) map[int]int64 {
	m := make(map[int]int64, len(pids))
	for _, p := range pids {
		if v, ok := statCPU(p); ok {
			m[p] = v
		}
	}
	return m
}

// deltaCPU is the CPU spent between two daemonsCPU samples by the pids
// present in both.
func deltaCPU(a, b map[int]int64) int64 {
	var d int64
	for p, v := range b {
		if u, ok := a[p]; ok && v >= u {
			d += v - u
		}
	}
	return d
}

// stats and summarise are the bench tools' one summary (bench/benchstats).
type stats = benchstats.Stats

var summarise = benchstats.Summarise
