package logfeed

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
	"github.com/ctop-like/ctop-like/internal/collector/cgroups"
	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/logs"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// Runtimes are this node's runtime handlers (collector.Local).
type Runtimes interface {
	// Runtime is the handler of a runtime by name, nil when none.
	Runtime(name string) runtime.Handler
	// Runtimes are every handler opened.
	Runtimes() []runtime.Handler
}

// Local opens the logs of this node's containers and processes: through
// the runtime's handler where it reads logs (runtime.Logger: Docker's and
// Podman's API), Kubernetes' containers of containerd and CRI-O from the
// file their runtime writes (the CRI's format), every other runtime's
// from the files its first process writes to (a Mesos task's sandbox
// stdout and stderr), a process's from its stdout and stderr files.
func Local(rts Runtimes, procRoot, cgroupRoot string) Opener {
	return func(ctx context.Context, s *model.Snapshot, sc views.Scope) (logs.Source, error) {
		if sc.Kind == "pid" {
			pid, err := strconv.Atoi(sc.ID)
			if err != nil || pid <= 0 {
				return nil, fmt.Errorf("pid=%s: not a process id", sc.ID)
			}
			return logs.Process(procRoot, pid)
		}
		found, err := resolveContainer(ctx, s, sc, rts.Runtimes())
		if errors.Is(err, ErrNoContainer) {
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
			return found.engine.Log(found.id)
		}
		if l, ok := rts.Runtime(c.Runtime).(runtime.Logger); ok {
			return l.Log(c.ID)
		}
		return fromFiles(rts, procRoot, cgroupRoot, s, sc, c)
	}
}

// fromFiles is the log of a container whose runtime reads none: the CRI
// file its runtime writes, else the files its processes write to, else its
// Mesos task's sandbox.
func fromFiles(rts Runtimes, procRoot, cgroupRoot string, s *model.Snapshot, sc views.Scope, c *model.Container) (logs.Source, error) {
	dir := cgroupDir(procRoot, cgroupRoot, c.Cgroup)
	if path, ok, err := criLogPath(rts, c); ok || err != nil {
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
		if t := &s.Cluster.Tasks[i]; t.ID == taskID && !t.Finished && t.Detail().Sandbox != "" && t.AgentID == s.Cluster.AgentID {
			return t.Detail().Sandbox
		}
	}
	return ""
}

// criLogPath is the file a containerd or CRI-O container's runtime writes
// its log to in the CRI's format: the path the runtime names (CRI-O's
// log_path, containerd's CRI record), else the kubelet's layout from its
// labels. ok is false for a container that is not Kubernetes' (`ctr run`).
func criLogPath(rts Runtimes, c *model.Container) (path string, ok bool, err error) {
	if c.Runtime != model.RuntimeContainerd && c.Runtime != model.RuntimeCRIO {
		return "", false, nil
	}
	if h := rts.Runtime(c.Runtime); h != nil {
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

// Cluster opens, with --cluster, the log of a task's container on its
// agent: the executor's sandbox stdout and stderr through /files/read.
func Cluster(ag *agents.Source) Opener {
	return func(ctx context.Context, s *model.Snapshot, sc views.Scope) (logs.Source, error) {
		if sc.Kind == "pid" {
			return nil, fmt.Errorf("%s: processes of other nodes are not listed with --cluster", sc)
		}
		found, err := resolveContainer(ctx, s, sc, nil)
		if errors.Is(err, ErrNoContainer) {
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

// found is the container a container= scope names.
type found struct {
	runtime, id, name string
	c                 *model.Container // nil: known to its engine only (stopped, not listed without -a)
	engine            runtime.Logger   // its engine, when c is nil
}

// AmbiguousError says a container= scope names more than one container.
type AmbiguousError struct {
	scope views.Scope
	all   []found
}

func (e *AmbiguousError) Error() string {
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

// resolveContainer is the one container a container= scope names among the
// snapshot's and those the engines know (a stopped one is not listed
// without -a; an engine that finds containers and reads their logs,
// runtime.Finder and runtime.Logger): those of the first tier of matchTier
// that has any; two there are ambiguous (a Docker and a Podman container
// of one name). A task= scope is the container that runs the task.
func resolveContainer(ctx context.Context, s *model.Snapshot, sc views.Scope, handlers []runtime.Handler) (found, error) {
	if sc.Kind != "container" { // task=: the container that runs it
		for i := range s.Containers {
			if c := &s.Containers[i]; views.ContainerInScope(c, []views.Scope{sc}) {
				return found{runtime: c.Runtime, id: c.ID, name: c.Name, c: c}, nil
			}
		}
		return found{}, ErrNoContainer
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
	for _, h := range handlers {
		f, finds := h.(runtime.Finder)
		l, logs := h.(runtime.Logger)
		if !finds || !logs {
			continue
		}
		actx, cancel := context.WithTimeout(ctx, engineAsk)
		id, name, ok := f.Find(actx, sc.ID)
		cancel()
		if ok {
			add(matchTier(sc.ID, id, name), found{runtime: h.Name(), id: id, name: name, engine: l})
		}
	}
	for _, t := range tiers {
		switch len(t) {
		case 0:
			continue
		case 1:
			return t[0], nil
		}
		return found{}, &AmbiguousError{scope: sc, all: t}
	}
	return found{}, ErrNoContainer
}

// ErrNoContainer: no container matches a container= scope.
var ErrNoContainer = errors.New("no such container")
