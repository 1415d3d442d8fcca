package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ctop-like/ctop-like/internal/agents"
	"github.com/ctop-like/ctop-like/internal/collector"
	"github.com/ctop-like/ctop-like/internal/logfeed"
	"github.com/ctop-like/ctop-like/internal/logs"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// startLogs makes the log feed the logs view reads and sets it, with the
// opener of the node's logs; stop closes the open log. A replay or a
// remote source without an opener leaves the view empty and says why.
func startLogs(o *options, open logfeed.Opener) (stop func()) {
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
	views.SetLogLines(f)
	return func() {
		views.SetLogLines(nil)
		f.Close()
	}
}

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
		var c *model.Container
		for i := range s.Containers {
			if views.ContainerInScope(&s.Containers[i], []views.Scope{sc}) {
				c = &s.Containers[i]
				break
			}
		}
		if c == nil {
			// An exited container is not listed without -a, but its
			// engine still has its log.
			if sc.Kind == "container" {
				for _, rt := range []string{model.RuntimeDocker, model.RuntimePodman} {
					if d, ok := local.Runtime(rt).(*collector.Docker); ok {
						if _, err := d.Client().ContainerInspect(ctx, sc.ID); err == nil {
							return logs.Engine{API: d.Client(), ID: sc.ID, Runtime: rt}, nil
						}
					}
				}
			}
			return nil, fmt.Errorf("%s: no such container on this node", sc)
		}
		if d, ok := local.Runtime(c.Runtime).(*collector.Docker); ok {
			return logs.Engine{API: d.Client(), ID: c.ID, Runtime: c.Runtime}, nil
		}
		dir := cgroupDir(cgroupRoot, c.Cgroup)
		if path, ok, err := criLogPath(local, c); ok || err != nil {
			if err != nil {
				return nil, fmt.Errorf("%s: %w", sc, err)
			}
			return logs.CRI{Path: path, Alive: logs.CgroupAlive(dir)}, nil
		}
		if dir == "" {
			return nil, fmt.Errorf("%s: its cgroup %s is gone", sc, c.Cgroup)
		}
		return logs.Cgroup(procRoot, dir)
	}
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

// cgroupDir is the directory of a cgroup path in the v2 tree or the first
// v1 hierarchy that has it, "" when none does.
func cgroupDir(root, cgroup string) string {
	for _, h := range []string{"", "pids", "cpuacct", "memory", "cpu,cpuacct", "systemd", "unified"} {
		dir := filepath.Join(root, h, cgroup)
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
		for i := range s.Containers {
			c := &s.Containers[i]
			if !views.ContainerInScope(c, []views.Scope{sc}) {
				continue
			}
			id := c.ID
			if strings.Contains(id, "@") { // an executor without a container id: executor@agent/framework
				id = ""
			}
			return ag.TaskLog(ctx, c.Agent, id, c.Name)
		}
		return nil, fmt.Errorf("%s: no such container in the cluster", sc)
	}
}
