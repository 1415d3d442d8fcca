package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/model"
)

// TestEShowsEventsAndEnterGoesToTheirRow: E opens the timeline over the
// current view, newest first; Enter on a container's event goes to its
// row in the containers view, on a task's to its row in mesos-tasks.
func TestEShowsEventsAndEnterGoesToTheirRow(t *testing.T) {
	s := storySnapshot()
	one := 1
	s.Events = &model.Events{Keep: 100, List: []model.Event{
		{Seq: 1, Time: s.Time.Add(-3 * time.Minute), Kind: "task-failed", Source: "mesos", ObjectKind: "task", Object: "redis.ops",
			Cluster: model.ClusterFields{TaskID: "ops_redis.77aa", Task: "redis.ops", Framework: "marathon", App: "/ops/redis"},
			Text:    "TASK_STAGING → TASK_FAILED: Container exited with status 1"},
		{Seq: 2, Time: s.Time.Add(-2 * time.Minute), Kind: "died", Source: "docker", ObjectKind: "container", Object: "mesos-ops-redis",
			Container: idRedis, Runtime: "docker", ExitCode: &one, Cluster: model.ClusterFields{App: "/ops/redis"}, Text: "exit code 1"},
	}}
	h := start(t, 160, 40, Options{Feed: newFakeFeed(s)})
	h.waitText("mesos-ops-redis")
	h.runes("E")
	// The crumb comes with the key, the rows with the next table.
	scr := h.waitFor("the events' rows", func(s string) bool {
		return strings.Contains(s, "Containers › Events") && strings.Contains(s, "TASK_FAILED")
	})
	died, failed := strings.Index(scr, "exit code 1"), strings.Index(scr, "TASK_FAILED")
	if died < 0 || failed < 0 || died > failed {
		t.Errorf("the events, newest first, want the died above the task's failure:\n%s", scr)
	}

	h.pick("mesos-ops-redis")
	h.key(tcell.KeyEnter)
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
	h.waitText("Containers › Events")

	h.pick("redis.ops")
	h.key(tcell.KeyEnter)
	h.waitFor("the failed task selected in mesos-tasks", func(string) bool {
		var key string
		h.app.app.QueueUpdate(func() {
			if r := h.app.table.selected(); r != nil && h.app.cur().view == "mesos-tasks" {
				key = r.Key
			}
		})
		return key == "ops_redis.77aa"
	})
}
