package agents

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"
)

// sourceGoroutines counts the goroutines running the source's own code
// (its workers), by their stacks.
func sourceGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "internal/agents.(*Source).") {
			n++
		}
	}
	return n
}

// TestFirstWorkersEndWhenEveryAgentWasAsked: the budget of agents never
// asked (512 requests at once) has workers only while such agents wait.
// Kept for the process's life they were 512 idle goroutines holding
// about 4 KB of stack each at --cluster's peak, for a queue that fills at
// the start and when agents join. An agent new to the source (as one
// that joins the master's list) is still asked at once, in that budget.
func TestFirstWorkersEndWhenEveryAgentWasAsked(t *testing.T) {
	const agents = 40
	// Other tests' sources keep their workers: this one's are those
	// that came with it.
	before := sourceGoroutines()
	_, srv := genCluster(t, agents, 5, nil)
	a := genSource(t, srv, Config{Timeout: 5 * time.Second, Wait: 5 * time.Second, Interval: 200 * time.Millisecond})
	ctx := context.Background()
	answered := func(want int) {
		t.Helper()
		collectUntilAnswered(t, ctx, a, want, false)
	}
	idle := func(when string) {
		t.Helper()
		// A worker ends once it finds the queue empty: soon after the
		// round's last first answer, not at a fixed time.
		var n int
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if n = sourceGoroutines() - before; n <= a.cfg.Parallel || time.Now().After(deadline) {
				break
			}
		}
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		t.Logf("%s: %d goroutines in the source's code (healthy budget %d), stacks in use %d KB", when, n, a.cfg.Parallel, ms.StackInuse>>10)
		if n > a.cfg.Parallel {
			t.Errorf("%s: %d goroutines in the source's code, want at most the healthy budget's %d workers", when, n, a.cfg.Parallel)
		}
		if w := a.firstWorkers.Load(); w != 0 {
			t.Errorf("%s: %d first workers counted, want 0", when, w)
		}
	}
	answered(agents)
	idle("every agent answered")

	// Agents the source never asked: their requests go out at once.
	a.mu.Lock()
	for i := 0; i < 5; i++ {
		delete(a.state, a.list[i].ID)
	}
	a.mu.Unlock()
	if _, err := a.Collect(ctx); err != nil {
		t.Fatal(err)
	}
	a.mu.Lock()
	for i := 0; i < 5; i++ {
		if st := a.state[a.list[i].ID]; st == nil || st.cur == nil {
			t.Errorf("agent %s, new to the source, not answered within the round that asked it", a.list[i].Name)
		}
	}
	a.mu.Unlock()
	answered(agents)
	idle("after 5 agents new to the source")
}

// countStacks counts the goroutines whose stack has fn.
func countStacks(fn string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	return strings.Count(string(buf), fn+"(")
}

// TestNoIdleConnectionsToMoreAgentsThanThePool: with more agents than
// idle connections are kept (136), each agent asked once a round in the
// list's order, a kept connection was closed for newer ones before its
// agent's next round: never used, it held a reading goroutine, a writing
// one and 8 KB of buffers. Past that size no connection is left open
// between requests; the requests still succeed.
func TestNoIdleConnectionsToMoreAgentsThanThePool(t *testing.T) {
	const agents = 300
	const readLoop = "net/http.(*persistConn).readLoop"
	const masterConns = 4 // the master's (agent list, poller, state), kept
	before := countStacks(readLoop)
	_, srv := genCluster(t, agents, 2, nil)
	a := genSource(t, srv, Config{Timeout: 10 * time.Second, Wait: 10 * time.Second, Interval: 200 * time.Millisecond})
	ctx := context.Background()
	for round := 0; round < 2; round++ {
		for deadline := time.Now().Add(time.Minute); ; {
			if _, err := a.Collect(ctx); err != nil {
				t.Fatal(err)
			}
			a.mu.Lock()
			ready := 0
			for _, st := range a.state {
				if st.cur != nil && !st.inFlight && st.err == "" {
					ready++
				}
			}
			a.mu.Unlock()
			if ready == agents {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d agents answered", ready, agents)
			}
		}
	}
	// A connection closed after its answer ends its reading goroutine
	// soon after, not at a fixed time.
	var open int
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if open = countStacks(readLoop) - before; open <= masterConns || time.Now().After(deadline) {
			break
		}
	}
	t.Logf("%d agents answered twice: %d connections left open", agents, open)
	if open > masterConns {
		t.Errorf("%d connections left open between rounds, want at most the master's %d: none to agents past %d of them", open, masterConns, a.cfg.Parallel+a.cfg.FailingParallel)
	}
}
