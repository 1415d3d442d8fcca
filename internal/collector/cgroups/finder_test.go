package cgroups

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

const (
	fxHostMem = 8 << 30
	// Container ids in the fixture trees under testdata/.
	fxV1Docker = "2cf785d7b415351a8e5c5c33ff08bcdf8bcbe118799d7428a5896fe6630009e6"
	fxV1Mesos  = "1f3c2a4e-6b7d-4e8f-9a0b-1c2d3e4f5a6b"
	fxV1Scope  = "4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c"
	fxV2Docker = "9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9"
	fxV2Odd    = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	fxV2Mesos  = "7e6d5c4b-3a29-4817-b6c5-d4e3f2a1b0c9"
)

// Expected samples, computed by hand from the fixture files.
var (
	// Copied from a real `docker run --memory 256m --cpus 0.5` container.
	wantV1Docker = model.ContainerSample{
		ID: fxV1Docker, Runtime: model.RuntimeDocker, State: "running",
		RuntimeFields: &model.RuntimeFields{Cgroup: "/docker/" + fxV1Docker, PID: 5748},
		CPU: model.CgroupCPU{UsageNs: 9535748461, UserNs: 949e7, SystemNs: 3e7,
			Periods: 191, ThrottledPeriods: 189, ThrottledNs: 9445363219, QuotaCores: 0.5},
		Mem: model.CgroupMemory{Usage: 2703360, Used: 2703360 - 757760, RSS: 65536,
			Cache: 2314240, Limit: 268435456},
		Pids: 1,
		// memory.stat's total_swap and total_pgmajfault, memory.failcnt,
		// hugetlb.{2MB,1GB}.usage_in_bytes; no PSI on v1.
		Figures: &model.ContainerFigures{Known: model.KnownSwap | model.KnownPgMajFault | model.KnownMemFailcnt | model.KnownHugetlb,
			PgMajFault: 3, HugetlbBytes: 8 << 20},
	}
	// Empty cgroup.procs, no cpu or pids cgroup, a truncated memory.stat
	// and cpuacct.stat, unlimited memory, inactive_file above usage.
	wantV1Mesos = model.ContainerSample{
		ID: fxV1Mesos, Runtime: model.RuntimeMesos, State: "running",
		RuntimeFields: &model.RuntimeFields{Cgroup: "/mesos/" + fxV1Mesos},
		CPU:           model.CgroupCPU{UsageNs: 123456789, UserNs: 7e7},
		Mem: model.CgroupMemory{Usage: 10485760, RSS: 6291456, Cache: 2097152,
			Limit: fxHostMem, OOMKills: 3},
		Unmeasured: []string{"pids"},
	}
	wantV1Cron = model.ContainerSample{
		ID: "/system.slice/cron.service", Runtime: model.RuntimeRaw, State: "running",
		RuntimeFields: &model.RuntimeFields{Cgroup: "/system.slice/cron.service", PID: 812},
		Mem:           model.CgroupMemory{Usage: 4194304, Used: 4194304, Limit: fxHostMem},
		Pids:          2,
	}
	// systemd cgroup driver, cpu and cpuacct as symlinks to cpu,cpuacct.
	wantV1Scope = model.ContainerSample{
		ID: fxV1Scope, Runtime: model.RuntimeDocker, State: "running",
		RuntimeFields: &model.RuntimeFields{Cgroup: "/system.slice/docker-" + fxV1Scope + ".scope", PID: 4242},
		CPU: model.CgroupCPU{UsageNs: 5e9, UserNs: 3e9, SystemNs: 1.5e9,
			Periods: 1000, ThrottledPeriods: 25, ThrottledNs: 750000000, QuotaCores: 2},
		Mem: model.CgroupMemory{Usage: 104857600, Used: 104857600 - 31457280,
			RSS: 52428800, Cache: 41943040, Limit: 536870912},
		Pids: 2,
		Blkio: model.CgroupBlkio{ReadBytes: 1048576 + 4096, WriteBytes: 2097152 + 8192,
			ReadOps: 257, WriteOps: 514},
	}
	wantV2Docker = model.ContainerSample{
		ID: fxV2Docker, Runtime: model.RuntimeDocker, State: "running",
		RuntimeFields: &model.RuntimeFields{Cgroup: "/system.slice/docker-" + fxV2Docker + ".scope", PID: 31337},
		CPU: model.CgroupCPU{UsageNs: 8e9, UserNs: 6e9, SystemNs: 2e9,
			Periods: 500, ThrottledPeriods: 40, ThrottledNs: 1.2e9, QuotaCores: 1.5},
		Mem: model.CgroupMemory{Usage: 268435456, Used: 268435456 - 67108864,
			RSS: 150994944, Cache: 100663296, Limit: 1 << 30, OOMKills: 2},
		Pids: 3,
		Blkio: model.CgroupBlkio{ReadBytes: 1048576 + 4096, WriteBytes: 4194304 + 8192,
			ReadOps: 101, WriteOps: 202},
		// memory.swap.current, memory.stat's pgmajfault, memory.events'
		// max, hugetlb.{2MB,1GB}.current and the three pressure files.
		Figures: &model.ContainerFigures{Known: model.KnownSwap | model.KnownPgMajFault | model.KnownMemFailcnt |
			model.KnownHugetlb | model.KnownPSICPU | model.KnownPSIMem | model.KnownPSIIO,
			SwapBytes: 4 << 20, PgMajFault: 321, MemFailcnt: 12, HugetlbBytes: 6<<20 + 1<<30,
			PSI: model.Pressure{CPUSome: 12.5, MemSome: 41.25, MemFull: 20, IOSome: 5.1, IOFull: 2.05}},
	}
	// Nearly empty: empty cgroup.procs, blank pids.current, truncated
	// cpu.stat, memory.max "max", no memory.current (the memory figures
	// are n/a), odd io.stat.
	wantV2Odd = model.ContainerSample{
		ID: fxV2Odd, Runtime: model.RuntimeDocker, State: "running",
		RuntimeFields: &model.RuntimeFields{Cgroup: "/system.slice/docker-" + fxV2Odd + ".scope"},
		CPU:           model.CgroupCPU{UsageNs: 12000},
		Blkio:         model.CgroupBlkio{WriteBytes: 10, ReadOps: 1},
		Unmeasured:    []string{"memory"},
	}
	wantV2Mesos = model.ContainerSample{
		ID: fxV2Mesos, Runtime: model.RuntimeMesos, State: "running",
		RuntimeFields: &model.RuntimeFields{Cgroup: "/mesos/" + fxV2Mesos, PID: 5150},
		CPU:           model.CgroupCPU{UsageNs: 3e9, UserNs: 2.5e9, SystemNs: 0.5e9},
		Mem: model.CgroupMemory{Usage: 52428800, RSS: 20971520, Cache: 31457280,
			Limit: fxHostMem},
		Pids:       1,
		Unmeasured: []string{"io"},
		// memory.events' max only: no pgmajfault in its memory.stat, no
		// swap, hugetlb or pressure files.
		Figures: &model.ContainerFigures{Known: model.KnownMemFailcnt},
	}
	wantV2Init = model.ContainerSample{
		ID: "/init.scope", Runtime: model.RuntimeRaw, State: "running",
		RuntimeFields: &model.RuntimeFields{Cgroup: "/init.scope", PID: 1}, Unmeasured: []string{"memory", "pids", "io"},
	}
	wantV2Cron = model.ContainerSample{
		ID: "/system.slice/cron.service", Runtime: model.RuntimeRaw, State: "running",
		RuntimeFields: &model.RuntimeFields{Cgroup: "/system.slice/cron.service", PID: 812},
		Mem:           model.CgroupMemory{Usage: 2097152, Used: 2097152, Limit: fxHostMem},
		Pids:          1,
		Unmeasured:    []string{"io"},
	}
)

func TestContainersFixtures(t *testing.T) {
	tests := []struct {
		name    string
		root    string
		all     bool
		version int
		want    []model.ContainerSample
	}{
		{"v1 separate cpu and cpuacct", "testdata/cgroupv1/separate", false, 1,
			[]model.ContainerSample{wantV1Mesos, wantV1Docker}},
		{"v1 separate, all", "testdata/cgroupv1/separate", true, 1,
			[]model.ContainerSample{wantV1Cron, wantV1Mesos, wantV1Docker}},
		{"v1 cpu,cpuacct with symlinks", "testdata/cgroupv1/combined", false, 1,
			[]model.ContainerSample{wantV1Scope}},
		{"v2", "testdata/cgroupv2", false, 2,
			[]model.ContainerSample{wantV2Odd, wantV2Mesos, wantV2Docker}},
		{"v2, all", "testdata/cgroupv2", true, 2,
			[]model.ContainerSample{wantV2Odd, wantV2Init, wantV2Cron, wantV2Mesos, wantV2Docker}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, v, err := newFinderAt(tt.root, tt.all, fxHostMem)
			if err != nil {
				t.Fatal(err)
			}
			if v != tt.version {
				t.Errorf("version = %d, want %d", v, tt.version)
			}
			got, err := f.Containers()
			if err != nil {
				t.Fatal(err)
			}
			sortByID(got)
			sortByID(tt.want)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d containers, want %d:\n%+v", len(got), len(tt.want), got)
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], tt.want[i]) {
					t.Errorf("container %s:\n got %+v\nwant %+v", tt.want[i].ID, got[i], tt.want[i])
				}
			}
		})
	}
}

func sortByID(cs []model.ContainerSample) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
}

func TestNewContainerFinderVersion(t *testing.T) {
	mk := func(t *testing.T, dirs []string, files []string) string {
		root := t.TempDir()
		for _, d := range dirs {
			if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return root
	}
	tests := []struct {
		name    string
		dirs    []string
		files   []string
		want    int
		wantErr bool
	}{
		{"pure v2", []string{"system.slice"}, []string{"cgroup.controllers"}, 2, false},
		{"hybrid: v1 controllers and an empty unified", []string{"memory", "cpu", "unified"}, []string{"unified/cgroup.controllers"}, 1, false},
		{"v1 with cgroup.controllers at the root", []string{"pids"}, []string{"cgroup.controllers"}, 1, false},
		{"only cpu,cpuacct", []string{"cpu,cpuacct"}, nil, 1, false},
		{"empty folder", nil, nil, 0, true},
		{"unrelated folders", []string{"foo", "systemd"}, nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, v, err := newFinderAt(mk(t, tt.dirs, tt.files), false, fxHostMem)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if v != tt.want {
				t.Errorf("version = %d, want %d", v, tt.want)
			}
		})
	}
	if _, _, err := newFinderAt("testdata/nonexistent", false, 0); err == nil {
		t.Error("no error for a missing root")
	}
}

// newFinderAt is the finder of the cgroup tree at root, located as Local
// locates its cgroup root.
func newFinderAt(root string, all bool, hostMemory uint64) (Finder, int, error) {
	m, err := Locate("/proc", root)
	if err != nil {
		return nil, 0, err
	}
	return NewFinder(m, all, hostMemory)
}

func TestV1ControllerDirs(t *testing.T) {
	got, err := Locate("/proc", "testdata/cgroupv1/combined")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"cpu", "cpuacct"} {
		if mt, _ := got.Controller(c); filepath.Base(mt.Dir) != "cpu,cpuacct" {
			t.Errorf("%s -> %q, want the cpu,cpuacct folder", c, mt.Dir)
		}
	}
	if mt, _ := got.Controller("memory"); filepath.Base(mt.Dir) != "memory" {
		t.Errorf("memory -> %q", mt.Dir)
	}
}

// A cgroup removed while it is read is left out without an error.
func TestVisitCgroupVanished(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "mesos", "gone")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte("7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	procs := func() (int, int, error) {
		b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
		first, n := procsFirstAndCount(b)
		return first, n, err
	}
	var c model.ContainerSample
	ok, skip := visitCgroup("/mesos/gone", dir, false, nil, procs, func(string, *model.ContainerSample) bool {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		return true
	}, &c)
	if ok || !skip || c.ID != "" {
		t.Errorf("ok=%v skip=%v, container %q: want a skipped cgroup and nothing written", ok, skip, c.ID)
	}
	// Gone before cgroup.procs is read.
	ok, _ = visitCgroup("/mesos/gone", dir, false, nil, procs, func(string, *model.ContainerSample) bool {
		t.Error("read a vanished cgroup")
		return true
	}, &c)
	if ok {
		t.Error("listed a vanished cgroup")
	}
}

func TestMemLimit(t *testing.T) {
	tests := []struct {
		limit, host, want uint64
	}{
		{268435456, fxHostMem, 268435456},
		{9223372036854771712, fxHostMem, fxHostMem}, // v1 unlimited
		{^uint64(0), fxHostMem, fxHostMem},          // v2 "max"
		{0, fxHostMem, fxHostMem},                   // file missing
		{16 << 30, fxHostMem, fxHostMem},            // above the host
		{16 << 30, 0, 16 << 30},                     // host unknown
	}
	for _, tt := range tests {
		if got := memLimit(tt.limit, tt.host); got != tt.want {
			t.Errorf("memLimit(%d, %d) = %d, want %d", tt.limit, tt.host, got, tt.want)
		}
	}
}

func TestCPUMaxCores(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"max 100000\n", 0},
		{"50000 100000\n", 0.5},
		{"250000 100000", 2.5},
		{"200000", 2}, // period left out
		{"", 0},
		{"garbage 100000", 0},
		{"100000 0", 0},
	}
	for _, tt := range tests {
		if got := cpuMaxCores(tt.in); got != tt.want {
			t.Errorf("cpuMaxCores(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
