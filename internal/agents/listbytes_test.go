package agents

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// TestListBytesPerAgent: what the source keeps of the master's agent list
// between rounds, per agent (clustergen's ids and addresses, as long as
// real ones): the list is read again every ListInterval and held for the
// process's life, at 5,000 agents in --cluster's peak.
func TestListBytesPerAgent(t *testing.T) {
	const agents = 400
	_, srv := genCluster(t, agents, 1, nil)
	a := genSource(t, srv, Config{Timeout: 5 * time.Second, Wait: 5 * time.Second})
	var ms runtime.MemStats
	heap := func() int64 {
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	ctx := context.Background()
	if _, _, err := a.readList(ctx); err != nil { // the poller's own first reads
		t.Fatal(err)
	}
	list, _, err := a.readList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != agents {
		t.Fatalf("%d agents in the list, want %d", len(list), agents)
	}
	with := heap()
	runtime.KeepAlive(list)
	list = nil
	without := heap()
	per := float64(with-without) / agents
	t.Logf("%d agents: the list holds %.0f bytes an agent", agents, per)
	if per > 400 {
		t.Errorf("the agent list holds %.0f bytes an agent, want at most 400", per)
	}
}

// TestEarlierBytesPerExecutor: the counters of each agent's answer before
// the newest, kept for the rates between rounds (20 executors an agent,
// as in bench/cluster): counters and a time only, no row id of their own.
func TestEarlierBytesPerExecutor(t *testing.T) {
	const agents, execs = 60, 20
	_, srv := genCluster(t, agents, execs, nil)
	a := genSource(t, srv, Config{Timeout: 5 * time.Second, Wait: 5 * time.Second})
	ctx := context.Background()
	collectUntilAnswered(t, ctx, a, agents, true)
	// Every executor's rates come from the answer before (the fake agents'
	// counters move, so each has some).
	s := a.sample(time.Now())
	if len(s.Containers) != agents*execs {
		t.Fatalf("%d executors in the sample, want %d", len(s.Containers), agents*execs)
	}
	for i := range s.Containers {
		if _, ok := s.OwnEarlier(i); !ok {
			t.Fatalf("executor %s: no counters of the answer before", s.Containers[i].ID)
		}
	}
	s = nil
	var ms runtime.MemStats
	heap := func() int64 {
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	a.mu.Lock()
	with := heap()
	for _, st := range a.state {
		st.prev = nil
	}
	without := heap()
	a.mu.Unlock()
	per := float64(with-without) / (agents * execs)
	t.Logf("%d executors: the counters before hold %.0f bytes an executor", agents*execs, per)
	if per > 140 {
		t.Errorf("the counters of the answer before hold %.0f bytes an executor, want at most 140", per)
	}
}

// TestRatesBeforeFollowTheExecutor: an agent that lists its executors in
// another order, drops one and adds one: each executor's rates still come
// from its own counters of the answer before, a new one has none.
func TestRatesBeforeFollowTheExecutor(t *testing.T) {
	older := []execStats{{rowID: "a", UserSecs: 1}, {rowID: "b", UserSecs: 2}, {rowID: "gone", UserSecs: 3}}
	newer := []execStats{{rowID: "b", UserSecs: 5}, {rowID: "new", UserSecs: 6}, {rowID: "a", UserSecs: 7}}
	prev := ratesBefore(newer, older)
	want := []float64{2, -1, 1} // -1: none
	for i, w := range want {
		r := findRates(prev, i)
		switch {
		case w < 0 && r != nil:
			t.Errorf("%s: counters %v of an executor that was not there", newer[i].rowID, r.user)
		case w >= 0 && (r == nil || r.user != w):
			t.Errorf("%s: counters %v, want user %v", newer[i].rowID, r, w)
		}
	}
}
