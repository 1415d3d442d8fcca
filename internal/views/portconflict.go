package views

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// A port conflict: a container that wants a port of the node's network
// (model.ContainerSample.Wants) and failed (mayBeBlocked), while another
// process listens on that port there. The container's attention names
// the holder ("port 6379/tcp held by task redis.1 (pid 42)"), and the
// holder's row says what it blocks. A running container is not judged:
// it either holds its ports itself or does without them, and a published
// port of a running container is held for it by Docker's docker-proxy.

// portHolder is a process of the node's network that listens on a port.
type portHolder struct {
	pid       int
	container string // its container's key; "" for none
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
}

// conflictMemo keeps the conflicts of the last snapshots asked about: the
// header counts them at every draw, and the views build from the same
// snapshot (immutable once published).
var conflictMemo struct {
	mu   sync.Mutex
	snap [2]*model.Snapshot
	c    [2]*conflicts
	next int
}

// portConflicts are the snapshot's port conflicts, computed once per
// snapshot.
func portConflicts(s *model.Snapshot) *conflicts {
	m := &conflictMemo
	m.mu.Lock()
	for i, got := range m.snap {
		if got == s && got != nil {
			c := m.c[i]
			m.mu.Unlock()
			return c
		}
	}
	m.mu.Unlock()
	c := findConflicts(s)
	m.mu.Lock()
	m.snap[m.next], m.c[m.next] = s, c
	m.next = (m.next + 1) % len(m.snap)
	m.mu.Unlock()
	return c
}

// findConflicts matches what stopped containers want with what processes
// of the node's network listen on.
func findConflicts(s *model.Snapshot) *conflicts {
	out := &conflicts{wanted: map[string][]conflict{}, held: map[string][]conflict{}, heldByProc: map[int][]conflict{}}
	wanting := false
	for i := range s.Containers {
		if c := &s.Containers[i]; len(c.Wants) > 0 && mayBeBlocked(c, s.Time) {
			wanting = true
		}
	}
	if !wanting {
		return out
	}
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
			h.container = c.Key()
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
	for i := range s.Containers {
		c := &s.Containers[i]
		if !mayBeBlocked(c, s.Time) {
			continue
		}
		for _, port := range c.Wants {
			h, ok := holders[port]
			if !ok || h.container == c.Key() {
				continue
			}
			k := conflict{port: port, holder: h, wanter: "container " + c.Name}
			out.wanted[c.Key()] = append(out.wanted[c.Key()], k)
			if h.container != "" {
				out.held[h.container] = append(out.held[h.container], k)
			} else {
				out.heldByProc[h.pid] = append(out.heldByProc[h.pid], k)
			}
		}
	}
	return out
}

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
