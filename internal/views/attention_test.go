package views

import (
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
)

// filtered is a view's rows under a filter, by key.
func filtered(t *testing.T, s *model.Snapshot, view, expr string) map[string]Row {
	t.Helper()
	f, err := ParseFilter(expr)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := Rows(s, Query{View: view, Filter: f})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Row{}
	for _, r := range tab.Rows {
		out[r.Key] = r
		if !r.Attention {
			t.Errorf("%s %s listed by %q but not marked", view, r.Key, expr)
		}
	}
	return out
}

func rowKeys(m map[string]Row) string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	sort.Strings(k)
	return strings.Join(k, " ")
}

// TestAttentionPairA looks at pair A two minutes after Marathon's last task
// failure: the app whose health check killed a task is unhealthy and
// failed 2m ago, two apps run below their instances, and their groups and
// the marathon framework count them.
func TestAttentionPairA(t *testing.T) {
	s := pairASnapshot(t)
	s.Time = time.Date(2016, 12, 20, 0, 33, 50, 338e6, time.UTC)

	v := Get("marathon-apps")
	apps := filtered(t, s, "marathon-apps", "attention!=n/a")
	if got := rowKeys(apps); got != "/development/logging /development/sleep /marathon-user" {
		t.Fatalf("apps needing a look: %s", got)
	}
	lg := apps["/development/logging"]
	if val(v, lg, "attention") != "unhealthy, failed 2m ago" || val(v, lg, "last_failure_s") != 120.0 ||
		!strings.HasPrefix(val(v, lg, "last_failure").(string), "Task was killed since health check failed") ||
		val(v, lg, "tasks_unhealthy") != 2.0 || val(v, lg, "tasks_staged") != 0.0 || val(v, lg, "deployments") != 0.0 {
		t.Errorf("logging %v", lg.Values)
	}
	// No /v2/queue in a replayed file: n/a, not "false".
	if val(v, lg, "delayed") != nil {
		t.Errorf("delayed %v", val(v, lg, "delayed"))
	}
	if val(v, apps["/development/sleep"], "attention") != "0/1 running" {
		t.Errorf("sleep %v", apps["/development/sleep"].Values)
	}

	gv := Get("marathon-groups")
	groups := filtered(t, s, "marathon-groups", "attention!=n/a")
	if got := rowKeys(groups); got != "/ /development" {
		t.Errorf("groups needing a look: %s", got)
	}
	if val(gv, groups["/"], "attention") != "3 apps" || val(gv, groups["/development"], "attention") != "2 apps" {
		t.Errorf("group counts %v %v", groups["/"].Values, groups["/development"].Values)
	}
	fv := Get("mesos-frameworks")
	fws := filtered(t, s, "mesos-frameworks", "attention!=n/a")
	if mar := fws["c116a0cf-3d63-45f5-898d-5bc2136e2c5b-0001"]; len(fws) != 1 || val(fv, mar, "attention") != "3 apps" {
		t.Errorf("frameworks needing a look: %v", fws)
	}

	// The killed task: the master's state says when, Marathon says why.
	tv := Get("mesos-tasks")
	_, rows, _ := rowsByKey(t, "mesos-tasks", s, nil, false)
	k := rows["development_logging.713b7e94-c64b-11e6-9066-5a8a388c67a1"]
	if k.Values == nil || val(tv, k, "state") != "TASK_KILLED" || val(tv, k, "reason") != nil ||
		!strings.HasPrefix(val(tv, k, "message").(string), "Task was killed since health check failed") {
		t.Fatalf("killed task %v", k.Values)
	}
	// Its last status (TASK_KILLED) is 1482193920.66723: 109.67 s before s.Time.
	if age := val(tv, k, "state_age_s").(float64); age < 109 || age > 110 {
		t.Errorf("age %v", age)
	}
	// Killed is not failed: no task of pair A needs a look.
	if tasks := filtered(t, s, "mesos-tasks", "attention!=n/a"); len(tasks) != 0 {
		t.Errorf("tasks needing a look: %s", rowKeys(tasks))
	}
	// Drilling into the app shows its finished tasks too.
	tab, _ := Rows(s, Query{View: "mesos-tasks", Scope: []Scope{{Kind: "app", ID: "/development/logging"}}})
	found := false
	for _, r := range tab.Rows {
		found = found || r.Key == k.Key
	}
	if !found {
		t.Errorf("app scope lacks its killed task (%d rows)", len(tab.Rows))
	}
	if c, a, tk := NeedLook(s); c != 0 || a != 3 || tk != 0 {
		t.Errorf("need a look: %d containers, %d apps, %d tasks", c, a, tk)
	}
}

// TestAttentionFailedTasks: the 1.2.0 state remembers 56 failed Marathon
// tasks; five minutes after the last one, those that failed in the ten
// minutes before are the ones that need a look.
func TestAttentionFailedTasks(t *testing.T) {
	name := "../orchestrator/testdata/mesos/master_state_mesos-1.2.0_docker-container-id.json"
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := orchestrator.ParseCluster(f, nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	last := time.Unix(1482950924, 962100000)
	s := &model.Snapshot{Time: last.Add(5 * time.Minute), Cluster: c}

	// Expected from the file, read independently.
	raw, _ := os.ReadFile(name)
	var st struct {
		Frameworks []struct {
			Completed []struct {
				ID       string
				State    string
				Statuses []struct{ Timestamp float64 }
			} `json:"completed_tasks"`
		}
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, fw := range st.Frameworks {
		for _, tk := range fw.Completed {
			ts := 0.0
			for _, x := range tk.Statuses {
				ts = max(ts, x.Timestamp)
			}
			at := time.Unix(0, int64(ts*1e9))
			if tk.State == "TASK_FAILED" && s.Time.Sub(at) <= AttentionRecent {
				want[tk.ID] = true
			}
		}
	}
	got := filtered(t, s, "mesos-tasks", "attention!=n/a")
	if len(want) == 0 || len(got) != len(want) {
		t.Fatalf("%d tasks need a look, want %d", len(got), len(want))
	}
	v := Get("mesos-tasks")
	for k, r := range got {
		if !want[k] {
			t.Errorf("%s listed", k)
		}
		// The latest also says its app loops (reasons_test.go).
		a, _, _ := strings.Cut(val(v, r, "attention").(string), ", crash loop: ")
		if !strings.HasPrefix(a, "failed ") || !strings.HasSuffix(a, "m ago") {
			t.Errorf("%s: %q", k, a)
		}
	}
	// The marathon framework counts them (no Marathon here: its tasks).
	fws := filtered(t, s, "mesos-frameworks", "attention!=n/a")
	if len(fws) != 1 {
		t.Errorf("frameworks %v", rowKeys(fws))
	}
	for _, r := range fws {
		if val(Get("mesos-frameworks"), r, "attention") != countOf(len(want), "task") {
			t.Errorf("framework %v", r.Values)
		}
	}
}

// TestAttentionContainers: each default reason, and a container with none.
func TestAttentionContainers(t *testing.T) {
	one, zero := 1, 0
	mk := func(id string, f func(c *model.Container)) model.Container {
		c := model.Container{ContainerSample: &model.ContainerSample{ID: id, Name: id, Runtime: model.RuntimeDocker, State: "running",
			Mem: model.CgroupMemory{Used: 100, Limit: 1000}, CPU: model.CgroupCPU{Periods: 100}, RuntimeFields: &model.RuntimeFields{}}, HasRates: true, MemPct: 10}
		f(&c)
		return c
	}
	s := &model.Snapshot{Memory: model.Memory{Total: 4000}, Containers: []model.Container{
		mk("ok", func(c *model.Container) {}),
		mk("stopped-clean", func(c *model.Container) { c.State = "exited"; c.ExitCode = &zero }),
		mk("oom", func(c *model.Container) { c.State = "exited"; c.OOMKilled = true; c.ExitCode = &one }),
		mk("exit1", func(c *model.Container) { c.State = "exited"; c.ExitCode = &one }),
		mk("loop", func(c *model.Container) { c.State = "restarting" }),
		mk("thr", func(c *model.Container) { c.ThrottledPct = 80 }),
		mk("mem", func(c *model.Container) { c.MemPct = 95 }),
		mk("nolimit", func(c *model.Container) { c.Mem.Limit = 4000; c.MemPct = 95 }), // the host's memory: no limit
		mk("sick", func(c *model.Container) { c.Health = "unhealthy" }),
		// A v2 cgroup without the controller: its figures are n/a, no reason.
		mk("nomem", func(c *model.Container) { c.MemPct = 95; c.Unmeasured = []string{"memory"} }),
		mk("nocpu", func(c *model.Container) { c.ThrottledPct = 80; c.Unmeasured = []string{"cpu"} }),
	}}
	got := filtered(t, s, "containers", "attention!=n/a")
	want := map[string]string{
		"oom": "oom-killed, exited 1", "exit1": "exited 1", "loop": "restarting",
		"thr": "throttled 80%", "mem": "mem 95% of limit", "sick": "unhealthy",
	}
	v := Get("containers")
	if len(got) != len(want) {
		t.Errorf("listed %s", rowKeys(got))
	}
	for k, w := range want {
		if a := val(v, got[k], "attention"); a != w {
			t.Errorf("%s: %v, want %q", k, a, w)
		}
	}
	if c, _, _ := NeedLook(s); c != len(want) {
		t.Errorf("header count %d", c)
	}
}

// TestNeedLookCountsOncePerSnapshot: the header's count is drawn at every
// frame (each key press's), so a snapshot's rows are counted once: the
// same snapshot counts the same without running the rules again (changed
// here behind its back, which a published snapshot never is), and a new
// snapshot is counted afresh. (On the code before, every draw ran every
// row's rules: 5-10 ms of each frame at 50,000 containers.)
func TestNeedLookCountsOncePerSnapshot(t *testing.T) {
	one := 1
	c := model.Container{ContainerSample: &model.ContainerSample{ID: "a", Name: "a", Runtime: model.RuntimeDocker, State: "exited", RuntimeFields: &model.RuntimeFields{ExitCode: &one}}}
	s := &model.Snapshot{Memory: model.Memory{Total: 4000}, Containers: []model.Container{c}}
	if n, _, _ := NeedLook(s); n != 1 {
		t.Fatalf("count %d, want 1", n)
	}
	s.Containers[0].State, s.Containers[0].ExitCode = "running", nil
	if n, _, _ := NeedLook(s); n != 1 {
		t.Errorf("the same snapshot counted again: %d", n)
	}
	next := *s
	next.Containers = slices.Clone(s.Containers)
	if n, _, _ := NeedLook(&next); n != 0 {
		t.Errorf("a new snapshot's count %d, want 0", n)
	}
}
