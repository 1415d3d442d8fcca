package views

import (
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// The mesos-frameworks view (DESIGN.md): every Mesos framework with its
// running tasks and this node's figures of its containers.
func init() {
	register(&View{
		ID:    "mesos-frameworks",
		Title: "Mesos Frameworks",
		Doc:   "a Mesos framework",
		Columns: []Column{
			{ID: "framework_id", Title: "ID", Width: 20, Priority: 2},
			{ID: "framework", Title: "FRAMEWORK", Width: 16},
			{ID: "active", Title: "ACTIVE", Width: 6, Priority: 3},
			{ID: "tasks", Title: "TASKS", Unit: UnitCount, Number: true, Width: 5},
			colContainers,
			colCPUPct,
			colMemBytes,
			{ID: "attention", Title: "ATTENTION", Width: 10},
		},
		DefaultSort: "cpu_pct",
		DefaultDesc: true,
		Rank:        5,
		Minimum:     []string{"framework_id", "framework", "active", "tasks", "containers", "cpu_pct", "mem_bytes"},
		NameColumns: []string{"framework"},
		Build:       buildMesosFrameworks,
		Needs:       model.NeedMesosTasks | model.NeedMarathon,
		Drill: func(r Row) (Target, bool) {
			if name, _ := r.Values[1].(string); name == "marathon" {
				return Target{View: "marathon-groups", Scope: Scope{Kind: "framework", ID: r.Key}}, true
			}
			return Target{View: "mesos-tasks", Scope: Scope{Kind: "framework", ID: r.Key}}, true
		},
	})
}

// buildMesosFrameworks lists every framework with its cluster-wide running
// tasks and this node's containers.
func buildMesosFrameworks(s *model.Snapshot, q Query) []Row {
	ix := newClusterIndex(s)
	cs := containersInScope(s, q.Scope)
	var rows []Row
	for _, fw := range ix.c.Frameworks {
		var f figures
		for _, c := range cs {
			if c.Cluster.FrameworkID == fw.ID {
				f.add(c)
			}
		}
		if !ix.frameworkInScope(&fw, q.Scope, f.n) {
			continue
		}
		active := "no"
		if fw.Active {
			active = "yes"
		}
		look := ix.frameworkLook(&fw, s.Time)
		rows = append(rows, Row{Key: fw.ID, Attention: look != nil, Values: []any{
			fw.ID, text(fw.Name), active, float64(fw.TasksRunning), float64(f.n), f.cpuValue(), f.mem, look,
		}})
	}
	return rows
}

// frameworkLook counts a framework's rows below that need a look: the
// apps of the Marathon whose groups the cluster holds, the tasks of any
// other framework.
func (ix *clusterIndex) frameworkLook(fw *model.Framework, now time.Time) any {
	n := 0
	if ix.c.HasMarathon && ix.isMarathon(fw.ID) {
		for i := range ix.apps {
			if appAttention(&ix.apps[i], now) != "" {
				n++
			}
		}
		return countOf(n, "app")
	}
	for i := range ix.c.Tasks {
		if t := &ix.c.Tasks[i]; t.FrameworkID == fw.ID && taskAttention(t, now) != "" {
			n++
		}
	}
	return countOf(n, "task")
}

// frameworkInScope: a framework scope names it; the Marathon kinds (group,
// app) keep the Marathon framework; task and container keep the framework
// that runs them.
func (ix *clusterIndex) frameworkInScope(fw *model.Framework, scope []Scope, local int) bool {
	for _, sc := range scope {
		ok := true
		switch sc.Kind {
		case "framework":
			ok = sc.ID == fw.ID || sc.ID == fw.Name
		case "group", "app":
			ok = ix.isMarathon(fw.ID)
		case "task":
			ok = false
			for _, t := range ix.c.Tasks {
				if t.ID == sc.ID && t.FrameworkID == fw.ID {
					ok = true
				}
			}
			ok = ok || local > 0
		case "container":
			ok = local > 0
		}
		if !ok {
			return false
		}
	}
	return true
}
