package events

import (
	"strconv"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// taskMark is a task's state as the last cluster state compared said:
// its state alone, 100,000 of them held and as many made at each state
// of a large cluster.
type taskMark struct {
	state string
}

// appMark is what the last cluster state said of a Marathon app.
type appMark struct {
	deployments int // -1: Marathon did not say
	failedAt    time.Time
}

// TaskKind is the event kind of a task's new state: "task-failed" for
// TASK_FAILED.
func TaskKind(state string) string {
	return "task-" + strings.ToLower(strings.TrimPrefix(state, "TASK_"))
}

// TaskDedup names a task's move to a state the same way whichever source
// tells of it (a Mesos state between two polls, Marathon's event stream).
func TaskDedup(taskID, state string) string { return "task/" + taskID + "/" + state }

// compareCluster finds what changed between the last cluster state
// compared and c: tasks in a new state (with their status's message when
// the state has one), Marathon deployments that began or ended (unless
// Marathon's event stream says so itself), and an app's new
// lastTaskFailure. A task or failure the last state did not have is
// news when it is newer than that state; on the first state, when it is
// newer than Since (history asked for with --since).
func (t *Timeline) compareCluster(c *model.Cluster, streamed bool, out []model.Event) []model.Event {
	first := t.cluster == nil
	prevAt := t.clusterAt
	fresh := func(at time.Time) bool {
		if at.IsZero() {
			return false
		}
		if first {
			return !t.cfg.Since.IsZero() && !at.Before(t.cfg.Since)
		}
		return at.After(prevAt)
	}
	if c.HasMesos && !sameTasks(t.cluster, c) {
		out = t.compareTasks(c, fresh, out)
	}
	if c.HasMarathon {
		out = t.compareApps(c, streamed, fresh, out)
	}
	t.cluster, t.clusterAt = c, c.Time
	return out
}

// sameTasks says whether c holds the very tasks of the last state
// compared (a cluster assembled again after a Marathon poll, or while a
// part is stale): their marks stand, and no task is news.
func sameTasks(last, c *model.Cluster) bool {
	return last != nil && last.HasMesos && len(last.Tasks) == len(c.Tasks) && len(c.Tasks) > 0 && &last.Tasks[0] == &c.Tasks[0]
}

// compareTasks adds the tasks of c in a new state since the last state
// compared (fresh: a task the last state did not have is news).
func (t *Timeline) compareTasks(c *model.Cluster, fresh func(time.Time) bool, out []model.Event) []model.Event {
	tasks := make(map[string]taskMark, len(c.Tasks))
	byID := make(map[string]*model.Task, len(c.Tasks))
	for i := range c.Tasks {
		task := &c.Tasks[i]
		if old := byID[task.ID]; old != nil && (!old.Finished || old.StateSince.After(task.StateSince)) {
			continue // a live task and a finished one of one id: the live one's state
		}
		byID[task.ID] = task
	}
	for i := range c.Tasks {
		task := &c.Tasks[i]
		id := task.ID
		if byID[id] != task {
			continue
		}
		tasks[id] = taskMark{state: task.State}
		old, ok := t.tasks[id]
		switch {
		case ok && old.state != task.State:
		case !ok && fresh(task.StateSince):
			old.state = ""
		default:
			continue
		}
		out = append(out, taskEvent(task, old.state, c.Time))
	}
	t.tasks = tasks
	return out
}

// compareApps adds the deployments that began or ended (unless streamed:
// Marathon's event stream says so itself) and an app's new
// lastTaskFailure.
func (t *Timeline) compareApps(c *model.Cluster, streamed bool, fresh func(time.Time) bool, out []model.Event) []model.Event {
	apps := make(map[string]appMark, len(c.Apps))
	for i := range c.Apps {
		a := &c.Apps[i]
		m := appMark{deployments: -1, failedAt: a.LastFailureAt}
		if a.Deployments != nil {
			m.deployments = *a.Deployments
		}
		apps[a.ID] = m
		old, ok := t.apps[a.ID]
		if ok && !streamed {
			switch {
			case old.deployments <= 0 && m.deployments > 0:
				out = append(out, deploymentEvent(a.ID, "deployment-started", c.Time))
			case old.deployments > 0 && m.deployments == 0:
				out = append(out, deploymentEvent(a.ID, "deployment-finished", c.Time))
			}
		}
		if !a.LastFailureAt.IsZero() && (ok && a.LastFailureAt.After(old.failedAt) || !ok && fresh(a.LastFailureAt)) {
			out = append(out, failureEvent(a))
		}
	}
	t.apps = apps
	return out
}

// taskEvent says a task is in a new state (was: its last one, "" when
// unknown).
func taskEvent(task *model.Task, was string, fetched time.Time) model.Event {
	at := task.StateSince
	if at.IsZero() {
		at = fetched
	}
	text := task.State
	if was != "" {
		text = was + " → " + task.State
	}
	switch d := task.Detail(); {
	case d.Message != "" && d.Reason != "":
		text += ": " + d.Reason + ": " + d.Message
	case d.Message != "":
		text += ": " + d.Message
	case d.Reason != "":
		text += ": " + d.Reason
	}
	return model.Event{Time: at, Kind: TaskKind(task.State), Source: "mesos", ObjectKind: "task",
		Object: task.Name, ID: task.ID, Text: text, Dedup: TaskDedup(task.ID, task.State),
		Cluster: model.ClusterFields{TaskID: task.ID, Task: task.Name, FrameworkID: task.FrameworkID}}
}

// deploymentEvent says an app's deployment began or ended, as two polls
// of Marathon's deployments count tell.
func deploymentEvent(app, kind string, at time.Time) model.Event {
	text := "a deployment of the app began"
	if kind == "deployment-finished" {
		text = "the app's deployments ended"
	}
	return model.Event{Time: at, Kind: kind, Source: "marathon", ObjectKind: "app", Object: app, ID: app,
		Text: text, Cluster: model.ClusterFields{App: app}}
}

// failureEvent says Marathon recorded a new lastTaskFailure for an app.
func failureEvent(a *model.App) model.Event {
	text := "last task failure"
	if a.LastFailureTask != "" {
		text += " of " + a.LastFailureTask
	}
	if a.LastFailure != "" {
		text += ": " + a.LastFailure
	}
	return model.Event{Time: a.LastFailureAt, Kind: "app-failed", Source: "marathon", ObjectKind: "app",
		Object: a.ID, ID: a.ID, Text: text,
		Dedup:   "app-failed/" + a.ID + "/" + strconv.FormatInt(a.LastFailureAt.UnixNano(), 10),
		Cluster: model.ClusterFields{App: a.ID, TaskID: a.LastFailureTask}}
}
