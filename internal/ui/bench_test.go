package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// bigSnapshot has 100 containers and 10,000 processes.
func bigSnapshot() *model.Snapshot {
	s := testSnapshot()
	s.Containers = nil
	for i := 0; i < 100; i++ {
		c := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}, HasRates: true, CPUPct: float64(i % 37)}
		c.ID = fmt.Sprintf("%064x", i+1)
		c.Name, c.Runtime, c.State = fmt.Sprintf("svc-%03d", i), model.RuntimeDocker, "running"
		c.Mem = model.CgroupMemory{Used: uint64(i) << 20, Limit: 1 << 30}
		s.Containers = append(s.Containers, c)
	}
	s.Processes = nil
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

// BenchmarkKeyToFrame measures a key press (I: invert the sort) to the
// finished frame with 10,000 process rows on a simulation screen: the rows
// are recomputed off the UI goroutine and drawn.
func BenchmarkKeyToFrame(b *testing.B) {
	scr := tcell.NewSimulationScreen("UTF-8")
	feed := newFakeFeed(bigSnapshot())
	a, err := New(scr, Options{Feed: feed, View: "processes"})
	if err != nil {
		b.Fatal(err)
	}
	scr.SetSize(120, 40)
	frames := make(chan bool, 16)
	a.app.SetAfterDrawFunc(func(tcell.Screen) {
		if d := a.table.data; d != nil && d.Len() == 10000 {
			select {
			case frames <- d.Desc:
			default:
			}
		}
	})
	done := make(chan error, 1)
	go func() { done <- a.Run() }()
	defer func() { a.Stop(); <-done }()
	want := true // default sort cpu_pct descending
	wait := func() {
		deadline := time.After(10 * time.Second)
		for {
			select {
			case d := <-frames:
				if d == want {
					return
				}
			case <-deadline:
				b.Fatal("no frame")
			}
		}
	}
	wait()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		want = !want
		scr.InjectKey(tcell.KeyRune, 'I', tcell.ModNone)
		wait()
	}
}

// BenchmarkRows10k is views.Rows on 10,000 processes with a filter and a
// sort, the work behind every refresh and sort key.
func BenchmarkRows10k(b *testing.B) {
	s := bigSnapshot()
	f, err := views.ParseFilter("command~worker cpu_pct>5")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t, err := views.Rows(s, views.Query{View: "processes", Filter: f, Sort: "rss_bytes", Desc: i%2 == 0})
		if err != nil || len(t.Rows) == 0 {
			b.Fatal(err)
		}
	}
}
