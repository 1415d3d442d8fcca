package agents

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// TestBeforeIsCountersOnly: an agent with no answer since the last
// sample has its newest answer again and, for its rates, the counters
// of the one before (Sample.Before). Under load most agents are in that
// case: kept as whole samples in a doubling slice they were 40 MB of the
// 5,000-agent peak. They are counters now, in room counted first; the
// rates they give are those of the two newest answers.
func TestBeforeIsCountersOnly(t *testing.T) {
	const agents, execs = 50, 200
	fc := newFakeCluster(t, agents, execs, 5, nil)
	_, a := fc.newSource(Config{Timeout: 5 * time.Second, Wait: 5 * time.Second})
	ctx := context.Background()
	for deadline := time.Now().Add(time.Minute); ; {
		if _, err := a.Collect(ctx); err != nil {
			t.Fatal(err)
		}
		a.mu.Lock()
		ready := 0
		for _, st := range a.state {
			if st.prev != nil && !st.inFlight {
				ready++
			}
		}
		a.mu.Unlock()
		if ready == agents {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d agents answered twice", ready, agents)
		}
	}
	prev := a.sample(time.Now())                   // shows every newest answer
	again := a.sample(time.Now().Add(time.Second)) // none new: each agent's answer before is Before
	before := again.Before
	if before == nil {
		t.Fatal("no Before for agents that did not answer again")
	}
	// Rates first: from the two newest answers of each agent.
	snap := model.RatesSince(model.Remember(prev, true), again)
	rated := 0
	for _, c := range snap.Containers {
		if c.HasRates {
			rated++
		}
	}
	if rated != agents*execs {
		t.Errorf("%d of %d executors have rates from their agent's two newest answers", rated, agents*execs)
	}
	heap := func() int64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	with := heap()
	again.Before, before = nil, nil
	per := float64(with-heap()) / (agents * execs)
	t.Logf("%d executors: the sample's Before holds about %.0f bytes an executor", agents*execs, per)
	// Counters (192 bytes) and a slot of their keys' map: about 240.
	// Whole samples with their network counters were 856 and more.
	if per > 450 {
		t.Errorf("Before holds %.0f bytes an executor, want at most 450", per)
	}
	runtime.KeepAlive(snap)
	runtime.KeepAlive(again)
}
