package metrics

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	pmodel "github.com/prometheus/common/model"

	"github.com/ctop-like/ctop-like/internal/batch"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// node is a snapshot with what a scrape must get right: a Marathon app's
// container, one in the host's network namespace, one whose cgroup lacks
// the memory controller, one id in two containerd namespaces, a hostile
// name and an image with a password in it.
func node() *model.Snapshot {
	s := &model.Snapshot{Time: time.Date(2026, 12, 7, 6, 30, 1, 123456789, time.UTC), Host: "node-1",
		Memory: model.Memory{Total: 16 << 30}, Machine: model.MachineInfo{CgroupVersion: 1}}
	add := func(id, name, runtime string, f func(c *model.Container)) {
		c := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}, HasRates: true, CPUPct: 12.5, CPUUserPct: 10, CPUSystemPct: 2.5, MemPct: 3}
		c.ID, c.Name, c.Runtime, c.State, c.Image = id, name, runtime, "running", "ctop-like/busybox:test"
		c.Cgroup = "/docker/" + id
		c.CPU = model.CgroupCPU{UsageNs: 123_456_789_012, UserNs: 100_000_000_000, SystemNs: 23_456_789_012}
		c.Mem = model.CgroupMemory{Usage: 300 << 20, Used: 200 << 20, RSS: 150 << 20, Cache: 100 << 20, Limit: 1 << 30, OOMKills: 2}
		c.Pids = 7
		c.Blkio = model.CgroupBlkio{ReadBytes: 4096, WriteBytes: 8192, ReadOps: 1, WriteOps: 2}
		c.Net = &model.NetCounters{RxBytes: 1000, TxBytes: 2000, RxPackets: 10, TxPackets: 20, RxErrors: 1, TxErrors: 2, RxDrops: 3, TxDrops: 4}
		c.Created = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
		if f != nil {
			f(&c)
		}
		s.Containers = append(s.Containers, c)
	}
	add("aaaa000000000000000000000000000000000000000000000000000000000001", "mesos-4f1c", model.RuntimeDocker, func(c *model.Container) {
		c.Cluster = model.ClusterFields{TaskID: "shop_api.1a2b", Task: "api.shop", FrameworkID: "fw-1", Framework: "marathon", Group: "/shop", App: "/shop/api"}
		c.CPU.Periods, c.CPU.ThrottledPeriods, c.CPU.ThrottledNs, c.CPU.QuotaCores = 1000, 30, 1_500_000_000, 0.5
		c.ThrottledPct = 3
		// Issue 24's figures: each one line of Figures, checked against
		// its column by CompareWithJSON.
		c.Figures = &model.ContainerFigures{Known: model.KnownSwap | model.KnownMemFailcnt | model.KnownHugetlb | model.KnownDisk | model.KnownFDs,
			SwapBytes: 4 << 20, MemFailcnt: 9, HugetlbBytes: 2 << 20, DiskBytes: 5 << 20, FDs: 36}
	})
	add("aaaa000000000000000000000000000000000000000000000000000000000002", "host-net", model.RuntimeDocker, func(c *model.Container) {
		c.Net, c.NetworkMode = nil, "host"
	})
	add("/mesos/3c9e", "3c9e", model.RuntimeMesos, func(c *model.Container) {
		c.Unmeasured, c.Image, c.Created = []string{"memory"}, "", time.Time{}
		c.Cluster = model.ClusterFields{TaskID: "etl.77", Task: "etl", FrameworkID: "fw-2", Framework: "spark"}
	})
	for _, ns := range []string{"k8s.io", "team-a"} {
		add("same-id", "web", model.RuntimeContainerd, func(c *model.Container) {
			c.ContainerdNamespace, c.Pod, c.Namespace = ns, "web-7d9f", "prod"
			c.Mem.Used += uint64(len(ns)) // tell them apart
		})
	}
	add("aaaa000000000000000000000000000000000000000000000000000000000003", "evil\"}\n\x1b[31m\xff", model.RuntimeDocker, func(c *model.Container) {
		c.Image = "https://deploy:hunter2@registry.example/app:1"
	})
	return s
}

// scrape serves s as /metrics and parses what a scrape gets with the
// Prometheus text-format parser.
func scrape(t testing.TB, s *model.Snapshot) map[string]*dto.MetricFamily {
	t.Helper()
	h, err := Handler(func() *model.Snapshot { return s })
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %s: %s", resp.Status, body)
	}
	parser := expfmt.NewTextParser(pmodel.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the scrape does not parse: %v\n%s", err, body)
	}
	return fams
}

// series finds a family's sample of one container (id and containerd
// namespace), nil when it has none.
func series(f *dto.MetricFamily, id, ns string) *dto.Metric {
	if f == nil {
		return nil
	}
	for _, m := range f.Metric {
		l := labels(m)
		if l["id"] == id && l["containerd_namespace"] == ns {
			return m
		}
	}
	return nil
}

func labels(m *dto.Metric) map[string]string {
	l := map[string]string{}
	for _, p := range m.Label {
		l[p.GetName()] = p.GetValue()
	}
	return l
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	return math.NaN()
}

// jsonRows is the containers view as -o json prints it.
func jsonRows(t testing.TB, s *model.Snapshot) (time.Time, []map[string]any) {
	t.Helper()
	var out bytes.Buffer
	p := &batch.Printer{Out: &out, Format: "json", Query: views.Query{View: "containers"}}
	if err := p.Print(s); err != nil {
		t.Fatal(err)
	}
	var line struct {
		Time time.Time        `json:"time"`
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	return line.Time, line.Rows
}

// TestScrapeEqualsJSON: every figure a column shows is, in the scrape,
// the very number -o json prints for the same snapshot, and a null there
// is no series here; the counters are the model's, in cAdvisor's units.
func TestScrapeEqualsJSON(t *testing.T) {
	s := node()
	fams := scrape(t, s)
	at, rows := jsonRows(t, s)
	CompareWithJSON(t, fams, at, rows)

	// The counters no column shows, against what cAdvisor would say.
	api := s.Containers[0]
	for name, want := range map[string]float64{
		"container_cpu_usage_seconds_total":                123.456789012,
		"container_cpu_user_seconds_total":                 100,
		"container_cpu_system_seconds_total":               23.456789012,
		"container_cpu_cfs_periods_total":                  1000,
		"container_cpu_cfs_throttled_periods_total":        30,
		"container_cpu_cfs_throttled_seconds_total":        1.5,
		"container_memory_usage_bytes":                     300 << 20,
		"container_network_receive_bytes_total":            1000,
		"container_network_transmit_bytes_total":           2000,
		"container_network_receive_packets_total":          10,
		"container_network_transmit_packets_total":         20,
		"container_network_receive_errors_total":           1,
		"container_network_transmit_errors_total":          2,
		"container_network_receive_packets_dropped_total":  3,
		"container_network_transmit_packets_dropped_total": 4,
		"container_fs_reads_bytes_total":                   4096,
		"container_fs_writes_bytes_total":                  8192,
		"container_fs_reads_total":                         1,
		"container_fs_writes_total":                        2,
		"container_start_time_seconds":                     float64(api.Created.Unix()),
		"container_memory_swap":                            4 << 20,
		"container_memory_failcnt":                         9,
		"container_hugetlb_usage_bytes":                    2 << 20,
		"container_fs_usage_bytes":                         5 << 20,
		"container_file_descriptors":                       36,
	} {
		m := series(fams[name], api.ID, "")
		if m == nil {
			t.Errorf("%s: no series for the app's container", name)
			continue
		}
		if got := value(m); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if typ := fams["container_cpu_usage_seconds_total"].GetType(); typ != dto.MetricType_COUNTER {
		t.Errorf("container_cpu_usage_seconds_total is a %v, want a counter", typ)
	}
	if typ := fams["container_memory_working_set_bytes"].GetType(); typ != dto.MetricType_GAUGE {
		t.Errorf("container_memory_working_set_bytes is a %v, want a gauge", typ)
	}

	// What does not apply has no series: no network of its own in the
	// host's namespace, no CFS periods without a quota, no memory without
	// the controller.
	for _, miss := range []struct{ name, id string }{
		{"container_network_receive_bytes_total", s.Containers[1].ID},
		{"container_cpu_cfs_periods_total", s.Containers[1].ID},
		{"container_memory_usage_bytes", "/mesos/3c9e"},
		{"container_memory_working_set_bytes", "/mesos/3c9e"},
		{"container_start_time_seconds", "/mesos/3c9e"},
		{"container_memory_swap", "/mesos/3c9e"},
		{"container_fs_usage_bytes", s.Containers[1].ID},
	} {
		if m := series(fams[miss.name], miss.id, ""); m != nil {
			t.Errorf("%s of %s = %v, want no series", miss.name, miss.id, value(m))
		}
	}

	// The placement is in the labels.
	l := labels(series(fams["container_cpu_usage_seconds_total"], api.ID, ""))
	for k, want := range map[string]string{"name": "mesos-4f1c", "runtime": "docker", "framework": "marathon", "group": "/shop",
		"app": "/shop/api", "task": "api.shop", "image": "ctop-like/busybox:test", "pod": "", "namespace": ""} {
		if l[k] != want {
			t.Errorf("label %s = %q, want %q", k, l[k], want)
		}
	}
	l = labels(series(fams["container_cpu_usage_seconds_total"], "same-id", "team-a"))
	if l["pod"] != "web-7d9f" || l["namespace"] != "prod" || l["runtime"] != "containerd" {
		t.Errorf("containerd labels = %v", l)
	}
}

// CompareWithJSON checks every column figure of the scrape against the
// JSON output's rows of the same refresh (shared with the command's test).
func CompareWithJSON(t testing.TB, fams map[string]*dto.MetricFamily, at time.Time, rows []map[string]any) {
	t.Helper()
	ts := fams["ctop_like_snapshot_timestamp_seconds"]
	if ts == nil || len(ts.Metric) != 1 {
		t.Fatalf("no ctop_like_snapshot_timestamp_seconds")
	}
	if got := ts.Metric[0].Gauge.GetValue(); math.Abs(got-float64(at.UnixNano())/1e9) > 1e-6 {
		t.Fatalf("the scrape is of the refresh at %v, the JSON of %v", got, at)
	}
	checked := 0
	for _, f := range Figures {
		if f.Column == "" {
			continue
		}
		fam := fams[f.Name]
		n := 0
		for _, r := range rows {
			id, _ := r["id"].(string)
			ns, _ := r["containerd_namespace"].(string)
			m := series(fam, id, ns)
			want, isNum := r[f.Column].(float64)
			switch {
			case !isNum && m != nil:
				t.Errorf("%s of %s: JSON's %s is null, the scrape says %v", f.Name, id, f.Column, value(m))
			case isNum && m == nil:
				t.Errorf("%s of %s: no series, JSON's %s is %v", f.Name, id, f.Column, want)
			case isNum && value(m) != want:
				t.Errorf("%s of %s = %v, JSON's %s is %v", f.Name, id, value(m), f.Column, want)
			case isNum:
				n++
				checked++
			}
		}
		if fam != nil && len(fam.Metric) != n {
			t.Errorf("%s: %d series, JSON has %d containers with a %s", f.Name, len(fam.Metric), n, f.Column)
		}
	}
	if checked == 0 {
		t.Fatal("no figure compared")
	}
}

// TestLabelsHoldNoSecret: a label is text from outside: a password in an
// image reference is hidden, a hostile name reaches the parser intact as
// a value (escaped, valid UTF-8), and a huge one is cut.
func TestLabelsHoldNoSecret(t *testing.T) {
	s := node()
	long := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}, HasRates: true}
	long.ID, long.Name, long.Runtime, long.Cgroup = "long", strings.Repeat("é", 4000), model.RuntimeDocker, "/docker/long"
	s.Containers = append(s.Containers, long)
	fams := scrape(t, s)
	evil := s.Containers[len(s.Containers)-2]
	l := labels(series(fams["container_cpu_usage_seconds_total"], evil.ID, ""))
	if strings.Contains(l["image"], "hunter2") || !strings.Contains(l["image"], "registry.example/app:1") {
		t.Errorf("image label %q: want the reference without its password", l["image"])
	}
	if want := "evil\"}\n\x1b[31m\uFFFD"; l["name"] != want {
		t.Errorf("name label %q, want %q", l["name"], want)
	}
	l = labels(series(fams["container_cpu_usage_seconds_total"], "long", ""))
	if n := len(l["name"]); n == 0 || n > maxLabel {
		t.Errorf("a 8000-byte name is a %d-byte label, want at most %d", n, maxLabel)
	}
	for name, f := range fams {
		for _, m := range f.Metric {
			for _, p := range m.Label {
				if p.GetName() == "env" || strings.HasPrefix(p.GetName(), "container_label_") {
					t.Errorf("%s has label %s", name, p.GetName())
				}
			}
		}
	}
}

// TestNoSnapshotYet: before the first refresh a scrape answers, empty.
func TestNoSnapshotYet(t *testing.T) {
	h, err := Handler(func() *model.Snapshot { return nil })
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || strings.Contains(rec.Body.String(), "container_") {
		t.Errorf("before a refresh: %d %q", rec.Code, rec.Body.String())
	}
	for _, req := range []*http.Request{httptest.NewRequest("POST", "/metrics", nil), httptest.NewRequest("GET", "/", nil)} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code < 400 {
			t.Errorf("%s %s: %d, want it refused (read-only, /metrics only)", req.Method, req.URL.Path, rec.Code)
		}
	}
}

// TestAddress: a bare port is loopback only; a host is as given.
func TestAddress(t *testing.T) {
	for in, want := range map[string]string{"9338": "127.0.0.1:9338", ":9338": "127.0.0.1:9338", "0.0.0.0:9338": "0.0.0.0:9338",
		"[::]:9338": "[::]:9338", "10.1.2.3:80": "10.1.2.3:80"} {
		if got, err := Address(in); err != nil || got != want {
			t.Errorf("Address(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"host:", "a:b:c", ""} {
		if got, err := Address(bad); err == nil {
			t.Errorf("Address(%q) = %q, want an error", bad, got)
		}
	}
}

// TestListen serves a real socket on loopback and stops.
func TestListen(t *testing.T) {
	s := node()
	srv, err := Listen("127.0.0.1:0", func() *model.Snapshot { return s })
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + srv.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	found := false
	for _, line := range strings.Split(string(body), "\n") {
		found = found || strings.HasPrefix(line, "container_memory_working_set_bytes{") && strings.Contains(line, fmt.Sprintf("app=%q", "/shop/api"))
	}
	if !found {
		t.Errorf("scrape:\n%s", body)
	}
	srv.Close()
	if _, err := http.Get("http://" + srv.Addr() + "/metrics"); err == nil {
		t.Error("still served after Close")
	}
}

// TestGzipAndLabelsFollowChanges: a scrape as Prometheus asks it
// (gzip) parses to the same figures; a container renamed between two
// scrapes has its new name (labels are kept between scrapes while
// unchanged), a container listed twice is one series.
func TestGzipAndLabelsFollowChanges(t *testing.T) {
	s := node()
	cur := s
	h, err := Handler(func() *model.Snapshot { return cur })
	if err != nil {
		t.Fatal(err)
	}
	get := func() map[string]*dto.MetricFamily {
		t.Helper()
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("Accept-Encoding gzip: answered %q", rec.Header().Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		p := expfmt.NewTextParser(pmodel.UTF8Validation)
		fams, err := p.TextToMetricFamilies(zr)
		if err != nil {
			t.Fatal(err)
		}
		return fams
	}
	at, rows := jsonRows(t, s)
	CompareWithJSON(t, get(), at, rows)

	next := *s
	next.Time = s.Time.Add(2 * time.Second)
	next.Containers = append([]model.Container(nil), s.Containers...)
	next.Containers[0].Name = "renamed"
	next.Containers = append(next.Containers, next.Containers[1]) // listed twice
	cur = &next
	fams := get()
	if l := labels(series(fams["container_cpu_usage_seconds_total"], s.Containers[0].ID, "")); l["name"] != "renamed" {
		t.Errorf("after a rename the name label is %q", l["name"])
	}
	if n := len(fams["container_cpu_usage_seconds_total"].Metric); n != len(s.Containers) {
		t.Errorf("%d series of %d containers (one listed twice)", n, len(s.Containers))
	}
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{"gzip": true, "identity, GZIP;q=0.5": true, "gzip;q=0": false, "deflate": false, "": false, "x-gzip": false} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v", h, got)
		}
	}
}
