// Package metrics serves every container's figures to Prometheus
// (--listen): cAdvisor's metric names, so that the dashboards written for
// cAdvisor work, with the labels cAdvisor never had — where Mesos and
// Marathon placed the container. A scrape reads the newest snapshot and
// computes nothing of its own: a figure is a column of the containers view
// (what the screen and -o json show) or a counter of the model.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"github.com/klauspost/compress/gzip"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	pmodel "github.com/prometheus/common/model"
	"google.golang.org/protobuf/proto"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/redact"
	"github.com/ctop-like/ctop-like/internal/views"
)

// Labels name a container's series: what it is and where the cluster
// placed it. containerd_namespace and agent tell apart two containers of
// one id (two containerd namespaces; two agents with --cluster). No label
// comes from a container's environment or its runtime labels, so none
// holds a secret, and each container is one series per figure.
var Labels = [nLabels]string{"id", "name", "image", "runtime", "framework", "group", "app", "task", "pod", "namespace", "containerd_namespace", "agent"}

// maxLabel bounds a label value's bytes: a name or image is short, and a
// hostile one must not make every scrape huge.
const maxLabel = 256

// nLabels is len(Labels).
const nLabels = 12

// labelSources are the text of a container's Labels, as it has them.
func labelSources(c *model.Container) [nLabels]string {
	return [nLabels]string{c.ID, c.Name, c.Image, c.Runtime, c.Cluster.Framework, c.Cluster.Group, c.Cluster.App,
		c.Cluster.Task, c.Pod, c.Namespace, c.ContainerdNamespace, c.Agent}
}

// labelValue is a label's value from its source text: valid UTF-8 (the
// text format asks it; the encoder escapes quotes and new lines),
// passwords in an image reference (or anything) hidden, at most maxLabel
// bytes.
func labelValue(v string) string {
	if v == "" {
		return v
	}
	v = redact.Text(v)
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	if len(v) > maxLabel {
		cut := maxLabel
		for cut > 0 && !utf8.RuneStart(v[cut]) {
			cut--
		}
		v = v[:cut]
	}
	return v
}

// Gatherer is the containers of the newest snapshot as Prometheus metric
// families, built when scraped. It gathers them itself rather than
// through a Registry of const metrics: at 500 containers a registry
// spends most of a scrape making, checking and sorting 13,000 label sets
// that are 500 (bench/RESULTS.md); here each container's label pairs are
// made once and shared by its figures. The library still negotiates the
// format, encodes and compresses (promhttp, expfmt).
type Gatherer struct {
	latest func() *model.Snapshot
	// cols is each figure's column index in the containers view, -1
	// for a figure read by its Value.
	cols []int
	view *views.View

	// labels keeps each container's label pairs from one scrape to the
	// next while its labels' sources are unchanged: making them (hiding
	// passwords, checking UTF-8) is most of what is left of a scrape's
	// own work otherwise. Only the last scrape's containers are kept.
	mu     sync.Mutex
	labels map[[2]string]kept
}

// kept is a container's label pairs and the text they were made from.
type kept struct {
	from   [nLabels]string
	labels []*dto.LabelPair
}

// NewGatherer serves the figures of the snapshot latest returns (nil:
// none yet).
func NewGatherer(latest func() *model.Snapshot) (*Gatherer, error) {
	v := views.Get("containers")
	if v == nil {
		return nil, errors.New("metrics: no containers view")
	}
	g := &Gatherer{latest: latest, view: v}
	names := map[string]bool{timestampName: true}
	for _, f := range Figures {
		if names[f.Name] || !pmodel.LegacyValidation.IsValidMetricName(f.Name) {
			return nil, fmt.Errorf("metrics: %q: a metric name twice, or not one", f.Name)
		}
		names[f.Name] = true
		col := -1
		if f.Column != "" {
			if col = v.Col(f.Column); col < 0 {
				return nil, fmt.Errorf("metrics: %s: the containers view has no column %q", f.Name, f.Column)
			}
			if !v.Columns[col].Number {
				return nil, fmt.Errorf("metrics: %s: column %q is not a number", f.Name, f.Column)
			}
		} else if f.Value == nil {
			return nil, fmt.Errorf("metrics: %s: neither a column nor a value", f.Name)
		}
		g.cols = append(g.cols, col)
	}
	return g, nil
}

const timestampName = "ctop_like_snapshot_timestamp_seconds"

// Gather implements prometheus.Gatherer: one sample per container and
// figure it has, and the snapshot's time. The samples carry no timestamp
// of their own, so that Prometheus marks a gone container's series stale
// at once. A label whose value is empty is left out (Prometheus holds an
// empty label and a missing one the same). Containers of one key and
// agent (a runtime listing one twice) are served once.
func (g *Gatherer) Gather() ([]*dto.MetricFamily, error) {
	s := g.latest()
	if s == nil {
		return nil, nil
	}
	at := float64(s.Time.UnixNano()) / 1e9
	fams := []*dto.MetricFamily{{Name: proto.String(timestampName), Type: dto.MetricType_GAUGE.Enum(),
		Help:   proto.String("When the refresh the figures come from was taken, since the Unix epoch."),
		Metric: []*dto.Metric{{Gauge: &dto.Gauge{Value: &at}}}}}
	rows := g.view.Build(s, views.Query{View: g.view.ID})
	byKey := make(map[string]int, len(rows))
	for i := range rows {
		byKey[rows[i].Key] = i
	}
	// Each container's label pairs, and its row.
	type one struct {
		c      *model.Container
		labels []*dto.LabelPair
		row    []any
	}
	g.mu.Lock()
	old := g.labels
	g.labels = make(map[[2]string]kept, len(s.Containers))
	list := make([]one, 0, len(s.Containers))
	for i := range s.Containers {
		k := &s.Containers[i]
		id := [2]string{k.Key(), k.Agent}
		if _, dup := g.labels[id]; dup {
			continue
		}
		from := labelSources(k)
		was, ok := old[id]
		if !ok || was.from != from {
			was = kept{from: from, labels: labelPairs(&from)}
		}
		g.labels[id] = was
		o := one{c: k, labels: was.labels}
		if i < len(rows) && rows[i].Key == id[0] {
			o.row = rows[i].Values // Build keeps the snapshot's order
		} else if ri, ok := byKey[id[0]]; ok {
			o.row = rows[ri].Values
		}
		list = append(list, o)
	}
	g.mu.Unlock()
	// One allocation of each kind for all the samples.
	n := len(list) * len(Figures)
	metrics := make([]dto.Metric, n)
	values := make([]float64, n)
	gauges := make([]dto.Gauge, 0, n)
	counters := make([]dto.Counter, 0, n)
	used := 0
	for j, f := range Figures {
		fam := &dto.MetricFamily{Name: proto.String(f.Name), Help: proto.String(f.Help), Metric: make([]*dto.Metric, 0, len(list))}
		if f.Type == prometheus.CounterValue {
			fam.Type = dto.MetricType_COUNTER.Enum()
		} else {
			fam.Type = dto.MetricType_GAUGE.Enum()
		}
		for _, o := range list {
			var v float64
			if col := g.cols[j]; col >= 0 {
				n, isNum := any(nil), false
				if o.row != nil {
					n = o.row[col]
				}
				if v, isNum = n.(float64); !isNum {
					continue // null: the figure does not apply
				}
			} else {
				var has bool
				if v, has = f.Value(o.c, s.Machine.Unknown); !has {
					continue
				}
			}
			m := &metrics[used]
			values[used] = v
			m.Label = o.labels
			if f.Type == prometheus.CounterValue {
				counters = append(counters, dto.Counter{})
				counters[len(counters)-1].Value = &values[used]
				m.Counter = &counters[len(counters)-1]
			} else {
				gauges = append(gauges, dto.Gauge{})
				gauges[len(gauges)-1].Value = &values[used]
				m.Gauge = &gauges[len(gauges)-1]
			}
			fam.Metric = append(fam.Metric, m)
			used++
		}
		if len(fam.Metric) > 0 {
			fams = append(fams, fam)
		}
	}
	return fams, nil
}

// labelPairs are the labels that have a value, made from their sources
// (labelValue), sorted by name as the exposition formats want them. Their
// pairs are never changed once made: scrapes under way share them.
func labelPairs(from *[nLabels]string) []*dto.LabelPair {
	vals := make([]string, nLabels)
	out := make([]*dto.LabelPair, 0, nLabels)
	for _, i := range labelOrder {
		if from[i] != "" {
			vals[i] = labelValue(from[i])
			out = append(out, &dto.LabelPair{Name: &Labels[i], Value: &vals[i]})
		}
	}
	return out
}

// labelOrder is Labels' indexes in the order of their names.
var labelOrder = func() []int {
	o := make([]int, len(Labels))
	for i := range o {
		o[i] = i
	}
	sort.Slice(o, func(a, b int) bool { return Labels[o[a]] < Labels[o[b]] })
	return o
}()

// Handler serves /metrics (the Prometheus text format, or OpenMetrics
// when the scraper asks for it; gzip when it accepts it) for the
// snapshots latest returns. Two scrapes at once at most: a third is told
// 503 rather than doubling the work.
func Handler(latest func() *model.Snapshot) (http.Handler, error) {
	g, err := NewGatherer(latest)
	if err != nil {
		return nil, err
	}
	metrics := promhttp.HandlerFor(g, promhttp.HandlerOpts{EnableOpenMetrics: true, ErrorHandling: promhttp.ContinueOnError,
		MaxRequestsInFlight: 2, DisableCompression: true})
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", fastGzip(metrics))
	return mux, nil
}

// Address is where --listen ADDR serves: a bare port ("9338" or ":9338")
// is this machine's loopback only; a host (0.0.0.0:9338, [::]:9338, an
// address of the node) is asked for.
func Address(addr string) (string, error) {
	if !strings.Contains(addr, ":") {
		addr = ":" + addr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--listen %q: want [HOST]:PORT or PORT: %v", addr, err)
	}
	if port == "" {
		return "", fmt.Errorf("--listen %q: no port", addr)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// Server is the running --listen endpoint.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// Listen starts serving /metrics at addr (see Address) for the snapshots
// latest returns; it fails at once when the address cannot be had.
func Listen(addr string, latest func() *model.Snapshot) (*Server, error) {
	a, err := Address(addr)
	if err != nil {
		return nil, err
	}
	h, err := Handler(latest)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", a)
	if err != nil {
		return nil, fmt.Errorf("--listen: %v", err)
	}
	s := &Server{ln: ln, done: make(chan struct{}),
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10}}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Addr is the address served (the port chosen for ":0").
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops serving; a scrape under way gets a second to finish.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if s.srv.Shutdown(ctx) != nil {
		s.srv.Close()
	}
	<-s.done
}

// gzipWriters are gzip writers at BestSpeed, reused.
var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

// fastGzip compresses the answer at BestSpeed when the scraper accepts
// gzip (Prometheus always does), with klauspost/compress's gzip (already
// in the module graph through client_golang's zstd). promhttp's own gzip
// is the standard library's at the default level: at 500 containers it
// made a scrape cost 2.6 times an uncompressed one (bench/RESULTS.md).
func fastGzip(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !acceptsGzip(r.Header.Get("Accept-Encoding")) {
			h.ServeHTTP(w, r)
			return
		}
		gz := gzipWriters.Get().(*gzip.Writer)
		defer gzipWriters.Put(gz)
		gz.Reset(w)
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Add("Vary", "Accept-Encoding")
		h.ServeHTTP(gzipResponse{ResponseWriter: w, w: gz}, r)
		_ = gz.Close()
	})
}

// acceptsGzip reads an Accept-Encoding header: gzip named, and not with
// q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

type gzipResponse struct {
	http.ResponseWriter
	w io.Writer
}

func (g gzipResponse) Write(p []byte) (int, error) { return g.w.Write(p) }
