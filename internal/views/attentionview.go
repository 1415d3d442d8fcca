package views

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// The attention view (DESIGN.md; the screen's x): every row of every kind
// that needs a look — Marathon apps, Mesos tasks, containers, processes
// that hold a port another row wants, Mesos agents — with its reason and
// the one most telling fact in full: an app's last failure and launch
// delay, a task's message, a container's exit and the last line of its
// log, a port conflict. A row stands for the row of its own view: Enter
// goes there, and d, l, a and e act on it as there.
func init() {
	register(&View{
		ID:    LookView,
		Title: "Need a Look",
		Doc:   "a row of any view that needs a look (a Marathon app, a Mesos task, a container, a process holding a port another row wants, a Mesos agent), with its reason and the most telling fact in full",
		Columns: []Column{
			{ID: "kind", Title: "KIND", Width: 9},
			{ID: "id", Title: "ID", Width: 20, Priority: 5},
			{ID: "name", Title: "NAME", Width: 20, KeepEnd: true},
			{ID: "attention", Title: "ATTENTION", Width: 16, Explains: true},
			{ID: "why", Title: "WHY", Null: "when nothing more than the attention is known", Width: 0, Escapes: true},
			{ID: "age_s", Title: "AGE", Null: "when the row's source does not say since when", Unit: UnitSeconds, Number: true, Width: 7, Priority: 2},
			{ID: "app", Title: "APP", Null: "for a row no Marathon app placed", Width: 16, Priority: 4, KeepEnd: true},
			// The labels of the row it stands for (an app's, a task's, a
			// container's); processes and agents have none.
			colLabels,
		},
		Rank: 9,
		// Failed tasks and apps are the cluster's: the master's whole
		// state and Marathon's apps, read while the view is shown.
		Needs:       model.NeedMesosTasks | model.NeedMarathon,
		Key:         'x',
		Hint:        "Look",
		Minimum:     []string{"kind", "id", "name", "attention", "why", "age_s"},
		NameColumns: []string{"name", "id"},
		Build:       buildAttention,
		Drill: func(r Row) (Target, bool) {
			view, key, ok := attentionStands(r)
			return Target{View: view, Select: key}, ok
		},
		Stands:    attentionStands,
		Wrap:      true,
		WrapFirst: true,
		Log: func(r Row) (Target, bool) {
			view, key, ok := attentionStands(r)
			if !ok || Get(view).Log == nil {
				return Target{}, false
			}
			return Get(view).Log(Row{Key: key})
		},
	})
}

// LookView is the view that lists what NeedLook counts.
const LookView = "attention"

// LastLines reads the last few lines of containers' logs for the
// attention view's why and the details panel: each log is read once per
// state of its container (a running one's again after a while), off the
// caller, so that no refresh waits on a log.
type LastLines interface {
	// Last returns the container's last log lines, oldest first, or why
	// there are none ("reading…", "the log driver keeps no logs"); it
	// starts a read where none was made for the container's state.
	Last(s *model.Snapshot, c *model.Container) (lines []LogLine, status string)
}

// tellingLine is the log line most likely to name why a container
// stopped: its last line on stderr, else its last line.
func tellingLine(lines []LogLine) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i].Stream == "stderr" {
			return lines[i].Text
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return lines[len(lines)-1].Text
}

// The kinds of the attention view's rows, in the order it lists them, and
// the view each lives in.
var attentionKinds = []struct{ kind, view string }{
	{"app", "marathon-apps"},
	{"task", "mesos-tasks"},
	{"container", "containers"},
	{"process", "processes"},
	{"agent", "agents"},
}

// attentionKey is a row's key: its kind and its key in its own view.
func attentionKey(kind, key string) string { return kind + ":" + key }

// attentionStands is the row an attention row stands for: its view and
// its key there.
func attentionStands(r Row) (view, key string, ok bool) {
	kind, key, ok := strings.Cut(r.Key, ":")
	if !ok {
		return "", "", false
	}
	for _, k := range attentionKinds {
		if k.kind == kind {
			return k.view, key, true
		}
	}
	return "", "", false
}

// buildAttention lists what needs a look, kind by kind, the newest first
// within a kind.
func buildAttention(s *model.Snapshot, q Query) []Row {
	var rows []Row
	add := func(kind, key, id, name, why string, detail string, since time.Time, app string, labels model.Labels) {
		var age any
		if !since.IsZero() && !s.Time.IsZero() {
			age = max(s.Time.Sub(since).Seconds(), 0)
		}
		rows = append(rows, Row{Key: attentionKey(kind, key), Attention: true, Labels: labels, Values: []any{
			kind, id, text(name), why, text(detail), age, text(app), labelsValue(&labels),
		}})
	}
	byAge := func(from int) {
		part := rows[from:]
		SortRows(part, 5, true, false)
	}
	ix := newClusterIndex(s)
	for i := range ix.apps {
		a := &ix.apps[i]
		if why := appLook(s, a); why != "" {
			add("app", a.ID, a.ID, a.ID, why, appWhy(s, a), a.LastFailureAt, a.ID, a.Labels)
		}
	}
	byAge(0)
	n := len(rows)
	byTask := containersByTask(s)
	keys := map[string]bool{}
	for i := range ix.c.Tasks {
		t := &ix.c.Tasks[i]
		key := taskRowKey(t, keys)
		why := taskLook(s, t)
		if why == "" {
			continue
		}
		add("task", key, t.ID, t.Name, why, taskWhy(s, t, ix, taskContainers(t, byTask), q.Last), t.StateSince, ix.appOf(t.ID), t.LabelList())
	}
	byAge(n)
	n = len(rows)
	for i := range s.Containers {
		c := &s.Containers[i]
		if why := containerLook(s, c); why != "" {
			var since time.Time
			if !runs(c.State) {
				since = c.StateSince
			}
			add("container", c.Key(), c.ID, c.Name, why, containerWhy(s, c, q.Last), since, c.Cluster.App, containerLabels(c))
		}
	}
	byAge(n)
	pc := portConflicts(s)
	for _, pid := range pc.procHolds() {
		var p *model.Process
		for i := range s.Processes {
			if s.Processes[i].PID == pid {
				p = &s.Processes[i]
			}
		}
		if p == nil {
			continue
		}
		why, detail := holdsWords(pc.heldByProc[pid]), ""
		for _, k := range pc.heldByProc[pid] {
			detail = joinWords(detail, fmt.Sprintf("pid %d (%s) listens on %s, which %s needs", pid, p.Command, k.port, k.wanter))
		}
		add("process", strconv.Itoa(pid), strconv.Itoa(pid), p.Name, why, detail, time.Time{}, "", nil)
	}
	if s.Cluster != nil {
		for i := range s.Cluster.Agents {
			ag := &s.Cluster.Agents[i]
			if ag.Error == "" && !ag.Stale {
				continue
			}
			why := "not answering"
			if ag.Stale && ag.Error == "" {
				why = "stale"
			}
			add("agent", ag.ID, ag.ID, ag.Name, why, ag.Error, ag.LastOK, "", nil)
		}
	}
	return rows
}

// appWhy is an app's most telling fact: the port it requires that a
// process here holds, its last failure's message in full, and whether
// the launch queue holds it back.
func appWhy(s *model.Snapshot, a *model.App) string {
	now := s.Time
	var parts []string
	for _, k := range portConflicts(s).apps[a.ID] {
		parts = append(parts, fmt.Sprintf("it requires port %s, which %s holds on this node", k.port, k.holder))
	}
	if a.LastFailure != "" {
		f := "last failure"
		if !a.LastFailureAt.IsZero() && !now.IsZero() {
			f += " " + ago(a.LastFailureAt, now)
		}
		if a.LastFailureTask != "" {
			f += " (task " + a.LastFailureTask + ")"
		}
		parts = append(parts, f+": "+a.LastFailure)
	}
	if a.Delayed != nil && *a.Delayed {
		d := "Marathon's launch queue holds it back (backoff delay"
		if a.DelayS != nil {
			d += ", " + Duration(*a.DelayS) + " more"
		}
		parts = append(parts, d+")")
	}
	if a.Instances >= 0 && a.TasksRunning < a.Instances {
		parts = append(parts, fmt.Sprintf("%d of %d instances running", a.TasksRunning, a.Instances))
	}
	return strings.Join(parts, "; ")
}

// taskWhy is a task's most telling fact: its status message (or
// reason), else what its container on this node says.
func taskWhy(s *model.Snapshot, t *model.Task, ix *clusterIndex, local []*model.Container, last LastLines) string {
	d := t.Detail()
	msg := d.Message
	if a := ix.failedApp[t.ID]; msg == "" && a != nil {
		msg = a.LastFailure
	}
	var parts []string
	for _, k := range portConflicts(s).tasks[t.ID] {
		parts = append(parts, fmt.Sprintf("port %s it was given is held by %s", k.port, k.holder))
	}
	if d.Reason != "" {
		parts = append(parts, d.Reason)
	}
	if msg != "" {
		parts = append(parts, msg)
	}
	for _, c := range local {
		if w := containerWhy(s, c, last); w != "" {
			parts = append(parts, "container "+c.Name+": "+w)
			break
		}
	}
	return strings.Join(parts, ": ")
}

// containerWhy is a container's most telling fact: how it stopped (exit
// code, OOM kill, restarts) with the last line of its log, how close it
// is to its limits, or which port another process holds.
func containerWhy(s *model.Snapshot, c *model.Container, last LastLines) string {
	parts := portFacts(s, c)
	if f := stopFact(s, c); f != "" {
		parts = append(parts, f)
	}
	parts = append(parts, limitFacts(s, c)...)
	if c.Health == "unhealthy" {
		parts = append(parts, "its health check fails")
	}
	why := strings.Join(parts, "; ")
	if last != nil && (stopped(c.State) || c.State == "restarting" || c.OOMKilled) {
		if lines, _ := last.Last(s, c); len(lines) > 0 {
			why += ": " + tellingLine(lines)
		}
	}
	return why
}

// portFacts are the ports a container wants that another process holds,
// and those it holds that another wants.
func portFacts(s *model.Snapshot, c *model.Container) []string {
	var parts []string
	pc := portConflicts(s)
	for _, k := range pc.wanted[c.Key()] {
		parts = append(parts, "port "+k.port+" held by "+k.holder.String())
	}
	for _, k := range pc.held[c.Key()] {
		parts = append(parts, fmt.Sprintf("pid %d listens on %s, which %s needs", k.holder.pid, k.port, k.wanter))
	}
	return parts
}

// stopFact is how a container stopped: killed by the OOM killer (at its
// limit), or its exit code, when, and its restarts; "" while it runs.
func stopFact(s *model.Snapshot, c *model.Container) string {
	switch {
	case c.OOMKilled:
		f := "killed by the kernel's OOM killer"
		if limited(s, c) {
			f += " at its " + HumanBytes(float64(c.Mem.Limit)) + " limit"
		}
		return f
	case c.State == "restarting" || stopped(c.State) && c.ExitCode != nil && *c.ExitCode != 0:
		f := "exit code " + strconv.Itoa(exitOf(c))
		if c.State == "restarting" {
			f = "restarting after exit code " + strconv.Itoa(exitOf(c))
		}
		if !c.StateSince.IsZero() && !s.Time.IsZero() {
			f += " " + ago(c.StateSince, s.Time)
		}
		if c.RestartCount > 0 {
			f += fmt.Sprintf(", %d restarts", c.RestartCount)
		}
		return f
	}
	return ""
}

// limited says a container's memory limit is below the node's memory.
func limited(s *model.Snapshot, c *model.Container) bool {
	return c.Mem.Limit > 0 && (s.Memory.Total == 0 || c.Mem.Limit < s.Memory.Total)
}

// limitFacts say how close a container is to its memory limit and how
// often its CPU quota throttles it, past the attention thresholds.
func limitFacts(s *model.Snapshot, c *model.Container) []string {
	var parts []string
	if c.Measured("memory") && limited(s, c) && c.MemPct >= AttentionMemPct {
		parts = append(parts, fmt.Sprintf("memory %s of its %s limit", HumanBytes(float64(c.Mem.Used)), HumanBytes(float64(c.Mem.Limit))))
	}
	if c.HasRates && c.Measured("cpu") && c.CPU.Periods > 0 && c.ThrottledPct >= AttentionThrottledPct {
		f := fmt.Sprintf("throttled in %.0f%% of its CPU periods", c.ThrottledPct)
		if c.CPU.QuotaCores > 0 {
			f += " (quota " + strconv.FormatFloat(c.CPU.QuotaCores, 'f', 2, 64) + " cores)"
		}
		parts = append(parts, f)
	}
	return parts
}

// exitOf is a container's exit code, -1 when unknown.
func exitOf(c *model.Container) int {
	if c.ExitCode == nil {
		return -1
	}
	return *c.ExitCode
}

// containersByTask are this node's containers by the task they run.
func containersByTask(s *model.Snapshot) map[string][]*model.Container {
	byTask := map[string][]*model.Container{}
	for i := range s.Containers {
		c := &s.Containers[i]
		if c.Cluster.TaskID != "" {
			byTask[c.Cluster.TaskID] = append(byTask[c.Cluster.TaskID], c)
		}
	}
	return byTask
}

// taskContainers are a task's containers on this node: a live task's
// running (or restarting) ones; a finished task's stopped ones, which ran
// it (Mesos never gives a task id to another task).
func taskContainers(t *model.Task, byTask map[string][]*model.Container) []*model.Container {
	var out []*model.Container
	for _, c := range byTask[t.ID] {
		if t.Finished == stopped(c.State) {
			out = append(out, c)
		}
	}
	return out
}

// taskRowKey is a task's key in the mesos-tasks view: its id, made
// unique with its time where a master remembers one id twice.
func taskRowKey(t *model.Task, keys map[string]bool) string {
	key := t.ID
	if keys[key] {
		key += "@" + strconv.FormatInt(t.StateSince.UnixNano(), 10)
	}
	keys[key] = true
	return key
}
