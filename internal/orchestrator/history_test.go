package orchestrator

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
)

// marathonFake serves a /v2/groups fixture as Marathon would answer the
// request: a per-app member the request did not embed is left out (as
// InfoEmbedResolver does), so the answer is the fixture byte for byte
// when every member it holds that this tool reads was asked for.
// Members this tool never reads (taskStats, pods) are left as they are.
// /v2/queue answers queue, or 404 when it is "".
func marathonFake(t testing.TB, groups, queue string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/v2/groups":
			w.Write(honourEmbed(t, fixture(t, groups), r.URL.Query()["embed"]))
		case r.URL.Path == "/v2/queue" && queue != "":
			w.Write(fixture(t, queue))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// honourEmbed drops the app members of a /v2/groups body whose embed is
// not in embeds; the body comes back unchanged when nothing is dropped.
func honourEmbed(t testing.TB, body []byte, embeds []string) []byte {
	asked := map[string]bool{}
	for _, e := range embeds {
		asked[e] = true
	}
	drop := map[string]bool{}
	if !asked["group.apps.tasks"] {
		drop["tasks"] = true
	}
	if !asked["group.apps.counts"] {
		for _, k := range []string{"tasksStaged", "tasksRunning", "tasksHealthy", "tasksUnhealthy"} {
			drop[k] = true
		}
	}
	if !asked["group.apps.deployments"] && !asked["group.apps.tasks"] { // tasks implies deployments (deprecated)
		drop["deployments"] = true
	}
	if !asked["group.apps.lastTaskFailure"] {
		drop["lastTaskFailure"] = true
	}
	var g map[string]any
	if err := json.Unmarshal(body, &g); err != nil {
		t.Fatal(err)
	}
	changed := false
	var walk func(g map[string]any)
	walk = func(g map[string]any) {
		for _, av := range list(g["apps"]) {
			for k := range drop {
				if _, ok := obj(av)[k]; ok {
					delete(obj(av), k)
					changed = true
				}
			}
		}
		for _, sg := range list(g["groups"]) {
			walk(obj(sg))
		}
	}
	walk(g)
	if !changed {
		return body
	}
	out, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func appByID(c *model.Cluster, id string) *model.App {
	for i := range c.Apps {
		if c.Apps[i].ID == id {
			return &c.Apps[i]
		}
	}
	return nil
}

// TestTaskHistoryPairA: pair A's master remembers 272 finished tasks of
// Marathon; the newest 100 are listed with their state's time, and the app
// whose health check killed a task carries Marathon's lastTaskFailure.
func TestTaskHistoryPairA(t *testing.T) {
	ms := serveFiles(t, map[string]string{"/master/state": "mesos/pairA_master_state_mesos-1.2.0.json"})
	mar := marathonFake(t, "marathon/pairA_v2_groups_embed-tasks.json", "marathon/marathon-docs_v2_queue.json")
	p, err := NewPoller(Config{URLs: []string{ms.URL, mar.URL}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p.Refresh(context.Background())
	c := p.Latest()
	if c == nil || c.Stale || len(c.Errors) > 0 {
		t.Fatalf("cluster %+v", c)
	}

	// The newest 100 of Marathon's finished tasks, by their last status.
	var stamps []float64
	for _, fv := range list(generic(t, "mesos/pairA_master_state_mesos-1.2.0.json")["frameworks"]) {
		if str(obj(fv)["name"]) != "marathon" {
			continue
		}
		for _, tv := range list(obj(fv)["completed_tasks"]) {
			last := 0.0
			for _, sv := range list(obj(tv)["statuses"]) {
				last = max(last, obj(sv)["timestamp"].(float64))
			}
			stamps = append(stamps, last)
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(stamps)))
	oldestKept := unixTime(stamps[maxFinishedPerFramework-1])
	finished := 0
	for _, tk := range c.Tasks {
		if !tk.Finished {
			continue
		}
		finished++
		if tk.StateSince.Before(oldestKept) {
			t.Errorf("kept %s of %v, older than the 100th newest (%v)", tk.ID, tk.StateSince, oldestKept)
		}
		if tk.State != "TASK_FINISHED" && tk.State != "TASK_KILLED" {
			t.Errorf("task %s state %s", tk.ID, tk.State)
		}
		if d := tk.Detail(); d.Message != "" || d.Reason != "" {
			t.Errorf("task %s: message %q reason %q, but Mesos states carry none", tk.ID, d.Message, d.Reason)
		}
	}
	if len(stamps) != 272 || finished != maxFinishedPerFramework {
		t.Errorf("%d finished in the file, %d listed", len(stamps), finished)
	}

	a := appByID(c, "/development/logging")
	if a == nil {
		t.Fatal("no /development/logging")
	}
	if !strings.HasPrefix(a.LastFailure, "Task was killed since health check failed.") ||
		a.LastFailureTask != "development_logging.713b7e94-c64b-11e6-9066-5a8a388c67a1" ||
		!a.LastFailureAt.Equal(time.Date(2016, 12, 20, 0, 31, 50, 338e6, time.UTC)) {
		t.Errorf("last failure %q of %s at %v", a.LastFailure, a.LastFailureTask, a.LastFailureAt)
	}
	if a.TasksUnhealthy == nil || *a.TasksUnhealthy != 2 || a.TasksStaged == nil || *a.TasksStaged != 0 ||
		a.Deployments == nil || *a.Deployments != 0 {
		t.Errorf("counters staged %v unhealthy %v deployments %v", a.TasksStaged, a.TasksUnhealthy, a.Deployments)
	}
	// The failed task is one the master remembers.
	found := false
	for _, tk := range c.Tasks {
		found = found || tk.ID == a.LastFailureTask && tk.Finished && tk.State == "TASK_KILLED"
	}
	if !found {
		t.Errorf("task %s of lastTaskFailure not among the finished tasks", a.LastFailureTask)
	}
	// The queue holds none of pair A's apps: every app is known not delayed.
	for _, app := range c.Apps {
		if app.Delayed == nil || *app.Delayed {
			t.Errorf("app %s delayed %v", app.ID, app.Delayed)
		}
		if app.ID != a.ID && app.LastFailure != "" {
			t.Errorf("app %s: last failure %q", app.ID, app.LastFailure)
		}
	}
}

// TestOldMarathon: a Marathon that embeds no lastTaskFailure, deployments
// or counters and has no /v2/queue gives nil fields (n/a), never an error.
func TestOldMarathon(t *testing.T) {
	srv := serveFiles(t, map[string]string{"/v2/groups": "marathon/marathon-docs_v2_groups.json"})
	p := newTestPoller(t, "", srv.URL)
	p.Refresh(context.Background())
	c := p.Latest()
	if c == nil || c.Stale || len(c.Errors) > 0 || len(c.Apps) == 0 {
		t.Fatalf("cluster %+v", c)
	}
	for _, a := range c.Apps {
		if a.Delayed != nil || a.LastFailure != "" || !a.LastFailureAt.IsZero() || a.TasksUnhealthy != nil {
			t.Errorf("app %s: %+v", a.ID, a)
		}
	}
}

// TestEmbedHonoured: the fake answers what was asked; without the
// lastTaskFailure embed the app carries none.
func TestEmbedHonoured(t *testing.T) {
	mar := marathonFake(t, "marathon/pairA_v2_groups_embed-tasks.json", "")
	var root marathonGroup
	api, err := httpapi.New(httpapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	c := api
	e, _ := httpapi.Parse(mar.URL)
	old := strings.ReplaceAll(marathonGroupsPath, "&embed=group.apps.lastTaskFailure", "")
	if _, err := c.GetJSON(context.Background(), e, old, &root); err != nil {
		t.Fatal(err)
	}
	for _, a := range buildMarathon(&root).Apps {
		if a.LastFailure != "" {
			t.Errorf("app %s has a failure it was not asked for", a.ID)
		}
	}
	p := newTestPoller(t, "", mar.URL)
	p.Refresh(context.Background())
	if a := appByID(p.Latest(), "/development/logging"); a == nil || a.LastFailure == "" {
		t.Errorf("with the embed: %+v", a)
	}
}

// TestQueueDelayed reads Marathon's documented /v2/queue example: both
// entries are overdue (their delay has passed), so neither is delayed.
// The same shape with the delay's values turned to a backoff in progress
// (the only change) holds its app back.
func TestQueueDelayed(t *testing.T) {
	body := fixture(t, "marathon/marathon-docs_v2_queue.json")
	q, err := decodeQueue(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Queue) != 2 || len(q.delayed()) != 0 {
		t.Fatalf("queue %d entries, delayed %v", len(q.Queue), q.delayed())
	}
	held := strings.Replace(string(body), `"timeLeftSeconds": 0,
        "overdue": true`, `"timeLeftSeconds": 30,
        "overdue": false`, 1)
	if held == string(body) {
		t.Fatal("the example's delay text changed: update the test")
	}
	if q, err = decodeQueue(strings.NewReader(held)); err != nil {
		t.Fatal(err)
	}
	d := q.delayed()
	if len(d) != 1 || !d["/tools/datadog-agent"] {
		t.Errorf("delayed %v", d)
	}
	apps := []model.App{{ID: "/tools/datadog-agent"}, {ID: "/foo"}}
	applyQueue(apps, q)
	if !*apps[0].Delayed || *apps[1].Delayed {
		t.Errorf("delayed %v %v", *apps[0].Delayed, *apps[1].Delayed)
	}
	// How long the backoff still holds it: the queue's timeLeftSeconds.
	if apps[0].DelayS == nil || *apps[0].DelayS != 30 || apps[1].DelayS != nil {
		t.Errorf("delay left %v %v", apps[0].DelayS, apps[1].DelayS)
	}
}

// TestAppsConstraintsAndRequiredPorts: an app's constraints and, where it
// requires them, the ports of its agent it needs, from pair A's
// /v2/groups (portDefinitions) and the Marathon docs' /v2/apps (the older
// ports list), each with requirePorts turned on (no fixture has it on:
// the only change); without requirePorts it needs none.
func TestAppsConstraintsAndRequiredPorts(t *testing.T) {
	for _, tc := range []struct {
		file, app, constraint string
		ports                 []string
	}{
		{"marathon/pairA_v2_groups_embed-tasks.json", "/marathon-user", "hostname:UNIQUE", []string{"10005/tcp", "10006/tcp"}},
		{"marathon/marathon-docs_v2_apps.json", "/myapp", "hostname:UNIQUE", []string{"10013/tcp", "10015/tcp"}},
	} {
		body := string(fixture(t, tc.file))
		for _, require := range []bool{false, true} {
			text := body
			if require {
				text = strings.ReplaceAll(body, `"requirePorts": false`, `"requirePorts": true`)
				if text == body {
					t.Fatalf("%s: no requirePorts to turn on", tc.file)
				}
			}
			c, err := ParseCluster(nil, strings.NewReader(text), "", nil)
			if err != nil {
				t.Fatal(err)
			}
			var a *model.App
			for i := range c.Apps {
				if c.Apps[i].ID == tc.app {
					a = &c.Apps[i]
				}
			}
			if a == nil {
				t.Fatalf("%s: no app %s", tc.file, tc.app)
			}
			if !slices.Contains(a.Constraints, tc.constraint) {
				t.Errorf("%s %s: constraints %q", tc.file, tc.app, a.Constraints)
			}
			want := tc.ports
			if !require {
				want = nil
			}
			if !slices.Equal(a.Ports, want) {
				t.Errorf("%s %s (requirePorts %v): ports %v, want %v", tc.file, tc.app, require, a.Ports, want)
			}
		}
	}
}
