package clustergen

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"
)

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %.200s", err, b)
	}
	return v
}

// TestAnswersHoldTheCluster: every answer is JSON of its real shape and
// holds the generated cluster: all running tasks with their container
// ids, the agents, the finished tasks, Marathon's apps.
func TestAnswersHoldTheCluster(t *testing.T) {
	c := New(Spec{Agents: 30, TasksPerAgent: 7, Completed: 40, Seed: 1})
	c.setNet(99)
	st := decode(t, c.MasterState())
	if n := len(get(st, "slaves").([]any)); n != 30 {
		t.Errorf("%d slaves", n)
	}
	running, done := 0, 0
	cids := map[string]bool{}
	for _, f := range get(st, "frameworks").([]any) {
		for _, tk := range get(f, "tasks").([]any) {
			running++
			cids[get(tk, "statuses.1.container_status.container_id.value").(string)] = true
		}
		done += len(get(f, "completed_tasks").([]any))
	}
	if running != 210 || done != 40 || len(cids) != 210 {
		t.Errorf("running %d, completed %d, container ids %d", running, done, len(cids))
	}
	if get(st, "leader") != get(st, "pid") || get(st, "version") != "1.8.0" {
		t.Errorf("leader %v pid %v version %v", get(st, "leader"), get(st, "pid"), get(st, "version"))
	}
	per := float64(len(c.MasterState())) / float64(running+done)
	t.Logf("master state: %d bytes, %.0f bytes per task", len(c.MasterState()), per)
	if per < 900 {
		t.Errorf("%.0f bytes per task; a real master writes 1-3 KB", per)
	}
	sum := decode(t, c.StateSummary())
	if n := len(get(sum, "slaves").([]any)); n != 30 || get(sum, "slaves.3.TASK_RUNNING") != 7.0 {
		t.Errorf("summary slaves %d, running %v", n, get(sum, "slaves.3.TASK_RUNNING"))
	}
	for _, v := range []string{"1.5.0", "0.27.0", "0.22.0"} {
		a := c.Agents[2]
		a.Version = v
		as := decode(t, c.AgentState(a))
		ex := get(as, "frameworks.0.executors").([]any)
		if len(ex) != 7 || get(ex[0], "container") != a.Tasks[0].ContainerID || get(ex[0], "tasks.0.id") != a.Tasks[0].ID {
			t.Errorf("%s: executors %d %v", v, len(ex), ex[0])
		}
		if get(as, "master_hostname") != "127.99.0.1" || get(as, "pid") != a.PID() {
			t.Errorf("%s: master %v pid %v", v, get(as, "master_hostname"), get(as, "pid"))
		}
	}
	var stats []map[string]any
	if err := json.Unmarshal(c.Statistics(c.Agents[0], time.Now()), &stats); err != nil || len(stats) != 7 {
		t.Fatalf("statistics: %v, %d", err, len(stats))
	}
	if get(stats[0], "statistics.cpus_user_time_secs").(float64) <= 0 || get(stats[0], "executor_id") != c.Agents[0].Tasks[0].ID {
		t.Errorf("statistics %v", stats[0])
	}
	g := decode(t, c.Groups(url.Values{"embed": {"group.groups", "group.apps", "group.apps.counts", "group.apps.lastTaskFailure"}}))
	apps := 0
	for _, sg := range get(g, "groups").([]any) {
		for _, a := range get(sg, "apps").([]any) {
			apps++
			if _, has := a.(map[string]any)["tasks"]; has {
				t.Error("tasks embedded without group.apps.tasks")
			}
			if _, has := a.(map[string]any)["tasksRunning"]; !has {
				t.Error("no counts with group.apps.counts")
			}
		}
	}
	if apps != len(c.Apps) {
		t.Errorf("%d apps in the groups, want %d", apps, len(c.Apps))
	}
	wt := decode(t, c.Groups(url.Values{"embed": {"group.groups", "group.apps", "group.apps.tasks"}}))
	if n := len(get(wt, "groups.0.apps.0.tasks").([]any)); n == 0 {
		t.Error("no tasks with group.apps.tasks")
	}
}

// TestServeBehaviours: a healthy agent answers its version's paths only,
// a failing one HTTP 500, a hanging one nothing, a refusing one refuses.
func TestServeBehaviours(t *testing.T) {
	if _, err := RaiseFileLimit(); err != nil {
		t.Fatal(err)
	}
	c := New(Spec{Agents: 4, TasksPerAgent: 2, Seed: 2})
	c.Agents[1].Mode = Fail
	c.Agents[2].Mode = Hang
	c.Agents[3].Mode = Refuse
	c.Agents[0].Version = "0.22.0"
	s, err := c.Serve()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hc := &http.Client{Timeout: 500 * time.Millisecond}
	get := func(u string) (int, error) {
		r, err := hc.Get(u)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		return r.StatusCode, nil
	}
	for path, want := range map[string]int{"/state.json": 200, "/slave(1)/state.json": 200, "/slave(1)/state": 404, "/monitor/statistics": 404, "/monitor/statistics.json": 200} {
		if code, err := get(s.AgentURL(0) + path); code != want {
			t.Errorf("0.22 agent %s: %d %v, want %d", path, code, err, want)
		}
	}
	if code, _ := get(s.AgentURL(1) + "/monitor/statistics"); code != 500 {
		t.Errorf("failing agent: %d", code)
	}
	if _, err := get(s.AgentURL(2) + "/monitor/statistics"); err == nil || !isTimeout(err) {
		t.Errorf("hanging agent: %v", err)
	}
	if _, err := get(s.AgentURL(3) + "/monitor/statistics"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("refusing agent: %v", err)
	}
	for path, want := range map[string]int{"/master/state": 200, "/state": 200, "/master/state-summary": 200, "/master/slaves": 200, "/master/state.json": 404} {
		if code, err := get(s.MasterURL() + path); code != want {
			t.Errorf("master %s: %d %v", path, code, err)
		}
	}
	if code, _ := get(s.MarathonURL() + "/v2/apps" + c.Apps[0].ID + "?embed=app.counts"); code != 200 {
		t.Errorf("marathon app: %d", code)
	}
	if code, _ := get(s.MarathonURL() + "/v2/apps/nope"); code != 404 {
		t.Errorf("marathon missing app: %d", code)
	}
	if err := s.SetMode(2, Healthy); err != nil {
		t.Fatal(err)
	}
	if code, err := get(s.AgentURL(2) + "/monitor/statistics"); code != 200 {
		t.Errorf("agent made healthy: %d %v", code, err)
	}
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}
