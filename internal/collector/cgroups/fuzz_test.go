package cgroups

// Fuzz targets for the cgroup files and names this package reads: a
// container may write what it likes into its own cgroup (nsdelegate),
// --cgroup-root may point at a copy, and none of it may crash the tool.
//
// Run one longer with, e.g.:
//
//	go test -run='^$' -fuzz='^FuzzCgroupV2$' -fuzztime=10000x ./internal/collector/cgroups

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// cgroupFuzzID is the one container of the fuzzed cgroup trees.
const cgroupFuzzID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// writeFiles writes each name → content under dir.
func writeFiles(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkCgroupSample checks what a finder made of fuzzed files.
func checkCgroupSample(t *testing.T, f Finder) {
	conts, _ := f.Containers()
	for _, c := range conts {
		if c.Mem.Used > c.Mem.Usage {
			t.Fatalf("memory used %d > usage %d", c.Mem.Used, c.Mem.Usage)
		}
		if c.CPU.QuotaCores < 0 || !finite(c.CPU.QuotaCores) {
			t.Fatalf("quota %v cores", c.CPU.QuotaCores)
		}
	}
	// A second pass reads the kept files again.
	_, _ = f.Containers()
	f.Close()
}

// FuzzCgroupV2 runs the v2 finder over a container whose every file is
// fuzzed: cpu.stat, cpu.max, memory.stat, memory.current, memory.max,
// memory.events, pids.current, io.stat and cgroup.procs.
func FuzzCgroupV2(f *testing.F) {
	root := f.TempDir()
	dir := filepath.Join(root, "system.slice", "docker-"+cgroupFuzzID+".scope")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		f.Fatal(err)
	}
	writeFiles(f, root, map[string][]byte{"cgroup.controllers": []byte("cpu memory io pids\n")})
	seed := filepath.Join("testdata", "cgroupv2", "system.slice", "docker-9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9.scope")
	read := func(name string) []byte { b, _ := os.ReadFile(filepath.Join(seed, name)); return b }
	f.Add(read("cpu.stat"), read("cpu.max"), read("memory.stat"), read("memory.current"), read("memory.max"), read("memory.events"), read("pids.current"), read("io.stat"), read("cgroup.procs"))
	f.Add([]byte("usage_usec -5\nnr_periods 18446744073709551616\n"), []byte("-1 0"), []byte("inactive_file 99999999999\nanon 1"), []byte("5"), []byte("max"), []byte("oom_kill x"), []byte("-3"), []byte("8:0 rbytes=-1 wbytes==2 rios\n:\n"), []byte("12\n"))
	f.Add([]byte(""), []byte("100000 0"), []byte(""), []byte(""), []byte(""), []byte(""), []byte(""), []byte("8:0"), []byte("x"))
	f.Fuzz(func(t *testing.T, cpuStat, cpuMax, memStat, memCurrent, memMax, memEvents, pids, ioStat, procs []byte) {
		writeFiles(t, dir, map[string][]byte{
			"cpu.stat": cpuStat, "cpu.max": cpuMax, "memory.stat": memStat, "memory.current": memCurrent,
			"memory.max": memMax, "memory.events": memEvents, "pids.current": pids, "io.stat": ioStat, "cgroup.procs": procs,
		})
		fd, v, err := newFinderAt(root, true, 1<<30)
		if err != nil || v != 2 {
			t.Fatalf("finder: v%d %v", v, err)
		}
		checkCgroupSample(t, fd)
	})
}

// FuzzCgroupV1 runs the v1 finder (separate controller mounts) over a
// container whose every file is fuzzed.
func FuzzCgroupV1(f *testing.F) {
	root := f.TempDir()
	dirs := map[string]string{}
	for _, c := range []string{"cpu", "cpuacct", "memory", "blkio", "pids"} {
		dirs[c] = filepath.Join(root, c, "docker", cgroupFuzzID)
		if err := os.MkdirAll(dirs[c], 0o755); err != nil {
			f.Fatal(err)
		}
	}
	seed := func(ctrl, name string) []byte {
		b, _ := os.ReadFile(filepath.Join("testdata", "cgroupv1", "separate", ctrl, "docker", "2cf785d7b415351a8e5c5c33ff08bcdf8bcbe118799d7428a5896fe6630009e6", name))
		return b
	}
	f.Add(seed("cpuacct", "cpuacct.usage"), seed("cpuacct", "cpuacct.stat"), seed("cpu", "cpu.stat"), seed("cpu", "cpu.cfs_quota_us"), seed("cpu", "cpu.cfs_period_us"),
		seed("memory", "memory.stat"), seed("memory", "memory.usage_in_bytes"), seed("memory", "memory.limit_in_bytes"), seed("memory", "memory.oom_control"),
		seed("pids", "pids.current"), seed("blkio", "blkio.throttle.io_service_bytes"), seed("blkio", "blkio.throttle.io_serviced"), []byte("4242\n"))
	f.Add([]byte("-1"), []byte("user -1\nsystem x"), []byte("nr_throttled 3"), []byte("50000"), []byte("0"),
		[]byte("total_inactive_file 1\ninactive_file 999999\ncache -4"), []byte("1"), []byte("9223372036854771712"), []byte("oom_kill_disable 0\nunder_oom 0\noom_kill 1"),
		[]byte("max"), []byte("8:0 Read 4096\n8:0 Write\nTotal 4096\n"), []byte("8:0 Read 18446744073709551615\n8:1 Read 1\n"), []byte("1\n2\n"))
	f.Fuzz(func(t *testing.T, usage, acctStat, cpuStat, quota, period, memStat, memUsage, memLimit, oom, pids, blkBytes, blkOps, procs []byte) {
		writeFiles(t, dirs["cpuacct"], map[string][]byte{"cpuacct.usage": usage, "cpuacct.stat": acctStat})
		writeFiles(t, dirs["cpu"], map[string][]byte{"cpu.stat": cpuStat, "cpu.cfs_quota_us": quota, "cpu.cfs_period_us": period})
		writeFiles(t, dirs["memory"], map[string][]byte{"memory.stat": memStat, "memory.usage_in_bytes": memUsage,
			"memory.limit_in_bytes": memLimit, "memory.oom_control": oom, "cgroup.procs": procs})
		writeFiles(t, dirs["pids"], map[string][]byte{"pids.current": pids})
		writeFiles(t, dirs["blkio"], map[string][]byte{"blkio.throttle.io_service_bytes": blkBytes, "blkio.throttle.io_serviced": blkOps})
		fd, v, err := newFinderAt(root, true, 1<<30)
		if err != nil || v != 1 {
			t.Fatalf("finder: v%d %v", v, err)
		}
		checkCgroupSample(t, fd)
	})
}

// FuzzContainerFromCgroup: any path gives either nothing or an id that is
// one of its elements' and a runtime of DESIGN.md's list.
func FuzzContainerFromCgroup(f *testing.F) {
	for _, p := range []string{"/docker/" + strings.Repeat("ab", 32), "/machine.slice/libpod-" + strings.Repeat("cd", 32) + ".scope/container",
		"/kubepods/burstable/pod1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/" + strings.Repeat("ef", 32), "/mesos/x", "//", "/kubepods.slice/crio-conmon-x.scope"} {
		f.Add(p)
	}
	runtimes := map[string]bool{model.RuntimeDocker: true, model.RuntimePodman: true, model.RuntimeContainerd: true, model.RuntimeCRIO: true, model.RuntimeMesos: true}
	f.Fuzz(func(t *testing.T, p string) {
		id, rt, ok := ContainerFromCgroup(p)
		if !ok {
			return
		}
		if id == "" || !strings.Contains(p, id) || !runtimes[rt] {
			t.Errorf("ContainerFromCgroup(%q) = %q, %q", p, id, rt)
		}
	})
}
