package views

import (
	"sort"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

func init() {
	register(&View{
		ID:    "processes",
		Title: "Processes",
		Uses:  UsesListeners | UsesProcessIO | UsesProcessFigures,
		Doc:   "a process",
		Columns: []Column{
			{ID: "pid", Title: "PID", Unit: UnitCount, Number: true, Width: 7},
			{ID: "ppid", Title: "PPID", Unit: UnitCount, Number: true, Width: 7, Priority: 5},
			{ID: "user", Title: "USER", Width: 9, Priority: 2},
			{ID: "state", Title: "S", Width: 1, Priority: 3},
			colCPUPct,
			colMemPct,
			{ID: "rss_bytes", Title: "RES", Unit: UnitBytes, Number: true, Width: 6, Priority: 1},
			{ID: "vsz_bytes", Title: "VIRT", Unit: UnitBytes, Number: true, Width: 6, Priority: 4},
			{ID: "threads", Title: "THR", Unit: UnitCount, Number: true, Width: 4, Priority: 5},
			{ID: "read_bps", Title: "DISK R", Unit: UnitBps, Number: true, Width: 7, Priority: 4},
			{ID: "write_bps", Title: "DISK W", Unit: UnitBps, Number: true, Width: 7, Priority: 4},
			{ID: "container_id", Title: "CONTAINER ID", Width: 12, Clip: 12, Priority: 6},
			{ID: "container", Title: "CONTAINER", Width: 16, Priority: 3},
			{ID: "command", Title: "COMMAND", Width: 0},
			{ID: "nice", Title: "NI", Unit: UnitCount, Number: true, Width: 3, Priority: 9},
			{ID: "cpu_user_pct", Title: "USR%", Unit: UnitPct, Number: true, Width: 5, Priority: 9},
			{ID: "cpu_system_pct", Title: "SYS%", Unit: UnitPct, Number: true, Width: 5, Priority: 9},
			{ID: "time_s", Title: "TIME", Unit: UnitSeconds, Number: true, Width: 8, Priority: 7},
			{ID: "start_time", Title: "START", Width: 20, Priority: 9},
			{ID: "ports", Title: "PORTS", Width: 14, Priority: 6},
		},
		DefaultSort: "cpu_pct",
		DefaultDesc: true,
		Tree:        true,
		Rank:        1,
		Scopes:      []string{"container", "task", "app", "group", "framework"},
		Minimum:     []string{"pid", "ppid", "user", "state", "cpu_pct", "mem_pct", "rss_bytes", "vsz_bytes", "threads", "read_bps", "write_bps", "container_id", "container", "command", "time_s"},
		TreeColumn:  "command",
		NameColumns: []string{"command"},
		Details:     processDetails,
		Actions:     processActions,
		Target:      processTarget,
		Build:       buildProcesses,
		Log:         logTarget("pid"),
	})
}

func buildProcesses(s *model.Snapshot, q Query) []Row {
	ids := ContainerIDsInScope(s, q.Scope)
	names := make(map[string]string, len(s.Containers))
	for i := range s.Containers {
		names[s.Containers[i].Key()] = s.Containers[i].Name
	}
	wantContainer := scopeID(q.Scope, "container")
	rows := make([]Row, 0, len(s.Processes))
	var kept []*model.Process
	for i := range s.Processes {
		p := &s.Processes[i]
		if ids != nil && !ids[p.InContainer()] {
			// A container scope may name a container that is not in the
			// snapshot's container list (e.g. not yet listed): match its
			// processes by id all the same.
			if wantContainer == "" || p.ContainerID == "" || !(p.ContainerID == wantContainer || len(wantContainer) >= 12 && len(p.ContainerID) > len(wantContainer) && p.ContainerID[:len(wantContainer)] == wantContainer) {
				continue
			}
		}
		kept = append(kept, p)
	}
	if q.Tree {
		kept, depths := processTree(kept)
		for i, p := range kept {
			rows = append(rows, Row{Key: itoa(p.PID), Values: processValues(p, names, s.Machine.Unknown), Depth: depths[i]})
		}
		return rows
	}
	for _, p := range kept {
		rows = append(rows, Row{Key: itoa(p.PID), Values: processValues(p, names, s.Machine.Unknown)})
	}
	return rows
}

func processValues(p *model.Process, names map[string]string, unknown model.Unknown) []any {
	r := p.HasRates
	// f: the pass read the process's figures (see model's NoFigures).
	f := !p.NoFigures
	var cname any
	if p.ContainerID != "" {
		cname = text(names[p.InContainer()])
	}
	var start any
	if !p.StartTime.IsZero() {
		start = p.StartTime.UTC().Format(time.RFC3339)
	}
	return []any{
		float64(p.PID),
		rate(f, float64(p.PPID)),
		text(p.User),
		figureText(f, p.State),
		rate(r, p.CPUPct),
		rate(f, p.MemPct),
		rate(f, float64(p.RSS)),
		rate(f, float64(p.VSZ)),
		rate(f && !unknown.ProcThreads, float64(p.Threads)),
		rate(r && p.HasIO, p.ReadBps),
		rate(r && p.HasIO, p.WriteBps),
		text(p.ContainerID),
		cname,
		p.Command,
		rate(f && !unknown.ProcNice, float64(p.Nice)),
		rate(r && !unknown.ProcCPUSplit, p.CPUUserPct),
		rate(r && !unknown.ProcCPUSplit, p.CPUSystemPct),
		rate(f, p.UserS+p.SystemS),
		start,
		listenText(p.Listen),
	}
}

// figureText is a process's text figure (its state), nil (n/a) where the
// pass did not read its figures.
func figureText(read bool, s string) any {
	if !read {
		return nil
	}
	return text(s)
}

// processTree orders processes parent before children (depth-first, by
// pid) and gives each its depth. A process whose parent is not in the list
// is a root.
func processTree(ps []*model.Process) ([]*model.Process, []int) {
	byPID := make(map[int]bool, len(ps))
	for _, p := range ps {
		byPID[p.PID] = true
	}
	children := make(map[int][]*model.Process)
	var roots []*model.Process
	for _, p := range ps {
		if p.PPID != p.PID && byPID[p.PPID] {
			children[p.PPID] = append(children[p.PPID], p)
		} else {
			roots = append(roots, p)
		}
	}
	byPid := func(l []*model.Process) {
		sort.Slice(l, func(i, j int) bool { return l[i].PID < l[j].PID })
	}
	byPid(roots)
	out := make([]*model.Process, 0, len(ps))
	depths := make([]int, 0, len(ps))
	seen := make(map[int]bool, len(ps))
	var walk func(p *model.Process, d int)
	walk = func(p *model.Process, d int) {
		if seen[p.PID] {
			return
		}
		seen[p.PID] = true
		out = append(out, p)
		depths = append(depths, d)
		kids := children[p.PID]
		byPid(kids)
		for _, k := range kids {
			walk(k, d+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	// A cycle (corrupt input) leaves processes unvisited: list them flat.
	for _, p := range ps {
		if !seen[p.PID] {
			walk(p, 0)
		}
	}
	return out, depths
}
