package cgroups

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/cgrouptest"
	"github.com/ctop-like/ctop-like/internal/collector/kernfile"
	"github.com/ctop-like/ctop-like/internal/model"
)

// A Mesos task whose page cache outgrows its memory limit: the limit's
// fail count and the major faults of running a program whose pages the
// limit evicted are what the kernel's own files say, read around the
// finder's pass (v1 here; test/cgroupv2 does v2).
func TestFiguresLiveV1(t *testing.T) {
	cgrouptest.RequireRoot(t)
	const root = "/sys/fs/cgroup"
	f, version, err := newFinderAt(root, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if version != 1 {
		t.Skip("cgroup v1 only; test/cgroupv2 checks v2")
	}
	mem := filepath.Join(root, "memory")
	rel := cgrouptest.Mesos(t, "figures", mem, filepath.Join(root, "cpu"), filepath.Join(root, "cpuacct"), filepath.Join(root, "pids"))
	dir := filepath.Join(mem, rel)
	if err := os.WriteFile(filepath.Join(dir, "memory.limit_in_bytes"), []byte("16777216"), 0); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir() // on disk: its page cache is reclaimable
	var dirs []string
	for _, c := range []string{"memory", "cpu", "cpuacct", "pids"} {
		dirs = append(dirs, filepath.Join(root, c, rel))
	}
	_, done := cgrouptest.Start(t, `cp /bin/ls `+tmp+`/ls &&
		dd if=/dev/zero of=`+tmp+`/fill bs=1M count=64 2>/dev/null &&
		`+tmp+`/ls / >/dev/null && exec sleep 600`, nil, dirs...)
	kernel := func() (failcnt, pgmaj, swap uint64, hasSwap bool) {
		b, err := os.ReadFile(filepath.Join(dir, "memory.failcnt"))
		if err != nil {
			t.Fatal(err)
		}
		failcnt = kernfile.Uint(b)
		b, err = os.ReadFile(filepath.Join(dir, "memory.stat"))
		if err != nil {
			t.Fatal(err)
		}
		kernfile.EachKeyValue(b, func(k []byte, v uint64) {
			switch string(k) {
			case "total_pgmajfault":
				pgmaj = v
			case "total_swap":
				swap, hasSwap = v, true
			}
		})
		return
	}
	// Wait for the script to reach its sleep: the file is written.
	for {
		b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
		if pid := kernfile.Int(b); pid > 0 {
			if comm, _ := os.ReadFile(filepath.Join("/proc", string(b[:len(b)-1]), "comm")); string(comm) == "sleep\n" {
				break
			}
		}
		select {
		case <-done:
			t.Fatal("the script ended early")
		default:
		}
		if _, err := os.Stat(filepath.Join(dir, "cgroup.procs")); err != nil {
			t.Fatal(err)
		}
		waitABit()
	}
	f1, m1, s1, hasSwap := kernel()
	var c *model.ContainerSample
	cs, err := f.Containers()
	if err != nil {
		t.Fatal(err)
	}
	for i := range cs {
		if cs[i].Cgroup == rel {
			c = &cs[i]
		}
	}
	f2, m2, s2, _ := kernel()
	if c == nil {
		t.Fatalf("%s not found", rel)
	}
	if f2 == 0 {
		t.Fatal("the kernel counted no failure of a 16 MiB limit under 64 MiB of page cache: the test's premise is wrong")
	}
	if !c.Has(model.KnownMemFailcnt) || c.Figures.MemFailcnt < f1 || c.Figures.MemFailcnt > f2 {
		t.Errorf("mem_failcnt %+v; the kernel's memory.failcnt went from %d to %d around the read", c.Figures, f1, f2)
	}
	if !c.Has(model.KnownPgMajFault) || c.Figures.PgMajFault < m1 || c.Figures.PgMajFault > m2 {
		t.Errorf("pgmajfault %+v; the kernel's total_pgmajfault went from %d to %d around the read", c.Figures, m1, m2)
	}
	if c.Has(model.KnownSwap) != hasSwap || hasSwap && (c.Figures.SwapBytes < min(s1, s2) || c.Figures.SwapBytes > max(s1, s2)) {
		t.Errorf("swap %+v; the kernel's total_swap %d to %d (present: %v)", c.Figures, s1, s2, hasSwap)
	}
	if c.Has(model.KnownPSICPU) || c.Has(model.KnownPSIMem) || c.Has(model.KnownPSIIO) {
		t.Errorf("pressure on cgroup v1: %+v; want n/a", c.Figures)
	}
}

func waitABit() { time.Sleep(20 * time.Millisecond) }
