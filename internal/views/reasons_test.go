package views

import (
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
)

const wet2State = "../orchestrator/testdata/mesos/master_state_mesos-1.2.0_docker-container-id.json"

// wet2Failures are the times of the file's failed tasks of /wet2 on
// agent S1, read with encoding/json apart from the poller's reader.
func wet2Failures(t *testing.T) []time.Time {
	t.Helper()
	raw, err := os.ReadFile(wet2State)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Frameworks []struct {
			Completed []struct {
				ID, State string
				SlaveID   string `json:"slave_id"`
				Statuses  []struct{ Timestamp float64 }
			} `json:"completed_tasks"`
		}
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	var out []time.Time
	for _, fw := range st.Frameworks {
		for _, tk := range fw.Completed {
			if tk.State != "TASK_FAILED" || !strings.HasPrefix(tk.ID, "wet2.") || !strings.HasSuffix(tk.SlaveID, "-S1") {
				continue
			}
			ts := 0.0
			for _, x := range tk.Statuses {
				ts = max(ts, x.Timestamp)
			}
			out = append(out, time.Unix(0, int64(ts*1e9)))
		}
	}
	return out
}

// wet2Snapshot is node 10.0.0.182 (agent S1) of the 1.2.0 state, where
// Marathon's /wet2 failed 56 times in under five minutes, at now; its
// next instance runs in a Docker container.
func wet2Snapshot(t *testing.T, now time.Time) *model.Snapshot {
	t.Helper()
	f, err := os.Open(wet2State)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := orchestrator.ParseCluster(f, nil, "10.0.0.182", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(c.AgentID, "-S1") {
		t.Fatalf("agent %q", c.AgentID)
	}
	s := &model.Snapshot{Time: now, Cluster: c, Containers: []model.Container{
		{ContainerSample: &model.ContainerSample{ID: "next", Name: "mesos-next", Runtime: model.RuntimeDocker, State: "running",
			RuntimeFields: &model.RuntimeFields{Env: model.EnvOf(map[string]string{"MESOS_TASK_ID": "wet2.9b0f2c11-cd2e-11e6-b6f5-fea80569c9e0", "MARATHON_APP_ID": "/wet2"})}}},
		{ContainerSample: &model.ContainerSample{ID: "web", Name: "web", Runtime: model.RuntimeDocker, State: "running", RuntimeFields: &model.RuntimeFields{}}},
	}}
	orchestrator.Match(s, c)
	return s
}

// TestCrashLoopFromMasterState: five minutes after the last of /wet2's
// 56 failures on this node, its running container, its latest failed
// task and its app row say it loops, with the count and span; the row of
// an unrelated container does not.
func TestCrashLoopFromMasterState(t *testing.T) {
	fails := wet2Failures(t)
	if len(fails) != 56 {
		t.Fatalf("the fixture changed: %d failures", len(fails))
	}
	first, last := fails[0], fails[0]
	for _, f := range fails {
		first, last = minTime(first, f), maxTime(last, f)
	}
	now := last.Add(5 * time.Minute)
	s := wet2Snapshot(t, now)
	words := "crash loop: 56 failures in " + span(now.Sub(first))

	v, rows, _ := rowsByKey(t, "containers", s, nil, false)
	if got := val(v, rows["next"], "attention"); got != words || !rows["next"].Attention {
		t.Errorf("container: %q, want %q", got, words)
	}
	if got := val(v, rows["web"], "attention"); got != nil {
		t.Errorf("an unrelated container: %q", got)
	}

	v, rows, _ = rowsByKey(t, "mesos-tasks", s, nil, false)
	looping := 0
	for k, r := range rows {
		a, _ := val(v, r, "attention").(string)
		if strings.Contains(a, "crash loop") {
			looping++
			if k != "wet2.418677ba-cd2e-11e6-b6f5-fea80569c9e0" || !strings.HasSuffix(a, ", "+words) {
				t.Errorf("task %s: %q", k, a)
			}
		}
	}
	if looping != 1 {
		t.Errorf("%d tasks say the loop, want the latest failure only", looping)
	}

	v, rows, _ = rowsByKey(t, "marathon-apps", s, nil, false)
	app := rows["/wet2"]
	if got, want := val(v, app, "attention"), "crash loop on 10.0.0.182 (56 in "+span(now.Sub(first))+")"; got != want || !app.Attention {
		t.Errorf("app: %q, want %q", got, want)
	}
	if got := val(v, app, "crash_failures"); got != 56.0 {
		t.Errorf("crash_failures %v", got)
	}
	if c, _, _ := NeedLook(s); c != 1 {
		t.Errorf("need a look: %d containers", c)
	}
	// x lists the three.
	v, rows, _ = rowsByKey(t, "attention", s, nil, false)
	for _, k := range []string{"container:next", "app:/wet2", "task:wet2.418677ba-cd2e-11e6-b6f5-fea80569c9e0"} {
		if a, _ := val(v, rows[k], "attention").(string); !strings.Contains(a, "crash loop") {
			t.Errorf("x: %s: %q", k, a)
		}
	}
}

// TestCrashLoopRule: the rule of the settings file decides. A window
// that ends before the failures, or more failures than there were, is no
// loop; a window that holds only some of them counts those.
func TestCrashLoopRule(t *testing.T) {
	fails := wet2Failures(t)
	last := fails[0]
	for _, f := range fails {
		last = maxTime(last, f)
	}
	now := last.Add(5 * time.Minute)
	defer func(r CrashLoopRule) { CrashLoop = r }(CrashLoop)
	for _, tc := range []struct {
		rule CrashLoopRule
		want int // failures counted; 0 for no loop
	}{
		{CrashLoopRule{Failures: 3, Window: 15 * time.Minute}, 56},
		{CrashLoopRule{Failures: 57, Window: 15 * time.Minute}, 0},
		{CrashLoopRule{Failures: 3, Window: 4 * time.Minute}, 0},
		{CrashLoopRule{Failures: 3, Window: 7 * time.Minute}, -1},
	} {
		CrashLoop = tc.rule
		want := tc.want
		if want < 0 {
			want = 0
			for _, f := range fails {
				if now.Sub(f) <= tc.rule.Window {
					want++
				}
			}
			if want < 3 || want == 56 {
				t.Fatalf("the fixture's times changed: %d in %v", want, tc.rule.Window)
			}
		}
		s := wet2Snapshot(t, now)
		v, rows, _ := rowsByKey(t, "containers", s, nil, false)
		got := val(v, rows["next"], "attention")
		if want == 0 && got != nil || want > 0 && (got == nil || !strings.HasPrefix(got.(string), "crash loop: "+strconv.Itoa(want)+" failures in ")) {
			t.Errorf("%+v: %v, want %d failures", tc.rule, got, want)
		}
	}
}

// TestCrashLoopLastFailure: the words carry the last failure's reason,
// its message and the exit code, from the runtime's stopped container of
// that task when there is one, else from the message.
func TestCrashLoopLastFailure(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	fw := "20161228-0-0000"
	task := func(n int, msg string) model.Task {
		return model.Task{ID: "redis.a1-" + strconv.Itoa(n), Name: "redis", FrameworkID: fw, State: "TASK_FAILED", AgentID: "S1", AgentHost: "node-a",
			Finished: true, StateSince: now.Add(-time.Duration(10-n) * time.Minute)}.WithDetail(model.TaskDetail{Reason: "REASON_COMMAND_EXECUTOR_FAILED", Message: msg})
	}
	c := &model.Cluster{HasMesos: true, AgentID: "S1", MarathonFrameworkID: fw,
		Frameworks: []model.Framework{{ID: fw, Name: "marathon", Active: true}},
		Tasks: []model.Task{task(1, "Command exited with status 2"), task(4, "x"), task(7, "y"),
			task(9, "Command exited with status 1"),
			{ID: "redis.b2-live", Name: "redis", FrameworkID: fw, State: "TASK_RUNNING", AgentID: "S1", AgentHost: "node-a"}}}
	s := &model.Snapshot{Time: now, Cluster: c, Containers: []model.Container{
		{ContainerSample: &model.ContainerSample{ID: "live", Name: "live", Runtime: model.RuntimeDocker, State: "running", RuntimeFields: &model.RuntimeFields{Env: model.EnvOf(map[string]string{"MESOS_TASK_ID": "redis.b2-live"})}}},
	}}
	orchestrator.Match(s, c)
	v, rows, _ := rowsByKey(t, "containers", s, nil, false)
	want := "crash loop: 4 failures in 9m, last exit 1 COMMAND_EXECUTOR_FAILED: Command exited with status 1"
	if got := val(v, rows["live"], "attention"); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// The runtime kept the failed task's container: its exit code wins.
	code := 137
	// (A snapshot is never changed once built: each case is a new one.)
	s = &model.Snapshot{Time: now, Cluster: c, Containers: append(slices.Clone(s.Containers), model.Container{ContainerSample: &model.ContainerSample{ID: "dead", Name: "dead", Runtime: model.RuntimeDocker,
		State: "exited", RuntimeFields: &model.RuntimeFields{ExitCode: &code, Env: model.EnvOf(map[string]string{"MESOS_TASK_ID": "redis.a1-9"})}}})}
	orchestrator.Match(s, c)
	v, rows, _ = rowsByKey(t, "containers", s, nil, false)
	want = strings.Replace(want, "exit 1", "exit 137", 1)
	if got := val(v, rows["live"], "attention"); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// Two failures: no loop under the default rule.
	c2 := *c
	c2.Tasks = c.Tasks[2:]
	s = &model.Snapshot{Time: now, Cluster: &c2, Containers: s.Containers}
	_, rows, _ = rowsByKey(t, "containers", s, nil, false)
	if got := val(v, rows["live"], "attention"); got != nil {
		t.Errorf("two failures: %q", got)
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
