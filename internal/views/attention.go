package views

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"weak"

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

// AttentionStopped: a container that stopped badly (exited non-zero,
// OOM-killed) this recently still needs a look, and is listed without
// -a (the collector's StoppedFailure); older ones are history.
const AttentionStopped = time.Hour

// stopped says whether a container's state means it runs nothing.
func stopped(state string) bool {
	return state == "exited" || state == "dead" || state == "stopped" || state == "created"
}

// containerAttention names why a container needs a look, "" when nothing
// does. hostMem is the node's memory: a limit equal to it is no limit. A
// container that stopped more than AttentionStopped before now needs
// none (a zero time, or a zero now, is taken as recent).
func containerAttention(c *model.Container, hostMem uint64, now time.Time) string {
	var why []string
	old := stopped(c.State) && !c.StateSince.IsZero() && !now.IsZero() && now.Sub(c.StateSince) > AttentionStopped
	if c.OOMKilled && !old {
		why = append(why, "oom-killed")
	}
	switch c.State {
	case "restarting":
		why = append(why, "restarting")
	case "exited", "dead", "stopped":
		if c.ExitCode != nil && *c.ExitCode != 0 && !old {
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
	why = append(why, figureAttention(c)...)
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
// held back by the launch queue, or failed within AttentionRecent.
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

// containerLook is the attention of a container row: its own reasons,
// then the ports it wants that another process holds, and those it holds
// that another row wants.
func containerLook(s *model.Snapshot, c *model.Container) string {
	why := containerAttention(c, s.Memory.Total, s.Time)
	pc := portConflicts(s)
	why = joinWords(joinWords(why, heldWords(pc.wanted[c.Key()])), holdsWords(pc.held[c.Key()]))
	return joinWords(why, containerReasons(s, c)) // crash loop, orphan (reasons.go)
}

// taskLook is the attention of a task row: it failed lately, and the
// ports it was given that another process of this node holds.
func taskLook(s *model.Snapshot, t *model.Task) string {
	why := joinWords(taskAttention(t, s.Time), heldWords(portConflicts(s).tasks[t.ID]))
	return joinWords(why, taskReasons(s, t)) // crash loop, no container (reasons.go)
}

// appLook is the attention of an app row: it runs below its instances,
// fails or waits, and the ports it requires that a process of this node
// holds.
func appLook(s *model.Snapshot, a *model.App) string {
	why := joinWords(appAttention(a, s.Time), heldWords(portConflicts(s).apps[a.ID]))
	return joinWords(why, appReasons(s, a)) // waiting for offers, crash loops (reasons.go)
}

// heldWords are "port 6379/tcp held by task redis.1 (pid 42)" for each
// conflict of a wanting row.
func heldWords(ks []conflict) string {
	why := ""
	for _, k := range ks {
		why = joinWords(why, "port "+k.port+" held by "+k.holder.String())
	}
	return why
}

// holdsWords are "holds port 6379/tcp wanted by container redis-1 and app
// /ops/redis": what a holder blocks, port by port.
func holdsWords(ks []conflict) string {
	var ports []string
	by := map[string][]string{}
	for _, k := range ks {
		if by[k.port] == nil {
			ports = append(ports, k.port)
		}
		by[k.port] = append(by[k.port], k.wanter)
	}
	why := ""
	for _, p := range ports {
		w := by[p]
		list := w[0]
		if len(w) > 1 {
			list = strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
		}
		why = joinWords(why, "holds port "+p+" wanted by "+list)
	}
	return why
}

// joinWords joins two reasons with ", ".
func joinWords(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + ", " + b
}

// NeedLook counts what needs a look in a snapshot — containers, Marathon
// apps and Mesos tasks — for the screen's header. Zero for none.
// The header draws it at every frame, each key press's too: it is
// counted once per snapshot (lookMemo).
func NeedLook(s *model.Snapshot) (containers, apps, tasks int) {
	if s == nil {
		return
	}
	m := &lookMemo
	m.mu.Lock()
	for i, got := range m.snap {
		if got.Value() == s {
			n := m.n[i]
			m.mu.Unlock()
			return n[0], n[1], n[2]
		}
	}
	m.mu.Unlock()
	containers, apps, tasks = countLook(s)
	m.mu.Lock()
	m.snap[m.next], m.n[m.next] = weak.Make(s), [3]int{containers, apps, tasks}
	m.next = (m.next + 1) % len(m.snap)
	m.mu.Unlock()
	return
}

// lookMemo keeps NeedLook's counts of the last snapshots asked about
// (snapshots are immutable once published): at 50,000 containers the
// count was 5-10 ms of every frame. It holds them weakly, as
// conflictMemo does.
var lookMemo struct {
	mu   sync.Mutex
	snap [2]weak.Pointer[model.Snapshot]
	n    [2][3]int
	next int
}

// countLook is NeedLook's count, every row's rules run.
func countLook(s *model.Snapshot) (containers, apps, tasks int) {
	for i := range s.Containers {
		if containerLook(s, &s.Containers[i]) != "" {
			containers++
		}
	}
	if c := s.Cluster; c != nil {
		for i := range c.Apps {
			if appLook(s, &c.Apps[i]) != "" {
				apps++
			}
		}
		for i := range c.Tasks {
			if taskLook(s, &c.Tasks[i]) != "" {
				tasks++
			}
		}
	}
	return
}

// The attention rules of issue 24's figures: swap in use while pages
// come back from disk, pressure stall (cgroup v2), network errors and
// drops. A figure that is n/a is no reason.
const (
	// AttentionMajFaultPS: major faults per second that, with swap in
	// use, say the container is swapping.
	AttentionMajFaultPS = 10.0
	// AttentionPressurePct: a share of the last 10 s (PSI avg10) in which
	// some of the container's tasks waited for CPU, memory or I/O.
	AttentionPressurePct = 40.0
	// AttentionNetErrorsPS: network errors, or drops, per second.
	AttentionNetErrorsPS = 1.0
)

func figureAttention(c *model.Container) []string {
	var why []string
	if c.HasRates && c.Has(model.KnownSwap) && c.Figures.SwapBytes > 0 && c.Has(model.KnownPgMajFault) && c.PgMajFaultPS >= AttentionMajFaultPS {
		why = append(why, "swapping")
	}
	if c.Has(model.KnownPSIMem) && c.Figures.PSI.MemSome >= AttentionPressurePct {
		why = append(why, fmt.Sprintf("memory pressure %.0f%%", c.Figures.PSI.MemSome))
	}
	if c.Has(model.KnownPSIIO) && c.Figures.PSI.IOSome >= AttentionPressurePct {
		why = append(why, fmt.Sprintf("io pressure %.0f%%", c.Figures.PSI.IOSome))
	}
	if c.Has(model.KnownPSICPU) && c.Figures.PSI.CPUSome >= AttentionPressurePct {
		why = append(why, fmt.Sprintf("cpu pressure %.0f%%", c.Figures.PSI.CPUSome))
	}
	if c.HasRates && c.Net != nil {
		if c.NetRxErrorsPS+c.NetTxErrorsPS >= AttentionNetErrorsPS {
			why = append(why, "net errors")
		}
		if c.NetRxDropsPS+c.NetTxDropsPS >= AttentionNetErrorsPS {
			why = append(why, "net drops")
		}
	}
	return why
}

// NeedLookText is NeedLook's counts in words, "1 container, 2 apps",
// the kinds with none left out.
func NeedLookText(containers, apps, tasks int) string {
	var parts []string
	for _, k := range []struct {
		n    int
		noun string
	}{{containers, "container"}, {apps, "app"}, {tasks, "task"}} {
		if w := countOf(k.n, k.noun); w != nil {
			parts = append(parts, w.(string))
		}
	}
	return strings.Join(parts, ", ")
}
