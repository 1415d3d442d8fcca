package views

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// storySnapshot is the redis story as the collector and the orchestrator
// give it: a Mesos task holds 6379 on the host's network; the Docker
// redis of Marathon app /ops/redis cannot bind it and exited 1; Marathon
// holds the app back. Besides: a process outside any container holds
// 8080, which an exited web container wants; an agent does not answer.
func storySnapshot() *model.Snapshot {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	one := 1
	yes := true
	s := &model.Snapshot{Time: now, Memory: model.Memory{Total: 8 << 30}}
	holder := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}}
	holder.ID, holder.Name, holder.Runtime, holder.State, holder.Cgroup = "5f1d0c2a-mesos", "5f1d0c2a-mesos", model.RuntimeMesos, "running", "/mesos/5f1d0c2a-mesos"
	holder.PID, holder.Listen = 4242, []string{"6379/tcp"}
	holder.Cluster = model.ClusterFields{TaskID: "redis.5f1d", Task: "redis", Framework: "marathon", App: "/redis", Group: "/"}
	redis := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}}
	redis.ID, redis.Name, redis.Runtime, redis.State = strings.Repeat("d", 64), "mesos-ops-redis", model.RuntimeDocker, "exited"
	redis.ExitCode, redis.StateSince, redis.Created = &one, now.Add(-2*time.Minute), now.Add(-3*time.Minute)
	redis.NetworkMode, redis.Wants, redis.Unmeasured = "host", []string{"6379/tcp"}, []string{"cpu", "memory", "pids", "io"}
	redis.Cluster = model.ClusterFields{TaskID: "ops_redis.77aa", Task: "redis.ops", Framework: "marathon", App: "/ops/redis", Group: "/ops"}
	web := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}}
	web.ID, web.Name, web.Runtime, web.State = strings.Repeat("e", 64), "web", model.RuntimeDocker, "exited"
	web.ExitCode, web.StateSince, web.Created = &one, now.Add(-5*time.Minute), now.Add(-6*time.Minute)
	web.NetworkMode, web.Wants, web.Unmeasured = "bridge", []string{"8080/tcp"}, []string{"cpu", "memory", "pids", "io"}
	s.Containers = []model.Container{holder, redis, web}
	p := model.Process{}
	p.PID, p.Name, p.Command, p.ContainerID, p.Listen = 4242, "redis-server", "redis-server *:6379", holder.ID, []string{"6379/tcp"}
	q := model.Process{}
	q.PID, q.Name, q.Command, q.Listen = 777, "python3", "python3 -m http.server 8080", []string{"8080/tcp"}
	s.Processes = []model.Process{p, q}
	staged := 0
	s.Cluster = &model.Cluster{
		HasMesos: true, HasMarathon: true, MarathonFrameworkID: "fw-m",
		Frameworks: []model.Framework{{ID: "fw-m", Name: "marathon", Active: true}},
		Tasks: []model.Task{
			{ID: "redis.5f1d", Name: "redis", State: "TASK_RUNNING", FrameworkID: "fw-m", StateSince: now.Add(-time.Hour)},
			model.Task{ID: "ops_redis.77aa", Name: "redis.ops", State: "TASK_FAILED", FrameworkID: "fw-m", Finished: true, StateSince: now.Add(-2 * time.Minute)}.WithDetail(
				model.TaskDetail{Reason: "REASON_COMMAND_EXECUTOR_FAILED", Message: "Container exited with status 1"}),
		},
		Groups: []model.Group{{ID: "/"}, {ID: "/ops", Parent: "/"}},
		Apps: []model.App{
			{ID: "/redis", Group: "/", Instances: 1, TasksRunning: 1, TaskIDs: []string{"redis.5f1d"}},
			{ID: "/ops/redis", Group: "/ops", Instances: 1, TasksRunning: 0, TasksStaged: &staged, Delayed: &yes,
				LastFailure: "Container exited with status 1", LastFailureAt: now.Add(-2 * time.Minute), LastFailureTask: "ops_redis.77aa"},
		},
		Agents: []model.Agent{{ID: "S9", Name: "node-9", Error: "mesos agent http://node-9:5051: connection refused"}},
	}
	return s
}

// bookLines is a LastLines over lines kept in a map by container key;
// a line that starts with "!" was written on stderr.
type bookLines map[string][]string

func (b bookLines) Last(_ *model.Snapshot, c *model.Container) ([]LogLine, string) {
	l, ok := b[c.Key()]
	if !ok {
		return nil, "reading…"
	}
	var out []LogLine
	for _, t := range l {
		stream := "stdout"
		if rest, ok := strings.CutPrefix(t, "!"); ok {
			t, stream = rest, "stderr"
		}
		out = append(out, LogLine{Stream: stream, Text: t})
	}
	return out, ""
}

// TestAttentionViewTellsTheStory: x lists the app, its failed task, the
// exited container with its exit code, the holder of its port and the
// last line of its log, each with the one most telling fact in full.
func TestAttentionViewTellsTheStory(t *testing.T) {
	s := storySnapshot()
	last := bookLines{strings.Repeat("d", 64): {"1:M * starting", "!# Could not create server TCP listening socket *:6379: bind: Address already in use", "1:M * exiting"}}
	tab, err := Rows(s, Query{View: "attention", Last: last})
	if err != nil {
		t.Fatal(err)
	}
	v := tab.View
	var kinds []string
	got := map[string]Row{}
	for _, r := range tab.Rows {
		kinds = append(kinds, val(v, r, "kind").(string))
		got[r.Key] = r
		if !r.Attention {
			t.Errorf("%s not marked", r.Key)
		}
	}
	if want := []string{"app", "task", "container", "container", "container", "process", "agent"}; !slices.Equal(kinds, want) {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
	app := got["app:/ops/redis"]
	if val(v, app, "attention") != "0/1 running, delayed, failed 2m ago" ||
		!strings.Contains(val(v, app, "why").(string), "last failure 2m ago (task ops_redis.77aa): Container exited with status 1") ||
		!strings.Contains(val(v, app, "why").(string), "launch queue holds it back") || val(v, app, "age_s") != 120.0 {
		t.Errorf("app %v", app.Values)
	}
	task := got["task:ops_redis.77aa"]
	if why := val(v, task, "why").(string); !strings.Contains(why, "REASON_COMMAND_EXECUTOR_FAILED: Container exited with status 1") ||
		!strings.Contains(why, "bind: Address already in use") {
		t.Errorf("task why %q", why)
	}
	redis := got["container:"+strings.Repeat("d", 64)]
	if a := val(v, redis, "attention"); a != "exited 1, port 6379/tcp held by task redis.5f1d (pid 4242)" {
		t.Errorf("redis attention %q", a)
	}
	if why := val(v, redis, "why").(string); why != "port 6379/tcp held by task redis.5f1d (pid 4242); exit code 1 2m ago: # Could not create server TCP listening socket *:6379: bind: Address already in use" {
		t.Errorf("redis why %q", why)
	}
	if val(v, redis, "app") != "/ops/redis" || val(v, redis, "age_s") != 120.0 {
		t.Errorf("redis %v", redis.Values)
	}
	holder := got["container:5f1d0c2a-mesos"]
	if a := val(v, holder, "attention"); a != "holds port 6379/tcp wanted by container mesos-ops-redis" || val(v, holder, "age_s") != nil {
		t.Errorf("holder %v", holder.Values)
	}
	// A process outside any container: named by its command.
	web := got["container:"+strings.Repeat("e", 64)]
	if a := val(v, web, "attention"); a != "exited 1, port 8080/tcp held by python3 (pid 777)" {
		t.Errorf("web attention %q", a)
	}
	if py := got["process:777"]; val(v, py, "attention") != "holds port 8080/tcp wanted by container web" {
		t.Errorf("python %v", py.Values)
	}
	if ag := got["agent:S9"]; val(v, ag, "why") != "mesos agent http://node-9:5051: connection refused" {
		t.Errorf("agent %v", ag.Values)
	}
	// Each row stands for its row in its own view: Enter goes there with
	// the cursor on it, and that view has the row.
	for _, r := range tab.Rows {
		tg, ok := v.Drill(r)
		if !ok {
			t.Errorf("%s leads nowhere", r.Key)
			continue
		}
		if _, row, ok := Find(s, tg.View, tg.Select); !ok || row.Key != tg.Select {
			t.Errorf("%s: %s has no row %q", r.Key, tg.View, tg.Select)
		}
	}
	// The header counts the same: the three containers, the app, the task.
	if c, a, tk := NeedLook(s); c != 3 || a != 1 || tk != 1 {
		t.Errorf("need a look: %d %d %d", c, a, tk)
	}
	if got := NeedLookText(NeedLook(s)); got != "3 containers, 1 app, 1 task" {
		t.Errorf("%q", got)
	}
	// And the containers view says the same of each.
	cv := Get("containers")
	_, crow, _ := Find(s, "containers", strings.Repeat("d", 64))
	if val(cv, crow, "attention") != val(v, redis, "attention") {
		t.Errorf("containers view: %v", crow.Values)
	}
	// l on the container reads its log; on the task, its container's.
	for key, want := range map[string]Scope{
		"container:" + strings.Repeat("d", 64): {Kind: "container", ID: strings.Repeat("d", 64)},
		"task:ops_redis.77aa":                  {Kind: "task", ID: "ops_redis.77aa"},
	} {
		if tg, ok := v.Log(got[key]); !ok || tg.View != "logs" || tg.Scope != want {
			t.Errorf("l on %s goes to %+v", key, tg)
		}
	}
}

// TestStoppedContainersNeedALookForAnHour: an exit an hour old is
// history; a port a container stopped on purpose wanted blocks nothing.
func TestStoppedContainersNeedALookForAnHour(t *testing.T) {
	s := storySnapshot()
	s.Containers[1].StateSince = s.Time.Add(-2 * time.Hour)
	zero := 0
	s.Containers[2].ExitCode = &zero
	tab, err := Rows(s, Query{View: "attention"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tab.Rows {
		if strings.HasPrefix(r.Key, "container:") || strings.HasPrefix(r.Key, "process:") {
			t.Errorf("%s listed: %v", r.Key, r.Values)
		}
	}
}

// TestPortHoldersOnTheNodesNetworkOnly: a listener in a container of its
// own network namespace holds nothing of the node's; a running container
// is not judged; of two holders the lowest pid is named.
func TestPortHoldersOnTheNodesNetworkOnly(t *testing.T) {
	s := storySnapshot()
	s.Containers[0].Net = &model.NetCounters{} // the holder now has a namespace of its own
	pc := findConflicts(s)
	if len(pc.wanted[strings.Repeat("d", 64)]) != 0 {
		t.Errorf("a listener in its own namespace blocks: %+v", pc.wanted)
	}
	s = storySnapshot()
	extra := model.Process{}
	extra.PID, extra.Name, extra.Listen = 12, "socat", []string{"6379/tcp"}
	s.Processes = append(s.Processes, extra)
	if k := findConflicts(s).wanted[strings.Repeat("d", 64)]; len(k) != 1 || k[0].holder.String() != "socat (pid 12)" {
		t.Errorf("holders %+v", k)
	}
	s = storySnapshot()
	s.Containers[1].State = "running"
	if k := findConflicts(s).wanted[strings.Repeat("d", 64)]; len(k) != 0 {
		t.Errorf("a running container is blocked: %+v", k)
	}
}

// TestFinishedTaskLeadsToItsExitedContainer: mesos-tasks shows the
// container that ran a failed task, Enter on the task lists it, and the
// live task keeps its running one.
func TestFinishedTaskLeadsToItsExitedContainer(t *testing.T) {
	s := storySnapshot()
	v, rows, _ := rowsByKey(t, "mesos-tasks", s, nil, false)
	if got := val(v, rows["ops_redis.77aa"], "container_id"); got != strings.Repeat("d", 64) {
		t.Errorf("failed task's container %v", got)
	}
	if got := val(v, rows["redis.5f1d"], "container_id"); got != "5f1d0c2a-mesos" {
		t.Errorf("live task's container %v", got)
	}
	tg, _ := v.Drill(rows["ops_redis.77aa"])
	tab, err := Rows(s, Query{View: tg.View, Scope: []Scope{tg.Scope}})
	if err != nil || len(tab.Rows) != 1 || tab.Rows[0].Key != strings.Repeat("d", 64) {
		t.Errorf("Enter on the failed task: %v %v", err, tab)
	}
}

// TestActionsFitTheRowsState: an exited Docker container restarts or is
// removed, nothing else; a running one is not removed; an exited one of a
// runtime without an API says why it offers nothing; a finished task is
// said finished, not "of no app".
func TestActionsFitTheRowsState(t *testing.T) {
	s := storySnapshot()
	cv := Get("containers")
	labels := func(v *View, r Row) (out []string) {
		for _, a := range v.Offered(r) {
			out = append(out, a.Command)
		}
		return out
	}
	s.Containers[1].Can = engineCan
	_, exited, _ := Find(s, "containers", strings.Repeat("d", 64))
	if got := labels(cv, exited); !slices.Equal(got, []string{"restart", "remove"}) {
		t.Errorf("exited docker container offers %v", got)
	}
	s.Containers[1].State, s.Containers[1].ExitCode = "running", nil
	_, running, _ := Find(s, "containers", strings.Repeat("d", 64))
	if got := labels(cv, running); !slices.Equal(got, []string{"stop", "restart", "pause", "kill"}) {
		t.Errorf("running docker container offers %v", got)
	}
	if why := cv.ShellWhyNot(exited); !strings.Contains(why, "exited with exit code 1") || !strings.Contains(why, "a shell needs a running container") {
		t.Errorf("e on an exited container: %q", why)
	}
	if why := cv.ShellWhyNot(running); why != "" {
		t.Errorf("e on a running one: %q", why)
	}
	s.Containers[1].Runtime, s.Containers[1].State, s.Containers[1].Can = model.RuntimeContainerd, "exited", cgroupCan
	_, ctr, _ := Find(s, "containers", strings.Repeat("d", 64))
	if got := labels(cv, ctr); len(got) != 0 || !strings.Contains(cv.Unoffered(ctr), "no API ctop-like talks to") {
		t.Errorf("exited containerd container offers %v: %s", got, cv.Unoffered(ctr))
	}
	tv := Get("mesos-tasks")
	_, failed, _ := Find(s, "mesos-tasks", "ops_redis.77aa")
	if got := labels(tv, failed); len(got) != 0 || !strings.Contains(tv.Unoffered(failed), "task redis.ops is finished (TASK_FAILED)") {
		t.Errorf("failed task offers %v: %s", got, tv.Unoffered(failed))
	}
	_, live, _ := Find(s, "mesos-tasks", "redis.5f1d")
	if got := labels(tv, live); !slices.Equal(got, []string{"kill", "kill-scale"}) {
		t.Errorf("live task offers %v", got)
	}
	if got := Get("marathon-groups").Unoffered(Row{Key: "/"}); got != "Marathon Groups: no actions on these rows" {
		t.Errorf("groups: %q", got)
	}
}

// TestDescribeAnyRow: d on any row lists every column in full; an exited
// container says how it ended and shows its last log lines but no
// sparkline; a task its message and container; an app its last failure.
func TestDescribeAnyRow(t *testing.T) {
	s := storySnapshot()
	last := bookLines{strings.Repeat("d", 64): {"# Could not create server TCP listening socket *:6379: bind: Address already in use"}}
	env := DetailsEnv{Samples: 3, Last: last,
		History: func(string) (cpu, mem, net []float64) {
			return []float64{1, 2, 3}, []float64{1, 2, 3}, []float64{1, 2, 3}
		},
		Sparkline: func([]float64, float64) string { return "SPARK" }}
	for _, id := range IDs() {
		v := Get(id)
		if v.NeedsScope {
			continue
		}
		for _, r := range v.Build(s, Query{View: id}) {
			_, text := Describe(s, v, r, env)
			for i, c := range v.Columns {
				if r.Values[i] != nil && !strings.Contains(text, c.ID+":") {
					t.Errorf("%s %s: no %s in:\n%s", id, r.Key, c.ID, text)
				}
			}
		}
	}
	cv := Get("containers")
	s.Containers[1].Can = engineCan
	_, exited, _ := Find(s, "containers", strings.Repeat("d", 64))
	title, text := Describe(s, cv, exited, env)
	for _, want := range []string{"exit code:   1", "state:       exited for 2:00.00", "needs ports: 6379/tcp", "task:        redis.ops ops_redis.77aa",
		"app:         /ops/redis", "bind: Address already in use", "port 6379/tcp held by task redis.5f1d (pid 4242)", "every column of the row (containers):"} {
		if !strings.Contains(text, want) {
			t.Errorf("exited container %q lacks %q:\n%s", title, want, text)
		}
	}
	if strings.Contains(text, "SPARK") {
		t.Errorf("sparklines for an exited container:\n%s", text)
	}
	_, holder, _ := Find(s, "containers", "5f1d0c2a-mesos")
	if _, text := Describe(s, cv, holder, env); !strings.Contains(text, "SPARK") {
		t.Errorf("no sparklines for a running container:\n%s", text)
	}
	_, task, _ := Find(s, "mesos-tasks", "ops_redis.77aa")
	_, text = Describe(s, Get("mesos-tasks"), task, env)
	for _, want := range []string{"TASK_FAILED (finished) since 2026-11-22T09:58:00Z (2m ago)", "REASON_COMMAND_EXECUTOR_FAILED", "Container exited with status 1",
		"mesos-ops-redis (" + strings.Repeat("d", 64) + "), exited, exit code 1", "bind: Address already in use"} {
		if !strings.Contains(text, want) {
			t.Errorf("task lacks %q:\n%s", want, text)
		}
	}
	_, app, _ := Find(s, "marathon-apps", "/ops/redis")
	_, text = Describe(s, Get("marathon-apps"), app, env)
	for _, want := range []string{"1 wanted: 0 running, 0 healthy, 0 staged", "Container exited with status 1 (at 2026-11-22T09:58:00Z, 2m ago)", "delayed"} {
		if !strings.Contains(text, want) {
			t.Errorf("app lacks %q:\n%s", want, text)
		}
	}
}

// TestTasksAndAppsWantPortsToo: the failed task was given the port (its
// ports resource) and the app requires it (portDefinitions with
// requirePorts): both name the holder, which lists all three; d shows the
// task's status history and the app's constraints and launch delay.
func TestTasksAndAppsWantPortsToo(t *testing.T) {
	s := storySnapshot()
	cl := s.Cluster
	cl.Tasks[0].Ports = []string{"6379/tcp"} // the holder's own: no conflict
	cl.Tasks[1].Ports = []string{"6379/tcp"}
	d := cl.Tasks[1].Detail()
	d.History = []model.TaskStatus{
		{State: "TASK_STARTING", At: s.Time.Add(-3 * time.Minute), Source: "SOURCE_EXECUTOR"},
		{State: "TASK_FAILED", At: s.Time.Add(-2 * time.Minute), Source: "SOURCE_EXECUTOR", Reason: "REASON_COMMAND_EXECUTOR_FAILED", Message: "Container exited with status 1"},
	}
	cl.Tasks[1].SetDetail(d)
	cl.Apps[0].Ports = []string{"6379/tcp"} // runs all its instances: wants nothing more
	cl.Apps[1].Ports = []string{"6379/tcp"}
	cl.Apps[1].Constraints = []string{"hostname:UNIQUE"}
	delay := 245.0
	cl.Apps[1].DelayS = &delay
	v := Get("attention")
	tab, err := Rows(s, Query{View: "attention"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Row{}
	for _, r := range tab.Rows {
		got[r.Key] = r
	}
	held := "port 6379/tcp held by task redis.5f1d (pid 4242)"
	if a := val(v, got["app:/ops/redis"], "attention"); a != "0/1 running, delayed, failed 2m ago, "+held {
		t.Errorf("app %q", a)
	}
	if w := val(v, got["app:/ops/redis"], "why").(string); !strings.HasPrefix(w, "it requires port 6379/tcp, which task redis.5f1d (pid 4242) holds on this node; ") ||
		!strings.Contains(w, "backoff delay, 4:05.00 more") {
		t.Errorf("app why %q", w)
	}
	if a := val(v, got["task:ops_redis.77aa"], "attention"); a != "failed 2m ago, "+held {
		t.Errorf("task %q", a)
	}
	if a := val(v, got["container:5f1d0c2a-mesos"], "attention"); a != "holds port 6379/tcp wanted by container mesos-ops-redis, task ops_redis.77aa and app /ops/redis" {
		t.Errorf("holder %q", a)
	}
	if _, ok := got["app:/redis"]; ok {
		t.Error("the holder's own app needs a look")
	}
	_, task, _ := Find(s, "mesos-tasks", "ops_redis.77aa")
	_, text := Describe(s, Get("mesos-tasks"), task, DetailsEnv{})
	for _, want := range []string{"status history (oldest first):", "  TASK_STARTING at 2026-11-22T09:57:00Z, SOURCE_EXECUTOR",
		"  TASK_FAILED at 2026-11-22T09:58:00Z, SOURCE_EXECUTOR, REASON_COMMAND_EXECUTOR_FAILED, Container exited with status 1", "port held:   6379/tcp by task redis.5f1d (pid 4242)"} {
		if !strings.Contains(text, want) {
			t.Errorf("task details lack %q:\n%s", want, text)
		}
	}
	_, app, _ := Find(s, "marathon-apps", "/ops/redis")
	_, text = Describe(s, Get("marathon-apps"), app, DetailsEnv{})
	for _, want := range []string{"constraints: hostname:UNIQUE", "requires ports: 6379/tcp of its agent", "4:05.00 more", "port held:   6379/tcp on this node by task redis.5f1d (pid 4242)"} {
		if !strings.Contains(text, want) {
			t.Errorf("app details lack %q:\n%s", want, text)
		}
	}
}
