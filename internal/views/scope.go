package views

import (
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
		return c.ID == sc.ID || (len(sc.ID) >= 12 && strings.HasPrefix(c.ID, sc.ID)) || c.Name == sc.ID ||
			c.ContainerdNamespace != "" && c.Key() == sc.ID
	case "task":
		return cl.TaskID != "" && cl.TaskID == sc.ID
	case "app":
		return cl.App != "" && cl.App == sc.ID
	case "group":
		return cl.Group != "" && InGroup(cl.Group, sc.ID)
	case "framework":
		return (cl.FrameworkID != "" && cl.FrameworkID == sc.ID) || (cl.Framework != "" && cl.Framework == sc.ID)
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
