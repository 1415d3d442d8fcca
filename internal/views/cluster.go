package views

import (
	"slices"
	"strconv"
	"strings"

	"github.com/ctop-like/ctop-like/internal/model"
)

// What the four cluster views (marathon-groups, marathon-apps,
// mesos-frameworks, mesos-tasks) share: the figures of a row's containers
// on this node, and the lookups over the cluster state and its scopes.

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
		if a.LastFailureTask != "" {
			ix.failedApp[a.LastFailureTask] = &c.Apps[i]
		}
	}
	// Only the tasks whose id does not name their app (see appOf) are
	// kept by id: a map of 100,000 task ids was 5 MB more at the peak of
	// -v mesos-tasks.
	for _, a := range c.Apps {
		named := "" // the prefix of the task ids that name a
		if strings.HasPrefix(a.ID, "/") && !strings.Contains(a.ID, "_") {
			named = strings.ReplaceAll(a.ID[1:], "/", "_")
		}
		for _, t := range a.TaskIDs {
			if prefix, _, ok := strings.Cut(t, "."); !ok || prefix == "" || prefix != named {
				ix.appOfTask[t] = a.ID
			}
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
		for g := a.Group; g != "" && !seenGroup[g]; g = model.ParentGroup(g) {
			seenGroup[g] = true
			ix.groups = append(ix.groups, model.Group{ID: g, Parent: model.ParentGroup(g)})
		}
	}
	return ix
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
	return ix.appByTaskID(taskID)
}

// appByTaskID is the app a Marathon task id names, when the cluster has it.
func (ix *clusterIndex) appByTaskID(taskID string) string {
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
				g = model.ParentGroup(id)
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
