// Package bench holds the benchmark harness of the whole program: bench/run
// (a node built for the purpose, measured against the floor and the Docker
// stats API), benchtool (its measuring half) and Go benchmarks of one
// refresh on this node, end to end.
package bench

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/batch"
	"github.com/ctop-like/ctop-like/internal/collector"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// newLocal reads this node without Docker (its metadata comes from events,
// never per refresh), as batch output of the containers view does: what
// processes listen on every refresh, their io and figures only on demand
// (nothing here asks).
func newLocal(b *testing.B) *collector.Local {
	b.Helper()
	l, err := collector.NewLocal(context.Background(), collector.Config{DockerHost: "none"})
	if err != nil {
		b.Skip("no local node to read:", err)
	}
	l.ReadOnDemand(false, true, true)
	b.Cleanup(func() { l.Close() })
	return l
}

// BenchmarkCollect is one collector pass over this node (cgroups, /proc,
// machine). bench/run builds a node worth measuring; on its own it reads
// whatever runs here.
func BenchmarkCollect(b *testing.B) {
	l := newLocal(b)
	ctx := context.Background()
	if _, err := l.Collect(ctx); err != nil { // descriptors opened, caches filled
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := l.Collect(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefresh is one batch-mode refresh end to end: collect, rates,
// the containers view and its JSON line.
func BenchmarkRefresh(b *testing.B) {
	l := newLocal(b)
	ctx := context.Background()
	prev, err := l.Collect(ctx)
	if err != nil {
		b.Fatal(err)
	}
	p := &batch.Printer{Out: io.Discard, Format: "json", Query: views.Query{View: "containers"}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		cur, err := l.Collect(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Print(model.Rates(prev, cur)); err != nil {
			b.Fatal(err)
		}
		prev = cur
	}
}

// BenchmarkRefreshPaced is BenchmarkRefresh with a pause between
// refreshes, as in real use: caches are as cold as once a second makes
// them, which costs more than a tight loop.
func BenchmarkRefreshPaced(b *testing.B) {
	l := newLocal(b)
	ctx := context.Background()
	prev, err := l.Collect(ctx)
	if err != nil {
		b.Fatal(err)
	}
	p := &batch.Printer{Out: io.Discard, Format: "json", Query: views.Query{View: "containers"}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		time.Sleep(250 * time.Millisecond)
		b.StartTimer()
		cur, err := l.Collect(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Print(model.Rates(prev, cur)); err != nil {
			b.Fatal(err)
		}
		prev = cur
	}
}
