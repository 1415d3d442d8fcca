package views

import (
	"fmt"
	"sort"
	"sync"
	"time"
	"weak"

	"github.com/ctop-like/ctop-like/internal/model"
)

// A port conflict: a row that wants a port of the node's network while
// another process listens on that port there. Wanting are a container
// that failed (mayBeBlocked) and wants it (model.ContainerSample.Wants),
// a task of this node that failed or waits to start and was given it
// (its ports resource), an app below its instances that requires it
// (portDefinitions with requirePorts: Marathon launches it only where
// the port is free). The wanting row's attention names the holder ("port
// 6379/tcp held by task redis.1 (pid 42)"), and the holder's row says
// what it blocks. A running container is not judged: it either holds its
// ports itself or does without them, and a published port of a running
// container is held for it by Docker's docker-proxy.

// portHolder is a process of the node's network that listens on a port.
type portHolder struct {
	pid       int
	container string // its container's key; "" for none
	app, task string // its container's app and task; "" for none
	name      string // "task redis.1", "container web-1", or the command's name
}

// String is "task redis.1 (pid 42)".
func (h portHolder) String() string { return fmt.Sprintf("%s (pid %d)", h.name, h.pid) }

// conflict is one port one row wants and a process holds.
type conflict struct {
	port   string // "6379/tcp"
	holder portHolder
	wanter string // "container redis-1"
}

// conflicts are a snapshot's port conflicts, by the rows they concern.
type conflicts struct {
	wanted     map[string][]conflict // by the wanting container's key
	held       map[string][]conflict // by the holding container's key
	heldByProc map[int][]conflict    // by the holding process's pid, outside any container
	tasks      map[string][]conflict // by the wanting task's id
	apps       map[string][]conflict // by the wanting app's id
}

// conflictMemo keeps the conflicts of the last snapshots asked about: the
// header counts them at every draw, and the views build from the same
// snapshot (immutable once published). It does not keep a snapshot
// alive: held, the last ones kept their 100,000 tasks after the next.
var conflictMemo struct {
	mu   sync.Mutex
	snap [2]weak.Pointer[model.Snapshot]
	c    [2]*conflicts
	next int
}

// portConflicts are the snapshot's port conflicts, computed once per
// snapshot.
func portConflicts(s *model.Snapshot) *conflicts {
	m := &conflictMemo
	m.mu.Lock()
	for i, got := range m.snap {
		if got.Value() == s && s != nil {
			c := m.c[i]
			m.mu.Unlock()
			return c
		}
	}
	m.mu.Unlock()
	c := findConflicts(s)
	m.mu.Lock()
	m.snap[m.next], m.c[m.next] = weak.Make(s), c
	m.next = (m.next + 1) % len(m.snap)
	m.mu.Unlock()
	return c
}

// wanter is a row that wants ports of the node: a container, a task or
// an app.
type wanter struct {
	name  string                // "container redis-1", "task ops_redis.1", "app /ops/redis"
	ports []string              // "6379/tcp"
	own   func(portHolder) bool // a holder that is the wanter's own
	add   func(conflict)        // where its conflicts go
}

// findConflicts matches what the node's rows want (containers that
// failed, tasks of this node that failed or wait to start, apps that
// require their ports and run below their instances) with what processes
// of the node's network listen on.
func findConflicts(s *model.Snapshot) *conflicts {
	out := &conflicts{wanted: map[string][]conflict{}, held: map[string][]conflict{}, heldByProc: map[int][]conflict{},
		tasks: map[string][]conflict{}, apps: map[string][]conflict{}}
	ws := wanters(s, out)
	if len(ws) == 0 {
		return out
	}
	use(UsesListeners)
	byKey := make(map[string]*model.Container, len(s.Containers))
	for i := range s.Containers {
		byKey[s.Containers[i].Key()] = &s.Containers[i]
	}
	holders := map[string]portHolder{} // port → its holder with the lowest pid
	for i := range s.Processes {
		p := &s.Processes[i]
		if len(p.Listen) == 0 {
			continue
		}
		c := byKey[p.InContainer()]
		if c != nil && !onNodeNetwork(c) {
			continue
		}
		h := portHolder{pid: p.PID, name: p.Name}
		if c != nil {
			h.container, h.app, h.task = c.Key(), c.Cluster.App, c.Cluster.TaskID
			h.name = "container " + c.Name
			if c.Cluster.TaskID != "" {
				h.name = "task " + c.Cluster.TaskID
			}
		}
		for _, port := range p.Listen {
			if was, ok := holders[port]; !ok || p.PID < was.pid {
				holders[port] = h
			}
		}
	}
	for _, w := range ws {
		for _, port := range w.ports {
			h, ok := holders[port]
			if !ok || w.own(h) {
				continue
			}
			k := conflict{port: port, holder: h, wanter: w.name}
			w.add(k)
			if h.container != "" {
				out.held[h.container] = append(out.held[h.container], k)
			} else {
				out.heldByProc[h.pid] = append(out.heldByProc[h.pid], k)
			}
		}
	}
	return out
}

// wanters are the rows of the snapshot that want ports of the node and
// may have failed for want of one.
func wanters(s *model.Snapshot, out *conflicts) []wanter {
	var ws []wanter
	for i := range s.Containers {
		c := &s.Containers[i]
		if len(c.Wants) == 0 || !mayBeBlocked(c, s.Time) {
			continue
		}
		key := c.Key()
		ws = append(ws, wanter{name: "container " + c.Name, ports: c.Wants,
			own: func(h portHolder) bool { return h.container == key },
			add: func(k conflict) { out.wanted[key] = append(out.wanted[key], k) }})
	}
	cl := s.Cluster
	if cl == nil {
		return ws
	}
	byTask := containersByTask(s)
	for i := range cl.Tasks {
		t := &cl.Tasks[i]
		if len(t.Ports) == 0 || !(taskAttention(t, s.Time) != "" || waitsToRun[t.State]) {
			continue
		}
		if local := taskContainers(t, byTask); len(local) == 0 && (t.AgentID == "" || t.AgentID != cl.AgentID) {
			continue // not this node's: its ports are another node's
		}
		id := t.ID
		ws = append(ws, wanter{name: "task " + t.ID, ports: t.Ports,
			own: func(h portHolder) bool { return h.task == id },
			add: func(k conflict) { out.tasks[id] = append(out.tasks[id], k) }})
	}
	for i := range cl.Apps {
		a := &cl.Apps[i]
		if len(a.Ports) == 0 || a.Instances < 0 || a.TasksRunning >= a.Instances {
			continue
		}
		id := a.ID
		ws = append(ws, wanter{name: "app " + a.ID, ports: a.Ports,
			own: func(h portHolder) bool { return h.app == id },
			add: func(k conflict) { out.apps[id] = append(out.apps[id], k) }})
	}
	return ws
}

// waitsToRun are the states of a task that has not started yet: one that
// needs a port that is held stays there, or fails.
var waitsToRun = map[string]bool{"TASK_STAGING": true, "TASK_STARTING": true}

// runs says whether a container's state means its processes run (a
// paused one keeps its sockets).
func runs(state string) bool { return state == "running" || state == "paused" }

// mayBeBlocked says whether a container may have failed for want of a
// port: it waits to restart, or it was created or failed (exit code not
// 0) within AttentionStopped of now. One stopped on purpose, or long ago,
// blocks on nothing.
func mayBeBlocked(c *model.Container, now time.Time) bool {
	switch {
	case c.State == "restarting":
		return true
	case !stopped(c.State):
		return false
	case c.State != "created" && (c.ExitCode == nil || *c.ExitCode == 0):
		return false
	}
	return c.StateSince.IsZero() || now.IsZero() || now.Sub(c.StateSince) <= AttentionStopped
}

// onNodeNetwork says whether a container's processes listen on the node's
// own network: the collector reads no traffic of its own for a container
// in the host's network namespace (Net nil), and a Docker container on a
// network of its own says so in its network mode.
func onNodeNetwork(c *model.Container) bool {
	return c.Net == nil && (c.NetworkMode == "" || c.NetworkMode == "host")
}

// procHolds are the processes outside any container that hold a port a
// row wants, by pid, in pid order.
func (pc *conflicts) procHolds() []int {
	pids := make([]int, 0, len(pc.heldByProc))
	for pid := range pc.heldByProc {
		pids = append(pids, pid)
	}
	sort.Ints(pids)
	return pids
}
