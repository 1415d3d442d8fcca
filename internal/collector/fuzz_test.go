package collector

// Fuzz targets for every kernel file this package parses. The kernel is
// trusted, but --proc-root and --cgroup-root may point at a copy, a
// container may write what it likes into its own cgroup (nsdelegate), and
// a process chooses its own name and command line: none of that may crash
// the tool or put a control character on the user's terminal.
//
// Run one longer with, e.g.:
//
//	go test -run='^$' -fuzz='^FuzzProcStat$' -fuzztime=1m ./collector

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ctop-like/ctop-like/internal/model"
)

// seedFiles adds the content of every file matching the glob patterns
// (relative to testdata) as a seed.
func seedFiles(f *testing.F, patterns ...string) {
	f.Helper()
	n := 0
	for _, p := range patterns {
		paths, err := filepath.Glob(filepath.Join("proc/testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		for _, path := range paths {
			b, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
			n++
		}
	}
	if n == 0 {
		f.Fatalf("no seed files match %v", patterns)
	}
}

// checkScreenText fails when s could disturb a terminal: invalid UTF-8, a
// C0 or C1 control character, or DEL.
func checkScreenText(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s %q is not valid UTF-8", what, s)
	}
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			t.Fatalf("%s %q holds control character %U", what, s, r)
		}
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func FuzzProcStat(f *testing.F) {
	seedFiles(f, "proc/[0-9]*/stat")
	f.Add([]byte("1 (a) b c d e f g h i j k l m n o p q r s t u v w x y"))
	f.Add([]byte("77 (bad\x1b[31m\xff) R 1 0 0 0 -1 0 0 0 0 0 5 7 0 0 20 0 1 0 100 4096 -3"))
	f.Add([]byte("2 ((sd-pam)) S 1 2 2 0 -1 4194560 60 0 0 0 0 0 0 0 20 0 1 0 800 25554944 1216 18446744073709551615"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseProcStat(data, 4096)
		checkScreenText(t, "name", p.Name)
		if err != nil {
			return
		}
		if p.UserS < 0 || p.SystemS < 0 {
			t.Fatalf("negative CPU time %v %v", p.UserS, p.SystemS)
		}
		// The cached-name path must give the same answer.
		q, _ := parseProcStatName(data, 4096, p.Name)
		if q.Name != p.Name {
			t.Fatalf("name %q with the previous name, %q without", q.Name, p.Name)
		}
	})
}

func FuzzProcStatus(f *testing.F) {
	seedFiles(f, "proc/[0-9]*/status")
	f.Add([]byte("Uid:\t1000\t1000\t1000\t1000\n"))
	f.Add([]byte("Uid:"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = parseStatusUID(data)
	})
}

func FuzzProcIO(f *testing.F) {
	seedFiles(f, "proc/[0-9]*/io")
	f.Add([]byte("read_bytes: 1\nwrite_bytes: 2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Callers use the numbers only when ok (both lines seen).
		_, _, _ = parseProcIO(data)
	})
}

func FuzzProcCmdline(f *testing.F) {
	seedFiles(f, "proc/[0-9]*/cmdline")
	f.Add([]byte("sh\x00-c\x00echo \x1b]0;owned\x07\x00"))
	f.Add([]byte("caf\xc3"))
	f.Add([]byte("\xc2\x9b31m"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkScreenText(t, "command", formatCmdline(data, "comm"))
	})
}

func FuzzProcCgroup(f *testing.F) {
	seedFiles(f, "proc/[0-9]*/cgroup")
	f.Fuzz(func(t *testing.T, data []byte) {
		cg, id := pickCgroup(data)
		// The path is one the file names for a controller the tool
		// reads.
		if cg != "" && !cgroupLineHas(data, cg) {
			t.Fatalf("pickCgroup(%q) = %q: no line of the file has that path for a preferred controller", data, cg)
		}
		// The container is the one its path names.
		if id != "" {
			got, _, ok := ContainerFromCgroup(cg)
			if !ok || got != id || !strings.Contains(cg, id) {
				t.Fatalf("pickCgroup(%q) = %q, %q; ContainerFromCgroup(%q) = %q, %v", data, cg, id, cg, got, ok)
			}
		}
		// A controller the tool does not read changes nothing, even one
		// whose path looks like a container.
		extra := append(append([]byte(nil), data...), "\n99:net_prio:/docker/"+strings.Repeat("ab", 32)+"\n"...)
		if cg2, id2 := pickCgroup(extra); cg2 != cg || id2 != id {
			t.Fatalf("a net_prio line changed pickCgroup(%q) from %q, %q to %q, %q", data, cg, id, cg2, id2)
		}
	})
}

// cgroupLineHas says whether a line of a /proc/<pid>/cgroup file gives
// path for one of the controllers pickCgroup prefers.
func cgroupLineHas(data []byte, path string) bool {
	for line := range strings.SplitSeq(string(data), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || parts[2] != path {
			continue
		}
		for c := range strings.SplitSeq(parts[1], ",") {
			if slices.Contains(cgroupPreference, c) {
				return true
			}
		}
	}
	return false
}

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
func checkCgroupSample(t *testing.T, f ContainerFinder) {
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
	if c, ok := f.(interface{ close() }); ok {
		c.close()
	}
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
		fd, v, err := NewContainerFinder(root, true, 1<<30)
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
		fd, v, err := NewContainerFinder(root, true, 1<<30)
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

// FuzzCRIOMeta: whatever a CRI-O socket answers decodes to an error or to
// the container asked for, never a panic.
func FuzzCRIOMeta(f *testing.F) {
	f.Add([]byte(crioContainerInfo))
	f.Add([]byte(`{"labels":null,"annotations":{"io.kubernetes.cri-o.ContainerType":"sandbox"},"created_time":-1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := crioMeta("e4", body)
		if err == nil && m.ID != "e4" {
			t.Errorf("decoded %+v for another id", m)
		}
	})
}
