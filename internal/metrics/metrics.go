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
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/redact"
	"github.com/ctop-like/ctop-like/internal/views"
)

// Labels name a container's series: what it is and where the cluster
// placed it. containerd_namespace and agent tell apart two containers of
// one id (two containerd namespaces; two agents with --cluster). No label
// comes from a container's environment or its runtime labels, so none
// holds a secret, and each container is one series per figure.
var Labels = []string{"id", "name", "image", "runtime", "framework", "group", "app", "task", "pod", "namespace", "containerd_namespace", "agent"}

// maxLabel bounds a label value's bytes: a name or image is short, and a
// hostile one must not make every scrape huge.
const maxLabel = 256

// labelValues are a container's values for Labels: valid UTF-8 (the text
// format asks it; the client library escapes quotes and new lines),
// passwords in an image reference hidden, at most maxLabel bytes.
func labelValues(c *model.Container, buf []string) []string {
	buf = buf[:0]
	for _, v := range []string{c.ID, c.Name, c.Image, c.Runtime, c.Cluster.Framework, c.Cluster.Group, c.Cluster.App,
		c.Cluster.Task, c.Pod, c.Namespace, c.ContainerdNamespace, c.Agent} {
		buf = append(buf, labelValue(v))
	}
	return buf
}

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

// Collector is the containers of the newest snapshot as Prometheus
// metrics, computed when scraped.
type Collector struct {
	latest func() *model.Snapshot
	descs  []*prometheus.Desc
	at     *prometheus.Desc // the snapshot's time
	// cols is each figure's column index in the containers view, -1
	// for a figure read by its Value.
	cols []int
	view *views.View
}

// NewCollector serves the figures of the snapshot latest returns (nil:
// none yet).
func NewCollector(latest func() *model.Snapshot) (*Collector, error) {
	v := views.Get("containers")
	if v == nil {
		return nil, errors.New("metrics: no containers view")
	}
	c := &Collector{latest: latest, view: v, at: prometheus.NewDesc("ctop_like_snapshot_timestamp_seconds",
		"When the refresh the figures come from was taken, since the Unix epoch.", nil, nil)}
	for _, f := range Figures {
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
		c.cols = append(c.cols, col)
		c.descs = append(c.descs, prometheus.NewDesc(f.Name, f.Help, Labels, nil))
	}
	return c, nil
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
	ch <- c.at
}

// Collect implements prometheus.Collector: one sample per container and
// figure it has, and the snapshot's time. The samples carry no timestamp
// of their own, so that Prometheus marks a gone container's series stale
// at once. Containers of one key (a runtime listing one twice) are served
// once.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.latest()
	if s == nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.at, prometheus.GaugeValue, float64(s.Time.UnixNano())/1e9)
	rows := c.view.Build(s, views.Query{View: c.view.ID})
	byKey := make(map[string]int, len(rows))
	for i := range rows {
		byKey[rows[i].Key] = i
	}
	seen := make(map[[2]string]bool, len(s.Containers))
	var lv []string
	for i := range s.Containers {
		k := &s.Containers[i]
		id := [2]string{k.Key(), k.Agent}
		if seen[id] {
			continue
		}
		seen[id] = true
		ri, ok := byKey[id[0]]
		if i < len(rows) && rows[i].Key == id[0] {
			ri, ok = i, true // Build keeps the snapshot's order
		}
		lv = labelValues(k, lv)
		for j, f := range Figures {
			var v float64
			if col := c.cols[j]; col >= 0 {
				if !ok {
					continue
				}
				n, isNum := rows[ri].Values[col].(float64)
				if !isNum {
					continue // null: the figure does not apply
				}
				v = n
			} else {
				var has bool
				if v, has = f.Value(k, s.Machine.Unknown); !has {
					continue
				}
			}
			m, err := prometheus.NewConstMetric(c.descs[j], f.Type, v, lv...)
			if err != nil {
				ch <- prometheus.NewInvalidMetric(c.descs[j], err)
				continue
			}
			ch <- m
		}
	}
}

// Handler serves /metrics (the Prometheus text format, or OpenMetrics
// when the scraper asks for it) for the snapshots latest returns.
func Handler(latest func() *model.Snapshot) (http.Handler, error) {
	c, err := NewCollector(latest)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		return nil, err
	}
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true, ErrorHandling: promhttp.ContinueOnError, MaxRequestsInFlight: 2})
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
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
