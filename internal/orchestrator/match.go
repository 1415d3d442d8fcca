package orchestrator

import (
	"strings"

	"github.com/ctop-like/ctop-like/internal/model"
)

// taskEnvKeys are the env variables that carry a Mesos task id, first hit
// wins: Marathon's, Chronos's, then the executor id (which equals the task
// id for command tasks).
var taskEnvKeys = []string{"MESOS_TASK_ID", "mesos_task_id", "MESOS_EXECUTOR_ID"}

// minTaskIDLen: shorter ids are strays such as MESOS_TASK_ID=0.
const minTaskIDLen = 3

// Match places every container of s in the cluster c (which may be nil):
// task, framework, Marathon app and group, by DESIGN.md's rules, with
// its task's and app's labels. It only writes s.Containers[i].Cluster and
// ClusterLabels and is safe to call on a snapshot that is not yet
// published.
func Match(s *model.Snapshot, c *model.Cluster) {
	if s == nil {
		return
	}
	ix := newIndex(c, s.Containers)
	for i := range s.Containers {
		ct := &s.Containers[i].ContainerSample
		ct.Cluster, ct.ClusterLabels = ix.place(ct)
	}
}

// index holds the lookups Match needs, built once per call for the
// containers it places: a node runs a few of a cluster's 100,000 tasks,
// so the tasks and apps are indexed by what those containers name, not
// all of them (three maps of every task were 15 MB and 30-50 ms per
// refresh of -v mesos-tasks).
type index struct {
	tasks      map[string]*model.Task // by id, the ids the containers name
	byCID      map[string]*model.Task // by container id, those they carry
	frameworks map[string]string      // id → name
	appOfTask  map[string]*model.App
	apps       map[string]*model.App // by id
	marathon   string                // Marathon's framework id
	marathons  map[string]bool       // frameworks named marathon
}

// wanted is what the containers to place name: a task id each (place's
// tid) or, without one, the Mesos container ids they may carry.
func wanted(cts []model.Container) (tids, cids map[string]bool) {
	tids, cids = map[string]bool{}, map[string]bool{}
	for i := range cts {
		ct := &cts[i].ContainerSample
		if tid := containerTaskID(ct); tid != "" {
			tids[tid] = true
			continue
		}
		for _, cid := range containerIDCandidates(ct) {
			cids[cid] = true
		}
	}
	return tids, cids
}

func newIndex(c *model.Cluster, cts []model.Container) *index {
	ix := &index{}
	if c == nil {
		return ix
	}
	tids, cids := wanted(cts)
	// The tasks of a wanted id or container, then every task of those
	// ids: which one an id names (a live task wins over a remembered
	// one) is decided among the tasks of that id alone, as it was when
	// every task was indexed.
	byCID := map[string]bool{} // ids of the tasks of a wanted container
	if len(cids) > 0 {
		for i := range c.Tasks {
			for _, cid := range c.Tasks[i].ContainerIDs {
				if cids[cid] {
					byCID[c.Tasks[i].ID] = true
					break
				}
			}
		}
	}
	ix.tasks = make(map[string]*model.Task, len(tids)+len(byCID))
	ix.byCID = make(map[string]*model.Task, len(cids))
	if len(tids)+len(byCID) > 0 {
		for i := range c.Tasks {
			t := &c.Tasks[i]
			if !tids[t.ID] && !byCID[t.ID] {
				continue
			}
			if old := ix.tasks[t.ID]; old != nil && !old.Finished {
				continue // a live task wins over a remembered one
			}
			ix.tasks[t.ID] = t
			for _, cid := range t.ContainerIDs {
				if cids[cid] {
					ix.byCID[cid] = t
				}
			}
		}
	}
	ix.frameworks = make(map[string]string, len(c.Frameworks))
	ix.marathons = map[string]bool{}
	for _, f := range c.Frameworks {
		ix.frameworks[f.ID] = f.Name
		if f.Name == "marathon" {
			ix.marathons[f.ID] = true
		}
	}
	// The apps of the tasks placed: a container's own task id, or its
	// task's found by container id.
	for _, t := range ix.byCID {
		tids[t.ID] = true
	}
	ix.appOfTask = map[string]*model.App{}
	ix.apps = make(map[string]*model.App, len(c.Apps))
	for i := range c.Apps {
		ix.apps[c.Apps[i].ID] = &c.Apps[i]
		if len(tids) == 0 {
			continue
		}
		for _, tid := range c.Apps[i].TaskIDs {
			if tids[tid] {
				ix.appOfTask[tid] = &c.Apps[i]
			}
		}
	}
	ix.marathon = c.MarathonFrameworkID
	return ix
}

// containerTaskID is the task id a container names: its env's, or a
// remote source's word (--cluster: the agent's executor); "" for none.
func containerTaskID(ct *model.ContainerSample) string {
	tid := envTaskID(ct.Env)
	if tid == "" && len(ct.Cluster.TaskID) >= minTaskIDLen {
		tid = strings.TrimSpace(ct.Cluster.TaskID)
	}
	return tid
}

// place is where a container sits in the cluster, and the labels its
// task and app give it (the task's first; they are shared, not copied).
func (ix *index) place(ct *model.ContainerSample) (model.ClusterFields, model.Labels) {
	var f model.ClusterFields
	tid := containerTaskID(ct)
	var task *model.Task
	if tid != "" {
		task = ix.tasks[tid]
	} else {
		for _, cid := range containerIDCandidates(ct) {
			if t := ix.byCID[cid]; t != nil {
				task = t
				tid = t.ID
				break
			}
		}
	}
	f.TaskID = tid
	if task != nil {
		f.Task = task.Name
		f.FrameworkID = task.FrameworkID
	} else if tid != "" {
		// Known only from the env: show the id rather than n/a, and the
		// framework Mesos names in every executor's env.
		f.Task = tid
		f.FrameworkID = strings.TrimSpace(ct.Env["MESOS_FRAMEWORK_ID"])
		if f.FrameworkID == "" {
			f.FrameworkID = ct.Cluster.FrameworkID
		}
	}
	f.Framework = ix.frameworks[f.FrameworkID]
	var labels model.Labels
	if task != nil {
		labels = task.LabelList()
	}
	if a := ix.appOfTask[tid]; tid != "" && a != nil {
		f.App, f.Group = a.ID, a.Group
		if f.Group == "" {
			f.Group = ParentPath(a.ID)
		}
	} else if app := ix.marathonApp(tid, f.FrameworkID); app != "" {
		f.App, f.Group = app, ParentPath(app)
	} else if app := strings.TrimSpace(ct.Env["MARATHON_APP_ID"]); app != "" {
		f.App = normPath(app)
		f.Group = ParentPath(f.App)
	}
	if a := ix.apps[f.App]; f.App != "" && a != nil {
		labels = model.MergeLabels(labels, a.Labels)
	}
	return f, labels
}

// marathonApp is the app a task of Marathon's framework names in its id,
// when Marathon's apps (if read) have it: how a node whose view shows no
// Marathon app knows its tasks' apps without asking Marathon.
func (ix *index) marathonApp(taskID, frameworkID string) string {
	if taskID == "" || frameworkID == "" || frameworkID != ix.marathon && !ix.marathons[frameworkID] {
		return ""
	}
	app := MarathonAppOf(taskID)
	if app == "" || len(ix.apps) > 0 && ix.apps[app] == nil {
		return ""
	}
	return app
}

// envTaskID is the first usable task id in env, or "".
func envTaskID(env map[string]string) string {
	for _, k := range taskEnvKeys {
		if v := strings.TrimSpace(env[k]); len(v) >= minTaskIDLen {
			return v
		}
	}
	return ""
}

// containerIDCandidates are the Mesos container ids a container may carry:
// from a Docker name "mesos-<container-id>" or "mesos-<agent-id>.<container-id>"
// (".executor" suffix removed), or a Mesos containerizer id or cgroup
// "/mesos/<id>" (nested "/mesos/<parent>/mesos/<child>": child first).
func containerIDCandidates(ct *model.ContainerSample) []string {
	var out []string
	name := strings.TrimPrefix(ct.Name, "/")
	if rest, ok := strings.CutPrefix(name, "mesos-"); ok && rest != "" {
		rest = strings.TrimSuffix(rest, ".executor")
		if _, cid, ok := strings.Cut(rest, "."); ok && cid != "" {
			out = append(out, cid)
		}
		out = append(out, rest)
	}
	if ct.Runtime == model.RuntimeMesos && ct.ID != "" {
		out = append(out, ct.ID)
	}
	if strings.Contains(ct.Cgroup, "/mesos/") {
		parts := strings.Split(ct.Cgroup, "/")
		for i := len(parts) - 1; i > 0; i-- {
			if parts[i-1] == "mesos" && parts[i] != "" {
				out = append(out, parts[i])
			}
		}
	}
	return out
}

// MesosIdentity is what marks a container as Mesos': the task id of its
// environment (MESOS_TASK_ID, or the executor's id), and the Mesos
// container ids of its Docker name ("mesos-<id>"), its containerizer id or
// its "/mesos/<id>" cgroup. Both empty for a container Mesos did not
// start (or whose marks are gone).
func MesosIdentity(ct *model.ContainerSample) (taskID string, containerIDs []string) {
	return envTaskID(ct.Env), containerIDCandidates(ct)
}
