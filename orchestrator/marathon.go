package orchestrator

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/ctop-like/ctop-like/model"
)

// marathonGroupsPath asks for the whole group tree with apps, their tasks
// and task counts in one request (the query DC/OS's UI sends).
const marathonGroupsPath = "/v2/groups?embed=group.groups&embed=group.apps&embed=group.apps.tasks&embed=group.apps.counts"

// marathonAppsPath is the flat fallback for a Marathon whose /v2/groups
// cannot embed tasks.
const marathonAppsPath = "/v2/apps?embed=apps.tasks&embed=apps.counts"

// marathonGroup is a /v2/groups node: its apps and its subgroups.
type marathonGroup struct {
	ID     string          `json:"id"`
	Apps   []marathonApp   `json:"apps"`
	Groups []marathonGroup `json:"groups"`
}

// marathonApp is an app with the counters of embed=apps.counts and the
// tasks of embed=apps.tasks; counters missing from the answer stay nil.
type marathonApp struct {
	ID           string         `json:"id"`
	Instances    int            `json:"instances"`
	TasksRunning *int           `json:"tasksRunning"`
	TasksHealthy *int           `json:"tasksHealthy"`
	Tasks        []marathonTask `json:"tasks"`
}

type marathonTask struct {
	ID                 string `json:"id"`
	State              string `json:"state"`
	HealthCheckResults []struct {
		Alive bool `json:"alive"`
	} `json:"healthCheckResults"`
}

type marathonApps struct {
	Apps []marathonApp `json:"apps"`
}

type marathonInfo struct {
	FrameworkID string `json:"frameworkId"`
	Version     string `json:"version"`
}

// marathonPart is what one Marathon poll contributes to a model.Cluster.
type marathonPart struct {
	URL         string // redacted
	FrameworkID string
	Groups      []model.Group
	Apps        []model.App
}

func decodeMarathonGroups(r io.Reader) (*marathonGroup, error) {
	var g marathonGroup
	if err := decodeJSON(r, &g); err != nil {
		return nil, err
	}
	if g.ID == "" {
		return nil, payloadErrorf("unexpected JSON: no group id (not a /v2/groups answer)")
	}
	return &g, nil
}

func decodeMarathonApps(r io.Reader) (*marathonApps, error) {
	var a marathonApps
	if err := decodeJSON(r, &a); err != nil {
		return nil, err
	}
	if a.Apps == nil {
		return nil, payloadErrorf("unexpected JSON: no apps list (not a /v2/apps answer)")
	}
	return &a, nil
}

// fetchMarathon reads Marathon's groups and apps from e, and its framework
// id from /v2/info when info is nil.
func (c *client) fetchMarathon(ctx context.Context, e *endpoint, info *marathonInfo) (*marathonPart, *marathonInfo, error) {
	if info == nil {
		var in marathonInfo
		if _, err := c.getJSON(ctx, e, "/v2/info", &in); err == nil {
			info = &in
		} else if isNetErr(err) {
			return nil, nil, err
		}
	}
	var root marathonGroup
	_, err := c.getJSON(ctx, e, marathonGroupsPath, &root)
	var se *statusError
	if errors.As(err, &se) && se.Code == http.StatusNotFound {
		var apps marathonApps
		if _, err := c.getJSON(ctx, e, marathonAppsPath, &apps); err != nil {
			return nil, info, err
		}
		if apps.Apps == nil {
			return nil, info, payloadErrorf("unexpected JSON: no apps list (not a /v2/apps answer)")
		}
		root = marathonGroup{ID: "/", Apps: apps.Apps}
	} else if err != nil {
		return nil, info, err
	}
	if root.ID == "" {
		return nil, info, payloadErrorf("unexpected JSON: no group id (not a /v2/groups answer)")
	}
	p := buildMarathon(&root)
	p.URL = e.String()
	if info != nil {
		p.FrameworkID = info.FrameworkID
	}
	return p, info, nil
}

// isNetErr says whether err means the server was not reached at all (so a
// second request would fail the same way).
func isNetErr(err error) bool {
	var se *statusError
	var pe *payloadError
	return err != nil && !errors.As(err, &se) && !errors.As(err, &pe)
}

// buildMarathon flattens a group tree into groups and apps. Every group
// path is listed, with "/" and any intermediate group an app's id implies.
func buildMarathon(root *marathonGroup) *marathonPart {
	p := &marathonPart{}
	groups := map[string]bool{"/": true}
	var walk func(g *marathonGroup)
	walk = func(g *marathonGroup) {
		addGroupPath(groups, normPath(g.ID))
		for i := range g.Apps {
			a := &g.Apps[i]
			id := normPath(a.ID)
			ma := model.App{ID: id, Group: ParentPath(id), Instances: a.Instances}
			running, healthy := 0, 0
			for _, t := range a.Tasks {
				ma.TaskIDs = append(ma.TaskIDs, t.ID)
				if t.State == "" || t.State == "TASK_RUNNING" {
					running++
				}
				if len(t.HealthCheckResults) > 0 {
					ok := true
					for _, h := range t.HealthCheckResults {
						ok = ok && h.Alive
					}
					if ok {
						healthy++
					}
				}
			}
			// Marathon's own counters when present; else what the
			// embedded tasks say.
			ma.TasksRunning, ma.TasksHealthy = running, healthy
			if a.TasksRunning != nil {
				ma.TasksRunning = *a.TasksRunning
			}
			if a.TasksHealthy != nil {
				ma.TasksHealthy = *a.TasksHealthy
			}
			addGroupPath(groups, ma.Group)
			p.Apps = append(p.Apps, ma)
		}
		for i := range g.Groups {
			walk(&g.Groups[i])
		}
	}
	walk(root)
	for id := range groups {
		gr := model.Group{ID: id}
		if id != "/" {
			gr.Parent = ParentPath(id)
		}
		p.Groups = append(p.Groups, gr)
	}
	sort.Slice(p.Groups, func(i, j int) bool { return p.Groups[i].ID < p.Groups[j].ID })
	sort.Slice(p.Apps, func(i, j int) bool { return p.Apps[i].ID < p.Apps[j].ID })
	return p
}

// addGroupPath adds a group and all its ancestors.
func addGroupPath(groups map[string]bool, id string) {
	for id != "" && !groups[id] {
		groups[id] = true
		id = ParentPath(id)
	}
}

// normPath makes a Marathon id absolute and without a trailing slash.
func normPath(id string) string {
	if id == "" || id == "/" {
		return "/"
	}
	if !strings.HasPrefix(id, "/") {
		id = "/" + id
	}
	return strings.TrimSuffix(id, "/")
}

// ParentPath is a Marathon id's parent group: "/a/b/app" → "/a/b",
// "/app" → "/", "/" → "".
func ParentPath(id string) string {
	id = normPath(id)
	if id == "/" {
		return ""
	}
	i := strings.LastIndexByte(id, '/')
	if i <= 0 {
		return "/"
	}
	return id[:i]
}
