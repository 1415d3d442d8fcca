package orchestrator

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/clustergen"
	"github.com/ctop-like/ctop-like/internal/model"
)

// serveCluster serves a generated cluster for the test.
func serveCluster(t testing.TB, spec clustergen.Spec) (*clustergen.Cluster, *clustergen.Server) {
	t.Helper()
	if _, err := clustergen.RaiseFileLimit(); err != nil {
		t.Fatal(err)
	}
	c := clustergen.New(spec)
	s, err := c.Serve()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return c, s
}

// TestLargeMasterState: a master of 600 agents x 20 tasks answers 21 MB
// of state, past the 16 MB one answer could cost to decode: every task is
// listed, each with its container, and nothing says "too large". (On the
// code before the streamed state every poll said "answer too large: over
// the 16 MB limit of one answer to decode (no data yet)".) The timeout is
// far above what the answers need: -race on a loaded machine is slow.
func TestLargeMasterState(t *testing.T) {
	c, s := serveCluster(t, clustergen.Spec{Agents: 600, TasksPerAgent: 20, Completed: 500, Seed: 3})
	p, err := NewPoller(Config{URLs: []string{s.MasterURL(), s.MarathonURL()}, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	p.Refresh(context.Background())
	runtime.GC()
	runtime.ReadMemStats(&after)
	cl := p.Latest()
	if cl == nil {
		t.Fatalf("no cluster: %v", p.Errors())
	}
	if len(cl.Errors) > 0 {
		t.Errorf("errors: %v", cl.Errors)
	}
	running := 0
	byID := map[string]model.Task{}
	for _, tk := range cl.Tasks {
		if !tk.Finished {
			running++
			byID[tk.ID] = tk
		}
	}
	if running != c.Tasks() {
		t.Fatalf("%d running tasks listed, want %d", running, c.Tasks())
	}
	a := c.Agents[517]
	for _, want := range a.Tasks {
		got := byID[want.ID]
		if len(got.ContainerIDs) != 1 || got.ContainerIDs[0] != want.ContainerID || got.AgentHost != a.Hostname {
			t.Fatalf("task %s: %+v, want container %s on %s", want.ID, got, want.ContainerID, a.Hostname)
		}
	}
	// What is kept is what the tasks need, not the answers: a fraction
	// of the master's state alone.
	body := len(c.MasterState())
	kept := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("state of %d bytes; heap after the poll +%d bytes (%.0f per task)", body, kept, float64(kept)/float64(c.Tasks()))
	if kept > int64(body)/3 {
		t.Errorf("the poll keeps %d bytes of a %d-byte state: more than a third", kept, body)
	}
	// Marathon's apps, and the tasks it embedded (not OnDemand).
	if len(cl.Apps) != len(c.Apps) || len(cl.Apps) == 0 || len(cl.Apps[0].TaskIDs) == 0 {
		t.Errorf("%d apps of %d", len(cl.Apps), len(c.Apps))
	}
}

// nodePoller is the poller of the tool on the node of agent i: -m the
// master, OnDemand.
func nodePoller(t testing.TB, s *clustergen.Server, c *clustergen.Cluster, i int) *Poller {
	t.Helper()
	p, err := NewPoller(Config{URLs: []string{s.MasterURL()}, Timeout: time.Minute, Interval: time.Second,
		Hostname: "node-" + c.Agents[i].ID, Addrs: []string{"192.0.2.7", c.Agents[i].IP}, OnDemand: true})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNodeViewReadsItsAgent: on a node of a 300-agent cluster, the node
// view's polls read this node's agent — its tasks, containers and
// sandboxes — and never the master's state; the summary that found the
// agent is read once.
func TestNodeViewReadsItsAgent(t *testing.T) {
	c, s := serveCluster(t, clustergen.Spec{Agents: 300, TasksPerAgent: 10, Completed: 100, Seed: 4})
	p := nodePoller(t, s, c, 42)
	a := c.Agents[42]
	for round := 0; round < 3; round++ {
		p.Refresh(context.Background())
		cl := p.Latest()
		if cl == nil || len(cl.Errors) > 0 {
			t.Fatalf("round %d: %+v %v", round, cl, p.Errors())
		}
		if cl.AgentID != a.ID || len(cl.Tasks) != len(a.Tasks) {
			t.Fatalf("round %d: agent %q with %d tasks, want %q with %d", round, cl.AgentID, len(cl.Tasks), a.ID, len(a.Tasks))
		}
		for i, tk := range cl.Tasks {
			want := a.Tasks[i]
			if tk.ID != want.ID || len(tk.ContainerIDs) != 1 || tk.ContainerIDs[0] != want.ContainerID ||
				tk.Detail().Sandbox != clustergen.Sandbox(a.ID, want.FrameworkID, want.ID, want.ContainerID) || tk.FrameworkID != c.Marathon.ID {
				t.Fatalf("task %+v, want %+v", tk, want)
			}
		}
		if cl.MarathonFrameworkID != c.Marathon.ID || cl.HasMarathon {
			t.Errorf("marathon framework %q, has marathon %v", cl.MarathonFrameworkID, cl.HasMarathon)
		}
	}
	if n := s.MasterHits("/master/state"); n != 0 {
		t.Errorf("the master's whole state was read %d times", n)
	}
	if n := s.MasterHits("/master/state-summary"); n != 1 {
		t.Errorf("the summary was read %d times, want once", n)
	}
	if n := s.Hits(42); n != 3 {
		t.Errorf("the agent was read %d times, want 3", n)
	}
	if uris := s.MarathonURIs(); len(uris) != 0 {
		t.Errorf("Marathon was asked %v", uris)
	}
}

// TestViewsWantTheCluster: a view that shows every task makes the next
// poll read the master's state; one that shows Marathon's apps reads them
// without their tasks, which their ids place; when no view wants them any
// more they are let go.
func TestViewsWantTheCluster(t *testing.T) {
	c, s := serveCluster(t, clustergen.Spec{Agents: 200, TasksPerAgent: 10, Completed: 100, Seed: 5})
	p := nodePoller(t, s, c, 7)
	ctx := context.Background()
	p.Refresh(ctx)
	p.Want(model.NeedMesosTasks | model.NeedMarathon)
	select {
	case <-p.kick:
	default:
		t.Error("a new need did not ask for a poll at once")
	}
	p.Refresh(ctx)
	cl := p.Latest()
	running := 0
	for _, tk := range cl.Tasks {
		if !tk.Finished {
			running++
		}
	}
	if running != c.Tasks() || s.MasterHits("/master/state") != 1 || len(cl.Errors) > 0 {
		t.Fatalf("%d running tasks (want %d), state read %d times, errors %v", running, c.Tasks(), s.MasterHits("/master/state"), cl.Errors)
	}
	for _, tk := range cl.Tasks {
		if tk.AgentID == c.Agents[7].ID && !tk.Finished && tk.Detail().Sandbox == "" {
			t.Errorf("local task %s has no sandbox", tk.ID)
		}
	}
	if !cl.HasMarathon || len(cl.Apps) != len(c.Apps) {
		t.Fatalf("marathon %v, %d apps", cl.HasMarathon, len(cl.Apps))
	}
	for _, u := range s.MarathonURIs() {
		if strings.Contains(u, "tasks") {
			t.Errorf("Marathon was asked for its tasks: %s", u)
		}
	}
	for _, app := range cl.Apps {
		want := c.Apps[0]
		for _, x := range c.Apps {
			if x.ID == app.ID {
				want = x
			}
		}
		if len(app.TaskIDs) != len(want.Tasks) {
			t.Fatalf("app %s: %d tasks, want %d", app.ID, len(app.TaskIDs), len(want.Tasks))
		}
	}
	// Assembled again from the same parts (each poll assembles up to
	// three times, Latest every refresh while a part is stale), the apps
	// and their task ids are the same, not made again: 100,000 ids each
	// time. (On the code before, made again each time.)
	p.mu.Lock()
	again := p.assemble()
	p.mu.Unlock()
	if len(again.Apps) == 0 || &again.Apps[0] != &cl.Apps[0] || &again.Apps[0].TaskIDs[0] != &cl.Apps[0].TaskIDs[0] {
		t.Error("the cluster assembled again from the same parts made its apps and their task ids again")
	}
	// Nothing wanted for longer than wantFor: the next poll lets go.
	p.mu.Lock()
	for i := range p.wantAt {
		p.wantAt[i] = time.Now().Add(-2 * p.wantFor())
	}
	p.mu.Unlock()
	p.Refresh(ctx)
	cl = p.Latest()
	if len(cl.Tasks) != 10 || cl.HasMarathon || s.MasterHits("/master/state") != 1 {
		t.Errorf("after the views were left: %d tasks, marathon %v, state read %d times", len(cl.Tasks), cl.HasMarathon, s.MasterHits("/master/state"))
	}
}

// TestZeroConfiguration: with only this node's agent (no -m), the poller
// reads it, follows it to the master it names and finds Marathon through
// the master's webui_url when a view shows Marathon.
func TestZeroConfiguration(t *testing.T) {
	c, s := serveCluster(t, clustergen.Spec{Agents: 20, TasksPerAgent: 5, Seed: 6})
	found, err := ProbeAgent(context.Background(), Config{Agent: s.AgentURL(3), Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if found.ID != c.Agents[3].ID || found.Master != s.MasterURL() || found.Tasks != 5 {
		t.Errorf("found %+v", found)
	}
	p, err := NewPoller(Config{Agent: s.AgentURL(3), Timeout: time.Minute, OnDemand: true, Hostname: "n", Addrs: []string{c.Agents[3].IP}})
	if err != nil {
		t.Fatal(err)
	}
	p.Refresh(context.Background())
	cl := p.Latest()
	if cl == nil || cl.AgentID != c.Agents[3].ID || len(cl.Tasks) != 5 || cl.Leader != s.MasterURL() {
		t.Fatalf("cluster %+v, errors %v", cl, p.Errors())
	}
	p.Want(model.NeedMarathon)
	p.Refresh(context.Background())
	cl = p.Latest()
	if !cl.HasMarathon || cl.Marathon != s.MarathonURL() || len(cl.Apps) != len(c.Apps) || len(cl.Errors) > 0 {
		t.Fatalf("marathon %v at %q, %d apps, errors %v", cl.HasMarathon, cl.Marathon, len(cl.Apps), cl.Errors)
	}
	// No agent where one was looked for: ErrNoAgent, which the tool keeps
	// quiet about.
	s.SetMode(4, clustergen.Refuse)
	if _, err := ProbeAgent(context.Background(), Config{Agent: s.AgentURL(4), Timeout: time.Second}); err == nil || !strings.Contains(err.Error(), ErrNoAgent.Error()) {
		t.Errorf("refusing agent: %v", err)
	}
}
