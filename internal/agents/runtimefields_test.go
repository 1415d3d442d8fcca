package agents

import (
	"bytes"
	"context"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/batch"
	"github.com/ctop-like/ctop-like/internal/clustergen"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/monitor"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
	"github.com/ctop-like/ctop-like/internal/views"
)

// TestSampleBytesPerExecutor: the sample a refresh builds holds, per
// executor, its row (model.ContainerSample), its network counters and a
// pointer to the counters before; the fields an agent never says (image,
// labels, env, ports, mounts, its life: 288 of a row's 744 bytes) are
// one shared zero value. At 90,000 answering executors the sample being
// built is the largest part of --cluster's peak.
func TestSampleBytesPerExecutor(t *testing.T) {
	const agents, execs = 50, 200
	// clustergen's ids, as long as real ones (uuids).
	_, srv := genCluster(t, agents, execs, nil)
	a := genSource(t, srv, Config{Timeout: 5 * time.Second, Wait: 5 * time.Second})
	ctx := context.Background()
	collectUntilAnswered(t, ctx, a, agents, false)
	var ms runtime.MemStats
	heap := func() (live, total int64) {
		runtime.GC()
		runtime.GC() // and what sync.Pools kept for one collection more
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc), int64(ms.TotalAlloc)
	}
	base, total0 := heap()
	s := a.sample(time.Now())
	live, total := heap()
	const n = agents * execs
	per, garbage := float64(live-base)/n, float64(total-total0-(live-base))/n
	if len(s.Containers) != n {
		t.Fatalf("%d executors in the sample, want %d", len(s.Containers), n)
	}
	runtime.KeepAlive(s)
	t.Logf("%d executors: the sample holds %.0f bytes an executor; building it left %.0f bytes of garbage an executor", n, per, garbage)
	// A 456-byte row and 8 of the pointer to the counters before: 464
	// (the network counters are the answer's, see
	// TestRoundBytesPerExecutor). With a copy of them, 570; with the
	// runtime fields in every row, 860.
	if per > 520 {
		t.Errorf("the sample holds %.0f bytes an executor, want at most 520", per)
	}
	// Nothing per executor but what the sample keeps: the key of the
	// task map, its three ids joined, was 112 bytes an executor.
	if garbage > 32 {
		t.Errorf("building the sample left %.0f bytes of garbage an executor, want at most 32", garbage)
	}
}

// TestClusterPathLeavesNoRuntimeFieldsZero: --cluster's executors share
// one zero model.NoRuntimeFields. Through the monitor (rates, Match),
// every view's rows and batch JSON of every view, nothing writes to it,
// and every executor's row still points at it (none got a copy of its
// own, which would cost the bytes it saves).
func TestClusterPathLeavesNoRuntimeFieldsZero(t *testing.T) {
	_, s := genCluster(t, 30, 10, map[int]clustergen.Behaviour{7: clustergen.Fail})
	p, err := orchestrator.NewPoller(orchestrator.Config{URLs: []string{s.MasterURL()}, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.Run(ctx)
	a := New(p, Config{Timeout: 10 * time.Second, Wait: 10 * time.Second, Interval: 500 * time.Millisecond})
	for _, handled := range []bool{false, true} {
		m := monitor.New(a, 500*time.Millisecond, a, orchestrator.Match)
		if handled {
			m.Handled()
		}
		var snap *model.Snapshot
		for i := 0; i < 3; i++ {
			if snap, err = m.Step(ctx); err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				time.Sleep(600 * time.Millisecond) // new answers, rates
			}
		}
		execs := 0
		for _, c := range snap.Containers {
			if c.Runtime == model.RuntimeMesos {
				execs++
				if c.RuntimeFields != model.NoRuntimeFields {
					t.Fatalf("executor %s has runtime fields of its own", c.ID)
				}
			}
		}
		if execs != 29*10 {
			t.Errorf("%d executors, want %d", execs, 29*10)
		}
		var out bytes.Buffer
		for _, v := range views.All() {
			q := views.Query{View: v.ID}
			if _, err := views.Rows(snap, q); err != nil {
				t.Fatalf("view %s: %v", v.ID, err)
			}
			pr := &batch.Printer{Out: &out, Format: "json", Query: q}
			if err := pr.Print(snap); err != nil {
				t.Fatalf("view %s: %v", v.ID, err)
			}
		}
		if out.Len() == 0 {
			t.Fatal("batch output printed nothing")
		}
		if !reflect.DeepEqual(*model.NoRuntimeFields, model.RuntimeFields{}) {
			t.Fatalf("handled %v: the shared NoRuntimeFields was written to: %+v", handled, *model.NoRuntimeFields)
		}
	}
}

// TestRoundBytesPerExecutor: what a round holds of each executor, the
// agent's newest answer and the sample built from it together. The
// sample's rows point at the network counters the answer keeps (an
// array of its own, which a snapshot on the screen keeps without the
// rest of the answer) where the sample had a copy of each beside the
// answer's.
func TestRoundBytesPerExecutor(t *testing.T) {
	const agents, execs = 50, 200
	_, srv := genCluster(t, agents, execs, nil)
	a := genSource(t, srv, Config{Timeout: 5 * time.Second, Wait: 5 * time.Second})
	ctx := context.Background()
	collectUntilAnswered(t, ctx, a, agents, false)
	a.mu.Lock()
	for _, st := range a.state {
		st.prev = nil // the same whether a second answer came or not
	}
	a.mu.Unlock()
	var ms runtime.MemStats
	heap := func() int64 {
		runtime.GC()
		runtime.GC() // and what sync.Pools kept for one collection more
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	s := a.sample(time.Now())
	const n = agents * execs
	if len(s.Containers) != n {
		t.Fatalf("%d executors in the sample, want %d", len(s.Containers), n)
	}
	withNet := 0
	for i := range s.Containers {
		if s.Containers[i].Net != nil {
			withNet++
		}
	}
	if withNet != n {
		t.Fatalf("%d of %d executors with network counters", withNet, n)
	}
	with := heap()
	runtime.KeepAlive(s)
	s = nil
	a.mu.Lock()
	for _, st := range a.state {
		st.cur = nil
	}
	a.mu.Unlock()
	without := heap()
	per := float64(with-without) / n
	t.Logf("%d executors: the answers and the sample hold %.0f bytes an executor", n, per)
	if per > 940 {
		t.Errorf("the answers and the sample hold %.0f bytes an executor, want at most 940", per)
	}
}

// collectUntilAnswered collects until every one of want agents has an
// answer (twice: an answer before the newest too) and none is asked.
func collectUntilAnswered(t *testing.T, ctx context.Context, a *Source, want int, twice bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; {
		if _, err := a.Collect(ctx); err != nil {
			t.Fatal(err)
		}
		a.mu.Lock()
		ready := 0
		for _, st := range a.state {
			has := st.cur != nil
			if twice {
				has = st.prev != nil
			}
			if has && !st.inFlight {
				ready++
			}
		}
		a.mu.Unlock()
		if ready == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d agents answered (twice: %v)", ready, want, twice)
		}
	}
}
