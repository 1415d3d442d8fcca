package metrics

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/batch"
	"github.com/ctop-like/ctop-like/internal/benchload"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// node500 is 500 Marathon containers with every figure and label set:
// the most a scrape at that scale has to say.
func node500() *model.Snapshot {
	s := &model.Snapshot{Time: time.Now(), Host: "node-1", Memory: model.Memory{Total: 64 << 30}}
	for i := range 500 {
		c := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}, HasRates: true, CPUPct: float64(i % 97), MemPct: 5}
		c.ID = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		c.Name, c.Runtime, c.State, c.Image = "mesos-"+c.ID, model.RuntimeMesos, "running", "registry.example/shop/api:1.2."+fmt.Sprint(i%7)
		c.Cgroup = "/mesos/" + c.ID
		c.CPU = model.CgroupCPU{UsageNs: uint64(i) * 1e9, UserNs: uint64(i) * 8e8, SystemNs: uint64(i) * 2e8, Periods: 1000, ThrottledPeriods: 10, ThrottledNs: 1e8, QuotaCores: 1}
		c.Mem = model.CgroupMemory{Usage: 300 << 20, Used: 200 << 20, RSS: 150 << 20, Cache: 100 << 20, Limit: 1 << 30}
		c.Pids = 12
		c.Net = &model.NetCounters{RxBytes: 1 << 30, TxBytes: 1 << 29, RxPackets: 1e6, TxPackets: 1e6}
		c.Created = s.Time.Add(-time.Hour)
		app := fmt.Sprintf("/shop/team-%d/api-%d", i%10, i%50)
		c.Cluster = model.ClusterFields{TaskID: "shop_api." + c.ID, Task: "api", FrameworkID: "fw-1", Framework: "marathon", Group: model.ParentGroup(app), App: app}
		s.Containers = append(s.Containers, c)
	}
	return s
}

// BenchmarkScrape500 is one GET /metrics at 500 containers, as
// Prometheus asks (gzip) and uncompressed: the rows, the gathering and
// the text encoding.
func BenchmarkScrape500(b *testing.B) {
	b.Run("gzip", func(b *testing.B) { benchScrape(b, "gzip") })
	b.Run("plain", func(b *testing.B) { benchScrape(b, "") })
}

func benchScrape(b *testing.B, encoding string) {
	s := node500()
	h, err := Handler(func() *model.Snapshot { return s })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	defer benchload.ReportCPU(b)()
	for b.Loop() {
		rec := &discard{header: http.Header{}}
		req := httptest.NewRequest("GET", "/metrics", nil)
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		h.ServeHTTP(rec, req)
		if rec.code != 200 {
			b.Fatal(rec.code)
		}
		b.SetBytes(rec.n)
	}
}

// discard is a ResponseWriter that keeps nothing of the body, as a
// socket would: a recorder's growing buffer would be most of the cost.
type discard struct {
	header http.Header
	code   int
	n      int64
}

func (d *discard) Header() http.Header { return d.header }
func (d *discard) WriteHeader(code int) {
	if d.code == 0 {
		d.code = code
	}
}
func (d *discard) Write(p []byte) (int, error) {
	d.WriteHeader(200)
	d.n += int64(len(p))
	return len(p), nil
}

// BenchmarkJSON500 is, side by side, the JSON line -o json prints of the
// same snapshot.
func BenchmarkJSON500(b *testing.B) {
	s := node500()
	p := &batch.Printer{Out: io.Discard, Format: "json", Query: views.Query{View: "containers"}}
	b.ReportAllocs()
	defer benchload.ReportCPU(b)()
	for b.Loop() {
		s2 := *s // a new snapshot, as each refresh is: no cached rows
		if err := p.Print(&s2); err != nil {
			b.Fatal(err)
		}
	}
}
