package views

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
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
			{ID: "attention", Title: "ATTENTION", Width: 10},
		},
		DefaultSort: "group",
		Tree:        true,
		Rank:        4,
		Scopes:      []string{"group", "framework"},
		Minimum:     []string{"group", "apps", "containers", "cpu_pct", "mem_bytes", "mem_pct", "net_rx_bps", "net_tx_bps"},
		TreeColumn:  "group",
		NameColumns: []string{"group"},
		Build:       buildMarathonGroups,
		Drill: func(r Row) (Target, bool) {
			return Target{View: "marathon-apps", Scope: Scope{Kind: "group", ID: r.Key}}, true
		},
	})
	register(&View{
		ID:    "marathon-apps",
		Title: "Marathon Apps",
		Columns: []Column{
			{ID: "app", Title: "APP", Width: 0, KeepEnd: true},
			{ID: "group", Title: "GROUP", Width: 14, Priority: 3, KeepEnd: true},
			{ID: "instances", Title: "INST", Unit: UnitCount, Number: true, Width: 4},
			{ID: "tasks_running", Title: "RUN", Unit: UnitCount, Number: true, Width: 4},
			{ID: "tasks_healthy", Title: "HLTHY", Unit: UnitCount, Number: true, Width: 5, Priority: 2},
			{ID: "containers", Title: "CONTAINERS", Unit: UnitCount, Number: true, Width: 5},
			{ID: "cpu_pct", Title: "CPU%", Unit: UnitPct, Number: true, Width: 6},
			{ID: "mem_bytes", Title: "MEM", Unit: UnitBytes, Number: true, Width: 6},
			{ID: "mem_pct", Title: "MEM%", Unit: UnitPct, Number: true, Width: 5, Priority: 2},
			{ID: "net_rx_bps", Title: "NET RX", Unit: UnitBps, Number: true, Width: 7, Priority: 1},
			{ID: "net_tx_bps", Title: "NET TX", Unit: UnitBps, Number: true, Width: 7, Priority: 1},
			{ID: "tasks_staged", Title: "STAGED", Unit: UnitCount, Number: true, Width: 4, Priority: 9},
			{ID: "tasks_unhealthy", Title: "UNHLTHY", Unit: UnitCount, Number: true, Width: 4, Priority: 3},
			{ID: "deployments", Title: "DEPLOY", Unit: UnitCount, Number: true, Width: 4, Priority: 9},
			{ID: "delayed", Title: "DELAYED", Width: 5, Priority: 9},
			{ID: "last_failure", Title: "LAST FAILURE", Width: 24, Priority: 5, Explains: true},
			{ID: "last_failure_s", Title: "FAILED", Unit: UnitSeconds, Number: true, Width: 8, Priority: 4},
			{ID: "attention", Title: "ATTENTION", Width: 16, Explains: true},
		},
		DefaultSort: "cpu_pct",
		DefaultDesc: true,
		Rank:        3,
		Scopes:      []string{"app", "group", "framework"},
		Minimum:     []string{"app", "group", "instances", "tasks_running", "tasks_healthy", "containers", "cpu_pct", "mem_bytes", "mem_pct", "net_rx_bps", "net_tx_bps", "tasks_unhealthy", "last_failure", "last_failure_s", "attention"},
		NameColumns: []string{"app", "group"},
		Build:       buildMarathonApps,
		Actions:     marathonAppActions,
		Target:      marathonTarget,
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
			{ID: "attention", Title: "ATTENTION", Width: 10},
		},
		DefaultSort: "cpu_pct",
		DefaultDesc: true,
		Rank:        5,
		Minimum:     []string{"framework_id", "framework", "active", "tasks", "containers", "cpu_pct", "mem_bytes"},
		NameColumns: []string{"framework"},
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
			{ID: "reason", Title: "REASON", Width: 16, Priority: 4, Explains: true},
			{ID: "message", Title: "MESSAGE", Width: 30, Priority: 3, Explains: true},
			{ID: "state_age_s", Title: "AGE", Unit: UnitSeconds, Number: true, Width: 8, Priority: 3},
			{ID: "attention", Title: "ATTENTION", Width: 16, Explains: true},
		},
		DefaultSort: "cpu_pct",
		DefaultDesc: true,
		// The breadcrumb has named a task by its framework so far: kept.
		Rank:        6,
		Scopes:      []string{"task", "app", "group", "framework"},
		Minimum:     []string{"task_id", "task", "framework", "state", "agent", "container_id", "cpu_pct", "mem_bytes", "reason", "message", "attention"},
		NameColumns: []string{"framework", "task"},
		Build:       buildMesosTasks,
		Actions:     marathonTaskActions,
		Target:      marathonTarget,
		Drill: func(r Row) (Target, bool) {
			return Target{View: "containers", Scope: Scope{Kind: "task", ID: r.Key}}, true
		},
		Log: logTarget("task"),
	})
}

// figures sums this node's containers for one cluster row.
type figures struct {
	n        int
	rated    int // containers with rates (CPU, network)
	netRated int
	cpu      float64
	mem      float64
	rx, tx   float64
}

func (f *figures) add(c *model.Container) {
	f.n++
	f.mem += float64(c.Mem.Used)
	if c.HasRates {
		f.rated++
		f.cpu += c.CPUPct
		if c.Net != nil {
			f.netRated++
			f.rx += c.NetRxBps
			f.tx += c.NetTxBps
		}
	}
}

// cpuValue is 0 with no container, nil when none has rates yet (the first
// refresh), else the sum.
func (f *figures) cpuValue() any { return f.rateOf(f.rated, f.cpu) }
func (f *figures) rxValue() any  { return f.rateOf(f.netRated, f.rx) }
func (f *figures) txValue() any  { return f.rateOf(f.netRated, f.tx) }

func (f *figures) rateOf(rated int, v float64) any {
	if f.n == 0 {
		return 0.0
	}
	if rated == 0 {
		return nil
	}
	return v
}

// memPct is the share of the host's memory, nil when that is unknown.
func (f *figures) memPct(s *model.Snapshot) any {
	if s.Memory.Total == 0 {
		return nil
	}
	return f.mem / float64(s.Memory.Total) * 100
}

// clusterIndex holds the lookups the four views share.
type clusterIndex struct {
	c          *model.Cluster
	appOfTask  map[string]string
	failedApp  map[string]*model.App // lastTaskFailure's task id → its app
	appIDs     map[string]bool       // the cluster's apps
	frameworks map[string]*model.Framework
	apps       []model.App   // cluster apps plus apps known only from containers' env
	groups     []model.Group // cluster groups plus those the apps imply
}

func newClusterIndex(s *model.Snapshot) *clusterIndex {
	c := s.Cluster
	if c == nil {
		c = &model.Cluster{}
	}
	ix := &clusterIndex{c: c, appOfTask: map[string]string{}, failedApp: map[string]*model.App{}, frameworks: map[string]*model.Framework{}}
	for i := range c.Frameworks {
		ix.frameworks[c.Frameworks[i].ID] = &c.Frameworks[i]
	}
	seenApp := map[string]bool{}
	ix.appIDs = seenApp
	for i, a := range c.Apps {
		seenApp[a.ID] = true
		for _, t := range a.TaskIDs {
			ix.appOfTask[t] = a.ID
		}
		if a.LastFailureTask != "" {
			ix.failedApp[a.LastFailureTask] = &c.Apps[i]
		}
	}
	ix.apps = slices.Clip(c.Apps) // appends below must not write into the shared snapshot
	// Apps that only a container's MARATHON_APP_ID names (no Marathon).
	for i := range s.Containers {
		cl := &s.Containers[i].Cluster
		if cl.App != "" && !seenApp[cl.App] {
			seenApp[cl.App] = true
			ix.apps = append(ix.apps, model.App{ID: cl.App, Group: cl.Group, Instances: -1})
		}
	}
	seenGroup := map[string]bool{}
	for _, g := range c.Groups {
		seenGroup[g.ID] = true
	}
	ix.groups = slices.Clip(c.Groups)
	for _, a := range ix.apps {
		for g := a.Group; g != "" && !seenGroup[g]; g = parentGroup(g) {
			seenGroup[g] = true
			ix.groups = append(ix.groups, model.Group{ID: g, Parent: parentGroup(g)})
		}
	}
	return ix
}

// parentGroup is a Marathon path's parent: "/a/b" → "/a", "/a" → "/", "/" → "".
func parentGroup(id string) string {
	if id == "/" || id == "" {
		return ""
	}
	i := strings.LastIndexByte(strings.TrimSuffix(id, "/"), '/')
	if i <= 0 {
		return "/"
	}
	return id[:i]
}

// isMarathon says whether a framework scope (id or name) names the Marathon
// whose groups and apps the cluster holds.
func (ix *clusterIndex) isMarathon(f string) bool {
	id := ix.c.MarathonFrameworkID
	if id == "" {
		for _, fw := range ix.c.Frameworks {
			if fw.Name == "marathon" {
				id = fw.ID
			}
		}
	}
	if id == "" {
		return f == "marathon"
	}
	if f == id {
		return true
	}
	fw := ix.frameworks[id]
	return fw != nil && fw.Name == f
}

// appOf is the Marathon app of a task, "" when none. A task Marathon no
// longer lists (a finished one) is placed by its id, which Marathon makes
// of the app id with "/" as "_" ("development_logging.<uuid>" is
// /development/logging's): an app id cannot hold "_", so this is exact.
func (ix *clusterIndex) appOf(taskID string) string {
	if a := ix.appOfTask[taskID]; a != "" {
		return a
	}
	prefix, _, ok := strings.Cut(taskID, ".")
	if !ok || prefix == "" {
		return ""
	}
	if id := "/" + strings.ReplaceAll(prefix, "_", "/"); ix.appIDs[id] {
		return id
	}
	return ""
}

// containers returns this node's containers in scope.
func containersInScope(s *model.Snapshot, scope []Scope) []*model.Container {
	var out []*model.Container
	for i := range s.Containers {
		if ContainerInScope(&s.Containers[i], scope) {
			out = append(out, &s.Containers[i])
		}
	}
	return out
}

// marathonIDInScope says whether a Marathon group or app id, in the given
// group (for an app, its parent), passes every scope. containerApps are the
// apps of the containers in scope, for the container kind.
func (ix *clusterIndex) marathonIDInScope(id string, isApp bool, scope []Scope, containerApps map[string]bool) bool {
	for _, sc := range scope {
		ok := true
		switch sc.Kind {
		case "group":
			g := id
			if isApp {
				g = parentGroup(id)
			}
			ok = InGroup(g, sc.ID)
		case "framework":
			ok = ix.isMarathon(sc.ID)
		case "app":
			if isApp {
				ok = id == sc.ID
			} else {
				ok = InGroup(sc.ID, id)
			}
		case "task":
			a := ix.appOf(sc.ID)
			if isApp {
				ok = a != "" && a == id
			} else {
				ok = a != "" && InGroup(a, id)
			}
		case "container":
			ok = false
			for a := range containerApps {
				if (isApp && a == id) || (!isApp && InGroup(a, id)) {
					ok = true
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func appsOf(cs []*model.Container) map[string]bool {
	m := map[string]bool{}
	for _, c := range cs {
		if c.Cluster.App != "" {
			m[c.Cluster.App] = true
		}
	}
	return m
}

// buildMarathonGroups lists every group; a group's figures include its
// subgroups'. In tree mode rows come parent first with Depth relative to
// the shallowest row.
func buildMarathonGroups(s *model.Snapshot, scope []Scope, tree bool) []Row {
	ix := newClusterIndex(s)
	cs := containersInScope(s, scope)
	capps := appsOf(cs)
	var rows []Row
	for _, g := range ix.groups {
		if !ix.marathonIDInScope(g.ID, false, scope, capps) {
			continue
		}
		apps, look := 0, 0
		for i := range ix.apps {
			a := &ix.apps[i]
			if InGroup(a.Group, g.ID) && ix.marathonIDInScope(a.ID, true, scope, capps) {
				apps++
				if appAttention(a, s.Time) != "" {
					look++
				}
			}
		}
		var f figures
		for _, c := range cs {
			if c.Cluster.Group != "" && InGroup(c.Cluster.Group, g.ID) {
				f.add(c)
			}
		}
		rows = append(rows, Row{Key: g.ID, Depth: groupDepth(g.ID), Attention: look > 0, Values: []any{
			g.ID, float64(apps), float64(f.n), f.cpuValue(), f.mem, f.memPct(s), f.rxValue(), f.txValue(), countOf(look, "app"),
		}})
	}
	if tree {
		sortTree(rows)
	}
	return rows
}

// groupDepth is the number of path segments: "/" 0, "/a" 1, "/a/b" 2.
func groupDepth(id string) int {
	if id == "/" || id == "" {
		return 0
	}
	return strings.Count(strings.TrimSuffix(id, "/"), "/")
}

// sortTree orders group rows depth-first (a parent before its children,
// siblings by name) and makes Depth relative to the shallowest row.
func sortTree(rows []Row) {
	sort.SliceStable(rows, func(i, j int) bool {
		return treeKey(rows[i].Key) < treeKey(rows[j].Key)
	})
	minDepth := -1
	for _, r := range rows {
		if minDepth < 0 || r.Depth < minDepth {
			minDepth = r.Depth
		}
	}
	for i := range rows {
		rows[i].Depth -= minDepth
	}
}

// treeKey sorts paths so that "/a" < "/a/b" < "/a-b": '/' sorts first.
func treeKey(id string) string {
	if id == "/" {
		return ""
	}
	return strings.ReplaceAll(id, "/", "\x00")
}

// buildMarathonApps lists every app with Marathon's cluster-wide counts and
// this node's containers and figures.
func buildMarathonApps(s *model.Snapshot, scope []Scope, _ bool) []Row {
	ix := newClusterIndex(s)
	cs := containersInScope(s, scope)
	capps := appsOf(cs)
	var rows []Row
	for i := range ix.apps {
		a := &ix.apps[i]
		if !ix.marathonIDInScope(a.ID, true, scope, capps) {
			continue
		}
		var f figures
		for _, c := range cs {
			if c.Cluster.App == a.ID {
				f.add(c)
			}
		}
		// Instances -1: an app known only from a container's env.
		known := a.Instances >= 0
		why := appAttention(a, s.Time)
		var failedS any
		if !a.LastFailureAt.IsZero() {
			failedS = max(s.Time.Sub(a.LastFailureAt).Seconds(), 0)
		}
		rows = append(rows, Row{Key: a.ID, Attention: why != "", Values: []any{
			a.ID, text(a.Group),
			rate(known, float64(a.Instances)), rate(known, float64(a.TasksRunning)), rate(known, float64(a.TasksHealthy)),
			float64(f.n), f.cpuValue(), f.mem, f.memPct(s), f.rxValue(), f.txValue(),
			count(a.TasksStaged), count(a.TasksUnhealthy), count(a.Deployments), flag(a.Delayed),
			text(a.LastFailure), failedS, text(why),
		}})
	}
	return rows
}

// buildMesosFrameworks lists every framework with its cluster-wide running
// tasks and this node's containers.
func buildMesosFrameworks(s *model.Snapshot, scope []Scope, _ bool) []Row {
	ix := newClusterIndex(s)
	cs := containersInScope(s, scope)
	var rows []Row
	for _, fw := range ix.c.Frameworks {
		var f figures
		for _, c := range cs {
			if c.Cluster.FrameworkID == fw.ID {
				f.add(c)
			}
		}
		if !ix.frameworkInScope(&fw, scope, f.n) {
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

// count is an optional counter's value, nil when unknown.
func count(n *int) any {
	if n == nil {
		return nil
	}
	return float64(*n)
}

// flag is an optional yes/no as "true"/"false", nil when unknown.
func flag(b *bool) any {
	if b == nil {
		return nil
	}
	return strconv.FormatBool(*b)
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

// buildMesosTasks lists every task of the cluster; a task running on this
// node has its container and figures, the others nil.
func buildMesosTasks(s *model.Snapshot, scope []Scope, _ bool) []Row {
	ix := newClusterIndex(s)
	byTask := map[string][]*model.Container{}
	for i := range s.Containers {
		c := &s.Containers[i]
		if c.Cluster.TaskID != "" {
			byTask[c.Cluster.TaskID] = append(byTask[c.Cluster.TaskID], c)
		}
	}
	var rows []Row
	keys := make(map[string]bool, len(ix.c.Tasks))
	for i := range ix.c.Tasks {
		t := &ix.c.Tasks[i]
		local := byTask[t.ID]
		if t.Finished {
			local = nil // what runs here is the live task's
		}
		if !ix.taskInScope(t, scope, local) {
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
		msg := t.Message
		if a := ix.failedApp[t.ID]; msg == "" && a != nil {
			msg = a.LastFailure
		}
		var age any
		if !t.StateSince.IsZero() {
			age = max(s.Time.Sub(t.StateSince).Seconds(), 0)
		}
		why := taskAttention(t, s.Time)
		key := t.ID
		if keys[key] { // a master may remember one id twice
			key += "@" + strconv.FormatInt(t.StateSince.UnixNano(), 10)
		}
		keys[key] = true
		rows = append(rows, Row{Key: key, Attention: why != "", Values: []any{
			t.ID, text(t.Name), text(fwName), text(t.State), text(agent), cid, cpu, mem,
			text(t.Reason), text(msg), age, text(why),
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
			ok = a != "" && InGroup(parentGroup(a), sc.ID)
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
