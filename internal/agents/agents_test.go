package agents

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi/httpapitest"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
)

// guard is a transport that dials only loopback: an address in remap is
// sent to its loopback replacement; any other non-loopback destination
// fails the test (fixtures name real cluster addresses), and so does a
// loopback address not in allow when allow is given.
func guard(t testing.TB, remap map[string]string, allow func(addr string) bool) *http.Transport {
	d := &net.Dialer{Timeout: 2 * time.Second}
	tr := &http.Transport{
		MaxIdleConnsPerHost: 1,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if to, ok := remap[addr]; ok {
				addr = to
			}
			host, _, err := net.SplitHostPort(addr)
			ip := net.ParseIP(host)
			if err != nil || ip == nil || !ip.IsLoopback() || (allow != nil && !allow(addr)) {
				t.Errorf("a request went to %s: only the test's loopback servers are allowed", addr)
				return nil, &net.OpError{Op: "dial", Net: network, Err: os.ErrPermission}
			}
			return d.DialContext(ctx, network, addr)
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// guardPoller makes a poller whose own requests go through the guard too.
// It names no local node, so it never asks an agent for its state.
func guardPoller(t testing.TB, tr *http.Transport, urls ...string) *orchestrator.Poller {
	p, err := orchestrator.NewPoller(orchestrator.Config{URLs: urls, Timeout: 2 * time.Second, Interval: time.Second, Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func str(v any) string         { s, _ := v.(string); return s }

func serveFiles(t testing.TB, routes map[string]string) *httptest.Server {
	return httpapitest.ServeFiles(t, "testdata", routes)
}

// TestAgentStatisticsFixtures serves the two recorded /monitor/statistics
// answers unchanged, one per loopback agent, and checks every executor's
// counters against a generic walk of the files.
func TestAgentStatisticsFixtures(t *testing.T) {
	files := []string{
		"mesos/agent_monitor_statistics_mesos-docs_network-port-mapping.json",
		"mesos/agent_monitor_statistics_mesos-docs_endpoint-example.json",
	}
	var slaves []string
	allowed := map[string]bool{}
	for i, f := range files {
		srv := serveFiles(t, map[string]string{"/monitor/statistics": f})
		hp := strings.TrimPrefix(srv.URL, "http://")
		allowed[hp] = true
		slaves = append(slaves, fmt.Sprintf(`{"id":"S%d","pid":"slave(1)@%s","hostname":"agent-%d","resources":{"cpus":4,"mem":1024},"used_resources":{"cpus":1.5,"mem":512}}`, i, hp, i))
	}
	master := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/master/slaves" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, `{"slaves":[%s]}`, strings.Join(slaves, ","))
	}))
	defer master.Close()
	allowed[strings.TrimPrefix(master.URL, "http://")] = true
	tr := guard(t, nil, func(a string) bool { return allowed[a] })
	p := guardPoller(t, tr, master.URL)
	a := New(p, Config{Transport: tr, Timeout: 2 * time.Second})
	smp, err := a.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(smp.Errors) > 0 {
		t.Fatal(smp.Errors)
	}
	if len(smp.Containers) != 2 {
		t.Fatalf("%d containers, want one per executor (2)", len(smp.Containers))
	}
	for i, f := range files {
		var execs []map[string]any
		if err := json.Unmarshal(fixture(t, f), &execs); err != nil {
			t.Fatal(err)
		}
		st := obj(execs[0]["statistics"])
		n := func(k string) float64 { v, _ := st[k].(float64); return v }
		var got *model.ContainerSample
		for j := range smp.Containers {
			if smp.Containers[j].Agent == fmt.Sprintf("agent-%d", i) {
				got = &smp.Containers[j]
			}
		}
		if got == nil {
			t.Fatalf("no container from agent-%d", i)
		}
		wantCPU := uint64((n("cpus_user_time_secs") + n("cpus_system_time_secs")) * 1e9)
		if d := int64(got.CPU.UsageNs) - int64(wantCPU); d > 1000 || d < -1000 {
			t.Errorf("%s: cpu %d ns, want %d", f, got.CPU.UsageNs, wantCPU)
		}
		if got.Mem.Used != uint64(n("mem_rss_bytes")) || got.Mem.Limit != uint64(n("mem_limit_bytes")) || got.CPU.QuotaCores != n("cpus_limit") {
			t.Errorf("%s: mem %+v quota %v", f, got.Mem, got.CPU.QuotaCores)
		}
		if got.CPU.Periods != uint64(n("cpus_nr_periods")) || got.CPU.ThrottledPeriods != uint64(n("cpus_nr_throttled")) {
			t.Errorf("%s: periods %+v", f, got.CPU)
		}
		if _, has := st["net_rx_bytes"]; has != (got.Net != nil) || (has && got.Net.TxBytes != uint64(n("net_tx_bytes"))) {
			t.Errorf("%s: net %+v", f, got.Net)
		}
		if got.Cluster.TaskID != str(execs[0]["executor_id"]) || got.Name != str(execs[0]["executor_id"]) || got.Runtime != model.RuntimeMesos {
			t.Errorf("%s: %+v", f, got)
		}
		if ts := n("timestamp"); got.SampledAt.Unix() != int64(ts) {
			t.Errorf("%s: sampled at %v, want %v", f, got.SampledAt, ts)
		}
	}
	ags := a.Agents()
	if len(ags) != 2 || ags[0].CPUs != 4 || ags[0].MemAllocatedBytes != 512<<20 || ags[0].Executors != 1 || ags[0].Stale {
		t.Errorf("agents %+v", ags)
	}
}

// TestPairCExecutorPlacedInTheCluster: the agent of pair C's master state
// (its pid is 127.0.0.1:5051, remapped to a server of ours) runs the
// command executor of a Marathon task; Match places it in marathon.
func TestPairCExecutorPlacedInTheCluster(t *testing.T) {
	const task = "hello.dc130e23-df88-11e4-b9ec-080027fc1312"
	const fw = "20150403-140128-251789322-5050-6047-0000"
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/monitor/statistics" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, `[{"executor_id":%q,"framework_id":%q,"source":%q,"statistics":{"cpus_user_time_secs":1.5,"cpus_system_time_secs":0.5,"mem_rss_bytes":1048576,"mem_limit_bytes":33554432,"timestamp":%f}}]`,
			task, fw, task, float64(time.Now().UnixNano())/1e9)
	}))
	defer agent.Close()
	// Old master: no /master/slaves, the agents come from /state.json.
	master := serveFiles(t, map[string]string{
		"/master/state": "mesos/pairC_master_state_mesos-0.22.0.json",
		"/state.json":   "mesos/pairC_master_state_mesos-0.22.0.json",
	})
	noMarathon := serveFiles(t, nil)
	tr := guard(t, map[string]string{"127.0.0.1:5051": strings.TrimPrefix(agent.URL, "http://")}, func(a string) bool {
		return a == strings.TrimPrefix(agent.URL, "http://") || a == strings.TrimPrefix(master.URL, "http://") || a == strings.TrimPrefix(noMarathon.URL, "http://")
	})
	p := guardPoller(t, tr, master.URL, noMarathon.URL)
	p.Refresh(context.Background())
	a := New(p, Config{Transport: tr})
	smp, _ := a.Collect(context.Background())
	if len(smp.Containers) != 1 {
		t.Fatalf("containers %+v errors %v", smp.Containers, smp.Errors)
	}
	snap := model.Rates(nil, smp)
	snap.Cluster = a.Latest()
	orchestrator.Match(snap, snap.Cluster)
	c := snap.Containers[0]
	if c.Cluster.TaskID != task || c.Cluster.Framework != "marathon" || c.Agent == "" {
		t.Errorf("placed %+v on %q", c.Cluster, c.Agent)
	}
	if len(snap.Cluster.Agents) != 1 || snap.Cluster.Agents[0].TasksRunning != 1 {
		t.Errorf("agents %+v", snap.Cluster.Agents)
	}
}

// fakeCluster is a simulated Mesos cluster on loopback: a master (state,
// slaves) and Marathon in one server, and one listener per agent whose
// executors' counters advance with time: each uses half a core and
// receives 1000 B/s.
type fakeCluster struct {
	t      testing.TB
	master *httptest.Server
	agents []*fakeAgent
	start  time.Time
	execs  int
	apps   int
	mu     sync.Mutex
	hidden map[string]bool // agents left out of the master's list
}

type fakeAgent struct {
	id, host, addr string
	srv            *httptest.Server
	ln             net.Listener // a dead agent: accepts and never answers
	mode           string       // "", "garbage"
	mu             sync.Mutex
	hits           int
}

func execID(app, agent, i int) string { return fmt.Sprintf("app%d.%d-%d", app, agent, i) }

func newFakeCluster(t testing.TB, agents, execs, apps int, dead map[int]bool) *fakeCluster {
	fc := &fakeCluster{t: t, start: time.Now().Add(-time.Hour), execs: execs, apps: apps, hidden: map[string]bool{}}
	for i := 0; i < agents; i++ {
		ag := &fakeAgent{id: fmt.Sprintf("S%d", i), host: fmt.Sprintf("agent-%03d", i)}
		if dead[i] {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			var conns []net.Conn
			var cmu sync.Mutex
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					cmu.Lock()
					conns = append(conns, c) // held open, never read or answered
					cmu.Unlock()
				}
			}()
			t.Cleanup(func() {
				ln.Close()
				cmu.Lock()
				for _, c := range conns {
					c.Close()
				}
				cmu.Unlock()
			})
			ag.ln, ag.addr = ln, ln.Addr().String()
		} else {
			idx := i
			ag.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fc.serveAgent(w, r, fc.agents[idx], idx)
			}))
			t.Cleanup(ag.srv.Close)
			ag.addr = strings.TrimPrefix(ag.srv.URL, "http://")
		}
		fc.agents = append(fc.agents, ag)
	}
	fc.master = httptest.NewServer(http.HandlerFunc(fc.serveMaster))
	t.Cleanup(fc.master.Close)
	return fc
}

func (fc *fakeCluster) serveAgent(w http.ResponseWriter, r *http.Request, ag *fakeAgent, idx int) {
	ag.mu.Lock()
	ag.hits++
	mode := ag.mode
	ag.mu.Unlock()
	if r.URL.Path != "/monitor/statistics" {
		http.NotFound(w, r)
		return
	}
	if mode == "garbage" {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
		return
	}
	now := time.Now()
	el := now.Sub(fc.start).Seconds()
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < fc.execs; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"executor_id":%q,"executor_name":"Command Executor","framework_id":"fw-marathon","source":%q,"statistics":{"cpus_limit":1.1,"cpus_user_time_secs":%.6f,"cpus_system_time_secs":%.6f,"mem_rss_bytes":%d,"mem_limit_bytes":268435456,"net_rx_bytes":%d,"net_tx_bytes":0,"timestamp":%.6f}}`,
			execID(i%fc.apps, idx, i), execID(i%fc.apps, idx, i), el*0.25, el*0.25, (i+1)<<20, int64(el*1000), float64(now.UnixNano())/1e9)
	}
	b.WriteByte(']')
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(b.String()))
}

func (fc *fakeCluster) serveMaster(w http.ResponseWriter, r *http.Request) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	var slaves, tasks []string
	appTasks := make([][]string, fc.apps)
	for i, ag := range fc.agents {
		if fc.hidden[ag.id] {
			continue
		}
		slaves = append(slaves, fmt.Sprintf(`{"id":%q,"pid":"slave(1)@%s","hostname":%q,"active":true,"resources":{"cpus":8,"mem":16384},"used_resources":{"cpus":4,"mem":8192}}`, ag.id, ag.addr, ag.host))
		for j := 0; j < fc.execs; j++ {
			id := execID(j%fc.apps, i, j)
			tasks = append(tasks, fmt.Sprintf(`{"id":%q,"name":"app%d","framework_id":"fw-marathon","slave_id":%q,"state":"TASK_RUNNING"}`, id, j%fc.apps, ag.id))
			appTasks[j%fc.apps] = append(appTasks[j%fc.apps], fmt.Sprintf(`{"id":%q,"state":"TASK_RUNNING"}`, id))
		}
	}
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/master/slaves":
		fmt.Fprintf(w, `{"slaves":[%s]}`, strings.Join(slaves, ","))
	case "/master/state":
		fmt.Fprintf(w, `{"pid":"master@%s","leader":"master@%s","frameworks":[{"id":"fw-marathon","name":"marathon","active":true,"tasks":[%s]}],"slaves":[%s]}`,
			fc.master.Listener.Addr(), fc.master.Listener.Addr(), strings.Join(tasks, ","), strings.Join(slaves, ","))
	case "/v2/info":
		fmt.Fprint(w, `{"frameworkId":"fw-marathon","version":"1.5.0"}`)
	case "/v2/groups":
		var apps []string
		for k := 0; k < fc.apps; k++ {
			apps = append(apps, fmt.Sprintf(`{"id":"/shop/app%d","instances":%d,"tasksRunning":%d,"tasks":[%s]}`, k, len(appTasks[k]), len(appTasks[k]), strings.Join(appTasks[k], ",")))
		}
		fmt.Fprintf(w, `{"id":"/","apps":[],"groups":[{"id":"/shop","apps":[%s],"groups":[]}]}`, strings.Join(apps, ","))
	default:
		http.NotFound(w, r)
	}
}

// newSource makes the poller (master + Marathon, both ours) and the
// cluster source, every request guarded to loopback.
func (fc *fakeCluster) newSource(cfg Config) (*orchestrator.Poller, *Source) {
	tr := guard(fc.t, nil, nil)
	tr.MaxIdleConnsPerHost = 1
	p := guardPoller(fc.t, tr, fc.master.URL, fc.master.URL)
	p.Refresh(context.Background())
	cfg.Transport = tr
	return p, New(p, cfg)
}

func containersOf(smp *model.Sample, agent string) []model.ContainerSample {
	var out []model.ContainerSample
	for _, c := range smp.Containers {
		if c.Agent == agent {
			out = append(out, c)
		}
	}
	return out
}

// TestAgentFaults: an agent that hangs, one that answers garbage and one
// that vanishes from the master's list; the others' rows stay fresh and
// the refresh is not held up. The garbage agent is named with its error
// at once, and its rows say stale once it went staleAfter intervals
// without an answer.
func TestAgentFaults(t *testing.T) {
	fc := newFakeCluster(t, 6, 4, 2, map[int]bool{0: true})
	_, a := fc.newSource(Config{Timeout: 500 * time.Millisecond, ListEvery: time.Millisecond, Interval: time.Minute})
	ctx := context.Background()
	start := time.Now()
	s1, _ := a.Collect(ctx)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("first refresh with a hanging agent took %v", d)
	}
	if len(s1.Containers) != 5*4 {
		t.Errorf("%d containers, want 20 from the 5 live agents", len(s1.Containers))
	}
	if !strings.Contains(strings.Join(s1.Errors, "\n"), "agent-000") {
		t.Errorf("the hanging agent is not named: %v", s1.Errors)
	}
	// Agent 1 starts answering garbage; agent 2 leaves the master's list.
	fc.agents[1].mode = "garbage"
	fc.mu.Lock()
	fc.hidden["S2"] = true
	fc.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	_, _ = a.Collect(ctx) // the new list is read in the background
	time.Sleep(100 * time.Millisecond)
	fc.agents[2].mu.Lock()
	before := fc.agents[2].hits
	fc.agents[2].mu.Unlock()
	start = time.Now()
	s2, _ := a.Collect(ctx)
	if d := time.Since(start); d > 300*time.Millisecond {
		t.Errorf("a refresh waited %v for agents known to fail", d)
	}
	fc.agents[2].mu.Lock()
	after := fc.agents[2].hits
	fc.agents[2].mu.Unlock()
	if after != before {
		t.Error("an agent gone from the master's list was still asked")
	}
	if n := len(containersOf(s2, "agent-002")); n != 0 {
		t.Errorf("%d rows of the vanished agent", n)
	}
	g := containersOf(s2, "agent-001")
	if len(g) != 4 || g[0].State != "running" {
		t.Errorf("garbage agent: %d rows, state %q; want its last rows, not yet stale", len(g), g[0].State)
	}
	later := a.sample(time.Now().Add(staleAfter*time.Minute + time.Second))
	if g := containersOf(later, "agent-001"); len(g) != 4 || g[0].State != "stale" {
		t.Errorf("garbage agent %d intervals later: %d rows, state %q; want stale", staleAfter, len(g), g[0].State)
	}
	if ok := containersOf(s2, "agent-003"); len(ok) != 4 || ok[0].State != "running" {
		t.Errorf("healthy agent rows %+v", ok)
	}
	errs := strings.Join(s2.Errors, "\n")
	if !strings.Contains(errs, "agent-001") || !strings.Contains(errs, "not JSON") {
		t.Errorf("garbage agent not named with its error: %v", s2.Errors)
	}
	snap := model.Rates(s1, s2)
	for _, c := range snap.Containers {
		if c.Agent == "agent-001" && c.HasRates {
			t.Error("stale rows must have no rates")
		}
		if c.Agent == "agent-003" && (!c.HasRates || c.CPUPct < 49 || c.CPUPct > 51) {
			t.Errorf("healthy executor: rates %v cpu %.1f, want 50", c.HasRates, c.CPUPct)
		}
	}
	for _, ag := range a.Agents() {
		if ag.Name == "agent-001" && ag.Error == "" {
			t.Errorf("agents view entry %+v", ag)
		}
	}
}

// TestAgentsNamedByTheMasterGetCredentials: the agents the master lists
// (on another loopback host) are asked with the -m credentials, as the
// Mesos CLI does: the master they were given for named them.
func TestAgentsNamedByTheMasterGetCredentials(t *testing.T) {
	agent := httpapitest.NewRecorder(t, "127.0.0.2:0", func(w http.ResponseWriter, r *http.Request) {
		w.Write(fixture(t, "mesos/agent_monitor_statistics_mesos-docs_endpoint-example.json"))
	})
	master := httpapitest.NewRecorder(t, "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/master/slaves" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, `{"slaves":[{"id":"S0","pid":"slave(1)@%s","hostname":"agent-0"}]}`, agent.Listener.Addr())
	})
	p, err := orchestrator.NewPoller(orchestrator.Config{URLs: []string{strings.Replace(master.URL, "://", "://ops:s3cret@", 1)}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	smp, err := New(p, Config{}).Collect(context.Background())
	if err != nil || len(smp.Containers) != 1 {
		t.Fatalf("%v %+v", err, smp)
	}
	for _, r := range []*httpapitest.Recorder{master, agent} {
		if h := r.Headers(); len(h) == 0 || h[0] != "Basic b3BzOnMzY3JldA==" {
			t.Errorf("%s got %q", r.URL, h)
		}
	}
}
