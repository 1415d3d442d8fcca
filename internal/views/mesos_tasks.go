package views

import (
	"github.com/ctop-like/ctop-like/internal/model"
)

// The mesos-tasks view (DESIGN.md): every task the Mesos master knows,
// with its container and figures where it runs on this node.
func init() {
	register(&View{
		ID:    "mesos-tasks",
		Title: "Mesos Tasks",
		Doc:   "a Mesos task, finished ones too (the newest 100 of each framework)",
		Columns: []Column{
			{ID: "task_id", Title: "TASK ID", Width: 0},
			{ID: "task", Title: "TASK", Width: 16, Priority: 2},
			{ID: "framework", Title: "FRAMEWORK", Width: 12, Priority: 3},
			{ID: "state", Title: "STATE", Width: 13},
			{ID: "agent", Title: "AGENT", Width: 15, Priority: 1},
			{ID: "container_id", Title: "CONTAINER", Width: 12, Priority: 2},
			colCPUPct,
			colMemBytes,
			{ID: "reason", Title: "REASON", Width: 16, Priority: 4, Explains: true},
			{ID: "message", Title: "MESSAGE", Width: 30, Priority: 3, Explains: true},
			{ID: "state_age_s", Title: "AGE", Unit: UnitSeconds, Number: true, Width: 8, Priority: 3},
			{ID: "attention", Title: "ATTENTION", Width: 16, Explains: true},
			colLabels,
		},
		DefaultSort: "cpu_pct",
		DefaultDesc: true,
		Rank:        6,
		Scopes:      []string{"task", "app", "group", "framework"},
		Minimum:     []string{"task_id", "task", "framework", "state", "agent", "container_id", "cpu_pct", "mem_bytes", "reason", "message", "attention"},
		NameColumns: []string{"task", "task_id"},
		Details:     taskDetails,
		Build:       buildMesosTasks,
		Needs:       model.NeedMesosTasks | model.NeedMarathon,
		Actions:     marathonTaskActions,
		NoAction:    taskUnoffered,
		Target:      marathonTarget,
		Drill: func(r Row) (Target, bool) {
			return Target{View: "containers", Scope: Scope{Kind: "task", ID: r.Key}}, true
		},
		Log: logTarget("task"),
	})
}

// buildMesosTasks lists every task of the cluster; a task running on this
// node has its container and figures, the others nil.
func buildMesosTasks(s *model.Snapshot, q Query) []Row {
	ix := newClusterIndex(s)
	byTask := containersByTask(s)
	rows := make([]Row, 0, len(ix.c.Tasks))
	keys := make(map[string]bool, len(ix.c.Tasks))
	var boxes boxed
	for i := range ix.c.Tasks {
		t := &ix.c.Tasks[i]
		// A finished task's container is the stopped one that ran it
		// (listed while it needs a look, or with -a): Enter and l reach
		// its exit and its log.
		local := taskContainers(t, byTask)
		if !ix.taskInScope(t, q.Scope, local) {
			continue
		}
		fwName := ""
		if fw := ix.frameworks[t.FrameworkID]; fw != nil {
			fwName = fw.Name
		}
		agent := t.AgentHost
		if agent == "" {
			agent = t.AgentID
		}
		var cid, cpu, mem any
		if len(local) > 0 {
			var f figures
			for _, c := range local {
				f.add(c)
			}
			cid, cpu, mem = local[0].ID, f.cpuValue(), f.mem
		}
		// A Mesos state carries no status message: Marathon's
		// lastTaskFailure gives the message of its app's latest failure.
		d := t.Detail()
		msg := d.Message
		if a := ix.failedApp[t.ID]; msg == "" && a != nil {
			msg = a.LastFailure
		}
		var age any
		if !t.StateSince.IsZero() {
			age = max(s.Time.Sub(t.StateSince).Seconds(), 0)
		}
		why := taskLook(s, t)
		key := taskRowKey(t, keys) // a master may remember one id twice
		rows = append(rows, Row{Key: key, Attention: why != "", Labels: t.LabelList(), Values: []any{
			t.ID, boxes.text(t.Name), boxes.text(fwName), boxes.text(t.State), boxes.text(agent), cid, cpu, mem,
			boxes.text(d.Reason), text(msg), age, boxes.text(why), labelsValue(t.Labels),
		}})
	}
	return rows
}

func (ix *clusterIndex) taskInScope(t *model.Task, scope []Scope, local []*model.Container) bool {
	for _, sc := range scope {
		ok := true
		switch sc.Kind {
		case "framework":
			ok = t.FrameworkID == sc.ID
			if fw := ix.frameworks[t.FrameworkID]; !ok && fw != nil {
				ok = fw.Name == sc.ID
			}
		case "task":
			ok = t.ID == sc.ID
		case "app":
			ok = ix.appOf(t.ID) == sc.ID
			for _, c := range local {
				ok = ok || c.Cluster.App == sc.ID
			}
		case "group":
			a := ix.appOf(t.ID)
			ok = a != "" && InGroup(model.ParentGroup(a), sc.ID)
			for _, c := range local {
				ok = ok || (c.Cluster.Group != "" && InGroup(c.Cluster.Group, sc.ID))
			}
		case "container":
			ok = false
			for _, c := range local {
				ok = ok || containerIn(c, sc)
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// boxed keeps one interface value of each string that repeats over rows
// (a framework, a state, an agent, an app's task name): a string put in
// an interface is a 16-byte allocation of its own, 6 MB over 100,000
// tasks' rows. An interface holding a string is immutable: rows share it.
type boxed map[string]any

// maxBoxed bounds a build's table of boxed strings.
const maxBoxed = 1 << 14

func (b *boxed) text(s string) any {
	if s == "" {
		return nil
	}
	if v, ok := (*b)[s]; ok {
		return v
	}
	if *b == nil {
		*b = boxed{}
	}
	var v any = s
	if len(*b) < maxBoxed {
		(*b)[s] = v
	}
	return v
}
