package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// floorFiles are the 8 stat files of a cgroup v1 container that the floor
// reads, by controller.
var floorFiles = [][2]string{
	{"cpuacct", "cpuacct.usage"},
	{"cpuacct", "cpuacct.stat"},
	{"cpu", "cpu.stat"},
	{"memory", "memory.usage_in_bytes"},
	{"memory", "memory.limit_in_bytes"},
	{"memory", "memory.stat"},
	{"pids", "pids.current"},
	{"blkio", "blkio.throttle.io_service_bytes"},
}

// floorResult is what `floor` writes.
type floorResult struct {
	Containers int   `json:"containers"`
	Processes  int   `json:"processes"`
	Files      int   `json:"files"`
	KeptFiles  int   `json:"kept_files"`   // of Files, those the pread floor holds open
	CPUNs      stats `json:"cpu_ns"`       // open+read+close, per pass
	PreadCPUNs stats `json:"pread_cpu_ns"` // the same reads on kept descriptors
}

// floorCmd measures the naive reader: per pass, open, read and close each
// container's 8 stat files and each process's /proc/<pid>/stat, and
// nothing else (the lists are made once, untimed). Passes are spaced like
// refreshes so that caches are as cold as a monitor's.
func floorCmd(args []string) error {
	fs := flag.NewFlagSet("floor", flag.ExitOnError)
	out := fs.String("out", "", "result file (JSON)")
	passes := fs.Int("passes", 10, "passes to measure")
	gap := fs.Duration("gap", 500*time.Millisecond, "pause between passes")
	root := fs.String("cgroup-root", "/sys/fs/cgroup", "cgroup v1 root")
	fs.Parse(args)

	var paths []string
	conts := 0
	for _, parent := range []string{"mesos", "docker"} {
		ents, _ := os.ReadDir(filepath.Join(*root, "memory", parent))
		for _, e := range ents {
			if !e.IsDir() {
				continue
			}
			conts++
			for _, f := range floorFiles {
				paths = append(paths, filepath.Join(*root, f[0], parent, e.Name(), f[1]))
			}
		}
	}
	procs := 0
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err == nil {
			paths = append(paths, "/proc/"+e.Name()+"/stat")
			procs++
		}
	}

	runtime.LockOSThread()
	buf := make([]byte, 8192)
	var naive, preads []float64
	// The pread floor keeps every file open: at 2,000 containers 28,000,
	// above a 20,000 limit, which left the Go runtime no descriptor for
	// its poller ("netpollinit failed"). Raise the limit (root may), and
	// keep at most what it allows less a margin; kept says how many.
	want := uint64(len(paths) + 1000)
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) == nil && rl.Cur < want {
		raised := unix.Rlimit{Cur: want, Max: max(rl.Max, want)}
		if unix.Setrlimit(unix.RLIMIT_NOFILE, &raised) == nil {
			rl = raised
		}
	}
	fds := make([]int, len(paths))
	kept := 0
	for i, p := range paths {
		fds[i] = -1
		if uint64(kept+500) < rl.Cur {
			if fds[i], _ = unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0); fds[i] >= 0 {
				kept++
			}
		}
	}
	for i := 0; i < *passes; i++ {
		time.Sleep(*gap)
		t0 := threadCPU()
		for _, p := range paths {
			fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				continue
			}
			for {
				n, err := unix.Read(fd, buf)
				if n <= 0 || err != nil {
					break
				}
			}
			unix.Close(fd)
		}
		naive = append(naive, float64(threadCPU()-t0))

		time.Sleep(*gap)
		t0 = threadCPU()
		for _, fd := range fds {
			if fd > 0 {
				unix.Pread(fd, buf, 0)
			}
		}
		preads = append(preads, float64(threadCPU()-t0))
	}
	for _, fd := range fds {
		if fd > 0 {
			unix.Close(fd)
		}
	}
	r := floorResult{Containers: conts, Processes: procs, Files: len(paths), KeptFiles: kept, CPUNs: summarise(naive), PreadCPUNs: summarise(preads)}
	return writeJSON(*out, r)
}

// threadCPU is this thread's user+sys time in nanoseconds.
func threadCPU() int64 {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_THREAD, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if path == "" {
		_, err = os.Stdout.Write(append(b, '\n'))
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
