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
