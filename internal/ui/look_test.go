package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/lastlines"
	"github.com/ctop-like/ctop-like/internal/logs"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

const idRedis = "dddddddddddd4444444444444444444444444444444444444444444444444444"

// storySnapshot is the redis story as the collector and the orchestrator
// give it: a Mesos task holds 6379 on the host's network; the Docker
// redis of Marathon app /ops/redis cannot bind it and exited 1; Marathon
// holds the app back.
func storySnapshot() *model.Snapshot {
	s := testSnapshot()
	now := s.Time
	one, yes, staged := 1, true, 0
	holder := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}}
	holder.ID, holder.Name, holder.Runtime, holder.State, holder.Cgroup = "5f1d0c2a-mesos", "5f1d0c2a-mesos", model.RuntimeMesos, "running", "/mesos/5f1d0c2a-mesos"
	holder.PID, holder.Listen, holder.Can = 4242, []string{"6379/tcp"}, cgroupCan
	holder.Cluster = model.ClusterFields{TaskID: "redis.5f1d", Task: "redis", Framework: "marathon", App: "/redis", Group: "/"}
	redis := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}}
	redis.ID, redis.Name, redis.Runtime, redis.State = idRedis, "mesos-ops-redis", model.RuntimeDocker, "exited"
	redis.ExitCode, redis.StateSince, redis.Created, redis.Can = &one, now.Add(-2*time.Minute), now.Add(-3*time.Minute), engineCan
	redis.NetworkMode, redis.Wants, redis.Unmeasured = "host", []string{"6379/tcp"}, []string{"cpu", "memory", "pids", "io"}
	redis.Cluster = model.ClusterFields{TaskID: "ops_redis.77aa", Task: "redis.ops", Framework: "marathon", App: "/ops/redis", Group: "/ops"}
	s.Containers = append(s.Containers, holder, redis)
	p := model.Process{}
	p.PID, p.PPID, p.User, p.Name, p.Command, p.ContainerID, p.Listen = 4242, 1, "redis", "redis-server", "redis-server *:6379", holder.ID, []string{"6379/tcp"}
	s.Processes = append(s.Processes, model.Process{ProcessSample: p.ProcessSample})
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
			{ID: "/ops/redis", Group: "/ops", Instances: 1, TasksStaged: &staged, Delayed: &yes,
				LastFailure: "Container exited with status 1", LastFailureAt: now.Add(-2 * time.Minute), LastFailureTask: "ops_redis.77aa"},
		},
	}
	return s
}

// storyLast reads every container's last lines from one real file, as
// the wiring reads a Mesos sandbox's.
func storyLast(t *testing.T) views.LastLines {
	path := filepath.Join(t.TempDir(), "stderr")
	if err := os.WriteFile(path, []byte("1:M * starting\n# Could not create server TCP listening socket *:6379: bind: Address already in use\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := lastlines.New(func(context.Context, *model.Snapshot, views.Scope) (logs.Source, error) {
		return logs.File{Path: path, Std: logs.Stderr}, nil
	}, 0)
	t.Cleanup(r.Close)
	return r
}

// pick searches for text and waits until the selected row holds it.
func (h *harness) pick(text string) {
	h.t.Helper()
	h.runes("/")
	h.key(tcell.KeyCtrlU) // the last search's text
	h.runes(text)
	h.key(tcell.KeyEnter)
	h.waitFor("the row of "+text+" selected", func(string) bool {
		var ok bool
		h.app.app.QueueUpdate(func() {
			r := h.app.table.selected()
			ok = r != nil && strings.Contains(strings.Join(strings.Fields(h.app.curView().RowName(*r)+" "+r.Key), " "), text)
		})
		return ok
	})
}

// TestXShowsWhatNeedsALookAndActsOnIt: the header counts what needs a
// look and says x; x lists each row with its most telling fact (the last
// log line arrives a refresh later); Enter goes to the container in its
// own view; d, a and e act on the row it stands for, and say why where
// they cannot; a click on the count opens the view too.
func TestXShowsWhatNeedsALookAndActsOnIt(t *testing.T) {
	acts := &shellActions{}
	feed := newFakeFeed(storySnapshot())
	h := start(t, 160, 40, Options{Feed: feed, Actions: acts, Last: storyLast(t)})
	s := h.waitText("need a look (x): 2 containers, 1 app, 1 task")
	if !strings.Contains(s, "xLook") {
		t.Errorf("the hint bar lacks x:\n%s", s)
	}
	h.runes("x")
	h.waitText("Containers › Need a Look")
	feed.publish(storySnapshot()) // the next refresh: the log's last line is read by now
	// The facts wrap onto the lines below their row: whole.
	s = h.waitText("Address already in use")
	for _, want := range []string{"exit code 1 2m ago: # Could not create server TCP listening socket *:6379: bind: Address already in use",
		"last failure 2m ago (task ops_redis.77aa): Container exited with status 1",
		"REASON_COMMAND_EXECUTOR_FAILED: Container exited with status 1", "pid 4242 listens on 6379/tcp, which container mesos-ops-redis needs"} {
		if !strings.Contains(oneLine(s), want) {
			t.Errorf("x lacks %q:\n%s", want, s)
		}
	}

	// Enter on the exited container: the containers view, on its row.
	h.pick(idRedis)
	h.key(tcell.KeyEnter)
	h.waitText("Need a Look › mesos-ops-redis › Containers")
	h.waitFor("the redis row selected in containers", func(string) bool {
		var key string
		h.app.app.QueueUpdate(func() {
			if r := h.app.table.selected(); r != nil && h.app.cur().view == "containers" {
				key = r.Key
			}
		})
		return key == idRedis
	})
	h.key(tcell.KeyEscape)
	h.waitGone("Need a Look › mesos-ops-redis")

	// e on it says plainly why there is no shell; a offers restart and remove.
	h.pick(idRedis)
	h.runes("e")
	h.waitText("container mesos-ops-redis is exited with exit code 1: a shell needs a running container (l shows its log)")
	h.runes("a")
	s = h.waitText("Actions: mesos-ops-redis")
	if !strings.Contains(s, "Restart") || !strings.Contains(s, "Remove") || strings.Contains(s, "Stop") || strings.Contains(s, "Pause") || strings.Contains(s, "Kill") {
		t.Errorf("actions on an exited container:\n%s", s)
	}
	h.key(tcell.KeyEscape)
	h.waitGone("Actions: mesos-ops-redis")

	// d on the failed task: its status, its container and its log.
	h.pick("redis.ops")
	h.runes("d")
	s = h.waitText("Task redis.ops ops_redis.77aa")
	for _, want := range []string{"REASON_COMMAND_EXECUTOR_FAILED", "exited, exit code 1", "bind: Address already in use"} {
		if !strings.Contains(s, want) {
			t.Errorf("d on the task lacks %q:\n%s", want, s)
		}
	}
	h.key(tcell.KeyEscape)
	h.waitGone("Task redis.ops ops_redis.77aa")
	// a on it: it is finished, said so.
	h.runes("a")
	h.waitText("task redis.ops is finished (TASK_FAILED)")
	// a on the app: Marathon's actions, titled by the app.
	h.key(tcell.KeyHome) // the app is the first row
	h.pick("/ops/redis")
	h.runes("a")
	s = h.waitText("Actions: /ops/redis")
	if !strings.Contains(s, "Scale") {
		t.Errorf("app actions:\n%s", s)
	}
	h.key(tcell.KeyEscape)
	h.waitGone("Actions: /ops/redis")

	// Back at the top, a click on the header's count opens the view again.
	h.key(tcell.KeyEscape)
	s = h.waitGone("Need a Look")
	y := lineIndex(s, "need a look (x)")
	x := strings.Index(line(s, "need a look (x)"), "need a look")
	h.click(x+3, y)
	h.waitText("Containers › Need a Look")
	if c := acts.get(); len(c) != 0 {
		t.Errorf("something ran: %v", c)
	}
}

// TestMenusAndCrumbsNameTheRow: a task's log is named by the task (not
// its framework), a process's menu by its command (not its user).
func TestMenusAndCrumbsNameTheRow(t *testing.T) {
	acts := &shellActions{}
	h := start(t, 160, 40, Options{Feed: newFakeFeed(storySnapshot()), Actions: acts})
	h.waitText("web-1")
	h.runes(":mesos-tasks")
	h.key(tcell.KeyEnter)
	h.waitText("TASK_FAILED")
	h.pick("redis.5f1d")
	h.runes("a")
	h.waitText("Actions: redis")
	h.key(tcell.KeyEscape)
	h.waitGone("Actions: redis")
	h.runes("l")
	h.waitText("Mesos Tasks › redis › Logs")
	h.key(tcell.KeyEscape)
	h.waitGone("› Logs")
	h.runes(":processes")
	h.key(tcell.KeyEnter)
	h.waitText("nginx-worker")
	h.pick("nginx-master")
	h.runes("a")
	h.waitText("Actions: nginx-master")
}

// TestAListsEveryStoppedContainer: A asks the source for every stopped
// container and back, and the breadcrumb says which; a source that has
// none to give says so.
func TestAListsEveryStoppedContainer(t *testing.T) {
	var calls []bool
	h := start(t, 120, 30, Options{ShowStopped: func(all bool) { calls = append(calls, all) }})
	h.waitText("web-1")
	h.runes("A")
	h.waitText("[all stopped]")
	h.waitText("every stopped container is listed")
	h.runes("A")
	h.waitGone("[all stopped]")
	var got []bool
	h.app.app.QueueUpdate(func() { got = append(got, calls...) })
	if len(got) != 2 || !got[0] || got[1] {
		t.Errorf("ShowStopped calls %v", got)
	}
	h2 := start(t, 120, 30, Options{})
	h2.waitText("web-1")
	h2.runes("A")
	h2.waitText("not in a replay or from a remote source")
}

// TestNothingOfferedSaysWhy: a, F8, e and :stop under --read-only say why
// on the message line instead of doing nothing.
func TestNothingOfferedSaysWhy(t *testing.T) {
	h := start(t, 120, 30, Options{ReadOnly: true, ReadOnlyWhy: "a remote source (--cluster, --cadvisor) is read-only: actions would act on this node", Actions: &shellActions{}})
	h.waitText("web-1")
	for _, k := range []string{"a", "e"} {
		h.runes(k)
		h.waitText("a remote source (--cluster, --cadvisor) is read-only")
		h.runes("p") // any other key clears the message
		h.waitGone("a remote source (--cluster")
	}
	h.key(tcell.KeyF8)
	h.waitText("a remote source (--cluster, --cadvisor) is read-only")
	h.runes(":stop")
	h.key(tcell.KeyEnter)
	h.waitText(":stop: a remote source")
	// Groups have no actions at all: said.
	h2 := start(t, 120, 30, Options{Feed: newFakeFeed(storySnapshot()), Actions: &shellActions{}})
	h2.waitText("web-1")
	h2.runes(":marathon-groups")
	h2.key(tcell.KeyEnter)
	h2.waitText("/ops")
	h2.runes("a")
	h2.waitText("Marathon Groups: no actions on these rows")
}

// oneLine joins the screen's lines with single spaces and squeezes
// runs of spaces, so that text wrapped over lines reads as one.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestAnErrorIsSaidOnce: a lasting error (no Mesos agent on this node)
// is shown until a key is pressed over it, then only counted, m still
// listing it; a new error is shown beside the count; one that goes and
// comes back is said again. Before, it stayed on the message line in red
// for good.
func TestAnErrorIsSaidOnce(t *testing.T) {
	agent := "mesos agent http://node-7:5051: connection refused"
	snap := testSnapshot()
	snap.Errors = []string{agent}
	feed := newFakeFeed(snap)
	h := start(t, 120, 40, Options{Feed: feed})
	h.waitText(agent)
	h.runes("p") // any key
	s := h.waitGone(agent)
	if !strings.Contains(s, "said before and still there: 1 (m lists every error)") {
		t.Errorf("no count of the error said before:\n%s", s)
	}
	h.runes("m")
	h.waitText("1. " + agent)
	h.key(tcell.KeyEscape)
	h.waitGone("1. " + agent)
	again := testSnapshot()
	again.Errors = []string{agent, "docker: Cannot connect to the Docker daemon"}
	feed.publish(again)
	s = h.waitText("docker: Cannot connect")
	if strings.Contains(s, agent) || !strings.Contains(s, "said before and still there: 1") {
		t.Errorf("the new error with the count:\n%s", s)
	}
	feed.publish(testSnapshot()) // both gone
	h.waitGone("said before")
	back := testSnapshot()
	back.Errors = []string{agent}
	feed.publish(back)
	h.waitText(agent)
}

// TestDetailsOfAWrappedLogLineAreWhole: d on a log line the screen wraps
// describes the whole line, not its first screen line.
func TestDetailsOfAWrappedLogLineAreWhole(t *testing.T) {
	feed, _, appendLine := fileLogs(t)
	h := start(t, 80, 30, Options{Logs: feed})
	h.waitText("web-1")
	long := "begin " + strings.Repeat("0123456789 ", 12) + "END-OF-LINE"
	appendLine(long)
	h.runes("l")
	h.waitText("begin")
	h.runes("w")
	h.waitText("wrap on")
	h.runes("d")
	s := h.waitText("every column of the row (logs)")
	if !strings.Contains(oneLine(s), "END-OF-LINE") {
		t.Errorf("the details lack the end of the line:\n%s", s)
	}
}
