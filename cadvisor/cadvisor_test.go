package cadvisor

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/model"
	"github.com/ctop-like/ctop-like/monitor"
	"github.com/ctop-like/ctop-like/orchestrator"
	"github.com/ctop-like/ctop-like/views"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loopbackClient is an HTTP client that can only reach 127.0.0.0/8: any
// other destination fails the test (the fixtures name real addresses).
func loopbackClient(t testing.TB) *http.Client {
	d := &net.Dialer{Timeout: 2 * time.Second}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
				t.Errorf("the source tried to reach %s: only loopback is allowed", addr)
				return nil, &net.OpError{Op: "dial", Net: network, Err: os.ErrPermission}
			}
			return d.DialContext(ctx, network, addr)
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// server answers /api/v1.3/machine and /api/v1.3/subcontainers[/] with
// whatever body() returns at the time of the request.
type server struct {
	*httptest.Server
	mu      sync.Mutex
	machine []byte
	subs    []byte
	posts   int
}

func newServer(t testing.TB, machine, subs []byte) *server {
	s := &server{machine: machine, subs: subs}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch strings.TrimSuffix(r.URL.Path, "/") {
		case "/api/v1.3/machine":
			_, _ = w.Write(s.machine)
		case "/api/v1.3/subcontainers":
			if r.Method == http.MethodPost {
				s.posts++
			}
			_, _ = w.Write(s.subs)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) set(subs []byte) {
	s.mu.Lock()
	s.subs = subs
	s.mu.Unlock()
}

func newSource(t testing.TB, url string) *Source {
	t.Helper()
	src, err := New(url, loopbackClient(t))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// generic is the fixture as plain JSON, to check the typed decode against.
func generic(t testing.TB, b []byte) []map[string]any {
	t.Helper()
	var l []map[string]any
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func num(v any) float64        { f, _ := v.(float64); return f }

// newestStats is the stats entry with the latest timestamp, read generically.
func newestStats(c map[string]any) map[string]any {
	var best map[string]any
	var bt time.Time
	for _, s := range c["stats"].([]any) {
		ts, _ := time.Parse(time.RFC3339Nano, obj(s)["timestamp"].(string))
		if best == nil || ts.After(bt) {
			best, bt = obj(s), ts
		}
	}
	return best
}

func TestFixtures(t *testing.T) {
	cases := []struct {
		machine, subs string
		withRoot      bool
	}{
		{"dd-agent_api_v1.3_machine.json", "dd-agent_api_v1.3_subcontainers.json", true},
		{"recorded_v0.60_api_v1.3_machine.json", "recorded_v0.60_api_v1.3_subcontainers_docker_last2.json", false},
		{"recorded_v0.60_api_v1.3_machine.json", "recorded_v0.60_api_v1.3_subcontainers_docker_mesos-env_last2.json", false},
	}
	for _, tc := range cases {
		t.Run(tc.subs, func(t *testing.T) {
			subs := fixture(t, tc.subs)
			srv := newServer(t, fixture(t, tc.machine), subs)
			src := newSource(t, srv.URL)
			smp, err := src.Collect(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if srv.posts != 1 {
				t.Errorf("subcontainers asked %d times with a POSTed num_stats, want 1", srv.posts)
			}
			var mach map[string]any
			_ = json.Unmarshal(fixture(t, tc.machine), &mach)
			memCap := uint64(num(mach["memory_capacity"]))
			if smp.Machine.Cores != int(num(mach["num_cores"])) || smp.Memory.Total != memCap {
				t.Errorf("machine: %d cores %d bytes, want %v %v", smp.Machine.Cores, smp.Memory.Total, mach["num_cores"], memCap)
			}
			if smp.Host != "127.0.0.1" {
				t.Errorf("host %q", smp.Host)
			}
			// Every Docker container of the file, by a walk of the JSON.
			want := map[string]map[string]any{}
			for _, c := range generic(t, subs) {
				if c["namespace"] == "docker" || strings.HasPrefix(c["name"].(string), "/docker/") {
					name := c["name"].(string)
					want[name[strings.LastIndexByte(name, '/')+1:]] = c
				}
			}
			if len(smp.Containers) != len(want) || len(want) == 0 {
				t.Fatalf("%d containers, want %d", len(smp.Containers), len(want))
			}
			for _, got := range smp.Containers {
				c := want[got.ID]
				if c == nil {
					t.Errorf("container %s is not a Docker container of the file", got.ID)
					continue
				}
				aliases := c["aliases"].([]any)
				if got.Name != aliases[0].(string) || got.Runtime != model.RuntimeDocker || got.Cgroup != c["name"] {
					t.Errorf("%s: name %q runtime %s cgroup %s, want %v", got.ID, got.Name, got.Runtime, got.Cgroup, aliases[0])
				}
				spec := obj(c["spec"])
				limit := uint64(num(obj(spec["memory"])["limit"]))
				if limit > memCap {
					limit = memCap
				}
				if got.Mem.Limit != limit {
					t.Errorf("%s: limit %d, want %d", got.ID, got.Mem.Limit, limit)
				}
				st := newestStats(c)
				cpu := obj(obj(st["cpu"])["usage"])
				mem := obj(st["memory"])
				if got.CPU.UsageNs != uint64(num(cpu["total"])) || got.CPU.UserNs != uint64(num(cpu["user"])) ||
					got.Mem.Used != uint64(num(mem["working_set"])) || got.Mem.RSS != uint64(num(mem["rss"])) {
					t.Errorf("%s: counters %+v %+v are not the newest stats'", got.ID, got.CPU, got.Mem)
				}
				if img, _ := spec["image"].(string); got.Image != img {
					t.Errorf("%s: image %q, want %q", got.ID, got.Image, img)
				}
				if envs := obj(spec["envs"]); envs != nil && got.Env["MESOS_TASK_ID"] != envs["mesos_task_id"] {
					t.Errorf("%s: env %v does not carry spec.envs %v", got.ID, got.Env, envs)
				}
			}
			if tc.withRoot {
				if smp.CPUTotal.Name != "cpu" || len(smp.CPUs) != smp.Machine.Cores || smp.Memory.Used == 0 || len(smp.Nets) == 0 || len(smp.Disks) == 0 || len(smp.Filesystems) == 0 {
					t.Errorf("machine figures from the root container missing: cpus %d mem %+v nets %d disks %+v fs %d",
						len(smp.CPUs), smp.Memory, len(smp.Nets), smp.Disks, len(smp.Filesystems))
				}
				if smp.Disks[0].Name != "xvda" && smp.Disks[0].Name != "8:0" {
					t.Errorf("disk name %q", smp.Disks[0].Name)
				}
			}
		})
	}
}

func TestAllListsRawCgroups(t *testing.T) {
	srv := newServer(t, fixture(t, "dd-agent_api_v1.3_machine.json"), fixture(t, "dd-agent_api_v1.3_subcontainers.json"))
	src := newSource(t, srv.URL)
	src.All = true
	smp, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	raw := 0
	for _, c := range smp.Containers {
		if c.Runtime == model.RuntimeRaw {
			raw++
			if c.ID != c.Cgroup || c.ID == "/" {
				t.Errorf("raw %+v", c.ID)
			}
		}
	}
	if raw != 2 || len(smp.Containers) != 4 { // /system, /kubelet; the root is the machine
		t.Errorf("%d raw of %d", raw, len(smp.Containers))
	}
}

// advance returns the fixture with every stats entry dt later and every
// CPU, network and disk counter grown by the given amounts (negative:
// shrunk, as after a restart).
func advance(t testing.TB, b []byte, dt time.Duration, cpuNs, rxBytes float64) []byte {
	l := generic(t, b)
	for _, c := range l {
		for _, s := range c["stats"].([]any) {
			st := obj(s)
			ts, _ := time.Parse(time.RFC3339Nano, st["timestamp"].(string))
			st["timestamp"] = ts.Add(dt).Format(time.RFC3339Nano)
			u := obj(obj(st["cpu"])["usage"])
			grow := func(m map[string]any, k string, d float64) {
				v := num(m[k]) + d
				if v < 0 {
					v = 0
				}
				m[k] = uint64(v) // an integer, as cAdvisor writes it
			}
			grow(u, "total", cpuNs)
			grow(u, "user", cpuNs)
			if pc, ok := u["per_cpu_usage"].([]any); ok {
				for i := range pc {
					pc[i] = uint64(max(0, num(pc[i])+cpuNs/float64(len(pc))))
				}
			}
			ifs, _ := obj(st["network"])["interfaces"].([]any)
			for _, i := range ifs {
				grow(obj(i), "rx_bytes", rxBytes)
			}
		}
	}
	out, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRatesAndRestart(t *testing.T) {
	subs := fixture(t, "recorded_v0.60_api_v1.3_subcontainers_docker_last2.json")
	srv := newServer(t, fixture(t, "recorded_v0.60_api_v1.3_machine.json"), subs)
	src := newSource(t, srv.URL)
	ctx := context.Background()
	s1, err := src.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 2 s later, each container used 1 s of CPU and received 2000 bytes.
	srv.set(advance(t, subs, 2*time.Second, 1e9, 2000))
	s2, _ := src.Collect(ctx)
	if len(s2.Errors) > 0 {
		t.Fatal(s2.Errors)
	}
	snap := model.Rates(s1, s2)
	for _, c := range snap.Containers {
		if !c.HasRates || c.CPUPct < 49.9 || c.CPUPct > 50.1 || c.NetRxBps < 999 || c.NetRxBps > 1001 {
			t.Errorf("%s: rates %v cpu %.2f rx %.1f, want 50%% and 1000 B/s", c.Name, c.HasRates, c.CPUPct, c.NetRxBps)
		}
	}
	// cAdvisor restarted with the containers: counters near zero.
	srv.set(advance(t, subs, 4*time.Second, -1e15, -1e15))
	s3, _ := src.Collect(ctx)
	snap = model.Rates(s2, s3)
	for _, c := range snap.Containers {
		if c.HasRates || c.CPUPct != 0 || c.NetRxBps != 0 {
			t.Errorf("%s after a restart: rates %v cpu %v rx %v, want none", c.Name, c.HasRates, c.CPUPct, c.NetRxBps)
		}
	}
	// The same answer twice (cAdvisor has not sampled again): no rate
	// rather than a made-up 0.
	s4, _ := src.Collect(ctx)
	snap = model.Rates(s3, s4)
	for _, c := range snap.Containers {
		if c.HasRates {
			t.Errorf("%s: rates from one measurement seen twice", c.Name)
		}
	}
}

func TestMachineCPUAndRootRestart(t *testing.T) {
	subs := fixture(t, "dd-agent_api_v1.3_subcontainers.json")
	srv := newServer(t, fixture(t, "dd-agent_api_v1.3_machine.json"), subs)
	src := newSource(t, srv.URL)
	s1, _ := src.Collect(context.Background())
	// 10 s later the node (2 cores) used 5 s of CPU: 25 %.
	srv.set(advance(t, subs, 10*time.Second, 5e9, 0))
	s2, _ := src.Collect(context.Background())
	if len(s2.Errors) > 0 {
		t.Fatal(s2.Errors)
	}
	snap := model.Rates(s1, s2)
	if u := snap.CPUTotal.UtilPct; u < 24.9 || u > 25.1 {
		t.Errorf("machine util %.2f, want 25", u)
	}
	srv.set(advance(t, subs, 20*time.Second, -1e18, 0))
	s3, _ := src.Collect(context.Background())
	snap = model.Rates(s2, s3)
	for _, c := range append(snap.CPUs, snap.CPUTotal) {
		for _, v := range []float64{c.UtilPct, c.UserPct, c.SystemPct, c.IdlePct} {
			if v < 0 || v > 100 {
				t.Errorf("after a counter reset %s: %+v", c.Name, c)
			}
		}
	}
}

func TestFaultsKeepLastRowsStale(t *testing.T) {
	srv := newServer(t, fixture(t, "recorded_v0.60_api_v1.3_machine.json"), fixture(t, "recorded_v0.60_api_v1.3_subcontainers_docker_last2.json"))
	u := strings.Replace(srv.URL, "http://", "http://ops:s3cret@", 1)
	src := newSource(t, u)
	src.Timeout = 300 * time.Millisecond
	if _, err := src.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"garbage": []byte("<html>bad gateway</html>"), "truncated": []byte(`[{"name":"/docker/x","stats":[`)} {
		srv.set(body)
		smp, err := src.Collect(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(smp.Containers) != 3 || len(smp.Errors) != 1 || !strings.Contains(smp.Errors[0], "stale") {
			t.Errorf("%s: %d containers, errors %v", name, len(smp.Errors), smp.Errors)
		}
		if strings.Contains(strings.Join(smp.Errors, " "), "s3cret") {
			t.Fatal("password in an error")
		}
	}
	// A node down from the start is an error naming it, without password.
	srv.Close()
	src2 := newSource(t, u)
	_, err := src2.Collect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cadvisor http://127.0.0.1") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("down node: %v", err)
	}
}

func TestHangingNodeCostsOneTimeout(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer hang.Close()
	src := newSource(t, hang.URL)
	src.Timeout = 200 * time.Millisecond
	start := time.Now()
	_, err := src.Collect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Errorf("hang: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a hanging node held Collect %v", d)
	}
}

func TestNewRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "http://", "http://u:pw@h:%zz"} {
		if _, err := New(u, nil); err == nil {
			t.Errorf("%q accepted", u)
		} else if strings.Contains(err.Error(), "pw") {
			t.Errorf("%q: password in %v", u, err)
		}
	}
}

// TestEndToEnd runs the source through the monitor and the views as the
// tool does: rows with rates, names and the task from cAdvisor's envs.
func TestEndToEnd(t *testing.T) {
	subs := fixture(t, "recorded_v0.60_api_v1.3_subcontainers_docker_mesos-env_last2.json")
	srv := newServer(t, fixture(t, "recorded_v0.60_api_v1.3_machine.json"), subs)
	src := newSource(t, srv.URL)
	mon := monitor.New(src, time.Second, nil, orchestrator.Match)
	ctx := context.Background()
	if _, err := mon.Step(ctx); err != nil {
		t.Fatal(err)
	}
	srv.set(advance(t, subs, 2*time.Second, 5e8, 0))
	snap, err := mon.Step(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := views.Rows(snap, views.Query{View: "containers"})
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 3 {
		t.Fatalf("%d rows", len(tab.Rows))
	}
	v := views.Get("containers")
	col := func(r views.Row, id string) any { return r.Values[v.Col(id)] }
	for _, r := range tab.Rows {
		if cpu, _ := col(r, "cpu_pct").(float64); cpu < 24.9 || cpu > 25.1 {
			t.Errorf("%v: cpu %v, want 25", col(r, "name"), col(r, "cpu_pct"))
		}
		task, _ := col(r, "task").(string)
		name, _ := col(r, "name").(string)
		if !strings.HasPrefix(task, "app"+strings.TrimPrefix(name, "c")+".") {
			t.Errorf("%s: task %q not from spec.envs", name, task)
		}
		if col(r, "runtime") != "docker" || col(r, "image") != "local/busybox:latest" {
			t.Errorf("%s: runtime %v image %v", name, col(r, "runtime"), col(r, "image"))
		}
	}
	// --scope task= reaches a remote container.
	tab, _ = views.Rows(snap, views.Query{View: "containers", Scope: []views.Scope{{Kind: "task", ID: "app45.223c2697-81e5-4b6f-8b9f-f87ad5e39b52"}}})
	if len(tab.Rows) != 1 {
		t.Errorf("task scope: %d rows", len(tab.Rows))
	}
	// The machine view shows the remote node's memory.
	tab, _ = views.Rows(snap, views.Query{View: "machine"})
	found := false
	for _, r := range tab.Rows {
		found = found || r.Values[0] == "memory"
	}
	if !found {
		t.Error("no memory row in the machine view")
	}
}
