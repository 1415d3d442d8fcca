package views

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// bench10k has 100 containers and 10,000 processes, like the ui
// package's BenchmarkKeyToFrame.
func bench10k() *model.Snapshot {
	s := &model.Snapshot{Memory: model.Memory{Total: 16 << 30}}
	for i := 0; i < 100; i++ {
		c := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}, HasRates: true, CPUPct: float64(i % 37)}
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

// benchLook is bench10k with every tenth process listening on a port, ten
// failed containers that want ports the listeners hold, and a cluster of
// 10,000 tasks and 1,000 apps, a tenth of them failing.
func benchLook() *model.Snapshot {
	s := bench10k()
	s.Time = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for i := range s.Processes {
		if i%10 == 0 {
			s.Processes[i].Listen = []string{fmt.Sprintf("%d/tcp", 10000+i)}
		}
	}
	one := 1
	for i := 0; i < 10; i++ {
		c := &s.Containers[i]
		c.State, c.ExitCode, c.StateSince = "exited", &one, s.Time.Add(-time.Minute)
		c.Wants = []string{fmt.Sprintf("%d/tcp", 10000+10*(50+i))}
	}
	cl := &model.Cluster{}
	for i := 0; i < 1000; i++ {
		cl.Apps = append(cl.Apps, model.App{ID: fmt.Sprintf("/g%d/app%d", i%20, i), Instances: 2, TasksRunning: 2 - i%10/9})
	}
	for i := 0; i < 10000; i++ {
		st := "TASK_RUNNING"
		if i%10 == 0 {
			st = "TASK_FAILED"
		}
		cl.Tasks = append(cl.Tasks, model.Task{ID: fmt.Sprintf("app%d.%d", i%1000, i), State: st, StateSince: s.Time.Add(-time.Minute), Ports: []string{fmt.Sprintf("%d/tcp", 31000+i)}})
	}
	s.Cluster = cl
	return s
}

// BenchmarkNeedLookDrawn is the header's count at a draw: the snapshot on
// screen, its port conflicts found once (portConflicts' memo).
func BenchmarkNeedLookDrawn(b *testing.B) {
	s := benchLook()
	b.ReportAllocs()
	for b.Loop() {
		if c, _, _ := NeedLook(s); c == 0 {
			b.Fatal("nothing needs a look")
		}
	}
}

// BenchmarkNeedLookFresh is the count of a new snapshot: the conflicts
// found again, as every draw would without the memo.
func BenchmarkNeedLookFresh(b *testing.B) {
	snaps := []*model.Snapshot{benchLook(), benchLook(), benchLook()}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if c, _, _ := NeedLook(snaps[i%3]); c == 0 {
			b.Fatal("nothing needs a look")
		}
	}
}
