package model

import (
	"testing"
	"time"
)

// TestRatesUseTheSourcesClock: a remote source's containers are measured
// at their own times; the rate uses those, and one measurement seen twice
// gives none.
func TestRatesUseTheSourcesClock(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	prev := &Sample{Time: t0, Containers: []ContainerSample{
		{ID: "a", SampledAt: t0.Add(-3 * time.Second), CPU: CgroupCPU{UsageNs: 1e9}},
		{ID: "same", SampledAt: t0.Add(-time.Second), CPU: CgroupCPU{UsageNs: 1e9}},
		{ID: "local", CPU: CgroupCPU{UsageNs: 1e9}},
	}}
	cur := &Sample{Time: t0.Add(2 * time.Second), Containers: []ContainerSample{
		{ID: "a", SampledAt: t0.Add(time.Second), CPU: CgroupCPU{UsageNs: 3e9}}, // 2 s of CPU in 4 s
		{ID: "same", SampledAt: t0.Add(-time.Second), CPU: CgroupCPU{UsageNs: 1e9}},
		{ID: "local", CPU: CgroupCPU{UsageNs: 2e9}},
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
