package views

import (
	"strconv"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// taskDetails renders a Mesos task (d on mesos-tasks): what the row
// shows, its message whole and its labels one a line.
func taskDetails(s *model.Snapshot, key string, _ DetailsEnv) (string, string) {
	var t *model.Task
	if s != nil && s.Cluster != nil {
		for i := range s.Cluster.Tasks {
			tk := &s.Cluster.Tasks[i]
			// A master may remember one id twice: the row's key then
			// ends in @ and the time of its state.
			if tk.ID == key || tk.ID+"@"+strconv.FormatInt(tk.StateSince.UnixNano(), 10) == key {
				t = tk
				break
			}
		}
	}
	if t == nil {
		return "Task " + key, "gone: no longer in the latest snapshot\n"
	}
	var b detailsWriter
	b.kv("id", t.ID)
	b.kv("name", orNA(t.Name))
	b.kv("framework", orNA(t.FrameworkID))
	b.kv("state", orNA(t.State))
	if !t.StateSince.IsZero() {
		b.kv("since", t.StateSince.Format(time.RFC3339))
	}
	agent := t.AgentHost
	if agent == "" {
		agent = t.AgentID
	}
	b.kv("agent", orNA(agent))
	b.kv("reason", orNA(t.Reason))
	b.kv("message", orNA(t.Message))
	labelsDetails(&b, t.Labels)
	return "Task " + t.ID, b.String()
}

// appDetails renders a Marathon app (d on marathon-apps).
func appDetails(s *model.Snapshot, key string, _ DetailsEnv) (string, string) {
	var a *model.App
	if s != nil && s.Cluster != nil {
		for i := range s.Cluster.Apps {
			if s.Cluster.Apps[i].ID == key {
				a = &s.Cluster.Apps[i]
				break
			}
		}
	}
	if a == nil {
		return "App " + key, "gone: no longer in the latest snapshot\n"
	}
	var b detailsWriter
	b.kv("app", a.ID)
	b.kv("group", orNA(a.Group))
	b.kv("instances", a.Instances)
	b.kv("running", a.TasksRunning)
	b.kv("healthy", a.TasksHealthy)
	b.kv("last failure", orNA(a.LastFailure))
	labelsDetails(&b, a.Labels)
	return "App " + a.ID, b.String()
}
