package events

import (
	"fmt"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

// BenchmarkObserve500 is a refresh's cost of the timeline at 500
// containers whose cgroups are the source (the worst case: every one
// compared), nothing happening, and with 50 pushed events to place by
// cgroup (a burst of OOM kills).
func BenchmarkObserve500(b *testing.B) {
	cs := make([]model.Container, 500)
	for i := range cs {
		cs[i] = mesosContainer(fmt.Sprintf("%08x-mesos", i), 0)
	}
	for _, burst := range []int{0, 50} {
		b.Run(fmt.Sprintf("pushed=%d", burst), func(b *testing.B) {
			tl := New(Config{Counters: func(string) bool { return true }, CounterSource: "cgroup"})
			tl.Observe(snapshotAt(0, cs...))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				for j := 0; j < burst; j++ {
					tl.Push(model.Event{Kind: "oom-kill", Source: "kernel", ObjectKind: "process", Cgroup: cs[(i+j)%len(cs)].Cgroup + "/child", Text: "x"})
				}
				tl.Observe(snapshotAt(i+1, cs...))
			}
		})
	}
}

// BenchmarkObserve20000 is a --cluster refresh's cost of the timeline at
// 20,000 executors, nothing happening; held-B/container is what it keeps
// of them until the next refresh.
func BenchmarkObserve20000(b *testing.B) {
	const n = 20000
	cs := make([]model.Container, n)
	for i := range cs {
		cs[i] = mesosContainer(fmt.Sprintf("%08x-mesos", i), 0)
	}
	tl := New(Config{Counters: func(string) bool { return true }, CounterSource: "cgroup"})
	tl.Observe(snapshotAt(0, cs...))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tl.Observe(snapshotAt(i+1, cs...))
	}
	b.StopTimer()
	b.ReportMetric(heldPerContainer(n), "held-B/container")
}
