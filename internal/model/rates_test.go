package model

import (
	"math"
	"testing"
	"time"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestRatesContainer(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	prev := &Sample{Time: t0, Containers: []ContainerSample{
		{ID: "a", CPU: CgroupCPU{UsageNs: 1e9, UserNs: 8e8, SystemNs: 2e8, Periods: 100, ThrottledPeriods: 10, ThrottledNs: 1e9},
			Mem:   CgroupMemory{Used: 50, Limit: 200},
			Blkio: CgroupBlkio{ReadBytes: 1000, WriteBytes: 0, ReadOps: 1},
			Net:   &NetCounters{RxBytes: 100, TxBytes: 100, RxPackets: 1}, RuntimeFields: &RuntimeFields{}},
		{ID: "gone", CPU: CgroupCPU{UsageNs: 5}, RuntimeFields: &RuntimeFields{}},
		{ID: "restarted", CPU: CgroupCPU{UsageNs: 9e9}, RuntimeFields: &RuntimeFields{}},
	}}
	cur := &Sample{Time: t0.Add(2 * time.Second), Containers: []ContainerSample{
		{ID: "a", CPU: CgroupCPU{UsageNs: 3e9, UserNs: 2.3e9, SystemNs: 7e8, Periods: 120, ThrottledPeriods: 15, ThrottledNs: 1.5e9},
			Mem:   CgroupMemory{Used: 100, Limit: 200},
			Blkio: CgroupBlkio{ReadBytes: 5000, WriteBytes: 2048, ReadOps: 5},
			Net:   &NetCounters{RxBytes: 2100, TxBytes: 300, RxPackets: 21}, RuntimeFields: &RuntimeFields{}},
		{ID: "new", CPU: CgroupCPU{UsageNs: 1e9}, RuntimeFields: &RuntimeFields{}},
		{ID: "restarted", CPU: CgroupCPU{UsageNs: 1e9}, RuntimeFields: &RuntimeFields{}},
	}}
	s := Rates(prev, cur)
	if s.Interval != 2*time.Second {
		t.Fatalf("interval %v", s.Interval)
	}
	a := s.Containers[0]
	checks := []struct {
		name      string
		got, want float64
	}{
		{"cpu", a.CPUPct, 100}, // 2 s of CPU in 2 s = one core
		{"user", a.CPUUserPct, 75},
		{"system", a.CPUSystemPct, 25},
		{"throttled", a.ThrottledPct, 25}, // 5 of 20 periods
		{"throttled s", a.ThrottledS, 0.5},
		{"mem", a.MemPct, 50},
		{"blk read", a.BlkReadBps, 2000},
		{"blk write", a.BlkWriteBps, 1024},
		{"blk read ops", a.BlkReadOps, 2},
		{"rx", a.NetRxBps, 1000},
		{"tx", a.NetTxBps, 100},
		{"rx pps", a.NetRxPps, 10},
	}
	for _, c := range checks {
		if !near(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !a.HasRates {
		t.Error("a has no rates")
	}
	if s.Containers[1].HasRates {
		t.Error("a container new in this sample must have no rates")
	}
	if s.Containers[2].HasRates {
		t.Error("a counter that went backwards must give no rate, not a huge one")
	}
}

func TestRatesFirstSampleHasNoRates(t *testing.T) {
	cur := &Sample{Time: time.Now(), Containers: []ContainerSample{{ID: "a", Mem: CgroupMemory{Used: 1, Limit: 4}, RuntimeFields: &RuntimeFields{}}},
		Processes: []ProcessSample{{PID: 1, UserS: 5}}, Disks: []DiskCounters{{Name: "vda", Reads: 3}}}
	s := Rates(nil, cur)
	if s.Containers[0].HasRates || s.Processes[0].HasRates || s.Disks[0].HasRates {
		t.Fatal("first sample must have no rates")
	}
	if !near(s.Containers[0].MemPct, 25) {
		t.Fatalf("mem%% needs no previous sample: %v", s.Containers[0].MemPct)
	}
}

func TestRatesProcessPidReuse(t *testing.T) {
	t0 := time.Now()
	prev := &Sample{Time: t0, Memory: Memory{Total: 1000}, Processes: []ProcessSample{
		{PID: 10, StartTicks: 100, UserS: 1, SystemS: 1, HasIO: true, ReadBytes: 0},
		{PID: 11, StartTicks: 100, UserS: 50},
	}}
	cur := &Sample{Time: t0.Add(time.Second), Memory: Memory{Total: 1000}, Processes: []ProcessSample{
		{PID: 10, StartTicks: 100, UserS: 1.5, SystemS: 1.25, HasIO: true, ReadBytes: 4096, RSS: 100},
		{PID: 11, StartTicks: 999, UserS: 0.1}, // same pid, another process
	}}
	s := Rates(prev, cur)
	p := s.Processes[0]
	if !near(p.CPUPct, 75) || !near(p.CPUUserPct, 50) || !near(p.CPUSystemPct, 25) {
		t.Errorf("cpu %v user %v sys %v", p.CPUPct, p.CPUUserPct, p.CPUSystemPct)
	}
	if !near(p.ReadBps, 4096) || !near(p.MemPct, 10) {
		t.Errorf("read %v mem %v", p.ReadBps, p.MemPct)
	}
	if s.Processes[1].HasRates {
		t.Error("a reused pid must not inherit the old process's counters")
	}
}

func TestRatesMachine(t *testing.T) {
	t0 := time.Now()
	prev := &Sample{Time: t0,
		CPUTotal: CPUTimes{Name: "cpu", User: 100, System: 50, Idle: 800, IOWait: 50},
		CPUs:     []CPUTimes{{Name: "cpu0", User: 10, Idle: 90}},
		Disks:    []DiskCounters{{Name: "vda", Writes: 10, WriteBytes: 1 << 20, IOTimeMs: 1000}},
		Nets:     []NetCounters{{Name: "eth0", RxBytes: 1000}},
	}
	cur := &Sample{Time: t0.Add(2 * time.Second),
		CPUTotal: CPUTimes{Name: "cpu", User: 130, System: 60, Idle: 850, IOWait: 60}, // +30 +10 +50 +10 = 100
		CPUs:     []CPUTimes{{Name: "cpu0", User: 11, Idle: 91}, {Name: "cpu1", User: 5}},
		Disks:    []DiskCounters{{Name: "vda", Writes: 30, WriteBytes: 3 << 20, IOTimeMs: 1500}},
		Nets:     []NetCounters{{Name: "eth0", RxBytes: 500}}, // reset: no rate
	}
	s := Rates(prev, cur)
	if c := s.CPUTotal; !near(c.UserPct, 30) || !near(c.SystemPct, 10) || !near(c.IOWaitPct, 10) || !near(c.UtilPct, 40) {
		t.Errorf("total cpu %+v", c)
	}
	if !near(s.CPUs[0].UtilPct, 50) || s.CPUs[1].UtilPct != 0 {
		t.Errorf("per cpu %+v", s.CPUs)
	}
	d := s.Disks[0]
	if !near(d.WriteBps, 1<<20) || !near(d.WritesPS, 10) || !near(d.UtilPct, 25) {
		t.Errorf("disk %+v", d)
	}
	if s.Nets[0].HasRates {
		t.Error("interface counter reset must give no rate")
	}
}

// Issue 19 item 6: one containerd id in two namespaces is two containers,
// each with its own rates, whatever order the samples list them in (the
// k8s.io one's CPU was null when paired with the busier team's counters).
func TestRatesKeepContainerdNamespacesApart(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	team := ContainerSample{ID: "same", Runtime: RuntimeContainerd, RuntimeFields: &RuntimeFields{ContainerdNamespace: "team"}}
	k8s := ContainerSample{ID: "same", Runtime: RuntimeContainerd, RuntimeFields: &RuntimeFields{ContainerdNamespace: "k8s.io"}}
	at := func(c ContainerSample, usage uint64) ContainerSample { c.CPU.UsageNs = usage; return c }
	prev := &Sample{Time: t0, Containers: []ContainerSample{at(k8s, 1e9), at(team, 50e9)}}
	cur := &Sample{Time: t0.Add(2 * time.Second), Containers: []ContainerSample{at(team, 52e9), at(k8s, 1.5e9)}}
	s := Rates(prev, cur)
	for _, want := range []struct {
		ns  string
		pct float64
	}{{"team", 100}, {"k8s.io", 25}} {
		var found bool
		for _, c := range s.Containers {
			if c.ContainerdNamespace != want.ns {
				continue
			}
			found = true
			if !c.HasRates || !near(c.CPUPct, want.pct) {
				t.Errorf("%s: has rates %v, cpu %v%%, want %v%%", want.ns, c.HasRates, c.CPUPct, want.pct)
			}
		}
		if !found {
			t.Errorf("no %s container", want.ns)
		}
	}
	if team.Key() == k8s.Key() || k8s.Key() != "k8s.io/same" {
		t.Errorf("keys %q and %q", team.Key(), k8s.Key())
	}
}

// A source that says the same again (cAdvisor's stale answer is its last
// sample with a new time) hands the containers of a published snapshot:
// placing the new snapshot's rows must not write the published one's.
func TestRatesOfTheSameContainersAgainLeaveTheOldRowsAlone(t *testing.T) {
	t0 := time.Unix(1000, 0)
	first := &Sample{Time: t0, Containers: []ContainerSample{{ID: "c1", CPU: CgroupCPU{UsageNs: 1e9}, RuntimeFields: &RuntimeFields{}}}}
	shown := Rates(nil, first)
	shown.Containers[0].Cluster.Task = "web"
	again := *first
	again.Time = t0.Add(time.Second)
	next := Rates(first, &again)
	next.Containers[0].Cluster.Task = "api"
	if got := shown.Containers[0].Cluster.Task; got != "web" {
		t.Errorf("the published row says task %q, want web", got)
	}
	if next.Containers[0].ID != "c1" || next.Containers[0].CPUPct != 0 {
		t.Errorf("row %s: CPU %v %%, want 0", next.Containers[0].ID, next.Containers[0].CPUPct)
	}
}

// A pass that read no figures of a process (NoFigures: nothing showed
// them) gives no rates, neither against the pass before nor the one after:
// its zero CPU times would make the process's whole life one second's use.
func TestRatesProcessWithoutFigures(t *testing.T) {
	t0 := time.Now()
	listed := &Sample{Time: t0, Processes: []ProcessSample{{PID: 10, StartTicks: 100, NoFigures: true}}}
	read := &Sample{Time: t0.Add(time.Second), Processes: []ProcessSample{{PID: 10, StartTicks: 100, UserS: 3600, SystemS: 60}}}
	listedAgain := &Sample{Time: t0.Add(2 * time.Second), Processes: []ProcessSample{{PID: 10, StartTicks: 100, NoFigures: true}}}
	if p := Rates(listed, read).Processes[0]; p.HasRates || p.CPUPct != 0 {
		t.Errorf("figures read after a pass without: rates %v, cpu %v%%, want none", p.HasRates, p.CPUPct)
	}
	if p := Rates(read, listedAgain).Processes[0]; p.HasRates || p.CPUPct != 0 {
		t.Errorf("a pass without figures after one with: rates %v, cpu %v%%, want none", p.HasRates, p.CPUPct)
	}
}
