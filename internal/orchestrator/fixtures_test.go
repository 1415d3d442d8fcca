package orchestrator

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi/httpapitest"
	"github.com/ctop-like/ctop-like/internal/model"
)

// fixture reads a testdata file (a byte-for-byte copy of ../shared/fixtures).
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// generic parses a fixture into map[string]any, independent of our decoder.
func generic(t testing.TB, name string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(fixture(t, name), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func list(v any) []any         { l, _ := v.([]any); return l }
func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func str(v any) string         { s, _ := v.(string); return s }

// serveFiles answers each path with a fixture, unchanged; other paths 404.
func serveFiles(t testing.TB, routes map[string]string) *httptest.Server {
	return httpapitest.ServeFiles(t, "testdata", routes)
}

func newTestPoller(t testing.TB, urls ...string) *Poller {
	t.Helper()
	p, err := NewPoller(Config{URLs: urls, Timeout: 2 * time.Second, Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var masterStates = []string{
	"mesos/master_state_mesos-0.22.0_5-frameworks-large.json",
	"mesos/master_state_mesos-1.0.0_4-frameworks-docker.json",
	"mesos/master_state_mesos-1.2.0_docker-container-id.json",
	"mesos/master_state_mesos-1.8.0_container-id.json",
	"mesos/master_state_mesos-dns-fake_edge-cases.json",
	"mesos/pairA_master_state_mesos-1.2.0.json",
	"mesos/pairB_master_state_mesos-0.27.0.json",
	"mesos/pairC_master_state_mesos-0.22.0.json",
}

// TestMesosFixtures serves every master state through HTTP (old versions
// only at /state.json, to exercise the fallback) and checks frameworks,
// tasks, container ids and the local agent against a generic walk.
func TestMesosFixtures(t *testing.T) {
	for _, name := range masterStates {
		t.Run(filepath.Base(name), func(t *testing.T) {
			g := generic(t, name)
			old := strings.HasPrefix(str(g["version"]), "0.")
			path := "/master/state"
			if old {
				path = "/state.json"
			}
			srv := serveFiles(t, map[string]string{path: name})
			// This node is the first agent of the file.
			slave := obj(list(g["slaves"])[0])
			// A second URL (which 404s) keeps the poller from discovering
			// the fixture's real Marathon host.
			p := newTestPoller(t, srv.URL, srv.URL+"/no-marathon")
			p.Refresh(context.Background())
			c := p.Latest()
			if c == nil || !c.HasMesos {
				t.Fatalf("no cluster: %v", p.Errors())
			}
			// Which agent is this node: by host name, and by the pid's address.
			st, err := decodeMesosState(strings.NewReader(string(fixture(t, name))))
			if err != nil {
				t.Fatal(err)
			}
			if id := buildMesos(st, str(slave["hostname"]), nil).AgentID; id != str(slave["id"]) {
				t.Errorf("agent by host name %q, want %q", id, slave["id"])
			}
			pidHost := strings.TrimSuffix(strings.SplitN(str(slave["pid"]), "@", 2)[1], ":5051")
			pidHost = strings.Trim(pidHost, "[]")
			if id := buildMesos(st, "elsewhere", []string{"192.0.2.1", pidHost}).AgentID; id != str(slave["id"]) {
				t.Errorf("agent by address %s: %q, want %q", pidHost, id, slave["id"])
			}
			fws := list(g["frameworks"])
			if len(c.Frameworks) != len(fws) {
				t.Fatalf("%d frameworks, want %d", len(c.Frameworks), len(fws))
			}
			wantTasks, wantFinished := 0, 0
			for i, fv := range fws {
				f := obj(fv)
				mf := c.Frameworks[i]
				if mf.ID != str(f["id"]) || mf.Name != str(f["name"]) || mf.Active != (f["active"] == true) || mf.WebUIURL != str(f["webui_url"]) {
					t.Errorf("framework %d = %+v, want %v %v", i, mf, f["id"], f["name"])
				}
				running := 0
				for _, tv := range list(f["tasks"]) {
					wantTasks++
					if str(obj(tv)["state"]) == "TASK_RUNNING" {
						running++
					}
				}
				if mf.TasksRunning != running {
					t.Errorf("framework %s: %d running, want %d", mf.Name, mf.TasksRunning, running)
				}
				// The newest finished tasks, up to the bound.
				wantFinished += min(len(list(f["completed_tasks"]))+len(list(f["unreachable_tasks"])), maxFinishedPerFramework)
			}
			finished := 0
			for _, tk := range c.Tasks {
				if tk.Finished {
					finished++
				}
			}
			if len(c.Tasks)-finished != wantTasks || finished != wantFinished {
				t.Fatalf("%d tasks of which %d finished, want %d and %d", len(c.Tasks), finished, wantTasks+wantFinished, wantFinished)
			}
			// Container ids: every statuses[].container_status.container_id.value.
			want := map[string]string{}
			for _, fv := range fws {
				for _, tv := range list(obj(fv)["tasks"]) {
					tk := obj(tv)
					for _, sv := range list(tk["statuses"]) {
						if v := str(obj(obj(obj(sv)["container_status"])["container_id"])["value"]); v != "" {
							want[v] = str(tk["id"])
						}
					}
				}
			}
			got := map[string]string{}
			for _, tk := range c.Tasks {
				if tk.AgentHost == "" && !tk.Finished { // a finished task's agent may be gone
					t.Errorf("task %s: no agent host", tk.ID)
				}
				for _, cid := range tk.ContainerIDs {
					got[cid] = tk.ID
				}
				if tk.StateSince.IsZero() {
					t.Errorf("task %s: no state time", tk.ID)
				}
			}
			if !equalMaps(got, want) {
				t.Errorf("container ids %v, want %v", got, want)
			}
			if c.Leader != srv.URL {
				t.Errorf("leader %q, want %q", c.Leader, srv.URL)
			}
		})
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// walkGroups collects app ids, group ids and task ids of a /v2/groups file.
func walkGroups(g map[string]any, apps, groups map[string]bool, tasks map[string]string) {
	groups[str(g["id"])] = true
	for _, av := range list(g["apps"]) {
		a := obj(av)
		apps[str(a["id"])] = true
		for _, tv := range list(a["tasks"]) {
			tasks[str(obj(tv)["id"])] = str(a["id"])
		}
	}
	for _, sg := range list(g["groups"]) {
		walkGroups(obj(sg), apps, groups, tasks)
	}
}

// TestMarathonFixtures serves every Marathon groups and apps sample and
// checks apps, groups and task ids against a generic walk.
func TestMarathonFixtures(t *testing.T) {
	cases := []struct {
		file   string
		groups bool
	}{
		{"marathon/pairA_v2_groups_embed-tasks.json", true},
		{"marathon/marathon-docs_v2_groups.json", true},
		{"marathon/go-marathon_v2_groups.json", true},
		{"marathon/marathon-docs_v2_apps.json", false},
		{"marathon/go-marathon_v2_apps.json", false},
		{"marathon/marathon-lb_v2_apps_embed-tasks_zdd.json", false},
		{"marathon/marathon-lb_v2_apps_embed-tasks_marathon-1.5.json", false},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			routes := map[string]string{"/v2/info": "marathon/marathon-docs_v2_info.json"}
			g := generic(t, tc.file)
			apps, groups, tasks := map[string]bool{}, map[string]bool{"/": true}, map[string]string{}
			if tc.groups {
				routes["/v2/groups"] = tc.file
				walkGroups(g, apps, groups, tasks)
			} else {
				routes["/v2/apps"] = tc.file
				walkGroups(map[string]any{"id": "/", "apps": g["apps"]}, apps, groups, tasks)
			}
			for a := range apps { // an app's parent path is a group too
				for p := ParentPath(a); p != ""; p = ParentPath(p) {
					groups[p] = true
				}
			}
			srv := serveFiles(t, routes)
			p := newTestPoller(t, "", srv.URL)
			p.Refresh(context.Background())
			c := p.Latest()
			if c == nil || !c.HasMarathon || c.HasMesos {
				t.Fatalf("cluster %+v errors %v", c, p.Errors())
			}
			info := generic(t, "marathon/marathon-docs_v2_info.json")
			if c.MarathonFrameworkID != str(info["frameworkId"]) {
				t.Errorf("framework id %q", c.MarathonFrameworkID)
			}
			var gotGroups []string
			for _, gr := range c.Groups {
				gotGroups = append(gotGroups, gr.ID)
				if gr.ID != "/" && !groups[gr.Parent] {
					t.Errorf("group %s: parent %q unknown", gr.ID, gr.Parent)
				}
			}
			if want := keys(groups); strings.Join(gotGroups, " ") != strings.Join(want, " ") {
				t.Errorf("groups %v, want %v", gotGroups, want)
			}
			gotTasks := map[string]string{}
			var gotApps []string
			for _, a := range c.Apps {
				gotApps = append(gotApps, a.ID)
				if a.Group != ParentPath(a.ID) {
					t.Errorf("app %s in group %s", a.ID, a.Group)
				}
				for _, id := range a.TaskIDs {
					gotTasks[id] = a.ID
				}
			}
			if want := keys(apps); strings.Join(gotApps, " ") != strings.Join(want, " ") {
				t.Errorf("apps %v, want %v", gotApps, want)
			}
			if !equalMaps(gotTasks, tasks) {
				t.Errorf("tasks %v, want %v", gotTasks, tasks)
			}
			// Counters: Marathon's own where the file has them.
			for _, av := range appsOf(g) {
				a := obj(av)
				for _, ma := range c.Apps {
					if ma.ID != str(a["id"]) {
						continue
					}
					if n, ok := a["instances"].(float64); ok && ma.Instances != int(n) {
						t.Errorf("%s instances %d, want %v", ma.ID, ma.Instances, n)
					}
					if n, ok := a["tasksRunning"].(float64); ok && ma.TasksRunning != int(n) {
						t.Errorf("%s running %d, want %v", ma.ID, ma.TasksRunning, n)
					}
					if n, ok := a["tasksHealthy"].(float64); ok && ma.TasksHealthy != int(n) {
						t.Errorf("%s healthy %d, want %v", ma.ID, ma.TasksHealthy, n)
					}
				}
			}
		})
	}
}

func appsOf(g map[string]any) []any {
	out := append([]any(nil), list(g["apps"])...)
	for _, sg := range list(g["groups"]) {
		out = append(out, appsOf(obj(sg))...)
	}
	return out
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// pairA serves pair A's Mesos state and Marathon groups.
func pairA(t testing.TB) (mesos, marathon *httptest.Server) {
	mesos = serveFiles(t, map[string]string{"/master/state": "mesos/pairA_master_state_mesos-1.2.0.json"})
	marathon = serveFiles(t, map[string]string{"/v2/groups": "marathon/pairA_v2_groups_embed-tasks.json"})
	return
}

// TestPairA checks that the Marathon groups hold exactly the marathon
// framework's running tasks, as SOURCES.md says of pair A.
func TestPairA(t *testing.T) {
	ms, mar := pairA(t)
	p, err := NewPoller(Config{URLs: []string{ms.URL, mar.URL}, Timeout: 2 * time.Second, Addrs: []string{"10.0.3.46"}})
	if err != nil {
		t.Fatal(err)
	}
	p.skipAgent = true // the agent's address is the real cluster's
	p.Refresh(context.Background())
	c := p.Latest()
	if c == nil || c.Stale || len(c.Errors) > 0 {
		t.Fatalf("cluster %+v", c)
	}
	g := generic(t, "mesos/pairA_master_state_mesos-1.2.0.json")
	if len(c.Frameworks) != len(list(g["frameworks"])) {
		t.Errorf("%d frameworks", len(c.Frameworks))
	}
	if c.AgentID != "c116a0cf-3d63-45f5-898d-5bc2136e2c5b-S1" {
		t.Errorf("agent %q", c.AgentID)
	}
	if c.MarathonFrameworkID != "c116a0cf-3d63-45f5-898d-5bc2136e2c5b-0001" {
		t.Errorf("marathon framework %q (from the framework named marathon)", c.MarathonFrameworkID)
	}
	mesosRunning := map[string]bool{}
	for _, tk := range c.Tasks {
		if tk.FrameworkID == c.MarathonFrameworkID && tk.State == "TASK_RUNNING" {
			mesosRunning[tk.ID] = true
		}
	}
	marathonTasks := map[string]bool{}
	for _, a := range c.Apps {
		for _, id := range a.TaskIDs {
			marathonTasks[id] = true
		}
	}
	if len(mesosRunning) == 0 || strings.Join(keys(mesosRunning), " ") != strings.Join(keys(marathonTasks), " ") {
		t.Errorf("mesos running %v, marathon tasks %v", keys(mesosRunning), keys(marathonTasks))
	}
	for _, f := range c.Frameworks {
		if f.ID == c.MarathonFrameworkID && f.TasksRunning != len(mesosRunning) {
			t.Errorf("marathon running %d", f.TasksRunning)
		}
	}
}

// TestDiscoverMarathon: with only a Mesos URL, Marathon is the webui_url of
// the active framework named marathon.
func TestDiscoverMarathon(t *testing.T) {
	mar := serveFiles(t, map[string]string{"/v2/groups": "marathon/pairA_v2_groups_embed-tasks.json"})
	body := strings.Replace(string(fixture(t, "mesos/pairA_master_state_mesos-1.2.0.json")), "https://10.0.6.207:8443", mar.URL, 1)
	ms := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
	defer ms.Close()
	p := newTestPoller(t, ms.URL)
	p.Refresh(context.Background())
	c := p.Latest()
	if c == nil || !c.HasMarathon || c.Marathon != mar.URL || len(c.Apps) == 0 {
		t.Fatalf("cluster %+v, errors %v", c, p.Errors())
	}
}

// TestAgentState: old masters name no containers; the local agent's state
// does, under its executors (pairs B and C).
func TestAgentState(t *testing.T) {
	cases := []struct{ master, agent, task, container string }{
		{"mesos/pairB_master_state_mesos-0.27.0.json", "mesos/pairB_agent_state_mesos-0.27.0.json", "server-0_10a", "6ce1f063-3838-49b9-b6aa-428127094507"},
		{"mesos/pairC_master_state_mesos-0.22.0.json", "mesos/pairC_agent_state_mesos-0.22.0.json", "hello.dc130e23-df88-11e4-b9ec-080027fc1312", "f67a5e0b-91f9-474a-94a0-e2c6a3b28ea4"},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.master), func(t *testing.T) {
			st, err := decodeMesosState(strings.NewReader(string(fixture(t, tc.master))))
			if err != nil {
				t.Fatal(err)
			}
			agent, err := decodeMesosState(strings.NewReader(string(fixture(t, tc.agent))))
			if err != nil {
				t.Fatal(err)
			}
			// The agent file's own hostname names this node.
			var host string
			for _, s := range st.Slaves {
				if s.ID == generic(t, tc.agent)["id"] {
					host = s.Hostname
				}
			}
			mp := buildMesos(st, host, nil)
			if mp.AgentID == "" {
				t.Fatal("no local agent")
			}
			for _, tk := range mp.Tasks {
				if tk.ID == tc.task && len(tk.ContainerIDs) != 0 {
					t.Fatalf("the master names the container of %s: nothing to test", tk.ID)
				}
			}
			addAgentContainers(mp.Tasks, agent)
			for _, tk := range mp.Tasks {
				if tk.ID == tc.task {
					if len(tk.ContainerIDs) != 1 || tk.ContainerIDs[0] != tc.container {
						t.Errorf("task %s containers %v", tk.ID, tk.ContainerIDs)
					}
					return
				}
			}
			t.Errorf("task %s not found", tc.task)
		})
	}
}

// TestAgentStateFetched: the poller fetches the local agent's state over
// HTTP (agent pid → URL) when the master names no container.
func TestAgentStateFetched(t *testing.T) {
	agentBody := fixture(t, "mesos/pairC_agent_state_mesos-0.22.0.json")
	var agentHost string
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/slave(1)/state" {
			http.NotFound(w, r)
			return
		}
		w.Write(agentBody)
	}))
	defer agent.Close()
	agentHost = strings.TrimPrefix(agent.URL, "http://")
	master := strings.Replace(string(fixture(t, "mesos/pairC_master_state_mesos-0.22.0.json")), "slave(1)@127.0.0.1:5051", "slave(1)@"+agentHost, 1)
	ms := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(master)) }))
	defer ms.Close()
	p, _ := NewPoller(Config{URLs: []string{ms.URL, "http://127.0.0.1:1"}, Timeout: time.Second, Hostname: "localhost"})
	p.Refresh(context.Background())
	c := p.Latest()
	if c == nil || c.AgentID == "" {
		t.Fatalf("cluster %+v", c)
	}
	for _, tk := range c.Tasks {
		if len(tk.ContainerIDs) != 1 || tk.ContainerIDs[0] != "f67a5e0b-91f9-474a-94a0-e2c6a3b28ea4" {
			t.Errorf("task %s containers %v", tk.ID, tk.ContainerIDs)
		}
	}
}

// BenchmarkDecodeMesosState decodes the 2.4 MB Mesos 0.22 master state.
func BenchmarkDecodeMesosState(b *testing.B) {
	body := fixture(b, "mesos/master_state_mesos-0.22.0_5-frameworks-large.json")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		st, err := decodeMesosState(strings.NewReader(string(body)))
		if err != nil {
			b.Fatal(err)
		}
		_ = buildMesos(st, "", nil)
	}
}

// TestDecodeLargeFast guards the "well under 100 ms" budget loosely (race
// detector and slow CI included).
func TestDecodeLargeFast(t *testing.T) {
	body := fixture(t, "mesos/master_state_mesos-0.22.0_5-frameworks-large.json")
	st, err := decodeMesosState(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Frameworks) != 5 {
		t.Errorf("%d frameworks", len(st.Frameworks))
	}
	// Speed against encoding/json's generic decode of the same bytes, the
	// best of three runs each taken in turn (a wall-clock bound would fail
	// on a loaded machine; the two slow down together): the streaming
	// decoder keeps less and must not be slower than 2x of it.
	best := func(f func()) time.Duration {
		start := time.Now()
		f()
		return time.Since(start)
	}
	ours, generic := time.Duration(1<<62), time.Duration(1<<62)
	for range 3 {
		ours = min(ours, best(func() { _, _ = decodeMesosState(strings.NewReader(string(body))) }))
		generic = min(generic, best(func() {
			var v any
			_ = json.Unmarshal(body, &v)
		}))
	}
	t.Logf("decode %v, encoding/json into any %v (%.2fx)", ours, generic, float64(ours)/float64(generic))
	if ours > 2*generic {
		t.Errorf("decode took %v, encoding/json into any %v: over 2x", ours, generic)
	}
}

var _ = model.Cluster{}

// reportCPU adds the process's CPU time (user + system, GC included) per
// operation: wall time is noisy on a shared machine, CPU time much less.
// Call as defer reportCPU(b)().
func reportCPU(b *testing.B) func() {
	var before syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	return func() {
		var after syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		used := time.Duration(after.Utime.Nano() - before.Utime.Nano() + after.Stime.Nano() - before.Stime.Nano())
		b.ReportMetric(float64(used.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}
