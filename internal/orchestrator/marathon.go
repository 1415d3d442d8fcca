package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
)

// marathonGroupsPath asks for the whole group tree with apps, their tasks,
// task counts, deployments and last task failure in one request (the query
// DC/OS's UI sends). A Marathon that does not know an embed ignores it
// (InfoEmbedResolver logs "unknown app embed argument"): its apps then
// lack the member, which shows as n/a.
const marathonGroupsPath = "/v2/groups?embed=group.groups&embed=group.apps&embed=group.apps.tasks&embed=group.apps.counts" +
	"&embed=group.apps.deployments&embed=group.apps.lastTaskFailure"

// marathonAppsGroupsPath asks for the group tree with apps, counts,
// deployments and last failures but no tasks: a view that shows apps
// needs them, not the cluster's every task (a task's app is in its id,
// MarathonAppOf).
const marathonAppsGroupsPath = "/v2/groups?embed=group.groups&embed=group.apps&embed=group.apps.counts" +
	"&embed=group.apps.deployments&embed=group.apps.lastTaskFailure"

// marathonAppsPath is the flat fallback for a Marathon whose /v2/groups
// cannot embed tasks.
const marathonAppsPath = "/v2/apps?embed=apps.tasks&embed=apps.counts&embed=apps.deployments&embed=apps.lastTaskFailure"

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
	// embed=apps.counts; nil when missing.
	TasksStaged    *int `json:"tasksStaged"`
	TasksUnhealthy *int `json:"tasksUnhealthy"`
	// embed=apps.deployments: nil when missing, empty when none runs.
	Deployments []struct {
		ID string `json:"id"`
	} `json:"deployments"`
	// embed=apps.lastTaskFailure: nil when missing or the app never failed.
	LastTaskFailure *lastFailure `json:"lastTaskFailure"`
	// Its constraints, ports and resources.
	def appDef
	// The app definition's labels.
	Labels model.Labels `json:"-"`
}

type lastFailure struct {
	TaskID    string `json:"taskId"`
	State     string `json:"state"`
	Message   string `json:"message"`
	Timestamp string `json:"timestamp"`
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
	withTasks   bool   // the apps' TaskIDs came embedded
	Dropped     string // apps or tasks over the bounds; "" for none
}

func decodeMarathonGroups(r io.Reader) (*marathonGroup, error) {
	var g marathonGroup
	var mr marathonRead
	if err := httpapi.DecodeStream(r, func(s *httpapi.Stream) error { return mr.group(s, &g, 0) }); err != nil {
		return nil, err
	}
	if g.ID == "" {
		return nil, httpapi.Payloadf("unexpected JSON: no group id (not a /v2/groups answer)")
	}
	return &g, nil
}

func decodeMarathonApps(r io.Reader) (*marathonApps, error) {
	var a marathonApps
	var mr marathonRead
	if err := httpapi.DecodeStream(r, mr.appsAnswer(&a)); err != nil {
		return nil, err
	}
	if a.Apps == nil {
		return nil, httpapi.Payloadf("unexpected JSON: no apps list (not a /v2/apps answer)")
	}
	return &a, nil
}

// appsAnswer reads a /v2/apps answer into a.
func (r *marathonRead) appsAnswer(a *marathonApps) func(*httpapi.Stream) error {
	return func(s *httpapi.Stream) error {
		return s.EachMember(func(k []byte) error {
			if string(k) != "apps" {
				return s.Skip()
			}
			return r.appList(s, &a.Apps)
		})
	}
}

// fetchMarathon reads Marathon's groups and apps from e, with their tasks
// when withTasks, and its framework id from /v2/info when info is nil.
func fetchMarathon(ctx context.Context, c *httpapi.Client, e *httpapi.Endpoint, info *marathonInfo, withTasks bool) (*marathonPart, *marathonInfo, error) {
	if info == nil {
		var in marathonInfo
		if _, err := c.GetJSON(ctx, e, "/v2/info", &in); err == nil {
			info = &in
		} else if isNetErr(err) {
			return nil, nil, err
		}
	}
	var root marathonGroup
	var mr marathonRead
	path := marathonAppsGroupsPath
	if withTasks {
		path = marathonGroupsPath
	}
	_, err := c.GetStream(ctx, e, path, func(s *httpapi.Stream) error { return mr.group(s, &root, 0) })
	var se *httpapi.StatusError
	if errors.As(err, &se) && se.Code == http.StatusNotFound {
		var apps marathonApps
		mr = marathonRead{}
		if _, err := c.GetStream(ctx, e, marathonAppsPath, mr.appsAnswer(&apps)); err != nil {
			return nil, info, err
		}
		if apps.Apps == nil {
			return nil, info, httpapi.Payloadf("unexpected JSON: no apps list (not a /v2/apps answer)")
		}
		root = marathonGroup{ID: "/", Apps: apps.Apps}
	} else if err != nil {
		return nil, info, err
	}
	if root.ID == "" {
		return nil, info, httpapi.Payloadf("unexpected JSON: no group id (not a /v2/groups answer)")
	}
	p := buildMarathon(&root)
	p.URL = e.String()
	p.withTasks = withTasks
	if mr.dropped > 0 {
		p.Dropped = fmt.Sprintf("%d apps or tasks not listed: over the %d this tool keeps of one answer", mr.dropped, maxTasks)
	}
	// The launch queue is extra: a Marathon without it (or failing it)
	// leaves Delayed nil, shown as n/a, and is no error.
	var q marathonQueue
	var qr marathonRead
	if _, err := c.GetStream(ctx, e, marathonQueuePath, func(s *httpapi.Stream) error { return qr.queue(s, &q) }); err == nil && q.Queue != nil {
		applyQueue(p.Apps, &q)
	}
	if info != nil {
		p.FrameworkID = info.FrameworkID
	}
	return p, info, nil
}

// appsWithTasks gives each app the Mesos tasks whose ids name it (when
// Marathon was not asked for its tasks): those of Marathon's framework
// (marathonFW, or one named marathon), by MarathonAppOf, of an app
// Marathon has. The apps are copied; the answer's stay as they are.
func appsWithTasks(apps []model.App, tasks []model.Task, marathonFW string, isMarathon func(string) bool) []model.App {
	if len(apps) == 0 {
		return apps
	}
	byID := make(map[string]int, len(apps))
	for i := range apps {
		byID[apps[i].ID] = i
	}
	// Each task's app first, then each app's list made to its size: lists
	// grown by append were up to twice that, 100,000 tasks' ids held by
	// the shown cluster and the one assembled.
	appOf := make([]int32, len(tasks))
	count := make([]int, len(apps))
	for i := range tasks {
		appOf[i] = -1
		t := &tasks[i]
		if t.Finished || t.FrameworkID != marathonFW && !isMarathon(t.FrameworkID) {
			continue
		}
		if k, ok := byID[MarathonAppOf(t.ID)]; ok {
			appOf[i] = int32(k)
			count[k]++
		}
	}
	ids := make([][]string, len(apps))
	for i, k := range appOf {
		if k < 0 {
			continue
		}
		if ids[k] == nil {
			ids[k] = make([]string, 0, count[k])
		}
		ids[k] = append(ids[k], tasks[i].ID)
	}
	out := make([]model.App, len(apps))
	copy(out, apps)
	for i := range out {
		out[i].TaskIDs = ids[i]
	}
	return out
}

// isNetErr says whether err means the server was not reached at all (so a
// second request would fail the same way).
func isNetErr(err error) bool {
	var se *httpapi.StatusError
	var pe *httpapi.PayloadError
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
			ma := model.App{ID: id, Group: ParentPath(id), Instances: a.Instances, Labels: a.Labels}
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
			ma.TasksStaged, ma.TasksUnhealthy = a.TasksStaged, a.TasksUnhealthy
			ma.Constraints, ma.Ports = a.def.constraintList(), a.def.fixedPorts()
			if a.Deployments != nil {
				n := len(a.Deployments)
				ma.Deployments = &n
			}
			if f := a.LastTaskFailure; f != nil {
				ma.LastFailure, ma.LastFailureTask = f.Message, f.TaskID
				if ma.LastFailure == "" {
					ma.LastFailure = f.State
				}
				if at, err := time.Parse(time.RFC3339Nano, f.Timestamp); err == nil {
					ma.LastFailureAt = at.UTC()
				}
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
