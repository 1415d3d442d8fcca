package orchestrator

import (
	"strings"
	"sync"

	"github.com/ctop-like/ctop-like/internal/model"
)

// taskEnvKeys are the env variables that carry a Mesos task id, first hit
// wins: Marathon's, Chronos's, then the executor id (which equals the task
// id for command tasks).
var taskEnvKeys = []string{model.EnvMesosTaskID, model.EnvChronosTaskID, model.EnvMesosExecutorID}

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
	var ix *index
	if c != nil && len(s.Containers)*manyContainers > len(c.Tasks) {
		ix = indexOf(c) // --cluster: the state's every task, kept
	} else {
		ix = newIndex(c, s.Containers) // a node: what its containers name
	}
	for i := range s.Containers {
		ct := s.Containers[i].ContainerSample
		ct.Cluster, ct.ClusterLabels = ix.place(ct)
	}
}

// index holds the lookups Match needs. For a node's containers it is
// built once per call for the containers it places: a node runs a few of
// a cluster's 100,000 tasks, so the tasks and apps are indexed by what
// those containers name, not all of them (three maps of every task were
// 15 MB and 30-50 ms per refresh of -v mesos-tasks). For --cluster's
// every executor it indexes every task, once per state (indexOf).
type index struct {
	tasks      map[string]*model.Task // by id, the ids the containers name
	byCID      map[string]*model.Task // by container id, those they carry
	frameworks map[string]string      // id → name
	appOfTask  map[string]*model.App
	apps       map[string]*model.App // by id
	marathon   string                // Marathon's framework id
	marathons  map[string]bool       // frameworks named marathon
}

// manyContainers: Match indexes a state's every task once and keeps the
// index while it places more than one container per manyContainers tasks
// (--cluster places each of the cluster's executors on every refresh:
// 43.6 ms a refresh at 100,000 made again each time); a node's few
// containers look up only what they name, and nothing is kept (the kept
// index is 14 MB at 100,000 tasks).
const manyContainers = 16

// lastIndex is the index of the last cluster state Match placed against:
// a state is read once a poll (10 s by default) and placed against on
// every refresh, and at 100,000 tasks its maps were built again each
// time (three of 100,000 entries). A state is never changed once
// published, so its slices name it; the index keeps them alive, so no
// later state can reuse their addresses while it is kept.
var lastIndex struct {
	sync.Mutex
	key indexKey
	ix  *index
}

type indexKey struct {
	tasks              *model.Task
	apps               *model.App
	fws                *model.Framework
	nTasks, nApps, nFw int
	marathon           string
}

// indexOf is c's index, made once per state.
func indexOf(c *model.Cluster) *index {
	if c == nil {
		return &index{}
	}
	k := indexKey{nTasks: len(c.Tasks), nApps: len(c.Apps), nFw: len(c.Frameworks), marathon: c.MarathonFrameworkID}
	if k.nTasks > 0 {
		k.tasks = &c.Tasks[0]
	}
	if k.nApps > 0 {
		k.apps = &c.Apps[0]
	}
	if k.nFw > 0 {
		k.fws = &c.Frameworks[0]
	}
	lastIndex.Lock()
	defer lastIndex.Unlock()
	if lastIndex.ix == nil || lastIndex.key != k {
		lastIndex.key, lastIndex.ix = k, indexAll(c)
	}
	return lastIndex.ix
}

// indexAll indexes every task, framework and app of c: what placing
// as many containers as a cluster has tasks needs.
func indexAll(c *model.Cluster) *index {
	ix := &index{}
	if c == nil {
		return ix
	}
	ix.tasks = make(map[string]*model.Task, len(c.Tasks))
	ix.byCID = make(map[string]*model.Task, len(c.Tasks))
	for i := range c.Tasks {
		t := &c.Tasks[i]
		if old := ix.tasks[t.ID]; old != nil && !old.Finished {
			continue // a live task wins over a remembered one
		}
		ix.tasks[t.ID] = t
		for _, cid := range t.ContainerIDs {
			ix.byCID[cid] = t
		}
	}
	ix.addFrameworksAndApps(c, nil)
	return ix
}

// addFrameworksAndApps indexes c's frameworks and apps, and the app of
// each task whose id tids holds (of every task when tids is nil).
func (ix *index) addFrameworksAndApps(c *model.Cluster, tids map[string]bool) {
	ix.frameworks = make(map[string]string, len(c.Frameworks))
	ix.marathons = map[string]bool{}
	for _, f := range c.Frameworks {
		ix.frameworks[f.ID] = f.Name
		if f.Name == "marathon" {
			ix.marathons[f.ID] = true
		}
	}
	ix.appOfTask = map[string]*model.App{}
	ix.apps = make(map[string]*model.App, len(c.Apps))
	for i := range c.Apps {
		ix.apps[c.Apps[i].ID] = &c.Apps[i]
		if tids != nil && len(tids) == 0 {
			continue
		}
		for _, tid := range c.Apps[i].TaskIDs {
			if tids == nil || tids[tid] {
				ix.appOfTask[tid] = &c.Apps[i]
			}
		}
	}
	ix.marathon = c.MarathonFrameworkID
}

// wanted is what the containers to place name: a task id each (place's
// tid) or, without one, the Mesos container ids they may carry.
func wanted(cts []model.Container) (tids, cids map[string]bool) {
	tids, cids = map[string]bool{}, map[string]bool{}
	for i := range cts {
		ct := cts[i].ContainerSample
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
	// The apps of the tasks placed: a container's own task id, or its
	// task's found by container id.
	for _, t := range ix.byCID {
		tids[t.ID] = true
	}
	ix.addFrameworksAndApps(c, tids)
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
		f.FrameworkID = strings.TrimSpace(ct.Env.Value(model.EnvMesosFramework))
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
	} else if app := strings.TrimSpace(ct.Env.Value(model.EnvMarathonApp)); app != "" {
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
func envTaskID(env model.Env) string {
	for _, k := range taskEnvKeys {
		if v := strings.TrimSpace(env.Value(k)); len(v) >= minTaskIDLen {
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
