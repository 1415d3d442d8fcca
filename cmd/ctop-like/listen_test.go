package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	pmodel "github.com/prometheus/common/model"

	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/metrics"
)

// freeAddr is a loopback address nothing listens on right now.
func freeAddr(t *testing.T) string { return fmt.Sprintf("127.0.0.1:%d", freePort(t)) }

// scrapeOnce GETs /metrics and parses it with the Prometheus text parser;
// nil when nothing answers yet.
func scrapeOnce(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %s: %s", resp.Status, body)
	}
	p := expfmt.NewTextParser(pmodel.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the scrape does not parse: %v\n%s", err, body)
	}
	return fams
}

func sampleValue(m *dto.Metric) float64 {
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}

func sampleLabels(m *dto.Metric) map[string]string {
	l := map[string]string{}
	for _, p := range m.Label {
		l[p.GetName()] = p.GetValue()
	}
	return l
}

// rowWithID is the row of the container with this id, nil when none.
func rowWithID(r result, id string) map[string]any {
	for _, row := range r.Rows {
		if row["id"] == id {
			return row
		}
	}
	return nil
}

// TestListenServesWhatJSONPrints runs the tool on this node's real
// containers with --listen beside -o json, scrapes /metrics, and checks
// every figure a column shows against the JSON line of the same refresh
// (ctop_like_snapshot_timestamp_seconds says which), and that a Docker
// container is there with its name and cAdvisor's counters.
func TestListenServesWhatJSONPrints(t *testing.T) {
	dockertest.Require(t)
	name := fmt.Sprintf("ctl-listen-%d", rand.Intn(1e6))
	id := dockertest.Run(t, []string{"--name", name, "--memory", "64m"}, dockertest.Sleep...)
	addr := freeAddr(t)
	cmd := exec.Command(binary, "-o", "json", "-n", "0", "-d", "500ms", "-v", "containers", "--listen", addr)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var mu sync.Mutex
	lines := map[int64]result{} // by time, in µs
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			var r result
			if json.Unmarshal(sc.Bytes(), &r) == nil {
				mu.Lock()
				lines[r.Time.UnixMicro()] = r
				mu.Unlock()
			}
		}
	}()
	var fams map[string]*dto.MetricFamily
	var line result
	for try := 0; ; try++ {
		if try == 600 {
			t.Fatalf("no scrape of a refresh -o json printed in 600 tries; stderr: %s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
		fams = scrapeOnce(t, addr)
		at := fams["ctop_like_snapshot_timestamp_seconds"]
		if at == nil || len(at.Metric) != 1 {
			continue
		}
		us := int64(math.Round(at.Metric[0].Gauge.GetValue() * 1e6))
		mu.Lock()
		var ok bool
		for d := int64(-1); d <= 1 && !ok; d++ { // float64 seconds keep µs to ±1
			line, ok = lines[us+d]
		}
		mu.Unlock()
		if ok && rowWithID(line, id) != nil && rowWithID(line, id)["name"] == name {
			break // a refresh after Docker's list named the container
		}
	}
	compared := 0
	for _, f := range metrics.Figures {
		if f.Column == "" {
			continue
		}
		n := 0
		for _, r := range line.Rows {
			rid, _ := r["id"].(string)
			ns, _ := r["containerd_namespace"].(string)
			var m *dto.Metric
			if fam := fams[f.Name]; fam != nil {
				for _, x := range fam.Metric {
					if l := sampleLabels(x); l["id"] == rid && l["containerd_namespace"] == ns {
						m = x
					}
				}
			}
			want, isNum := r[f.Column].(float64)
			switch {
			case !isNum && m != nil:
				t.Errorf("%s of %s: JSON's %s is null, the scrape says %v", f.Name, rid, f.Column, sampleValue(m))
			case isNum && m == nil:
				t.Errorf("%s of %s: no series, JSON's %s is %v", f.Name, rid, f.Column, want)
			case isNum && sampleValue(m) != want:
				t.Errorf("%s of %s = %v, JSON's %s is %v (same refresh)", f.Name, rid, sampleValue(m), f.Column, want)
			case isNum:
				n++
			}
		}
		if fam := fams[f.Name]; fam != nil && len(fam.Metric) != n {
			t.Errorf("%s: %d series, JSON has %d containers with a %s", f.Name, len(fam.Metric), n, f.Column)
		}
		compared += n
	}
	t.Logf("%d figures of %d containers equal in the scrape and the JSON line", compared, len(line.Rows))
	var mine *dto.Metric
	for _, m := range fams["container_cpu_usage_seconds_total"].GetMetric() {
		if sampleLabels(m)["id"] == id {
			mine = m
		}
	}
	if mine == nil {
		t.Fatalf("no container_cpu_usage_seconds_total of the test container")
	}
	if l := sampleLabels(mine); l["name"] != name || l["runtime"] != "docker" || l["image"] != dockertest.Image {
		t.Errorf("labels %v, want name %s, runtime docker, image %s", l, name, dockertest.Image)
	}
	for _, m := range fams["container_spec_memory_limit_bytes"].GetMetric() {
		if sampleLabels(m)["id"] == id && sampleValue(m) != 64<<20 {
			t.Errorf("container_spec_memory_limit_bytes = %v, want --memory 64m", sampleValue(m))
		}
	}
}

// TestListenAlone: -o none -n 0 serves /metrics and prints nothing.
func TestListenAlone(t *testing.T) {
	dockertest.Require(t)
	addr := freeAddr(t)
	cmd := exec.Command(binary, "-o", "none", "-n", "0", "-d", "500ms", "--listen", addr)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	for try := 0; ; try++ {
		if try == 600 {
			t.Fatalf("nothing served in 600 tries; stderr: %s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
		if fams := scrapeOnce(t, addr); fams["ctop_like_snapshot_timestamp_seconds"] != nil {
			break
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if stdout.Len() > 0 {
		t.Errorf("-o none printed %q", stdout.String())
	}
}

// TestListenUsage: a bad address, or --listen with a replay, is a usage
// error; an address in use fails at once, saying so.
func TestListenUsage(t *testing.T) {
	for _, args := range [][]string{{"--listen", "host:"}, {"--listen", "9338", "-r", "x.rec"}, {"-o", "yaml"}} {
		_, stderr, code := runBinary(t, args...)
		if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, %q; want 2 and one line", args, code, stderr)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, stderr, code := runBinary(t, "-o", "none", "-n", "1", "--listen", ln.Addr().String())
	if code != 1 || !strings.Contains(stderr, "--listen") || !strings.Contains(stderr, "address already in use") {
		t.Errorf("--listen on a port in use: exit %d, %q", code, stderr)
	}
}
