package model

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestRatesUseTheSourcesClock: a remote source's containers are measured
// at their own times; the rate uses those, and one measurement seen twice
// gives none.
func TestRatesUseTheSourcesClock(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	prev := &Sample{Time: t0, Containers: []ContainerSample{
		{ID: "a", SampledAt: t0.Add(-3 * time.Second), CPU: CgroupCPU{UsageNs: 1e9}, RuntimeFields: &RuntimeFields{}},
		{ID: "same", SampledAt: t0.Add(-time.Second), CPU: CgroupCPU{UsageNs: 1e9}, RuntimeFields: &RuntimeFields{}},
		{ID: "local", CPU: CgroupCPU{UsageNs: 1e9}, RuntimeFields: &RuntimeFields{}},
	}}
	cur := &Sample{Time: t0.Add(2 * time.Second), Containers: []ContainerSample{
		{ID: "a", SampledAt: t0.Add(time.Second), CPU: CgroupCPU{UsageNs: 3e9}, RuntimeFields: &RuntimeFields{}}, // 2 s of CPU in 4 s
		{ID: "same", SampledAt: t0.Add(-time.Second), CPU: CgroupCPU{UsageNs: 1e9}, RuntimeFields: &RuntimeFields{}},
		{ID: "local", CPU: CgroupCPU{UsageNs: 2e9}, RuntimeFields: &RuntimeFields{}},
	}}
	s := Rates(prev, cur)
	if c := s.Containers[0]; !c.HasRates || !near(c.CPUPct, 50) {
		t.Errorf("a: %v %v, want 50 %% over the source's 4 s", c.HasRates, c.CPUPct)
	}
	if s.Containers[1].HasRates {
		t.Error("the same measurement twice must give no rate")
	}
	if c := s.Containers[2]; !c.HasRates || !near(c.CPUPct, 50) {
		t.Errorf("local: %v %v, want 50 %% over the samples' 2 s", c.HasRates, c.CPUPct)
	}
}

// TestRatesUseTheSourcesOwnHistory: with cur.Before (cAdvisor's second
// newest sample) the machine's and containers' rates come from the source's
// two samples, whatever this tool's interval; processes still use prev.
func TestRatesUseTheSourcesOwnHistory(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	before := &Sample{SampledAt: t0.Add(-1500 * time.Millisecond),
		CPUTotal: CPUTimes{Name: "cpu", User: 10, Idle: 10},
		Nets:     []NetCounters{{Name: "eth0", RxBytes: 1000}},
		Disks:    []DiskCounters{{Name: "vda", WriteBytes: 0, IOTimeMs: 100}},
		Containers: []ContainerSample{
			{ID: "a", SampledAt: t0.Add(-time.Second), CPU: CgroupCPU{UsageNs: 1e9}, RuntimeFields: &RuntimeFields{}},
		}}
	prev := &Sample{Time: t0.Add(-10 * time.Second), Processes: []ProcessSample{{PID: 1, UserS: 1}},
		Containers: []ContainerSample{{ID: "only-prev", SampledAt: t0.Add(-4 * time.Second), CPU: CgroupCPU{UsageNs: 0}, RuntimeFields: &RuntimeFields{}}}}
	cur := &Sample{Time: t0, SampledAt: t0.Add(-500 * time.Millisecond), Before: before,
		CPUTotal:  CPUTimes{Name: "cpu", User: 11, Idle: 11}, // 1 s used of 2 in 1 s: 50 %
		Nets:      []NetCounters{{Name: "eth0", RxBytes: 3000}},
		Disks:     []DiskCounters{{Name: "vda", WriteBytes: 4096, IOTimeMs: 600}},
		Processes: []ProcessSample{{PID: 1, UserS: 6}},
		Containers: []ContainerSample{
			{ID: "a", SampledAt: t0.Add(time.Second), CPU: CgroupCPU{UsageNs: 2e9}, RuntimeFields: &RuntimeFields{}},              // 1 s in 2 s
			{ID: "only-prev", SampledAt: t0.Add(-2 * time.Second), CPU: CgroupCPU{UsageNs: 1e9}, RuntimeFields: &RuntimeFields{}}, // 1 s in 2 s
		}}
	s := Rates(prev, cur)
	if s.Interval != time.Second {
		t.Errorf("interval %v, want the source's 1 s between its own samples", s.Interval)
	}
	if !near(s.CPUTotal.UtilPct, 50) {
		t.Errorf("machine CPU %.1f %%, want 50", s.CPUTotal.UtilPct)
	}
	if n := s.Nets[0]; !n.HasRates || !near(n.RxBps, 2000) {
		t.Errorf("eth0 %v %.0f B/s, want 2000 over the source's 1 s", n.HasRates, n.RxBps)
	}
	if d := s.Disks[0]; !d.HasRates || !near(d.WriteBps, 4096) || !near(d.UtilPct, 50) {
		t.Errorf("vda %v %.0f B/s util %.0f, want 4096 and 50 %%", d.HasRates, d.WriteBps, d.UtilPct)
	}
	if c := s.Containers[0]; !c.HasRates || !near(c.CPUPct, 50) {
		t.Errorf("a: %v %.1f, want 50 %% from the source's two samples", c.HasRates, c.CPUPct)
	}
	if c := s.Containers[1]; !c.HasRates || !near(c.CPUPct, 50) {
		t.Errorf("only-prev: %v %.1f, want 50 %% against the previous pass", c.HasRates, c.CPUPct)
	}
	if p := s.Processes[0]; !p.HasRates || !near(p.CPUPct, 50) {
		t.Errorf("process: %v %.1f, want 50 %% over this tool's 10 s", p.HasRates, p.CPUPct)
	}
}

// TestLocalJSONUnchanged: the fields for remote sources are omitted when
// zero, so the local node's JSON carries none of them.
func TestLocalJSONUnchanged(t *testing.T) {
	b, err := json.Marshal(Rates(&Sample{Time: time.Unix(1, 0)}, &Sample{Time: time.Unix(2, 0)}))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"unknown"`, `"sampled_at"`, `"before"`, `"Before"`} {
		if strings.Contains(string(b), k) {
			t.Errorf("local snapshot JSON has %s: %s", k, b)
		}
	}
}

// TestProcessRatesSpanTheSourcesWindow: a source with coarse process times
// hands an older list in Before; the rate spans from its Time.
func TestProcessRatesSpanTheSourcesWindow(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	prev := &Sample{Time: t0.Add(8 * time.Second), Processes: []ProcessSample{{PID: 7, UserS: 9}}}
	cur := &Sample{Time: t0.Add(10 * time.Second), Processes: []ProcessSample{{PID: 7, UserS: 10}},
		Before: &Sample{Time: t0, Processes: []ProcessSample{{PID: 7, UserS: 5}}}}
	if p := Rates(prev, cur).Processes[0]; !p.HasRates || !near(p.CPUPct, 50) {
		t.Errorf("%v %.1f %%, want 50 %% (5 s of CPU over the 10 s window)", p.HasRates, p.CPUPct)
	}
}
