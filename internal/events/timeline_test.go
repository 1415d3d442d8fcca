package events

import (
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// TestLogKeepsTheNewest: a ring of 3 given 5 events keeps the last 3 and
// says 2 were let go; what was published before stays as it was.
func TestLogKeepsTheNewest(t *testing.T) {
	l := NewLog(3)
	for i := range 2 {
		l.Add(model.Event{Kind: "started", Text: string(rune('a' + i))})
	}
	before := l.Events()
	for i := 2; i < 20; i++ {
		l.Add(model.Event{Kind: "started", Text: string(rune('a' + i))})
	}
	got := l.Events()
	if len(got.List) != 3 || got.Dropped != 17 || got.Keep != 3 {
		t.Fatalf("kept %d, dropped %d, keep %d; want 3, 17, 3", len(got.List), got.Dropped, got.Keep)
	}
	for i, e := range got.List {
		if want := uint64(18 + i); e.Seq != want {
			t.Errorf("kept[%d] is event %d, want %d", i, e.Seq, want)
		}
	}
	if len(before.List) != 2 || before.List[0].Text != "a" || before.List[1].Text != "b" || before.Dropped != 0 {
		t.Errorf("a published timeline changed: %+v", before)
	}
	if l.Events() != got {
		t.Error("no change, yet a new value")
	}
}

// TestLogKeepsAnOccurrenceOnce: two sources telling of one thing (a
// Mesos state between polls and Marathon's stream) make one event; once
// it has left the ring, the key is free again.
func TestLogKeepsAnOccurrenceOnce(t *testing.T) {
	l := NewLog(2)
	d := TaskDedup("t1", "TASK_FAILED")
	if !l.Add(model.Event{Kind: "task-failed", Dedup: d}) || l.Add(model.Event{Kind: "task-failed", Dedup: d}) {
		t.Fatal("the same occurrence kept twice, or not at all")
	}
	l.Add(model.Event{Kind: "x"})
	l.Add(model.Event{Kind: "y"})
	if !l.Add(model.Event{Kind: "task-failed", Dedup: d}) {
		t.Error("a key that left the ring is still taken")
	}
}

func snapshotAt(sec int, cs ...model.Container) *model.Snapshot {
	return &model.Snapshot{Time: time.Unix(1_800_000_000+int64(sec), 0), Containers: cs, Machine: model.MachineInfo{CgroupVersion: 1}}
}

func mesosContainer(id string, oomKills uint64) model.Container {
	c := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}}
	c.ID, c.Name, c.Runtime, c.State, c.Cgroup = id, id[:4], model.RuntimeMesos, "running", "/mesos/"+id
	c.Mem.OOMKills = oomKills
	c.Cluster = model.ClusterFields{TaskID: "etl.1", Task: "etl", FrameworkID: "fw-1", Framework: "spark"}
	return c
}

// TestCgroupCountersMakeEvents: for a runtime without an event stream,
// the cgroup's own figures are the source: a new OOM kill, a container
// that appeared, one that is gone — each placed in the cluster, and the
// first refresh says nothing of what ran before it.
func TestCgroupCountersMakeEvents(t *testing.T) {
	tl := New(Config{Counters: func(rt string) bool { return rt == model.RuntimeMesos }, CounterSource: "cgroup"})
	a := mesosContainer("aaaa1111", 0)
	s := snapshotAt(0, a)
	tl.Observe(s)
	if n := len(s.Events.List); n != 0 {
		t.Fatalf("the first refresh made %d events", n)
	}
	a.Mem.OOMKills = 1
	b := mesosContainer("bbbb2222", 0)
	s = snapshotAt(2, a, b)
	tl.Observe(s)
	kinds := map[string]model.Event{}
	for _, e := range s.Events.List {
		kinds[e.Kind] = e
	}
	oom, ok := kinds["oom"]
	if !ok || oom.Container != a.ID || oom.Runtime != model.RuntimeMesos || oom.Cluster.Task != "etl" || oom.Cluster.Framework != "spark" ||
		!strings.Contains(oom.Text, "memory.oom_control oom_kill 0 → 1") || oom.Source != "cgroup" {
		t.Errorf("oom event %+v", oom)
	}
	if st, ok := kinds["started"]; !ok || st.Container != b.ID || st.Object != "bbbb" {
		t.Errorf("started event %+v", st)
	}
	s = snapshotAt(4, b)
	tl.Observe(s)
	last := s.Events.List[len(s.Events.List)-1]
	if last.Kind != "died" || last.Container != a.ID || last.Object != "aaaa" || last.Cluster.Task != "etl" {
		t.Errorf("a gone container: %+v", last)
	}
}

// TestTaskStateChange: a task whose state changed between two cluster
// states is an event with its message, placed in its framework.
func TestTaskStateChange(t *testing.T) {
	tl := New(Config{})
	at := time.Unix(1_800_000_000, 0)
	cluster := func(state, msg string, since time.Time) *model.Cluster {
		return &model.Cluster{Time: since, HasMesos: true, Frameworks: []model.Framework{{ID: "fw-1", Name: "marathon"}},
			Tasks: []model.Task{model.Task{ID: "shop_api.1", Name: "api.shop", FrameworkID: "fw-1", State: state, StateSince: since}.WithDetail(model.TaskDetail{Message: msg})}}
	}
	s := snapshotAt(0)
	s.Cluster = cluster("TASK_RUNNING", "", at)
	tl.Observe(s)
	if len(s.Events.List) != 0 {
		t.Fatalf("the first cluster state made events: %+v", s.Events.List)
	}
	s = snapshotAt(10)
	s.Cluster = cluster("TASK_FAILED", "Command exited with status 1", at.Add(9*time.Second))
	tl.Observe(s)
	if len(s.Events.List) != 1 {
		t.Fatalf("events %+v", s.Events.List)
	}
	e := s.Events.List[0]
	if e.Kind != "task-failed" || e.Text != "TASK_RUNNING → TASK_FAILED: Command exited with status 1" || e.Cluster.Framework != "marathon" ||
		e.Object != "api.shop" || !e.Time.Equal(at.Add(9*time.Second)) {
		t.Errorf("event %+v", e)
	}
	// Marathon's stream telling the same again is not a second event.
	tl.Push(model.Event{Kind: "task-failed", Dedup: TaskDedup("shop_api.1", "TASK_FAILED")})
	s = snapshotAt(12)
	s.Cluster = cluster("TASK_FAILED", "Command exited with status 1", at.Add(9*time.Second))
	tl.Observe(s)
	if len(s.Events.List) != 1 {
		t.Errorf("told twice, kept %d", len(s.Events.List))
	}
}

// TestPushedEventIsPlaced: an event naming only a cgroup (the kernel
// log's OOM kill of a process) is placed in the container holding it.
func TestPushedEventIsPlaced(t *testing.T) {
	tl := New(Config{})
	a := mesosContainer("cccc3333", 0)
	tl.Push(model.Event{Kind: "oom-kill", Source: "kernel", ObjectKind: "process", Object: "python3 (pid 4242)", PID: 4242,
		Cgroup: "/mesos/cccc3333/mesos/child", Text: "killed by the OOM killer, password=hunter2"})
	s := snapshotAt(0, a)
	tl.Observe(s)
	if len(s.Events.List) != 1 {
		t.Fatalf("events %+v", s.Events.List)
	}
	e := s.Events.List[0]
	if e.Container != a.ID || e.Cluster.Task != "etl" || e.Runtime != model.RuntimeMesos || e.Object != "python3 (pid 4242)" {
		t.Errorf("placed as %+v", e)
	}
	if strings.Contains(e.Text, "hunter2") {
		t.Errorf("a secret in the text: %q", e.Text)
	}
}

// TestClusterAssembledAgainIsNotComparedAgain: a cluster assembled again
// from the same Mesos state (after a Marathon poll, or while a part is
// stale) holds the very tasks of the last one: they are not compared
// again, which at 100,000 tasks made two maps of them each time (8.7
// MB), and no event comes of them; a task that then changes state is
// still news. (On the code before, the second compare allocated as much
// as the first.)
func TestClusterAssembledAgainIsNotComparedAgain(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	c1 := &model.Cluster{Time: now, HasMesos: true}
	for i := range 10000 {
		c1.Tasks = append(c1.Tasks, model.Task{ID: "app.t" + strconv.Itoa(i), Name: "app", State: "TASK_RUNNING", StateSince: now.Add(-time.Hour)})
	}
	tl := New(Config{Keep: 100})
	alloc := func(c *model.Cluster) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		tl.Observe(&model.Snapshot{Time: c.Time, Cluster: c})
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	first := alloc(c1)
	c2 := *c1
	c2.Time = now.Add(10 * time.Second)
	again := alloc(&c2)
	if again > first/10 {
		t.Errorf("the same tasks compared again: %d bytes allocated, %d the first time", again, first)
	}
	c3 := *c1
	c3.Tasks = slices.Clone(c1.Tasks)
	c3.Tasks[5].State, c3.Tasks[5].StateSince = "TASK_FAILED", now.Add(15*time.Second)
	c3.Time = now.Add(20 * time.Second)
	tl.Observe(&model.Snapshot{Time: c3.Time, Cluster: &c3})
	var kinds []string
	for _, e := range tl.Events().List {
		kinds = append(kinds, e.ID+" "+e.Kind)
	}
	if !slices.Equal(kinds, []string{"app.t5 task-failed"}) {
		t.Errorf("events %v, want app.t5's failure alone", kinds)
	}
}
