package views

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

// bench10k has 100 containers and 10,000 processes, like the ui
// package's BenchmarkKeyToFrame.
func bench10k() *model.Snapshot {
	s := &model.Snapshot{Memory: model.Memory{Total: 16 << 30}}
	for i := 0; i < 100; i++ {
		c := model.Container{HasRates: true, CPUPct: float64(i % 37)}
		c.ID = fmt.Sprintf("%064x", i+1)
		c.Name, c.Runtime, c.State = fmt.Sprintf("svc-%03d", i), model.RuntimeDocker, "running"
		s.Containers = append(s.Containers, c)
	}
	for i := 0; i < 10000; i++ {
		p := model.Process{HasRates: true, CPUPct: float64((i * 7919) % 1000 / 10), MemPct: float64(i%100) / 10}
		p.PID, p.PPID, p.User, p.State, p.Threads = i+2, (i/10)+1, "www-data", "S", 1+i%8
		p.RSS, p.VSZ = uint64(i)<<12, uint64(i)<<16
		p.Command = fmt.Sprintf("/usr/bin/worker --id=%d --queue=q%d", i, i%13)
		p.ContainerID = s.Containers[i%100].ID
		s.Processes = append(s.Processes, p)
	}
	return s
}

// BenchmarkRowsResort is a key press on the data on screen: the same
// snapshot, another sort order (rows built and filtered once).
func BenchmarkRowsResort(b *testing.B) {
	s := bench10k()
	f, err := ParseFilter("command~worker cpu_pct>5")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		t, err := Rows(s, Query{View: "processes", Filter: f, Sort: "rss_bytes", Desc: i%2 == 0})
		if err != nil || len(t.Rows) == 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkRowsFresh is a refresh: every call a new snapshot, so the rows
// are built, filtered and sorted.
func BenchmarkRowsFresh(b *testing.B) {
	snaps := []*model.Snapshot{bench10k(), bench10k()}
	f, err := ParseFilter("command~worker cpu_pct>5")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		t, err := Rows(snaps[i%2], Query{View: "processes", Filter: f, Sort: "rss_bytes", Desc: true})
		if err != nil || len(t.Rows) == 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkSortRows10k is the sort alone, by a number and a text column.
func BenchmarkSortRows10k(b *testing.B) {
	rows := buildProcesses(bench10k(), Query{})
	v := Get("processes")
	for _, col := range []string{"cpu_pct", "command"} {
		b.Run(col, func(b *testing.B) {
			c := v.Col(col)
			work := make([]Row, len(rows))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				copy(work, rows)
				SortRows(work, c, v.Columns[c].Number, i%2 == 0)
			}
		})
	}
}

// SortRows orders rows exactly as a stable sort with nil last does,
// whatever the ties and nils (it sorts keys, not rows).
func TestSortRowsMatchesStableSort(t *testing.T) {
	var rows []Row
	for i := 0; i < 2000; i++ {
		var n, s any
		if i%7 != 0 {
			n = float64((i * 31) % 13)
			s = fmt.Sprintf("V%d", (i*17)%11)
			if i%3 == 0 {
				s = fmt.Sprintf("v%d", (i*17)%11)
			}
		}
		rows = append(rows, Row{Key: fmt.Sprint(i), Values: []any{n, s}})
	}
	ref := func(col int, number, desc bool) []Row {
		out := append([]Row(nil), rows...)
		slices.SortStableFunc(out, func(x, y Row) int {
			a, b := x.Values[col], y.Values[col]
			switch {
			case a == nil && b == nil:
				return 0
			case a == nil:
				return 1
			case b == nil:
				return -1
			}
			var c int
			if number {
				c = cmp.Compare(a.(float64), b.(float64))
			} else {
				c = compareFold(a.(string), b.(string))
			}
			if desc {
				return -c
			}
			return c
		})
		return out
	}
	for _, col := range []int{0, 1} {
		for _, desc := range []bool{false, true} {
			got := append([]Row(nil), rows...)
			SortRows(got, col, col == 0, desc)
			want := ref(col, col == 0, desc)
			for i := range got {
				if got[i].Key != want[i].Key {
					t.Fatalf("col %d desc %v: row %d is %s, want %s", col, desc, i, got[i].Key, want[i].Key)
				}
			}
		}
	}
}
