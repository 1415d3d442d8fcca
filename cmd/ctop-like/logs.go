package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/agents"
	"github.com/ctop-like/ctop-like/internal/collector"
	"github.com/ctop-like/ctop-like/internal/collector/cgroups"
	"github.com/ctop-like/ctop-like/internal/collector/runtime/docker"
	"github.com/ctop-like/ctop-like/internal/lastlines"
	"github.com/ctop-like/ctop-like/internal/logfeed"
	"github.com/ctop-like/ctop-like/internal/logs"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// startLogs makes the log feed the logs view reads (the queries' Logs),
// with the opener of the node's logs; stop closes the open log. A replay
// or a remote source without an opener leaves the view empty and says why.
func startLogs(o *options, open logfeed.Opener) (feed views.LogLines, stop func()) {
	if open == nil {
		open = func(context.Context, *model.Snapshot, views.Scope) (logs.Source, error) {
			return nil, fmt.Errorf("logs are read on the node itself or, with --cluster, through its agent: not from a recording or --cadvisor")
		}
	}
	// Batch output prints each line once: the last --tail lines, then,
	// with -n 0 or -n > 1, the lines that came since the last refresh.
	batch := o.output != ""
	follow := !batch || o.iterations != 1
	f := logfeed.New(open, o.tail, follow, batch)
	return f, f.Close
}

// startLast makes the reader of containers' last log lines (the attention
// view's why, the details panel) over the node's log opener; nil where
// no log can be read (a replay, --cadvisor). Batch output waits for a
// read it starts, at most lastWait, so that the refresh it prints has
// the lines; the screen shows them a refresh later instead.
func startLast(o *options, open logfeed.Opener) (views.LastLines, func()) {
	if open == nil {
		return nil, func() {}
	}
	wait := time.Duration(0)
	if o.output != "" {
		wait = lastWait
	}
	r := lastlines.New(open, wait)
	return r, r.Close
}

// lastWait bounds how long a batch refresh waits for a container's last
// log lines.
const lastWait = 3 * time.Second

// localLogs opens the logs of this node's containers and processes:
// Docker's and Podman's through their API, Kubernetes' containers of
// containerd and CRI-O from the file their runtime writes (the CRI's
// format), every other runtime's from the files its first process writes
// to (a Mesos task's sandbox stdout and stderr), a process's from its
// stdout and stderr files.
func localLogs(local *collector.Local, procRoot, cgroupRoot string) logfeed.Opener {
	return func(ctx context.Context, s *model.Snapshot, sc views.Scope) (logs.Source, error) {
		if sc.Kind == "pid" {
			pid, err := strconv.Atoi(sc.ID)
			if err != nil || pid <= 0 {
				return nil, fmt.Errorf("pid=%s: not a process id", sc.ID)
			}
			return logs.Process(procRoot, pid)
		}
		found, err := resolveContainer(ctx, s, sc, localEngines(local))
		if errors.Is(err, errNoContainer) {
			if sc.Kind == "task" {
				// A task of this node whose container is not listed (its
				// cgroup gone): its sandbox, as this node's agent names it.
				if dir := sandboxOf(s, sc.ID); dir != "" {
					return sandboxLog(dir), nil
				}
			}
			return nil, fmt.Errorf("%s: no such container on this node", sc)
		}
		if err != nil {
			return nil, err
		}
		c := found.c
		if c == nil {
			// Stopped, so not listed without -a; its engine still has its log.
			return logs.Engine{API: found.api, ID: found.id, Runtime: found.runtime}, nil
		}
		if d, ok := local.Runtime(c.Runtime).(*docker.Handler); ok {
			return logs.Engine{API: d.Client(), ID: c.ID, Runtime: c.Runtime}, nil
		}
		dir := cgroupDir(procRoot, cgroupRoot, c.Cgroup)
		if path, ok, err := criLogPath(local, c); ok || err != nil {
			if err != nil {
				return nil, fmt.Errorf("%s: %w", sc, err)
			}
			return logs.CRI{Path: path, Alive: logs.CgroupAlive(dir)}, nil
		}
		if dir == "" {
			if sb := sandboxOf(s, c.Cluster.TaskID); sb != "" {
				return sandboxLog(sb), nil
			}
			return nil, fmt.Errorf("%s: its cgroup %s is gone", sc, c.Cgroup)
		}
		src, err := logs.Cgroup(procRoot, dir)
		if err != nil {
			// Its processes write elsewhere than files (a pipe to the
			// executor): the sandbox's files, which the executor writes.
			if sb := sandboxOf(s, c.Cluster.TaskID); sb != "" {
				return sandboxLog(sb), nil
			}
		}
		return src, err
	}
}

// sandboxLog is a Mesos task's log from its executor's sandbox directory
// on this node: the stdout and stderr files there (the directory is the
// agent's, each file's last element is not followed).
func sandboxLog(dir string) logs.Source {
	return logs.Merge(
		logs.File{Path: filepath.Join(dir, "stdout"), Std: logs.Stdout},
		logs.File{Path: filepath.Join(dir, "stderr"), Std: logs.Stderr},
	)
}

// sandboxOf is the sandbox directory of a live task of this node, as its
// Mesos agent's state names it ("" when it names none).
func sandboxOf(s *model.Snapshot, taskID string) string {
	if s == nil || s.Cluster == nil || taskID == "" {
		return ""
	}
	for i := range s.Cluster.Tasks {
		if t := &s.Cluster.Tasks[i]; t.ID == taskID && !t.Finished && t.Sandbox != "" && t.AgentID == s.Cluster.AgentID {
			return t.Sandbox
		}
	}
	return ""
}

// criLogPath is the file a containerd or CRI-O container's runtime writes
// its log to in the CRI's format: the path the runtime names (CRI-O's
// log_path, containerd's CRI record), else the kubelet's layout from its
// labels. ok is false for a container that is not Kubernetes' (`ctr run`).
func criLogPath(local *collector.Local, c *model.Container) (path string, ok bool, err error) {
	if c.Runtime != model.RuntimeContainerd && c.Runtime != model.RuntimeCRIO {
		return "", false, nil
	}
	if h := local.Runtime(c.Runtime); h != nil {
		if m, found := h.Meta(c.ID, c.Cgroup); found && m.LogPath != "" {
			return m.LogPath, true, nil
		}
	}
	return logs.KubeletLog(logs.PodsDir, c.Labels)
}

// cgroupDir is the directory of a cgroup path in the first hierarchy under
// cgroupRoot that has it with its processes (cgroups.Locate, as the
// collector found it), "" when none does.
func cgroupDir(procRoot, cgroupRoot, cgroup string) string {
	m, err := cgroups.Locate(procRoot, cgroupRoot)
	if err != nil {
		return ""
	}
	for _, dir := range m.Dirs(cgroup) {
		if _, err := os.Stat(filepath.Join(dir, "cgroup.procs")); err == nil {
			return dir
		}
	}
	return ""
}

// clusterLogs opens, with --cluster, the log of a task's container on its
// agent: the executor's sandbox stdout and stderr through /files/read.
func clusterLogs(ag *agents.Source) logfeed.Opener {
	return func(ctx context.Context, s *model.Snapshot, sc views.Scope) (logs.Source, error) {
		if sc.Kind == "pid" {
			return nil, fmt.Errorf("%s: processes of other nodes are not listed with --cluster", sc)
		}
		found, err := resolveContainer(ctx, s, sc, nil)
		if errors.Is(err, errNoContainer) {
			return nil, fmt.Errorf("%s: no such container in the cluster", sc)
		}
		if err != nil {
			return nil, err
		}
		c := found.c
		id := c.ID
		if strings.Contains(id, "@") { // an executor without a container id: executor@agent/framework
			id = ""
		}
		return ag.TaskLog(ctx, c.Agent, id, c.Name)
	}
}

// checkLogScope makes a batch run of the logs view whose container= scope
// names more than one container a usage error naming them. (The screen's
// scope comes from a row, keyed by the full id; one given with --scope
// says so in the message line.)
func checkLogScope(ctx context.Context, open logfeed.Opener, s *model.Snapshot, q views.Query) error {
	if q.View != "logs" || open == nil || len(q.Scope) == 0 || q.Scope[len(q.Scope)-1].Kind != "container" {
		return nil
	}
	var amb *ambiguousError
	if _, err := open(ctx, s, q.Scope[len(q.Scope)-1]); errors.As(err, &amb) {
		return usageError{"--scope " + amb.Error()}
	}
	return nil
}

// found is the container a container= scope names.
type found struct {
	runtime, id, name string
	c                 *model.Container // nil: known to its engine only (stopped, not listed without -a)
	api               logs.EngineAPI   // its engine, when c is nil
}

// ambiguousError says a container= scope names more than one container.
type ambiguousError struct {
	scope views.Scope
	all   []found
}

func (e *ambiguousError) Error() string {
	ids := make([]string, len(e.all))
	for i, f := range e.all {
		ids[i] = f.runtime + " " + f.id
	}
	return fmt.Sprintf("%s names %d containers: %s; give one's id", e.scope, len(e.all), strings.Join(ids, ", "))
}

// matchTier is how id names a container, as Docker resolves a name: by
// its full id (0), its name (1), or a prefix of its id of 12 characters or
// more (2); -1 when it does not.
func matchTier(id, cid, name string) int {
	switch {
	case cid == id:
		return 0
	case name == id:
		return 1
	case len(id) >= 12 && strings.HasPrefix(cid, id):
		return 2
	}
	return -1
}

// engineAsk bounds how long an engine is asked whether it knows a container.
const engineAsk = 2 * time.Second

// localEngines are this node's Docker and Podman APIs, by runtime.
func localEngines(local *collector.Local) map[string]logs.EngineAPI {
	apis := map[string]logs.EngineAPI{}
	for _, rt := range []string{model.RuntimeDocker, model.RuntimePodman} {
		if d, ok := local.Runtime(rt).(*docker.Handler); ok {
			apis[rt] = d.Client()
		}
	}
	return apis
}

// resolveContainer is the one container a container= scope names among the
// snapshot's and those its engines know (a stopped one is not listed
// without -a): those of the first tier of matchTier that has any; two
// there are ambiguous (a Docker and a Podman container of one name). A
// task= scope is the container that runs the task.
func resolveContainer(ctx context.Context, s *model.Snapshot, sc views.Scope, engines map[string]logs.EngineAPI) (found, error) {
	if sc.Kind != "container" { // task=: the container that runs it
		for i := range s.Containers {
			if c := &s.Containers[i]; views.ContainerInScope(c, []views.Scope{sc}) {
				return found{runtime: c.Runtime, id: c.ID, name: c.Name, c: c}, nil
			}
		}
		return found{}, errNoContainer
	}
	var tiers [3][]found
	add := func(tier int, f found) {
		if tier < 0 {
			return
		}
		for _, t := range tiers {
			for _, g := range t {
				if g.runtime == f.runtime && g.id == f.id {
					return
				}
			}
		}
		tiers[tier] = append(tiers[tier], f)
	}
	for i := range s.Containers {
		c := &s.Containers[i]
		add(matchTier(sc.ID, c.ID, c.Name), found{runtime: c.Runtime, id: c.ID, name: c.Name, c: c})
	}
	for _, rt := range []string{model.RuntimeDocker, model.RuntimePodman} {
		api := engines[rt]
		if api == nil {
			continue
		}
		actx, cancel := context.WithTimeout(ctx, engineAsk)
		info, err := api.ContainerInspect(actx, sc.ID)
		cancel()
		if err != nil {
			continue
		}
		name := strings.TrimPrefix(info.Name, "/")
		add(matchTier(sc.ID, info.ID, name), found{runtime: rt, id: info.ID, name: name, api: api})
	}
	for _, t := range tiers {
		switch len(t) {
		case 0:
			continue
		case 1:
			return t[0], nil
		}
		return found{}, &ambiguousError{scope: sc, all: t}
	}
	return found{}, errNoContainer
}

// errNoContainer: no container matches a container= scope.
var errNoContainer = errors.New("no such container")
