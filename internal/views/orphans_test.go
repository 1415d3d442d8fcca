package views

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/cgrouptest"
	"github.com/ctop-like/ctop-like/internal/collector"
	"github.com/ctop-like/ctop-like/internal/collector/cgroups"
	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
)

// pairBContainer is the container of the one executor of the agent state
// of pair B (Mesos 0.27.0), which runs task server-0_10a.
const pairBContainer = "6ce1f063-3838-49b9-b6aa-428127094507"

func uuid(t *testing.T) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// mesosCgroup makes a /mesos/<name>-<n> cgroup (in the hierarchies the
// collector reads) with a sleeping process in it, and returns its id.
func mesosCgroup(t *testing.T, name string) string {
	t.Helper()
	const root = "/sys/fs/cgroup"
	m, err := cgroups.Locate("/proc", root)
	if err != nil {
		t.Fatal(err)
	}
	_, version, err := cgroups.NewFinder(m, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	mounts := []string{root}
	if version == 1 {
		mounts = []string{filepath.Join(root, "memory"), filepath.Join(root, "cpu,cpuacct"), filepath.Join(root, "pids")}
		for i := len(mounts) - 1; i >= 0; i-- {
			if _, err := os.Stat(mounts[i]); err != nil {
				mounts = append(mounts[:i], mounts[i+1:]...)
			}
		}
	}
	rel := cgrouptest.Mesos(t, name, mounts...)
	var dirs []string
	for _, m := range mounts {
		dirs = append(dirs, filepath.Join(m, rel))
	}
	cgrouptest.Start(t, "exec sleep 3600", nil, dirs...)
	return filepath.Base(rel)
}

// orphanNode is this node as ctop-like sees it with a Mesos agent whose
// state answers what agentState holds (500 while fail is set).
type orphanNode struct {
	t          *testing.T
	local      *collector.Local
	poller     *orchestrator.Poller
	agentState atomic.Value // string
	fail       atomic.Bool
}

func newOrphanNode(t *testing.T) *orphanNode {
	n := &orphanNode{t: t}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.fail.Load() {
			http.Error(w, "agent recovering", http.StatusServiceUnavailable)
			return
		}
		if !strings.HasSuffix(r.URL.Path, "/state") && r.URL.Path != "/state.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(n.agentState.Load().(string)))
	}))
	t.Cleanup(srv.Close)
	p, err := orchestrator.NewPoller(orchestrator.Config{Agent: srv.URL, OnDemand: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	n.poller = p
	l, err := collector.NewLocal(context.Background(), collector.Config{PodmanHost: "none", ContainerdAddress: "none", CRIOAddress: "none"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	n.local = l
	return n
}

// snapshot collects this node, polls the agent, and places the containers.
func (n *orphanNode) snapshot() *model.Snapshot {
	n.t.Helper()
	smp, err := n.local.Collect(context.Background())
	if err != nil {
		n.t.Fatal(err)
	}
	n.poller.Refresh(context.Background())
	c := n.poller.Latest()
	if c == nil {
		n.t.Fatal("no cluster")
	}
	s := model.Rates(nil, smp)
	s.Cluster = c
	orchestrator.Match(s, c)
	return s
}

// attentionOf is the containers' attention by id, and the tasks'.
func attentionOf(t *testing.T, s *model.Snapshot, view string) map[string]string {
	t.Helper()
	v := Get(view)
	tab, err := Rows(s, Query{View: view})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range tab.Rows {
		a, _ := r.Values[v.Col("attention")].(string)
		id, _ := r.Values[0].(string)
		out[id] = a
	}
	return out
}

// TestOrphans: on a node whose agent's state (pair B's, Mesos 0.27.0)
// lists one executor, a /mesos/<id> cgroup that is that executor's
// container is placed, while another /mesos/<id> cgroup with a process in
// it and a running Docker container named mesos-<uuid> are "orphan (no
// task)" — once they are older than the agent's grace, and only while
// the agent's answer is fresh. Served the state as recorded, whose
// executor's container is nowhere here, its running task is "no
// container".
func TestOrphans(t *testing.T) {
	cgrouptest.RequireRoot(t)
	dockertest.Require(t)
	raw, err := os.ReadFile("../orchestrator/testdata/mesos/pairB_agent_state_mesos-0.27.0.json")
	if err != nil {
		t.Fatal(err)
	}
	listed := mesosCgroup(t, "reasons-listed")
	orphan := mesosCgroup(t, "reasons-orphan")
	dockerName := "mesos-" + uuid(t)
	dockerID := dockertest.Run(t, []string{"--name", dockerName}, "sleep", "3600")

	n := newOrphanNode(t)
	placed := strings.ReplaceAll(string(raw), pairBContainer, listed)
	if placed == string(raw) {
		t.Fatal("the fixture changed: update the test")
	}
	n.agentState.Store(placed)

	// Just started: within the agent's grace they may be being launched.
	s := n.snapshot()
	if s.Cluster.Stale || !s.Cluster.AgentRead {
		t.Fatalf("cluster %+v", s.Cluster)
	}
	// Only this test's own containers are asked: another test's /mesos
	// cgroup on this node may be past its grace already.
	ours := []string{listed, orphan, dockerID}
	got := attentionOf(t, s, "containers")
	for _, id := range ours {
		if a := got[id]; strings.Contains(a, "orphan") {
			t.Errorf("%s within the grace: %q", id, a)
		}
	}

	defer func(g time.Duration) { OrphanGrace = g }(OrphanGrace)
	OrphanGrace = 2 * time.Second
	time.Sleep(3 * time.Second)
	s = n.snapshot()
	got = attentionOf(t, s, "containers")
	for _, id := range []string{orphan, dockerID} {
		if a := got[id]; !strings.HasPrefix(a, "orphan (no task) ") {
			t.Errorf("%s: %q, want an orphan", id, a)
		}
	}
	if a := got[listed]; a != "" {
		t.Errorf("the agent's executor's container: %q", a)
	}
	// What it holds: the memory its cgroup charges (no CPU rate yet in a
	// first sample).
	for _, c := range s.Containers {
		if c.ID == dockerID && !strings.HasSuffix(got[dockerID], " holding mem "+HumanBytes(float64(c.Mem.Used))) {
			t.Errorf("%s holds %d bytes: %q", dockerID, c.Mem.Used, got[dockerID])
		}
	}
	if a := attentionOf(t, s, "mesos-tasks")["server-0_10a"]; a != "" {
		t.Errorf("task placed in %s: %q", listed, a)
	}

	// The agent fails: the last good answer is stale, and says nothing of
	// what runs now.
	n.fail.Store(true)
	s = n.snapshot()
	if !s.Cluster.Stale {
		t.Fatalf("not stale after a failed poll: %+v", s.Cluster)
	}
	got = attentionOf(t, s, "containers")
	for _, id := range ours {
		if a := got[id]; strings.Contains(a, "orphan") {
			t.Errorf("%s from a stale answer: %q", id, a)
		}
	}

	// As recorded: its executor runs nowhere here.
	n.fail.Store(false)
	n.agentState.Store(string(raw))
	s = n.snapshot()
	got = attentionOf(t, s, "containers")
	for _, id := range ours {
		if a := got[id]; !strings.HasPrefix(a, "orphan (no task) ") {
			t.Errorf("%s: %q, want an orphan", id, a)
		}
	}
	if a := attentionOf(t, s, "mesos-tasks")["server-0_10a"]; a != "no container" {
		t.Errorf("task server-0_10a: %q, want no container", a)
	}
	// x lists them.
	x := map[string]string{}
	v := Get("attention")
	tab, err := Rows(s, Query{View: "attention"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tab.Rows {
		x[r.Key], _ = r.Values[v.Col("attention")].(string)
	}
	for _, k := range []string{"container:" + orphan, "container:" + dockerID, "task:server-0_10a"} {
		if !strings.Contains(x[k], "orphan (no task)") && !strings.Contains(x[k], "no container") {
			t.Errorf("x: %s: %q", k, x[k])
		}
	}
}
