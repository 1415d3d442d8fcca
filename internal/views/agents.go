package views

import (
	"github.com/ctop-like/ctop-like/internal/model"
)

func init() {
	register(&View{
		ID:    "agents",
		Title: "Mesos Agents",
		Doc:   "a Mesos agent (--cluster)",
		Columns: []Column{
			{ID: "id", Title: "ID", Width: 20, Priority: 4},
			{ID: "host", Title: "HOST", Width: 0},
			{ID: "cpus", Title: "CPUS", Unit: UnitNone, Number: true, Width: 5, Priority: 2},
			{ID: "cpus_allocated", Title: "ALLOC", Unit: UnitNone, Number: true, Width: 5},
			colCPUPct,
			{ID: "mem_total_bytes", Title: "MEM", Unit: UnitBytes, Number: true, Width: 6, Priority: 2},
			{ID: "mem_allocated_bytes", Title: "ALLOC", Unit: UnitBytes, Number: true, Width: 6},
			{ID: "mem_bytes", Title: "USED", Unit: UnitBytes, Number: true, Width: 6},
			{ID: "tasks", Title: "TASKS", Unit: UnitCount, Number: true, Width: 5},
			{ID: "executors", Title: "EXECS", Unit: UnitCount, Number: true, Width: 5, Priority: 3},
			{ID: "age_s", Title: "AGE", Unit: UnitSeconds, Number: true, Width: 7, Priority: 1},
			{ID: "state", Title: "STATE", Width: 6},
			{ID: "error", Title: "ERROR", Width: 30, Priority: 1, Explains: true},
		},
		DefaultSort: "host",
		Rank:        7,
		Minimum:     []string{"id", "host", "cpus", "cpus_allocated", "cpu_pct", "mem_total_bytes", "mem_allocated_bytes", "mem_bytes", "tasks", "executors", "age_s", "state", "error"},
		Build:       buildAgents,
		NameColumns: []string{"host"},
		Drill: func(r Row) (Target, bool) {
			return Target{View: "containers", Scope: Scope{Kind: "agent", ID: r.Key}}, true
		},
	})
}

// buildAgents lists the agents the cluster-wide source read (--cluster),
// with their used CPU and memory summed from their containers. The age is
// the time since the agent last answered; an agent that did not answer in
// the last refresh is "stale" and names its error.
func buildAgents(s *model.Snapshot, _ Query) []Row {
	if s.Cluster == nil || len(s.Cluster.Agents) == 0 {
		return nil
	}
	used := map[string]*figures{}
	for i := range s.Containers {
		c := &s.Containers[i]
		if c.Agent == "" {
			continue
		}
		f := used[c.Agent]
		if f == nil {
			f = &figures{}
			used[c.Agent] = f
		}
		f.add(c)
	}
	rows := make([]Row, 0, len(s.Cluster.Agents))
	for _, a := range s.Cluster.Agents {
		f := used[a.Name]
		if f == nil {
			f = &figures{}
		}
		var age any
		if !a.LastOK.IsZero() {
			age = max(0, s.Time.Sub(a.LastOK).Seconds())
		}
		state := "ok"
		switch {
		case a.Stale:
			state = "stale"
		case !a.Active:
			state = "inactive"
		}
		var cpu any = f.cpuValue()
		if a.Stale {
			cpu = nil
		}
		rows = append(rows, Row{Key: a.ID, Values: []any{
			a.ID, text(a.Name), a.CPUs, a.CPUsAllocated, cpu, a.MemBytes, a.MemAllocatedBytes, f.mem,
			float64(a.TasksRunning), float64(a.Executors), age, state, text(a.Error),
		}})
	}
	return rows
}
