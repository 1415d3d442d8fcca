package views

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

// wordSnapshot is n containers whose names and images have capitals, as
// names often do: lower-casing them costs a string each.
func wordSnapshot(n int) *model.Snapshot {
	s := &model.Snapshot{}
	for i := 0; i < n; i++ {
		c := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}, HasRates: true, CPUPct: float64(i % 13)}
		c.ID = fmt.Sprintf("%064x", i+1)
		c.Name = fmt.Sprintf("Svc-%d-Ünï", i)
		if i%3 == 0 {
			c.Name = fmt.Sprintf("Web-%d", i)
		}
		c.Image, c.Runtime, c.State = "Registry/Shop:1.25", model.RuntimeDocker, "running"
		s.Containers = append(s.Containers, c)
	}
	return s
}

// TestScreenFilterLowersEachRowOncePerSnapshot: on the screen, a filter
// set, changed or typed further on the same snapshot looks for its words
// in each row's text lower-cased once, not in every cell lower-cased
// again at each key: at 2,000 containers with capitals in their names a
// filter applied allocated a string for each (2,000+) on the old code.
// The rows it keeps are the same as batch mode's (no kept text).
func TestScreenFilterLowersEachRowOncePerSnapshot(t *testing.T) {
	const n = 2000
	s := wordSnapshot(n)
	parse := func(expr string) *Filter {
		f, err := ParseFilter(expr)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	exprs := []string{"web", "web-1", "SVC ünï", "web-19 state=running", "shop:1", "zebra"}
	batch := map[string]int{}
	for _, e := range exprs {
		tab, err := Rows(s, Query{View: "containers", Filter: parse(e)})
		if err != nil {
			t.Fatal(err)
		}
		batch[e] = len(tab.Rows)
	}
	if batch["web"] != (n+2)/3 || batch["SVC ünï"] != n-(n+2)/3 || batch["zebra"] != 0 || batch["shop:1"] != n {
		t.Fatalf("batch rows: %v", batch)
	}
	for _, e := range exprs {
		tab, err := Rows(s, Query{View: "containers", Filter: parse(e), Screen: true})
		if err != nil {
			t.Fatal(err)
		}
		if tab.Len() != batch[e] {
			t.Errorf("screen, filter %q: %d rows, batch mode %d", e, tab.Len(), batch[e])
		}
	}
	a, b := parse("svc"), parse("svc-1")
	allocs := testing.AllocsPerRun(5, func() {
		for _, f := range []*Filter{a, b} {
			if _, err := Rows(s, Query{View: "containers", Filter: f, Screen: true}); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Logf("allocations for two filters applied: %.0f", allocs)
	if allocs > n/4 {
		t.Errorf("two filters applied to %d rows allocated %.0f times: each row's text lowered again", n, allocs)
	}
}

// TestWordTextFindsWhatCellsHold: the kept text answers as each cell on
// its own, for random cells and words, including a word that would span
// two cells, empty cells, nil values and non-ASCII text.
func TestWordTextFindsWhatCellsHold(t *testing.T) {
	v := &View{Columns: []Column{{ID: "a"}, {ID: "n", Number: true}, {ID: "b"}, {ID: "c"}}}
	rng := rand.New(rand.NewSource(7))
	pieces := []any{"", "ab", "AB", "b", "ba", "Ünï", "ünï", nil, "x\x00y"}
	var rows []Row
	for i := 0; i < 300; i++ {
		rows = append(rows, Row{Key: fmt.Sprint(i), Values: []any{
			pieces[rng.Intn(len(pieces))], float64(i), pieces[rng.Intn(len(pieces))], pieces[rng.Intn(len(pieces))],
		}})
	}
	var w wordText
	for _, expr := range []string{"ab", "bab", "a", "b", "ünï", "ÜNÏ", `""`, "x", "y", "ab ba", "1", "zz"} {
		f, err := ParseFilter(expr)
		if err != nil {
			t.Fatal(err)
		}
		want := f.Apply(v, rows)
		got := f.applyWords(v, rows, &w)
		if len(got) != len(want) {
			t.Errorf("filter %q: %d rows, cell by cell %d", expr, len(got), len(want))
			continue
		}
		for i := range got {
			if got[i].Key != want[i].Key {
				t.Errorf("filter %q: row %d is %s, cell by cell %s", expr, i, got[i].Key, want[i].Key)
				break
			}
		}
	}
}

// BenchmarkFilterWord is a bare-word filter applied to 50,000 containers'
// rows: cell by cell as batch mode does (cells), the screen's first on
// a snapshot's rows (first: their text made) and every later one (again).
func BenchmarkFilterWord(b *testing.B) {
	const n = 50000
	s := wordSnapshot(n)
	v := Get("containers")
	rows := v.Build(s, Query{View: "containers"})
	f, err := ParseFilter("web-4")
	if err != nil {
		b.Fatal(err)
	}
	want := len(f.Apply(v, rows))
	b.Run("cells", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if len(f.Apply(v, rows)) != want {
				b.Fatal("rows differ")
			}
		}
	})
	b.Run("first", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var w wordText
			if len(f.applyWords(v, rows, &w)) != want {
				b.Fatal("rows differ")
			}
		}
	})
	b.Run("again", func(b *testing.B) {
		var w wordText
		f.applyWords(v, rows, &w)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if len(f.applyWords(v, rows, &w)) != want {
				b.Fatal("rows differ")
			}
		}
	})
}
