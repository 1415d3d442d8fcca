package agents

import (
	"context"
	"encoding/json"
	"runtime"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// TestCountersForRatesKeptOnce: an executor's rates are those of its
// agent's two newest answers, and the counters of the answer before the
// newest are kept once, by this source (Sample.OwnEarlier): what the
// monitor remembers of a sample for the next rates (a compact
// model.Remember, batch output) holds none of them. It held a copy of
// every executor's (about 240 bytes: 18 MB at 90,000 executors) beside
// this source's, and a sample of agents that had not answered again
// carried a third in Before.
func TestCountersForRatesKeptOnce(t *testing.T) {
	const agents, execs = 50, 200
	fc := newFakeCluster(t, agents, execs, 5, nil)
	_, a := fc.newSource(Config{Timeout: 5 * time.Second, Wait: 5 * time.Second})
	ctx := context.Background()
	collectUntilAnswered(t, ctx, a, agents, true)
	heap := func() int64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	prev := a.sample(time.Now()) // every agent's newest answer
	base := heap()
	kept := model.Remember(prev, true)
	per := float64(heap()-base) / (agents * execs)
	runtime.KeepAlive(prev) // alive through both: only kept differs
	t.Logf("%d executors: the monitor's compact Earlier holds %.0f bytes an executor", agents*execs, per)
	if per > 40 {
		t.Errorf("the monitor keeps %.0f bytes an executor for the next rates, a copy of the counters this source keeps; want at most 40", per)
	}

	// No answer since: rates from the same two newest answers.
	again := a.sample(time.Now().Add(time.Second))
	snap := model.RatesSince(kept, again)
	rated := 0
	for _, c := range snap.Containers {
		if c.HasRates {
			rated++
		}
	}
	if rated != agents*execs {
		t.Errorf("no answer since: %d of %d executors have rates from their agent's two newest answers", rated, agents*execs)
	}

	// One answer since: the same rates as the monitor's copy of the
	// sample before gave, byte for byte. A round in which some agent
	// did not answer exactly once (a loaded machine) is tried again.
	for try := 0; ; try++ {
		prev := a.sample(time.Now())
		a.mu.Lock()
		was := map[string]*answer{}
		for id, st := range a.state {
			was[id] = st.cur
		}
		a.mu.Unlock()
		next, err := a.Collect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		a.mu.Lock()
		once := 0
		for id, st := range a.state {
			if w := was[id]; w != nil && st.cur != w && st.prevAt.Equal(w.at) {
				once++
			}
		}
		a.mu.Unlock()
		if once != agents {
			if try == 20 {
				t.Fatalf("in 20 rounds, never did every agent answer once (%d of %d)", once, agents)
			}
			continue
		}
		own := snapJSON(t, model.RatesSince(model.Remember(prev, true), next))
		plainPrev, plainNext := *prev, *next
		plainPrev.OwnEarlier, plainNext.OwnEarlier = nil, nil
		monitors := snapJSON(t, model.RatesSince(model.Remember(&plainPrev, false), &plainNext))
		if own != monitors {
			t.Error("rates from this source's counters differ from those against the sample before")
		}
		break
	}
	runtime.KeepAlive(kept)
}

func snapJSON(t *testing.T, s *model.Snapshot) string {
	t.Helper()
	rated := 0
	for _, c := range s.Containers {
		if c.HasRates {
			rated++
		}
	}
	if rated == 0 {
		t.Fatal("no container has rates")
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
