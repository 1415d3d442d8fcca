package views

import (
	"fmt"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/ctop-like/ctop-like/internal/model"
)

func tasksSnapshot(n int) *model.Snapshot {
	s := &model.Snapshot{Time: time.Unix(1_800_000_000, 0), Cluster: &model.Cluster{}}
	for i := range n {
		s.Cluster.Tasks = append(s.Cluster.Tasks, model.Task{ID: fmt.Sprintf("app.%d", i), Name: "app", State: "TASK_RUNNING", AgentHost: "10.0.0.1"})
	}
	return s
}

// TestRowsLetTheLastSnapshotGo: the rows kept for a key press that only
// re-sorts are the last snapshot's; while the next snapshot's rows are
// built neither those rows nor that snapshot are held, so a refresh of
// 100,000 tasks does not hold two snapshots' rows (and the last state)
// at its peak. The rows of one snapshot are still built once for both
// of its calls. (On the code before, the last snapshot was still held
// while the next one's rows were built.)
func TestRowsLetTheLastSnapshotGo(t *testing.T) {
	v := Get("mesos-tasks")
	build := v.Build
	t.Cleanup(func() { v.Build = build })
	a := tasksSnapshot(500)
	last := weak.Make(a)
	var heldWhileBuilding bool
	builds := 0
	b := tasksSnapshot(500)
	v.Build = func(s *model.Snapshot, q Query) []Row {
		builds++
		if s == b {
			runtime.GC()
			heldWhileBuilding = last.Value() != nil
		}
		return build(s, q)
	}
	q := Query{View: "mesos-tasks"}
	for range 2 {
		if tb, err := Rows(a, q); err != nil || len(tb.Rows) != 500 {
			t.Fatalf("rows of the first snapshot: %v, %v", tb, err)
		}
	}
	a = nil
	for range 2 {
		if tb, err := Rows(b, q); err != nil || len(tb.Rows) != 500 {
			t.Fatalf("rows of the second snapshot: %v, %v", tb, err)
		}
	}
	if heldWhileBuilding {
		t.Error("the last snapshot was held while the next one's rows were built")
	}
	if builds != 2 {
		t.Errorf("%d builds for two snapshots asked twice each, want 2", builds)
	}
}

// TestTaskRowsShareRepeatedText: the rows of 100,000 tasks repeat a few
// frameworks, states, agents and task names; each repeated string is put
// in an interface once per build, not once per row (16 bytes each, 6 MB
// at 100,000 rows). Measured as allocations of the same build with those
// strings repeated and with each row's own. (On the code before both
// allocated alike.)
func TestTaskRowsShareRepeatedText(t *testing.T) {
	const n = 2000
	same := tasksSnapshot(n)
	own := tasksSnapshot(n)
	for i := range own.Cluster.Tasks {
		tk := &own.Cluster.Tasks[i]
		tk.Name, tk.State, tk.AgentHost = tk.ID+"n", tk.ID+"s", tk.ID+"a"
	}
	q := Query{View: "mesos-tasks"}
	allocs := func(s *model.Snapshot) float64 {
		return testing.AllocsPerRun(3, func() { buildMesosTasks(s, q) })
	}
	a, b := allocs(same), allocs(own)
	if a > b-2*n {
		t.Errorf("%.0f allocations with repeated names, states and agents, %.0f with each row's own: want at least %d fewer", a, b, 2*n)
	}
}

// TestTaskAppByListOrByID: the index of tasks by app keeps only the
// tasks whose id does not name their app; both kinds are still placed
// in their app, and a finished task Marathon no longer lists by its id.
func TestTaskAppByListOrByID(t *testing.T) {
	s := tasksSnapshot(0)
	s.Cluster.Apps = []model.App{
		{ID: "/shop/web", TaskIDs: []string{"shop_web.1", "custom-1"}},
		{ID: "/shop/db", TaskIDs: []string{"shop_web.9"}}, // listed under another app than its id says
	}
	for _, id := range []string{"shop_web.1", "custom-1", "shop_web.9", "shop_web.2", "custom-2"} {
		s.Cluster.Tasks = append(s.Cluster.Tasks, model.Task{ID: id, State: "TASK_RUNNING"})
	}
	for app, want := range map[string][]string{
		"/shop/web": {"custom-1", "shop_web.1", "shop_web.2"},
		"/shop/db":  {"shop_web.9"},
	} {
		tb, err := Rows(s, Query{View: "mesos-tasks", Scope: []Scope{{Kind: "app", ID: app}}, Sort: "task_id"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range tb.Rows {
			got = append(got, r.Key)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("app %s: tasks %v, want %v", app, got, want)
		}
	}
}
