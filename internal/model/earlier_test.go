package model

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"
	"unsafe"
)

// richPair is two samples of the same containers with every counter a
// rate is made of: CPU and throttling, block I/O, network bytes,
// packets, errors and drops, major faults, the source's own clock, two
// containerd namespaces sharing an id, one container gone and one new,
// and one whose counters went back.
func richPair() (prev, cur *Sample) {
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	mk := func(step uint64, id, ns string, sampled time.Time) ContainerSample {
		c := ContainerSample{ID: id, RuntimeFields: &RuntimeFields{ContainerdNamespace: ns}, Runtime: RuntimeMesos, SampledAt: sampled,
			CPU:   CgroupCPU{UsageNs: 3e9 * step, UserNs: 2e9 * step, SystemNs: 1e9 * step, Periods: 100 * step, ThrottledPeriods: 7 * step, ThrottledNs: 2e8 * step},
			Mem:   CgroupMemory{Used: 100 * step, Limit: 1000},
			Blkio: CgroupBlkio{ReadBytes: 4096 * step, WriteBytes: 8192 * step, ReadOps: 3 * step, WriteOps: 5 * step},
			Net: &NetCounters{RxBytes: 1000 * step, TxBytes: 500 * step, RxPackets: 10 * step, TxPackets: 5 * step,
				RxErrors: 2 * step, TxErrors: step, RxDrops: 4 * step, TxDrops: 3 * step, SpeedMbps: -1},
			Figures: &ContainerFigures{Known: KnownPgMajFault, PgMajFault: 11 * step},
		}
		return c
	}
	prev = &Sample{Time: t0, Host: "h", Containers: []ContainerSample{
		mk(1, "a", "", time.Time{}), mk(1, "x", "team1", time.Time{}), mk(2, "x", "team2", time.Time{}),
		mk(1, "remote", "", t0.Add(-time.Second)), mk(5, "back", "", time.Time{}), mk(1, "gone", "", time.Time{}),
	}}
	cur = &Sample{Time: t0.Add(2 * time.Second), Host: "h", Containers: []ContainerSample{
		mk(3, "a", "", time.Time{}), mk(2, "x", "team1", time.Time{}), mk(5, "x", "team2", time.Time{}),
		mk(4, "remote", "", t0.Add(3*time.Second)), mk(1, "back", "", time.Time{}), mk(1, "new", "", time.Time{}),
	}}
	return prev, cur
}

func snapshotJSON(t *testing.T, s *Snapshot) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCompactEarlierGivesTheSameRates: the counters kept of a sample
// whose containers are let go (batch output) give every rate the sample
// itself gave, figure for figure.
func TestCompactEarlierGivesTheSameRates(t *testing.T) {
	prev, cur := richPair()
	want := snapshotJSON(t, Rates(prev, cur))
	prev2, cur2 := richPair()
	got := snapshotJSON(t, RatesSince(Remember(prev2, true), cur2))
	if got != want {
		t.Errorf("rates from the compact counters differ:\n got %s\nwant %s", got, want)
	}
	s := RatesSince(Remember(prev2, true), cur2)
	if c := s.Containers[0]; !c.HasRates || c.NetRxErrorsPS == 0 || c.PgMajFaultPS == 0 || c.ThrottledPct == 0 {
		t.Errorf("the rich pair lacks rates: %+v", c)
	}
	if s.Containers[4].HasRates || s.Containers[5].HasRates {
		t.Error("a container whose counters went back, or a new one, has rates")
	}
}

// TestCompactEarlierKeepsNotTheSample: what Remember keeps compact is
// the counters, not the sample's containers: at --cluster's 100,000
// executors the sample (744 bytes a container), its network counters
// and the snapshot's rows that refer to it were about 100 MB alive until
// the next rates.
func TestCompactEarlierKeepsNotTheSample(t *testing.T) {
	const n = 20000
	held := func(compact bool) float64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		s := &Sample{Time: time.Unix(1000, 0), Containers: make([]ContainerSample, n)}
		for i := range s.Containers {
			s.Containers[i] = ContainerSample{ID: fmt.Sprintf("%08x-exec", i), Runtime: RuntimeMesos,
				Net: &NetCounters{RxBytes: uint64(i)}, CPU: CgroupCPU{UsageNs: uint64(i)}, RuntimeFields: NoRuntimeFields}
		}
		e := Remember(s, compact)
		s = nil
		runtime.GC()
		runtime.ReadMemStats(&ms)
		runtime.KeepAlive(e)
		return float64(int64(ms.HeapAlloc)-int64(base)) / n
	}
	whole, compact := held(false), held(true)
	t.Logf("%d containers: the sample kept whole %.0f bytes a container, compact %.0f", n, whole, compact)
	// The sample's container alone is 456 bytes and its network
	// counters 104; the compact counters 192, a slot of the keys' map
	// and the id's 16 bytes, which the sample's rows share.
	if compact > 300 {
		t.Errorf("a compact Earlier holds %.0f bytes a container, want at most 300", compact)
	}
	if whole < float64(unsafe.Sizeof(ContainerSample{})) {
		t.Errorf("kept whole, %.0f bytes a container: less than the sample itself", whole)
	}
}

// TestOwnEarlierGivesTheSameRates: a source that keeps its containers'
// earlier counters itself (--cluster) hands them with the sample
// (OwnEarlier); the rates are those against the sample before, figure
// for figure, from a compact Remember that kept none of them, and a
// container the source has none for has no rates, whatever prev held.
func TestOwnEarlierGivesTheSameRates(t *testing.T) {
	prev, cur := richPair()
	want := Rates(prev, cur)
	prev2, cur2 := richPair()
	byKey := map[string]*ContainerSample{}
	for i := range prev2.Containers {
		byKey[prev2.Containers[i].Key()] = &prev2.Containers[i]
	}
	own := func(s *Sample) func(int) (OwnCounters, bool) {
		return func(i int) (OwnCounters, bool) {
			p := byKey[s.Containers[i].Key()]
			if p == nil {
				return OwnCounters{}, false
			}
			o := OwnCounters{CPU: p.CPU, SampledAt: p.SampledAt}
			if p.Net != nil {
				o.Net, o.HasNet = *p.Net, true
			}
			return o, true
		}
	}
	prev2.OwnEarlier, cur2.OwnEarlier = own(prev2), own(cur2)
	kept := Remember(prev2, true)
	if len(kept.compact) != 0 || kept.keys != nil || kept.whole != nil || kept.rest.OwnEarlier != nil {
		t.Errorf("a compact Remember of a sample whose source keeps its counters kept %d of them", len(kept.compact)+len(kept.whole))
	}
	// Block I/O and major faults are no agent's: rich as they are here,
	// the source does not hand them.
	got := RatesSince(kept, cur2)
	for i := range got.Containers {
		c, w := got.Containers[i], want.Containers[i]
		if c.HasRates != w.HasRates || c.CPUPct != w.CPUPct || c.ThrottledPct != w.ThrottledPct || c.NetRxBps != w.NetRxBps ||
			c.NetTxPps != w.NetTxPps || c.NetRxErrorsPS != w.NetRxErrorsPS || c.NetTxDropsPS != w.NetTxDropsPS {
			t.Errorf("container %s: rates %+v, want %+v", c.ID, c, w)
		}
	}
	// A container the source has no counters for: none, though the
	// monitor's whole sample before has it.
	prev3, cur3 := richPair()
	cur3.OwnEarlier = func(int) (OwnCounters, bool) { return OwnCounters{}, false }
	for _, c := range RatesSince(Remember(prev3, false), cur3).Containers {
		if c.HasRates {
			t.Errorf("container %s has rates the source did not give", c.ID)
		}
	}
}
