package views

import (
	"github.com/ctop-like/ctop-like/model"
)

func init() {
	register(&View{
		ID:    "marathon-groups",
		Title: "Marathon Groups",
		Columns: []Column{
			{ID: "group", Title: "GROUP", Width: 0},
			{ID: "apps", Title: "APPS", Unit: UnitCount, Number: true, Width: 5},
			{ID: "containers", Title: "CONTAINERS", Unit: UnitCount, Number: true, Width: 5},
			{ID: "cpu_pct", Title: "CPU%", Unit: UnitPct, Number: true, Width: 6},
			{ID: "mem_bytes", Title: "MEM", Unit: UnitBytes, Number: true, Width: 6},
			{ID: "mem_pct", Title: "MEM%", Unit: UnitPct, Number: true, Width: 5, Priority: 2},
			{ID: "net_rx_bps", Title: "NET RX", Unit: UnitBps, Number: true, Width: 7, Priority: 1},
			{ID: "net_tx_bps", Title: "NET TX", Unit: UnitBps, Number: true, Width: 7, Priority: 1},
		},
		DefaultSort: "group",
		Tree:        true,
		Build:       buildMarathonGroups,
		Drill: func(r Row) (Target, bool) {
			return Target{View: "marathon-apps", Scope: Scope{Kind: "group", ID: r.Key}}, true
		},
	})
	register(&View{
		ID:    "marathon-apps",
		Title: "Marathon Apps",
		Columns: []Column{
			{ID: "app", Title: "APP", Width: 0},
			{ID: "group", Title: "GROUP", Width: 14, Priority: 3},
			{ID: "instances", Title: "INST", Unit: UnitCount, Number: true, Width: 4},
			{ID: "tasks_running", Title: "RUN", Unit: UnitCount, Number: true, Width: 4},
			{ID: "tasks_healthy", Title: "HLTHY", Unit: UnitCount, Number: true, Width: 5, Priority: 2},
			{ID: "containers", Title: "CONTAINERS", Unit: UnitCount, Number: true, Width: 5},
			{ID: "cpu_pct", Title: "CPU%", Unit: UnitPct, Number: true, Width: 6},
			{ID: "mem_bytes", Title: "MEM", Unit: UnitBytes, Number: true, Width: 6},
			{ID: "mem_pct", Title: "MEM%", Unit: UnitPct, Number: true, Width: 5, Priority: 2},
			{ID: "net_rx_bps", Title: "NET RX", Unit: UnitBps, Number: true, Width: 7, Priority: 1},
			{ID: "net_tx_bps", Title: "NET TX", Unit: UnitBps, Number: true, Width: 7, Priority: 1},
		},
		DefaultSort: "cpu_pct",
		DefaultDesc: true,
		Build:       buildMarathonApps,
		Drill: func(r Row) (Target, bool) {
			return Target{View: "containers", Scope: Scope{Kind: "app", ID: r.Key}}, true
		},
	})
	register(&View{
		ID:    "mesos-frameworks",
		Title: "Mesos Frameworks",
		Columns: []Column{
			{ID: "framework_id", Title: "ID", Width: 20, Priority: 2},
			{ID: "framework", Title: "FRAMEWORK", Width: 16},
			{ID: "active", Title: "ACTIVE", Width: 6, Priority: 3},
			{ID: "tasks", Title: "TASKS", Unit: UnitCount, Number: true, Width: 5},
			{ID: "containers", Title: "CONTAINERS", Unit: UnitCount, Number: true, Width: 5},
			{ID: "cpu_pct", Title: "CPU%", Unit: UnitPct, Number: true, Width: 6},
			{ID: "mem_bytes", Title: "MEM", Unit: UnitBytes, Number: true, Width: 6},
		},
		DefaultSort: "cpu_pct",
		DefaultDesc: true,
		Build:       buildMesosFrameworks,
		Drill: func(r Row) (Target, bool) {
			if name, _ := r.Values[1].(string); name == "marathon" {
				return Target{View: "marathon-groups", Scope: Scope{Kind: "framework", ID: r.Key}}, true
			}
			return Target{View: "mesos-tasks", Scope: Scope{Kind: "framework", ID: r.Key}}, true
		},
	})
	register(&View{
		ID:    "mesos-tasks",
		Title: "Mesos Tasks",
		Columns: []Column{
			{ID: "task_id", Title: "TASK ID", Width: 0},
			{ID: "task", Title: "TASK", Width: 16, Priority: 2},
			{ID: "framework", Title: "FRAMEWORK", Width: 12, Priority: 3},
			{ID: "state", Title: "STATE", Width: 13},
			{ID: "agent", Title: "AGENT", Width: 15, Priority: 1},
			{ID: "container_id", Title: "CONTAINER", Width: 12, Priority: 2},
			{ID: "cpu_pct", Title: "CPU%", Unit: UnitPct, Number: true, Width: 6},
			{ID: "mem_bytes", Title: "MEM", Unit: UnitBytes, Number: true, Width: 6},
		},
		DefaultSort: "cpu_pct",
		DefaultDesc: true,
		Build:       buildMesosTasks,
		Drill: func(r Row) (Target, bool) {
			return Target{View: "containers", Scope: Scope{Kind: "task", ID: r.Key}}, true
		},
	})
}

// The four cluster views list nothing until the orchestrator issue fills
// them from s.Cluster.
func buildMarathonGroups(s *model.Snapshot, scope []Scope, tree bool) []Row  { return nil }
func buildMarathonApps(s *model.Snapshot, scope []Scope, tree bool) []Row    { return nil }
func buildMesosFrameworks(s *model.Snapshot, scope []Scope, tree bool) []Row { return nil }
func buildMesosTasks(s *model.Snapshot, scope []Scope, tree bool) []Row      { return nil }
