package views

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"
	"unsafe"
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

// labelledSnapshot has n containers with labels, CPU figures with ties
// and a few without rates (their figures null): what the sorts, filters
// and label columns of the screen's key presses work on.
func labelledSnapshot(n int) *model.Snapshot {
	s := &model.Snapshot{Time: time.Unix(1_800_000_000, 0), Memory: model.Memory{Total: 16 << 30}}
	for i := range n {
		c := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}, HasRates: i%7 != 0, CPUPct: float64(i % 5)}
		c.ID = fmt.Sprintf("%064x", i+1)
		c.Name, c.Runtime, c.State = fmt.Sprintf("svc-%03d", (i*37)%n), model.RuntimeDocker, "running"
		c.Labels = map[string]string{"team": fmt.Sprintf("t%d", i%3)}
		c.Mem = model.CgroupMemory{Used: uint64(i%4) << 20, Limit: 1 << 30}
		s.Containers = append(s.Containers, c)
	}
	return s
}

// TestScreenRowsAsFreshOnes: a sequence of the screen's key presses on one
// snapshot (filters set, changed and cleared, sorts by numbers, text and
// a label, inverted, label columns shown) gives, at each step, the rows a
// first query of that snapshot gives, in the same order.
func TestScreenRowsAsFreshOnes(t *testing.T) {
	s := labelledSnapshot(300)
	f1, err := ParseFilter("svc-1")
	if err != nil {
		t.Fatal(err)
	}
	f2, err := ParseFilter("label.team=t1")
	if err != nil {
		t.Fatal(err)
	}
	steps := []Query{
		{Sort: "cpu_pct", Desc: true},
		{Sort: "cpu_pct", Desc: false},
		{Sort: "cpu_pct", Desc: true, Filter: f1},
		{Sort: "name", Desc: false, Filter: f1},
		{Sort: "name", Desc: true, Filter: f1, Columns: []string{"label.team"}},
		{Sort: "label.team", Desc: false, Filter: f2},
		{Sort: "label.team", Desc: true},
		{Sort: "cpu_pct", Desc: true},
		{Sort: "mem_bytes", Desc: true, Filter: f2},
		{},
		{Sort: "cpu_pct", Desc: false, Filter: f1},
	}
	for i, q := range steps {
		q.View, q.Screen = "containers", true
		got, err := Rows(s, q)
		if err != nil {
			t.Fatal(err)
		}
		fresh := *s // another snapshot: nothing of the cache
		q.Screen = false
		want, err := Rows(&fresh, q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Len() == 0 || got.Len() != len(want.Rows) || len(got.Columns) != len(want.Columns) {
			t.Fatalf("step %d: %d rows, %d columns; fresh %d, %d", i, got.Len(), len(got.Columns), len(want.Rows), len(want.Columns))
		}
		for k := range want.Rows {
			if g := got.Row(k); g.Key != want.Rows[k].Key || fmt.Sprint(g.Values) != fmt.Sprint(want.Rows[k].Values) {
				t.Fatalf("step %d (%+v): row %d is %s %v, fresh %s %v", i, q, k, g.Key, g.Values, want.Rows[k].Key, want.Rows[k].Values)
			}
		}
		if rows := got.RowSlice(); len(rows) != len(want.Rows) || rows[len(rows)-1].Key != want.Rows[len(rows)-1].Key {
			t.Fatalf("step %d: RowSlice is not the rows in order", i)
		}
		// The caller owns the Rows it is given (a sorted screen
		// table has none, only Row's, read-only): changing them
		// changes nothing of the next answer.
		if got.Rows != nil {
			got.Rows[0].Key = "changed"
			got.Rows = got.Rows[:0]
		}
	}
}

// TestScreenFilterDoesNotBuildAgain: on the screen, a filter set, changed
// and cleared on one snapshot filters the rows built for it once, rather
// than building them again (at 50,000 containers a build was most of a
// filter key's 180-380 ms). Batch output, whose filter never changes,
// keeps only the filtered rows. (On the code before, each change built
// the rows again: 4 builds.)
func TestScreenFilterDoesNotBuildAgain(t *testing.T) {
	v := Get("containers")
	build := v.Build
	t.Cleanup(func() { v.Build = build })
	builds := 0
	v.Build = func(s *model.Snapshot, q Query) []Row {
		builds++
		return build(s, q)
	}
	s := labelledSnapshot(100)
	f1, _ := ParseFilter("svc-01")
	f2, _ := ParseFilter("label.team=t2")
	n := 0
	for _, f := range []*Filter{nil, f1, f2, nil, f1} {
		tb, err := Rows(s, Query{View: "containers", Filter: f, Screen: true})
		if err != nil {
			t.Fatal(err)
		}
		if f == nil {
			n = tb.Len()
		} else if tb.Len() == 0 || tb.Len() >= n {
			t.Errorf("filter %q: %d of %d rows", f.Text, tb.Len(), n)
		}
	}
	if builds != 1 {
		t.Errorf("%d builds of one snapshot's rows for the screen, want 1", builds)
	}
	builds = 0
	s = labelledSnapshot(100)
	for _, f := range []*Filter{f1, nil} {
		if _, err := Rows(s, Query{View: "containers", Filter: f}); err != nil {
			t.Fatal(err)
		}
	}
	if builds != 2 {
		t.Errorf("%d builds for batch output's filtered and unfiltered rows, want 2 (the unfiltered ones are not kept)", builds)
	}
}

// TestSortKeyAllocatesOnlyItsRows: a sort asked for again on the same
// rows (I pressed back and forth) allocates the rows it returns and not
// the sort's keys again: at 50,000 rows the keys and the copy sorted in
// place were 7-11 ms of the key's 23 ms. (On the code before, each
// inversion allocated 20 bytes a row more.)
func TestSortKeyAllocatesOnlyItsRows(t *testing.T) {
	const n = 20000
	s := labelledSnapshot(n)
	q := Query{View: "containers", Sort: "cpu_pct", Screen: true}
	for _, desc := range []bool{true, false} { // both orders worked out once
		q.Desc = desc
		if _, err := Rows(s, q); err != nil {
			t.Fatal(err)
		}
	}
	var before, after runtime.MemStats
	const presses = 10
	runtime.ReadMemStats(&before)
	for i := range presses {
		q.Desc = i%2 == 0
		if _, err := Rows(s, q); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	perRow := float64(after.TotalAlloc-before.TotalAlloc) / presses / n
	if rowSize := float64(unsafe.Sizeof(Row{})); perRow > rowSize+4 {
		t.Errorf("%.1f bytes a row allocated per sort key, want at most the row's %.0f and 4", perRow, rowSize)
	}
}

// TestExplainWidthsOncePerRows: the widths the screen gives explaining
// columns are those of the rows whatever their order, and are worked out
// once per snapshot's rows on the screen: a sort key measures no value
// again (at 50,000 containers it measured every row's, 4 ms of the key).
// Rows replaced after Rows (the screen's wrapped lines) are measured
// afresh. (On the code before, the ui measured every row at each key.)
func TestExplainWidthsOncePerRows(t *testing.T) {
	s := labelledSnapshot(200)
	s.Containers[150].State, s.Containers[150].OOMKilled = "exited", true
	q := Query{View: "containers", Sort: "cpu_pct", Screen: true}
	tb, err := Rows(s, q)
	if err != nil {
		t.Fatal(err)
	}
	want := explainWidths(tb.Columns, tb.RowSlice())
	if got := tb.ExplainWidths(); want == nil || !slices.Equal(got, want) {
		t.Fatalf("widths %v, measured %v", got, want)
	}
	att := Get("containers").Col("attention")
	if want[att] == 0 {
		t.Fatalf("no width for the attention column: %v", want)
	}
	// Every value the width is measured from, changed behind the
	// cache's back (a published snapshot's rows never are): a sort
	// key that measured them again would see it.
	for i := range tb.Len() {
		tb.Row(i).Values[att] = "x"
	}
	q.Desc = true
	again, err := Rows(s, q)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.ExplainWidths(); !slices.Equal(got, want) {
		t.Errorf("a sort key measured the rows again: %v, first %v", got, want)
	}
	wrapped := *again
	wrapped.Rows = slices.Clone(again.RowSlice())
	if got := wrapped.ExplainWidths(); got[att] != 1 {
		t.Errorf("rows given after Rows: attention width %d, want 1", got[att])
	}
}

// TestFilterClearedSortsNothingAgain: on the screen, the rows before
// filtering keep their sorts and widths while a filter is set, so a
// filter cleared (Esc) allocates the rows it returns and no sort's keys.
// (Before the row sets, clearing sorted every row again: 20 bytes a row
// more, 10-14 ms at 50,000 rows.)
func TestFilterClearedSortsNothingAgain(t *testing.T) {
	const n = 20000
	s := labelledSnapshot(n)
	f, err := ParseFilter("label.team=t1")
	if err != nil {
		t.Fatal(err)
	}
	q := Query{View: "containers", Sort: "cpu_pct", Desc: true, Screen: true}
	if _, err := Rows(s, q); err != nil { // unfiltered: sorted once
		t.Fatal(err)
	}
	var perRow float64
	const rounds = 5
	for range rounds {
		q.Filter = f
		if tb, err := Rows(s, q); err != nil || tb.Len() == 0 || tb.Len() == n {
			t.Fatalf("filtered: %v", err)
		}
		q.Filter = nil
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		tb, err := Rows(s, q)
		runtime.ReadMemStats(&after)
		if err != nil || tb.Len() != n {
			t.Fatalf("cleared: %v", err)
		}
		perRow += float64(after.TotalAlloc-before.TotalAlloc) / rounds / n
	}
	if rowSize := float64(unsafe.Sizeof(Row{})); perRow > rowSize+4 {
		t.Errorf("%.1f bytes a row allocated per filter cleared, want at most the row's %.0f and 4", perRow, rowSize)
	}
}

// TestScreenSortKeyCopiesNoRow: on the screen, a sort of rows the cache
// keeps gives them in the sort's order without copying them, and the
// search's text made before the sort key is still the rows': at 50,000
// rows the copy in the new order was most of a sort key (8.5 ms of its
// 16 ms of CPU). On the code before, each sort key allocated the rows
// (80 bytes a row). The rows read as a fresh sort's (TestScreenRowsAsFreshOnes).
func TestScreenSortKeyCopiesNoRow(t *testing.T) {
	const n = 20000
	s := labelledSnapshot(n)
	q := Query{View: "containers", Sort: "cpu_pct", Screen: true}
	for _, desc := range []bool{true, false} { // both orders worked out once
		q.Desc = desc
		if _, err := Rows(s, q); err != nil {
			t.Fatal(err)
		}
	}
	var before, after runtime.MemStats
	const presses = 10
	runtime.ReadMemStats(&before)
	for i := range presses {
		q.Desc = i%2 == 0
		tb, err := Rows(s, q)
		if err != nil || tb.Len() != n {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	perRow := float64(after.TotalAlloc-before.TotalAlloc) / presses / n
	t.Logf("%.2f bytes a row allocated per sort key", perRow)
	if perRow >= 1 {
		t.Errorf("%.1f bytes a row allocated per sort key: the rows copied in the new order", perRow)
	}
}
