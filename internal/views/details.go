package views

import (
	"fmt"
	"math"

	"strconv"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// DetailsEnv is what a details renderer may use beyond the snapshot: the
// screen's recent history of a row, how it draws a series, and where a
// container's last log lines are read.
type DetailsEnv struct {
	Samples   int                                          // how many samples History keeps
	History   func(key string) (cpu, mem, net []float64)   // nil: none
	Sparkline func(values []float64, floor float64) string // nil: none
	Last      LastLines                                    // nil: no log lines
}

// detailsLogLines is how many of a log's last lines the details panel
// shows.
const detailsLogLines = 5

// Describe renders the details panel (d) of a row of any view: what the
// view's Details says of it (an app's last failure, a task's status and
// container, a container's exit, ports and last log lines), then every
// column of the row in full. The row is the one on screen; the view's
// Details reads the snapshot for the rest.
func Describe(s *model.Snapshot, v *View, r Row, env DetailsEnv) (title, text string) {
	u := UsesListeners // "listens on"
	if v.ID == "processes" {
		u |= UsesProcessIO | UsesProcessFigures // a process's figures and disk rates
	}
	use(u)
	var b detailsWriter
	title = v.Title + ": " + v.RowName(r)
	if v.Details != nil {
		var t string
		title, t = v.Details(s, r.Key, env)
		b.WriteString(t)
		b.WriteString("\n")
	}
	b.WriteString("every column of the row (" + v.ID + "):\n")
	w := 0
	for _, c := range v.Columns {
		w = max(w, len(c.ID))
	}
	for i, c := range v.Columns {
		if i >= len(r.Values) {
			break
		}
		val := NA
		if x := r.Values[i]; x != nil {
			if str, ok := x.(string); ok {
				val = str // in full: no clipping of ids
			} else {
				val = Format(c, x)
			}
		}
		fmt.Fprintf(&b, "%-*s %s\n", w+1, c.ID+":", val)
	}
	return title, b.String()
}

// DetailsFunc renders the details panel (d key) of the row with this key:
// its title and its text. Env values are never shown, only their names.
type DetailsFunc func(s *model.Snapshot, key string, env DetailsEnv) (title, text string)

// detailsWriter writes "key:        value" lines.
type detailsWriter struct{ strings.Builder }

func (b *detailsWriter) kv(k string, v any) { fmt.Fprintf(b, "%-12s %v\n", k+":", v) }

func orNA(s string) string {
	if s == "" {
		return NA
	}
	return s
}

// containerDetails renders a container: what it is, how it stopped (exit
// code, OOM kill, since when), its limits, ports and place in the
// cluster, label and env names, its last log lines, and while it runs its
// recent CPU, memory and network as sparklines.
func containerDetails(s *model.Snapshot, key string, env DetailsEnv) (string, string) {
	var c *model.Container
	if s != nil {
		c = s.ContainerByID(key)
	}
	if c == nil {
		return "Container " + model.ShortID(key), "gone: no longer in the latest snapshot\n"
	}
	var b detailsWriter
	if why := containerLook(s, c); why != "" {
		b.kv("attention", why)
		if w := containerWhy(s, c, nil); w != "" {
			b.kv("why", w)
		}
	}
	b.kv("id", c.ID)
	b.kv("name", c.Name)
	b.kv("image", orNA(c.Image))
	b.kv("runtime", c.Runtime)
	if c.ContainerdNamespace != "" {
		b.kv("namespace", c.ContainerdNamespace+" (containerd)")
	}
	state := c.State
	if !c.StateSince.IsZero() && !s.Time.IsZero() {
		state += " for " + Duration(max(s.Time.Sub(c.StateSince).Seconds(), 0)) + " (since " + c.StateSince.UTC().Format(time.RFC3339) + ")"
	}
	b.kv("state", state)
	if c.ExitCode != nil {
		b.kv("exit code", *c.ExitCode)
	}
	if described(c) {
		b.kv("oom-killed", c.OOMKilled)
	}
	b.kv("health", orNA(c.Health))
	b.kv("restarts", c.RestartCount)
	if !c.Created.IsZero() {
		b.kv("created", c.Created.Format(time.RFC3339))
	}
	b.kv("pid", c.PID)
	b.kv("cgroup", orNA(c.Cgroup))
	lim := NA
	if c.Mem.Limit > 0 {
		lim = HumanBytes(float64(c.Mem.Limit))
	}
	cpuLim := "unlimited"
	if c.CPU.QuotaCores > 0 {
		cpuLim = strconv.FormatFloat(c.CPU.QuotaCores, 'f', 2, 64) + " cores"
	}
	b.kv("limits", "memory "+lim+", cpu "+cpuLim)
	b.kv("network", orNA(c.NetworkMode))
	b.kv("ports", orNA(strings.Join(c.Ports, ", ")))
	if len(c.Wants) > 0 {
		b.kv("needs ports", strings.Join(c.Wants, ", ")+" of the node")
	}
	listen := NA
	if c.Listen != nil {
		listen = orNone(strings.Join(c.Listen, ", "))
	}
	b.kv("listens on", listen)
	b.kv("mounts", orNA(strings.Join(c.Mounts, ", ")))
	cl := c.Cluster
	b.kv("framework", orNA(cl.Framework))
	b.kv("task", strings.TrimSpace(orNA(cl.Task)+" "+cl.TaskID))
	b.kv("app", orNA(cl.App))
	b.kv("group", orNA(cl.Group))
	labelsDetails(&b, containerLabels(c))
	b.kv("env names", orNA(strings.Join(c.Env.Names(), ", ")))
	b.logLines(s, c, env.Last)
	if runs(c.State) && env.History != nil && env.Sparkline != nil {
		cpu, mem, net := env.History(c.Key())
		b.WriteString("\nlast " + strconv.Itoa(env.Samples) + " samples\n")
		b.kv("cpu", env.Sparkline(cpu, 100)+"  "+lastValue(cpu, func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" }))
		b.kv("memory", env.Sparkline(mem, 1)+"  "+lastValue(mem, HumanBytes))
		b.kv("net rx+tx", env.Sparkline(net, 1)+"  "+lastValue(net, func(f float64) string { return HumanBytes(f) + "/s" }))
	}
	return "Container " + c.Name, b.String()
}

// logLines writes a container's last log lines, or why there are none.
func (b *detailsWriter) logLines(s *model.Snapshot, c *model.Container, last LastLines) {
	if last == nil {
		return
	}
	lines, status := last.Last(s, c)
	b.WriteString("\nlast lines of its log (l shows it all):\n")
	if len(lines) == 0 {
		b.WriteString("  " + orNone(status) + "\n")
		return
	}
	if len(lines) > detailsLogLines {
		lines = lines[len(lines)-detailsLogLines:]
	}
	for _, l := range lines {
		b.WriteString("  " + l.Text + "\n")
	}
}

// orNone is s, or "none" when it is empty.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// taskDetails renders a Mesos task: its state and since when, its status
// message and reason, its framework, app and agent, and its containers
// on this node (a finished task's stopped one too) with their exit and
// last log lines.
func taskDetails(s *model.Snapshot, key string, env DetailsEnv) (string, string) {
	if s == nil || s.Cluster == nil {
		return "Task " + key, "gone: no longer in the latest snapshot\n"
	}
	ix := newClusterIndex(s)
	keys := map[string]bool{}
	var t *model.Task
	for i := range ix.c.Tasks {
		if taskRowKey(&ix.c.Tasks[i], keys) == key {
			t = &ix.c.Tasks[i]
		}
	}
	if t == nil {
		return "Task " + key, "gone: no longer in the latest snapshot\n"
	}
	var b detailsWriter
	if why := taskLook(s, t); why != "" {
		b.kv("attention", why)
	}
	b.kv("id", t.ID)
	b.kv("name", orNA(t.Name))
	state := t.State
	if t.Finished {
		state += " (finished)"
	}
	if !t.StateSince.IsZero() {
		state += " since " + t.StateSince.UTC().Format(time.RFC3339)
		if !s.Time.IsZero() {
			state += " (" + ago(t.StateSince, s.Time) + ")"
		}
	}
	b.kv("state", state)
	d := t.Detail()
	b.kv("reason", orNA(d.Reason))
	msg := d.Message
	if a := ix.failedApp[t.ID]; msg == "" && a != nil {
		msg = a.LastFailure + " (Marathon's last failure of " + a.ID + ")"
	}
	b.kv("message", orNA(msg))
	fw := t.FrameworkID
	if f := ix.frameworks[t.FrameworkID]; f != nil {
		fw = f.Name + " (" + f.ID + ")"
	}
	b.kv("framework", orNA(fw))
	b.kv("app", orNA(ix.appOf(t.ID)))
	agent := t.AgentHost
	if agent == "" {
		agent = t.AgentID
	}
	b.kv("agent", orNA(agent))
	b.kv("executor", orNA(d.ExecutorID))
	b.kv("container ids", orNA(strings.Join(t.ContainerIDs, ", ")))
	b.kv("ports", orNA(strings.Join(t.Ports, ", ")))
	for _, k := range portConflicts(s).tasks[t.ID] {
		b.kv("port held", k.port+" by "+k.holder.String())
	}
	if len(d.History) > 0 {
		b.WriteString("status history (oldest first):\n")
		for _, h := range d.History {
			line := "  " + h.State
			if !h.At.IsZero() {
				line += " at " + h.At.UTC().Format(time.RFC3339)
			}
			for _, x := range []string{h.Source, h.Reason, h.Message} {
				if x != "" {
					line += ", " + x
				}
			}
			b.WriteString(line + "\n")
		}
	}
	labelsDetails(&b, t.LabelList())
	local := taskContainers(t, containersByTask(s))
	if len(local) == 0 {
		b.kv("here", "no container of it on this node")
	}
	for _, c := range local {
		f := c.Name + " (" + c.ID + "), " + c.State
		if c.ExitCode != nil {
			f += ", exit code " + strconv.Itoa(*c.ExitCode)
		}
		if c.OOMKilled {
			f += ", OOM-killed"
		}
		b.kv("container", f)
		if w := containerWhy(s, c, nil); w != "" {
			b.kv("why", w)
		}
		b.logLines(s, c, env.Last)
	}
	return "Task " + orNA(t.Name) + " " + t.ID, b.String()
}

// appDetails renders a Marathon app: why it needs a look, its instances
// by state, its last failure in full, the launch queue and deployments.
func appDetails(s *model.Snapshot, key string, env DetailsEnv) (string, string) {
	if s == nil {
		return "App " + key, "gone: no longer in the latest snapshot\n"
	}
	ix := newClusterIndex(s)
	var a *model.App
	for i := range ix.apps {
		if ix.apps[i].ID == key {
			a = &ix.apps[i]
		}
	}
	if a == nil {
		return "App " + key, "gone: no longer in the latest snapshot\n"
	}
	var b detailsWriter
	if why := appLook(s, a); why != "" {
		b.kv("attention", why)
	}
	b.kv("id", a.ID)
	b.kv("group", orNA(a.Group))
	if a.Instances < 0 {
		b.kv("instances", "n/a (known only from a container's MARATHON_APP_ID)")
	} else {
		inst := fmt.Sprintf("%d wanted: %d running, %d healthy", a.Instances, a.TasksRunning, a.TasksHealthy)
		if a.TasksStaged != nil {
			inst += fmt.Sprintf(", %d staged", *a.TasksStaged)
		}
		if a.TasksUnhealthy != nil {
			inst += fmt.Sprintf(", %d unhealthy", *a.TasksUnhealthy)
		}
		b.kv("instances", inst)
	}
	if a.LastFailure != "" {
		f := a.LastFailure
		if !a.LastFailureAt.IsZero() {
			f += " (at " + a.LastFailureAt.UTC().Format(time.RFC3339)
			if !s.Time.IsZero() {
				f += ", " + ago(a.LastFailureAt, s.Time)
			}
			f += ")"
		}
		b.kv("last failure", f)
		b.kv("failed task", orNA(a.LastFailureTask))
	} else {
		b.kv("last failure", "none")
	}
	switch {
	case a.Delayed == nil:
		b.kv("launch queue", NA)
	case *a.Delayed && a.DelayS != nil:
		b.kv("launch queue", "delayed: the backoff holds its launches back "+Duration(*a.DelayS)+" more")
	case *a.Delayed:
		b.kv("launch queue", "delayed: the backoff holds its launches back")
	default:
		b.kv("launch queue", "not delayed")
	}
	b.launchQueue(a, s.Time) // what waits, and the offers declined (waiting.go)
	b.kv("constraints", orNone(strings.Join(a.Constraints, ", ")))
	if len(a.Ports) > 0 {
		b.kv("requires ports", strings.Join(a.Ports, ", ")+" of its agent (requirePorts)")
	}
	for _, k := range portConflicts(s).apps[a.ID] {
		b.kv("port held", k.port+" on this node by "+k.holder.String())
	}
	dep := NA
	if a.Deployments != nil {
		dep = strconv.Itoa(*a.Deployments) + " under way"
	}
	b.kv("deployments", dep)
	labelsDetails(&b, a.Labels)
	n := 0
	for i := range s.Containers {
		if s.Containers[i].Cluster.App == a.ID {
			n++
		}
	}
	b.kv("here", fmt.Sprintf("%d containers on this node", n))
	return "App " + a.ID, b.String()
}

// processDetails renders a process.
func processDetails(s *model.Snapshot, key string, _ DetailsEnv) (string, string) {
	pid, _ := strconv.Atoi(key)
	var p *model.Process
	if s != nil {
		for i := range s.Processes {
			if s.Processes[i].PID == pid {
				p = &s.Processes[i]
				break
			}
		}
	}
	if p == nil {
		return "Process " + key, "gone: no longer in the latest snapshot\n"
	}
	var b detailsWriter
	// fig is a figure the pass may not have read (model's NoFigures:
	// the snapshot before the panel asked for them).
	fig := func(k string, v any) {
		if p.NoFigures {
			v = NA
		}
		b.kv(k, v)
	}
	b.kv("pid", p.PID)
	fig("ppid", p.PPID)
	b.kv("name", p.Name)
	b.kv("command", p.Command)
	b.kv("user", fmt.Sprintf("%s (%d)", orNA(p.User), p.UID))
	fig("state", p.State)
	fig("nice", p.Nice)
	fig("threads", p.Threads)
	if !p.StartTime.IsZero() {
		b.kv("started", p.StartTime.Format(time.RFC3339))
	}
	fig("cpu time", Duration(p.UserS+p.SystemS))
	fig("rss", HumanBytes(float64(p.RSS)))
	fig("vsz", HumanBytes(float64(p.VSZ)))
	b.kv("cgroup", orNA(p.Cgroup))
	cont := NA
	if p.ContainerID != "" {
		cont = model.ShortID(p.ContainerID)
		if c := s.ContainerByID(p.InContainer()); c != nil {
			cont = c.Name + " (" + model.ShortID(c.ID) + ")"
		}
	}
	b.kv("container", cont)
	return fmt.Sprintf("Process %d %s", p.PID, p.Name), b.String()
}

// lastValue formats the newest value of a series.
func lastValue(l []float64, f func(float64) string) string {
	if len(l) == 0 || math.IsNaN(l[len(l)-1]) {
		return NA
	}
	return f(l[len(l)-1])
}
