package dockertest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// A CPU figure measured on a loaded machine is whatever the scheduler gave:
// a busy loop may get 45 % of a core. Tests compare the tool's figure with
// the kernel's own counter over the same window, never with a fixed range.

// CPUCounters are a cgroup's CPU counters as the kernel keeps them.
type CPUCounters struct {
	UsageNs   float64 // CPU time used (cpuacct.usage, or cpu.stat usage_usec × 1000)
	Periods   float64 // CFS quota periods elapsed (cpu.stat nr_periods)
	Throttled float64 // periods in which the quota ran out (cpu.stat nr_throttled)
}

// cgroupFiles are the files holding a cgroup's CPU counters.
type cgroupFiles struct {
	usage string // cpuacct.usage (v1); "" on v2, where cpu.stat has it
	stat  string // cpu.stat
}

// cgroupOf finds the CPU counter files of the cgroup pid is in, from
// /proc/<pid>/cgroup.
func cgroupOf(pid int) (cgroupFiles, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return cgroupFiles{}, err
	}
	var f cgroupFiles
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		ctrls, path := strings.Split(parts[1], ","), parts[2]
		for _, c := range ctrls {
			switch c {
			case "cpuacct":
				f.usage = filepath.Join("/sys/fs/cgroup/cpuacct", path, "cpuacct.usage")
			case "cpu":
				f.stat = filepath.Join("/sys/fs/cgroup/cpu", path, "cpu.stat")
			}
		}
		if parts[0] == "0" && parts[1] == "" && f.stat == "" {
			f.stat = filepath.Join("/sys/fs/cgroup", path, "cpu.stat")
		}
	}
	if f.stat == "" {
		return f, fmt.Errorf("pid %d: no cpu cgroup in %q", pid, data)
	}
	return f, nil
}

func (f cgroupFiles) read() (CPUCounters, error) {
	var c CPUCounters
	data, err := os.ReadFile(f.stat)
	if err != nil {
		return c, err
	}
	for _, l := range strings.Split(string(data), "\n") {
		k, v, _ := strings.Cut(l, " ")
		n, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
		switch k {
		case "usage_usec":
			c.UsageNs = n * 1000
		case "nr_periods":
			c.Periods = n
		case "nr_throttled":
			c.Throttled = n
		}
	}
	if f.usage != "" {
		data, err := os.ReadFile(f.usage)
		if err != nil {
			return c, err
		}
		c.UsageNs, err = strconv.ParseFloat(strings.TrimSpace(string(data)), 64)
		if err != nil {
			return c, fmt.Errorf("%s: %w", f.usage, err)
		}
	}
	return c, nil
}

// CgroupCPU reads the kernel's CPU counters of the cgroup pid is in.
func CgroupCPU(pid int) (CPUCounters, error) {
	f, err := cgroupOf(pid)
	if err != nil {
		return CPUCounters{}, err
	}
	return f.read()
}

// CPUWatch samples a cgroup's kernel counters every few milliseconds, so
// that a test can ask what they were at the instants the tool sampled.
type CPUWatch struct {
	mu      sync.Mutex
	times   []time.Time
	samples []CPUCounters
}

// WatchCPU starts sampling the counters of pid's cgroup until the test
// ends.
func WatchCPU(t testing.TB, pid int) *CPUWatch {
	t.Helper()
	f, err := cgroupOf(pid)
	if err != nil {
		t.Fatal(err)
	}
	w := &CPUWatch{}
	if err := w.sample(f); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				_ = w.sample(f) // a vanished cgroup ends the useful part
			}
		}
	}()
	t.Cleanup(func() { close(done); <-stopped })
	return w
}

func (w *CPUWatch) sample(f cgroupFiles) error {
	before := time.Now()
	c, err := f.read()
	after := time.Now()
	if err != nil {
		return err
	}
	w.mu.Lock()
	w.times = append(w.times, before.Add(after.Sub(before)/2))
	w.samples = append(w.samples, c)
	w.mu.Unlock()
	return nil
}

// At returns the counters at instant at, interpolated between the samples
// around it.
func (w *CPUWatch) At(at time.Time) CPUCounters {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(w.times)
	i := 0
	for i < n && !w.times[i].After(at) {
		i++
	}
	switch {
	case i == 0:
		return w.samples[0]
	case i == n:
		return w.samples[n-1]
	}
	a, b := w.samples[i-1], w.samples[i]
	f := float64(at.Sub(w.times[i-1])) / float64(w.times[i].Sub(w.times[i-1]))
	lerp := func(x, y float64) float64 { return x + (y-x)*f }
	return CPUCounters{UsageNs: lerp(a.UsageNs, b.UsageNs), Periods: lerp(a.Periods, b.Periods), Throttled: lerp(a.Throttled, b.Throttled)}
}

// Pct returns the kernel's CPU % (100 is one core) and throttled % of
// periods between from and to: what the tool should show for that window.
func (w *CPUWatch) Pct(from, to time.Time) (cpu, throttled float64) {
	a, b := w.At(from), w.At(to)
	cpu = (b.UsageNs - a.UsageNs) / float64(to.Sub(from).Nanoseconds()) * 100
	if p := b.Periods - a.Periods; p > 0 {
		throttled = (b.Throttled - a.Throttled) / p * 100
	}
	return cpu, throttled
}

// PID returns the main process id of a running container.
func PID(t testing.TB, id string) int {
	t.Helper()
	pid, err := strconv.Atoi(Docker(t, "inspect", "-f", "{{.State.Pid}}", id))
	if err != nil || pid <= 0 {
		t.Fatalf("container %s: pid %d: %v", id, pid, err)
	}
	return pid
}
