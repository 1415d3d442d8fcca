package views

import (
	"fmt"
	"math/rand"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

// refreshed is wordSnapshot(n) as the next refresh reads it: every
// string made again, new figures, one container renamed, one gone and
// one new.
func refreshed(n int) *model.Snapshot {
	s := wordSnapshot(n)
	for i := range s.Containers {
		s.Containers[i].CPUPct = float64((i * 7) % 11)
		s.Containers[i].Mem.Used = uint64(i) << 20
	}
	s.Containers[5].Name = "Renamed-Zed"
	s.Containers = slices.Delete(s.Containers, 10, 11)
	c := s.Containers[0]
	sample := *c.ContainerSample
	c.ContainerSample = &sample
	c.ID, c.Name = fmt.Sprintf("%064x", n+100), "New-Zed"
	s.Containers = slices.Insert(s.Containers, 20, c)
	return s
}

// mallocs is how many allocations f makes.
func mallocs(f func()) uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	before := m.Mallocs
	f()
	runtime.ReadMemStats(&m)
	return m.Mallocs - before
}

// findCellByCell is Find as a search through every cell of t's rows.
func findCellByCell(t *Table, text string, from int) int {
	text = strings.ToLower(text)
	n := t.Len()
	for k := 0; k < n; k++ {
		i := ((from+k)%n + n) % n
		if t.cellsHold(i, text) {
			return i
		}
	}
	return -1
}

// TestSearchTextCarriedToTheNextRefresh: the first search key on the
// rows of a new snapshot (every refresh makes one) or of a new sort
// lowers only the rows whose text changed, not every row again: on the
// old code, the first key that matched nothing after a refresh or a sort
// key made a string for each of the 2,000 rows. It still finds what a
// search through every cell finds, the renamed and new rows included.
func TestSearchTextCarriedToTheNextRefresh(t *testing.T) {
	const n = 2000
	screen := Query{View: "containers", Screen: true}
	first, err := Rows(wordSnapshot(n), screen)
	if err != nil {
		t.Fatal(err)
	}
	if first.Find("zebra", 0) != -1 {
		t.Fatal("zebra found")
	}
	next, err := Rows(refreshed(n), screen)
	if err != nil {
		t.Fatal(err)
	}
	m := mallocs(func() {
		if got := next.Find("zebra", 0); got != -1 {
			t.Errorf("Find(zebra) after the refresh = %d", got)
		}
	})
	t.Logf("allocations of the first key after a refresh: %d", m)
	if m > n/10 {
		t.Errorf("the first search key after a refresh allocated %d times for %d rows: every row's text made again", m, n)
	}
	for _, text := range []string{"renamed-zed", "Svc-1", "SVC-5-", "new-zed", "web-10", "web-9", "ünï", "shop:1.25", "zed", "zebras"} {
		for _, from := range []int{0, 7, 500, n - 3} {
			if got, want := next.Find(text, from), findCellByCell(next, text, from); got != want {
				t.Errorf("after the refresh, Find(%q, %d) = %d, cell by cell %d", text, from, got, want)
			}
		}
	}

	sorted, err := Rows(refreshed(n), Query{View: "containers", Screen: true, Sort: "name", Desc: true})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Rows(refreshed(n), Query{View: "containers", Screen: true, Sort: "name"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tab := range []*Table{sorted, again} {
		tab.Find("zebra", 0) // a new snapshot each: its text carried
		m = mallocs(func() { tab.Find("qqq", 0) })
		if m > 10 {
			t.Errorf("a search key after its own miss allocated %d times", m)
		}
	}
	snap := refreshed(n)
	a, err := Rows(snap, screen)
	if err != nil {
		t.Fatal(err)
	}
	a.Find("zebra", 0)
	b, err := Rows(snap, Query{View: "containers", Screen: true, Sort: "state", Desc: true}) // a sort key: the same rows
	if err != nil {
		t.Fatal(err)
	}
	m = mallocs(func() {
		if got := b.Find("zebra", 3); got != -1 {
			t.Errorf("Find(zebra) after a sort key = %d", got)
		}
	})
	t.Logf("allocations of the first search key after a sort key: %d", m)
	if m > n/10 {
		t.Errorf("the first search key after a sort key allocated %d times for %d rows: the rows' text made again", m, n)
	}
	for _, text := range []string{"renamed", "new-zed", "svc-19", "web-3"} {
		for _, from := range []int{0, 11, n / 2} {
			if got, want := b.Find(text, from), findCellByCell(b, text, from); got != want {
				t.Errorf("after a sort key, Find(%q, %d) = %d, cell by cell %d", text, from, got, want)
			}
		}
	}
}

// TestFilterTextCarriedToTheNextRefresh: a filter's bare word applied on
// a new snapshot's rows, once a filter word has been used, lowers only
// the rows whose text changed: on the old code a filter applied after a
// refresh lowered every row's text again (a string for each name with
// capitals outside ASCII, 1,333 of 2,000 here). It keeps the rows batch
// mode's filter keeps.
func TestFilterTextCarriedToTheNextRefresh(t *testing.T) {
	const n = 2000
	parse := func(expr string) *Filter {
		f, err := ParseFilter(expr)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	s := wordSnapshot(n)
	if _, err := Rows(s, Query{View: "containers", Screen: true, Filter: parse("web")}); err != nil {
		t.Fatal(err)
	}
	if _, err := Rows(s, Query{View: "containers", Screen: true}); err != nil { // cleared
		t.Fatal(err)
	}
	next := refreshed(n)
	if _, err := Rows(next, Query{View: "containers", Screen: true}); err != nil { // the refresh
		t.Fatal(err)
	}
	var tab *Table
	f := parse("svc-1")
	m := mallocs(func() {
		var err error
		if tab, err = Rows(next, Query{View: "containers", Screen: true, Filter: f}); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocations of the first filter after a refresh: %d", m)
	if m > n/10 {
		t.Errorf("the first filter after a refresh allocated %d times for %d rows: every row lowered again", m, n)
	}
	for _, expr := range []string{"svc-1", "renamed-zed", "new-zed", "zed", "web-1", "ünï", "svc state=running", "zebra"} {
		f := parse(expr)
		screen, err := Rows(next, Query{View: "containers", Screen: true, Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		batch, err := Rows(next, Query{View: "containers", Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(screen.RowSlice(), batch.Rows, func(a, b Row) bool { return a.Key == b.Key }) {
			t.Errorf("filter %q after the refresh: %d rows, batch mode %d (or in another order)", expr, screen.Len(), len(batch.Rows))
		}
	}
	if tab.Len() == 0 {
		t.Error("svc-1 kept no row")
	}
}

// TestRowMatchPairsEveryKey: rows are paired with the old row of their
// key, or none, whether they are the old rows with some gone and some
// new, a filter's few of them, or all of them from a few; shuffled, a
// row may go unpaired (its text is then made again), never mispaired.
func TestRowMatchPairsEveryKey(t *testing.T) {
	rows := func(keys ...int) []Row {
		var r []Row
		for _, k := range keys {
			r = append(r, Row{Key: fmt.Sprint(k)})
		}
		return r
	}
	seq := func(from, to, step int) []int {
		var k []int
		for i := from; i < to; i += step {
			k = append(k, i)
		}
		return k
	}
	shuffled := seq(0, 500, 1)
	rng := rand.New(rand.NewSource(1))
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	cases := []struct {
		name     string
		old, new []int
		exact    bool
	}{
		{"refresh", seq(0, 500, 1), append(append(seq(0, 100, 1), 9001, 9002), seq(103, 500, 1)...), true},
		{"filtered", seq(0, 500, 1), seq(0, 500, 37), true},
		{"unfiltered", seq(0, 500, 37), seq(0, 500, 1), true},
		{"shuffled", seq(0, 500, 1), shuffled, false},
		{"none", seq(0, 500, 1), seq(1000, 1500, 1), true},
	}
	for _, c := range cases {
		old := rows(c.old...)
		at := map[string]int{}
		for j, r := range old {
			at[r.Key] = j
		}
		m := rowMatch{old: old}
		for _, r := range rows(c.new...) {
			want, ok := at[r.Key]
			if !ok {
				want = -1
			}
			if got := m.find(r.Key); got != want && (c.exact || got != -1) {
				t.Fatalf("%s: key %s paired with old row %d, want %d", c.name, r.Key, got, want)
			}
		}
	}
}

// BenchmarkRefreshCarry is a refresh's views.Rows for the screen at
// 50,000 containers, two snapshots in turn (the same containers, every
// string their own): plain, no search nor filter word used; carried,
// after a search and a filter word, so each refresh takes their text
// over from the last rows. The table shown is held while the next is
// made, as the screen holds it.
func BenchmarkRefreshCarry(b *testing.B) {
	const n = 50000
	snaps := []*model.Snapshot{wordSnapshot(n), refreshed(n)}
	q := Query{View: "containers", Screen: true}
	for _, carried := range []bool{false, true} {
		name := "plain"
		if carried {
			name = "carried"
		}
		b.Run(name, func(b *testing.B) {
			built = rowCache{}
			tab, err := Rows(snaps[0], q)
			if err != nil {
				b.Fatal(err)
			}
			if carried {
				tab.Find("zebra", 0)
				f, _ := ParseFilter("web")
				if _, err := Rows(snaps[0], Query{View: "containers", Screen: true, Filter: f}); err != nil {
					b.Fatal(err)
				}
				if _, err := Rows(snaps[0], q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			cpu0 := processCPU(b)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// The screen holds the table it shows while the
				// next one is made.
				shown := tab
				if tab, err = Rows(snaps[(i+1)%2], q); err != nil {
					b.Fatal(err)
				}
				runtime.KeepAlive(shown)
			}
			b.StopTimer()
			b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the CPU (user and system) the process has used, in ns:
// the garbage collector's work on the other CPU included.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// TestTextNoLongerCarriedOnceUnused: a search's and a filter word's text
// is carried over to the next refresh's rows while they are used, and no
// longer once neither has been for maxCarries refreshes: a carry costs a
// refresh about what making the text does.
func TestTextNoLongerCarriedOnceUnused(t *testing.T) {
	const n = 300
	snaps := []*model.Snapshot{wordSnapshot(n), refreshed(n)}
	q := Query{View: "containers", Screen: true}
	f, err := ParseFilter("web")
	if err != nil {
		t.Fatal(err)
	}
	rows := func(i int, f *Filter) *Table {
		q := q
		q.Filter = f
		tab, err := Rows(snaps[i%2], q)
		if err != nil {
			t.Fatal(err)
		}
		return tab
	}
	tab := rows(0, nil)
	tab.Find("zebra", 0)
	rows(0, f)
	rows(0, nil)
	carried := func() (search, words bool) {
		built.mu.Lock()
		defer built.mu.Unlock()
		return built.all.find.used(), built.all.words.made()
	}
	for i := 1; i <= maxCarries+1; i++ {
		tab = rows(i, nil)
		s, w := carried()
		if want := i <= maxCarries; s != want || w != want {
			t.Fatalf("refresh %d after the last search and filter: search text carried %v, filter text %v; want %v", i, s, w, want)
		}
	}
	tab.Find("zebra", 0) // used again: carried again
	rows(maxCarries+2, f)
	rows(maxCarries+2, nil)
	for i := maxCarries + 3; i < 2*maxCarries; i++ {
		rows(i, nil)
		if s, w := carried(); !s || !w {
			t.Fatalf("refresh %d: search text carried %v, filter text %v after their use", i, s, w)
		}
	}
}
