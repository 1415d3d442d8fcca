package views

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/ctop-like/ctop-like/internal/model"
)

// InGroup reports whether a Marathon id (group or app path) lies in group g,
// subgroups included: "/shop/api" is in "/shop" and in "/", not in "/sho".
func InGroup(id, g string) bool {
	if g == "/" || g == "" {
		return true
	}
	g = strings.TrimSuffix(g, "/")
	return id == g || strings.HasPrefix(id, g+"/")
}

// ContainerInScope reports whether a container belongs to every scope given.
func ContainerInScope(c *model.Container, scope []Scope) bool {
	for _, sc := range scope {
		if !containerIn(c, sc) {
			return false
		}
	}
	return true
}

func containerIn(c *model.Container, sc Scope) bool {
	cl := &c.Cluster
	switch sc.Kind {
	case "container":
		return model.IDNames(sc.ID, c.ID) || c.Name == sc.ID ||
			c.ContainerdNamespace != "" && c.Key() == sc.ID
	case "task":
		return cl.TaskID != "" && cl.TaskID == sc.ID
	case "app":
		return cl.App != "" && cl.App == sc.ID
	case "group":
		return cl.Group != "" && InGroup(cl.Group, sc.ID)
	case "framework":
		return (cl.FrameworkID != "" && cl.FrameworkID == sc.ID) || (cl.Framework != "" && cl.Framework == sc.ID)
	case "agent":
		return c.Agent != "" && (c.AgentID == sc.ID || c.Agent == sc.ID)
	}
	return false
}

// ContainerIDsInScope returns the keys (model.ContainerSample.Key) of the
// snapshot's containers in scope; nil (not empty) when scope is empty,
// meaning "no restriction".
func ContainerIDsInScope(s *model.Snapshot, scope []Scope) map[string]bool {
	if len(scope) == 0 {
		return nil
	}
	ids := map[string]bool{}
	for i := range s.Containers {
		if ContainerInScope(&s.Containers[i], scope) {
			ids[s.Containers[i].Key()] = true
		}
	}
	return ids
}

// scopeID returns the id of the first scope of a kind, or "".
func scopeID(scope []Scope, kind string) string {
	for _, sc := range scope {
		if sc.Kind == kind {
			return sc.ID
		}
	}
	return ""
}

// MissingScope says which scope of a command line (--scope) matches
// nothing in a snapshot, naming what exists (DESIGN: a usage error); nil
// when each matches something. With clusterPending (Mesos and Marathon
// asked but not answered yet) a framework, group, app or task is judged
// only by what the node's containers say of themselves, and never missing.
func MissingScope(s *model.Snapshot, scope []Scope, clusterPending bool) error {
	for _, sc := range scope {
		found, known := scopeEntities(s, sc)
		if found || clusterPending && sc.Kind != "container" && sc.Kind != "pid" {
			continue
		}
		what := "none"
		if len(known) > 0 {
			what = strings.Join(known, ", ")
		}
		return fmt.Errorf("%s matches nothing; %s", sc, entitiesSentence(sc.Kind, what, len(known)))
	}
	return nil
}

// entitiesListed bounds the names MissingScope's error lists.
const entitiesListed = 10

// entitiesSentence names what exists of a kind: "containers here: a, b".
func entitiesSentence(kind, what string, n int) string {
	switch kind {
	case "pid":
		return fmt.Sprintf("this node has %d processes (see -v processes)", n)
	case "container":
		return "containers here (name or id): " + what
	}
	return kind + "s known: " + what
}

// scopeEntities says whether something of the scope's kind matches it, and
// lists what the snapshot has of that kind (the first entitiesListed,
// sorted, then how many in all).
func scopeEntities(s *model.Snapshot, sc Scope) (found bool, known []string) {
	seen := map[string]bool{}
	add := func(name string) {
		if name != "" {
			seen[name] = true
		}
	}
	if sc.Kind == "pid" {
		pid, _ := strconv.Atoi(sc.ID)
		for i := range s.Processes {
			if s.Processes[i].PID == pid {
				return true, nil
			}
		}
		return false, make([]string, len(s.Processes))
	}
	for i := range s.Containers {
		c := &s.Containers[i]
		if containerIn(c, sc) {
			return true, nil
		}
		switch sc.Kind {
		case "container":
			add(c.Name)
		case "task":
			add(c.Cluster.TaskID)
		case "app":
			add(c.Cluster.App)
		case "group":
			add(c.Cluster.Group)
		case "framework":
			add(c.Cluster.Framework)
		}
	}
	if cl := s.Cluster; cl != nil {
		if found = clusterHas(cl, sc, add); found {
			return true, nil
		}
	}
	known = slices.Sorted(maps.Keys(seen))
	if len(known) > entitiesListed {
		known = append(known[:entitiesListed], fmt.Sprintf("… (%d in all)", len(seen)))
	}
	return false, known
}

// clusterHas says whether the cluster state has the scope's entity, and
// adds the names it has of that kind.
func clusterHas(cl *model.Cluster, sc Scope, add func(string)) bool {
	switch sc.Kind {
	case "task":
		for _, t := range cl.Tasks {
			if t.ID == sc.ID {
				return true
			}
			add(t.ID)
		}
	case "app":
		for _, a := range cl.Apps {
			if a.ID == sc.ID {
				return true
			}
			add(a.ID)
		}
	case "group":
		for _, g := range cl.Groups {
			if InGroup(g.ID, sc.ID) {
				return true
			}
			add(g.ID)
		}
		for _, a := range cl.Apps {
			if InGroup(a.Group, sc.ID) {
				return true
			}
		}
	case "framework":
		for _, f := range cl.Frameworks {
			if f.ID == sc.ID || f.Name == sc.ID {
				return true
			}
			add(f.Name)
		}
	}
	return false
}
