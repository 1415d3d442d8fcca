package views

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// What makes a row need a look (DESIGN.md, the attention column). They
// are defaults: the thresholds an operator would pick first.
const (
	// AttentionThrottledPct: a container throttled in at least this share
	// of its CFS periods is starved of CPU by its quota.
	AttentionThrottledPct = 50.0
	// AttentionMemPct: a container using at least this share of its memory
	// limit is close to the OOM killer.
	AttentionMemPct = 90.0
	// AttentionRecent: a task failure or an app's last failure this recent
	// still needs a look; older ones are history.
	AttentionRecent = 10 * time.Minute
)

// containerAttention names why a container needs a look, "" when nothing
// does. hostMem is the node's memory: a limit equal to it is no limit.
func containerAttention(c *model.Container, hostMem uint64) string {
	var why []string
	if c.OOMKilled {
		why = append(why, "oom-killed")
	}
	switch c.State {
	case "restarting":
		why = append(why, "restarting")
	case "exited", "dead", "stopped":
		if c.ExitCode != nil && *c.ExitCode != 0 {
			why = append(why, "exited "+strconv.Itoa(*c.ExitCode))
		}
	}
	// A figure the container's cgroup does not measure (n/a in its row)
	// is no reason.
	if c.HasRates && c.Measured("cpu") && c.CPU.Periods > 0 && c.ThrottledPct >= AttentionThrottledPct {
		why = append(why, fmt.Sprintf("throttled %.0f%%", c.ThrottledPct))
	}
	if c.Measured("memory") && c.Mem.Limit > 0 && (hostMem == 0 || c.Mem.Limit < hostMem) && c.MemPct >= AttentionMemPct {
		why = append(why, fmt.Sprintf("mem %.0f%% of limit", c.MemPct))
	}
	if c.Health == "unhealthy" {
		why = append(why, "unhealthy")
	}
	return strings.Join(why, ", ")
}

// badTaskStates are the states of a task that ended badly, with the word
// attention uses for each.
var badTaskStates = map[string]string{
	"TASK_FAILED":      "failed",
	"TASK_LOST":        "lost",
	"TASK_ERROR":       "error",
	"TASK_DROPPED":     "dropped",
	"TASK_GONE":        "gone",
	"TASK_UNREACHABLE": "unreachable",
}

// taskAttention: a task failed, lost or errored within AttentionRecent of now.
func taskAttention(t *model.Task, now time.Time) string {
	word, bad := badTaskStates[t.State]
	if !bad || t.StateSince.IsZero() || !recent(t.StateSince, now) {
		return ""
	}
	return word + " " + ago(t.StateSince, now)
}

// appAttention: a Marathon app below its instances, with unhealthy tasks,
// held back by the launch queue or waiting there for an offer that fits,
// or failed within AttentionRecent.
func appAttention(a *model.App, now time.Time) string {
	if a.Instances < 0 { // known only from a container's env
		return ""
	}
	var why []string
	if a.TasksRunning < a.Instances {
		why = append(why, fmt.Sprintf("%d/%d running", a.TasksRunning, a.Instances))
	}
	if a.TasksUnhealthy != nil && *a.TasksUnhealthy > 0 {
		why = append(why, "unhealthy")
	}
	if a.Delayed != nil && *a.Delayed {
		why = append(why, "delayed")
	}
	if w := waitingWords(a, now); w != "" {
		why = append(why, w)
	}
	if !a.LastFailureAt.IsZero() && recent(a.LastFailureAt, now) {
		why = append(why, "failed "+ago(a.LastFailureAt, now))
	}
	return strings.Join(why, ", ")
}

func recent(t, now time.Time) bool { return now.Sub(t) <= AttentionRecent }

// ago is "45s ago", "2m ago", "3h ago"; a time ahead of now (clock skew)
// is "0s ago".
func ago(t, now time.Time) string {
	d := max(now.Sub(t), 0)
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s ago"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m ago"
	default:
		return strconv.Itoa(int(d.Hours())) + "h ago"
	}
}

// countOf is "1 app", "3 apps"; nil for none.
func countOf(n int, noun string) any {
	if n == 0 {
		return nil
	}
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// NeedLook counts what needs a look in a snapshot — containers, Marathon
// apps and Mesos tasks — for the screen's header. Zero for none.
func NeedLook(s *model.Snapshot) (containers, apps, tasks int) {
	if s == nil {
		return
	}
	more := reasonsOf(s)
	for i := range s.Containers {
		if containerAttention(&s.Containers[i], s.Memory.Total) != "" || len(more.containerWords(&s.Containers[i])) > 0 {
			containers++
		}
	}
	if c := s.Cluster; c != nil {
		for i := range c.Apps {
			if appAttention(&c.Apps[i], s.Time) != "" || more.appWords(c.Apps[i].ID) != "" {
				apps++
			}
		}
		for i := range c.Tasks {
			if taskAttention(&c.Tasks[i], s.Time) != "" || len(more.taskWords(&c.Tasks[i])) > 0 {
				tasks++
			}
		}
	}
	return
}
