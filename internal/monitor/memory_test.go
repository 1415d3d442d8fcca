package monitor

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/ctop-like/ctop-like/internal/model"
)

// executors is a source of n containers shaped as --cluster's executors
// (ids, agent, counters), new counters on every call.
type executors struct {
	n, calls int
	t0       time.Time
}

func (e *executors) Collect(context.Context) (*model.Sample, error) {
	e.calls++
	s := &model.Sample{Time: e.t0.Add(time.Duration(e.calls) * time.Second), Host: "cluster"}
	s.Containers = make([]model.ContainerSample, e.n)
	for i := range s.Containers {
		s.Containers[i] = model.ContainerSample{
			ID: fmt.Sprintf("c%06d", i), Name: "exec", Runtime: model.RuntimeMesos, State: "running",
			Agent: "agent", AgentID: "a1", CPU: model.CgroupCPU{UsageNs: uint64(e.calls) * 1e9},
			Mem: model.CgroupMemory{Used: 1 << 20, Limit: 1 << 30}, RuntimeFields: model.NoRuntimeFields,
		}
	}
	return s, nil
}

func heapAfterGC() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestHeldMemoryPerContainer: between refreshes the monitor holds what
// the next rates need and the newest snapshot (the screen holds it too).
// A snapshot's row refers to its sample's container instead of copying
// it, so that both cost little more than the sample itself: at 100,000
// executors of --cluster each copy of a 744-byte sample was 74 MB more
// in each of the two generations a refresh holds.
func TestHeldMemoryPerContainer(t *testing.T) {
	const n = 20000
	src := &executors{n: n, t0: time.Unix(1000, 0)}
	m := New(src, time.Second, nil, nil)
	ctx := context.Background()
	base := heapAfterGC()
	var shown *model.Snapshot // what a reader keeps
	for i := 0; i < 3; i++ {
		s, err := m.Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		shown = s
	}
	held := heapAfterGC() - base
	if len(shown.Containers) != n || !shown.Containers[n-1].HasRates {
		t.Fatalf("%d containers, rates %v", len(shown.Containers), shown.Containers[n-1].HasRates)
	}
	sampleBytes := uint64(n) * uint64(unsafe.Sizeof(model.ContainerSample{}))
	ratio := float64(held) / float64(sampleBytes)
	t.Logf("%d containers: %d bytes held (%d a container), %.2fx the samples' %d bytes", n, held, held/n, ratio, sampleBytes)
	// A sample and its rows: 1.0x the sample and a row of rates. Copying
	// the sample into every row held 2.2x.
	if ratio > 1.5 {
		t.Errorf("the monitor holds %.2fx the bytes of one sample's containers, want at most 1.5x", ratio)
	}
	runtime.KeepAlive(shown)
	runtime.KeepAlive(m)
}
