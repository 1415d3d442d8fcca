package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/redact"
)

// namedLeader is the endpoint of the leader a standby master named
// ("master@10.0.0.1:5050"): the credentials go with it, as the master
// they were given for named it.
func namedLeader(leader string, from *httpapi.Endpoint) (*httpapi.Endpoint, error) {
	_, hostport, ok := strings.Cut(leader, "@")
	if !ok || hostport == "" {
		return nil, fmt.Errorf("unreadable leader %q", leader)
	}
	e, err := from.Named(hostport, from.Path())
	if err != nil {
		return nil, fmt.Errorf("unreadable leader %q", leader)
	}
	return e, nil
}

// maxLeaderHops bounds standby → leader following.
const maxLeaderHops = 3

// fetchMesos reads the leading master's state starting from e: it falls
// back to /state.json for masters older than /master/state, and follows a
// standby's leader field. It returns the state and the leader's endpoint.
func fetchMesos(ctx context.Context, c *httpapi.Client, e *httpapi.Endpoint, prev []model.Task) (*mesosState, *httpapi.Endpoint, error) {
	cur := e
	for hop := 0; ; hop++ {
		st, final, err := fetchMesosOnce(ctx, c, cur, prev)
		if err != nil {
			return nil, cur, err
		}
		if !st.isStandby() {
			if final != nil && !cur.SameOrigin(final) {
				// Followed a 3xx: the leader is where we ended,
				// reached without the credentials (httpapi's rule).
				cur = cur.Redirected(final)
			}
			return st, cur, nil
		}
		if hop >= maxLeaderHops {
			return nil, cur, fmt.Errorf("standby masters point at each other (leader %q)", st.Leader)
		}
		next, err := namedLeader(st.Leader, cur)
		if err != nil {
			return nil, cur, fmt.Errorf("standby: %w", err)
		}
		cur = next
	}
}

// prev are the live tasks of the last state read (see mesosState.share).
func fetchMesosOnce(ctx context.Context, c *httpapi.Client, e *httpapi.Endpoint, prev []model.Task) (*mesosState, *url.URL, error) {
	st := newState()
	st.expect, st.prev = len(prev), prev
	final, err := c.GetStream(ctx, e, "/master/state", st.read)
	var se *httpapi.StatusError
	if errors.As(err, &se) && se.Code == http.StatusNotFound {
		st = newState()
		st.expect, st.prev = len(prev), prev
		final, err = c.GetStream(ctx, e, "/state.json", st.read)
	}
	if err != nil {
		return nil, final, err
	}
	return st.done(), final, nil
}

// mesosPart is what one Mesos poll contributes to a model.Cluster.
type mesosPart struct {
	Leader     string
	AgentID    string
	AgentPID   string // "slave(1)@10.0.3.46:5051", to reach this node's agent
	Frameworks []model.Framework
	Tasks      []model.Task
	// Whole says the tasks are the cluster's (the master's state), not
	// only this node's (its agent's state); Live counts its live tasks.
	Whole bool
	Live  int
	// Dropped names the tasks over the bounds of one state; "" for none.
	Dropped string
	// AgentRead says this node's agent answered the poll, and
	// AgentExecutors are the containers of its live executors.
	AgentRead      bool
	AgentExecutors []string
}

// buildMesos turns a master's state into frameworks and tasks and finds this
// node's agent by host name or address.
func buildMesos(st *mesosState, hostname string, addrs []string) *mesosPart {
	p := &mesosPart{}
	hosts := make(map[string]string, len(st.Slaves))
	for _, s := range st.Slaves {
		hosts[s.ID] = s.Hostname
		if p.AgentID == "" && slaveIsLocal(s, hostname, addrs) {
			p.AgentID, p.AgentPID = s.ID, s.PID
		}
	}
	p.Frameworks = make([]model.Framework, 0, len(st.Frameworks))
	for _, f := range st.Frameworks {
		p.Frameworks = append(p.Frameworks, model.Framework{ID: f.ID, Name: f.Name, Active: f.Active, TasksRunning: f.Running, WebUIURL: redact.Text(f.WebUIURL)})
	}
	// Running (known) tasks first, so a task id listed twice is its live
	// one; in the state's own array (a copy of 100,000 tasks was 20 MB
	// more at once).
	p.Live = len(st.Tasks)
	p.Tasks = append(st.Tasks, st.Finished...)
	st.Tasks, st.Finished = nil, nil
	if n := len(p.Tasks); cap(p.Tasks)-n > n/8+64 {
		// A first read's array grew by doubling: up to twice what it
		// holds, kept while the next read is made (25 MB for 19 at
		// 100,000 tasks). The next reads are made to the size of this.
		p.Tasks = slices.Clone(p.Tasks)
	}
	for i := range p.Tasks {
		p.Tasks[i].AgentHost = hosts[p.Tasks[i].AgentID]
	}
	p.Dropped = droppedError(st)
	return p
}

// unixTime turns a Mesos timestamp (seconds, fractional) into a time; zero
// for none or nonsense.
func unixTime(ts float64) time.Time {
	if !(ts > 0 && ts < 1<<40) {
		return time.Time{}
	}
	sec := int64(ts)
	return time.Unix(sec, int64((ts-float64(sec))*1e9)).UTC()
}

// slaveIsLocal matches an agent to this node by host name or by an address
// in its hostname or pid ("slave(1)@10.0.3.46:5051").
func slaveIsLocal(s mesosSlave, hostname string, addrs []string) bool {
	pidHost := ""
	if _, hp, ok := strings.Cut(s.PID, "@"); ok {
		if h, _, err := net.SplitHostPort(hp); err == nil {
			pidHost = h
		}
	}
	if hostname != "" && (strings.EqualFold(s.Hostname, hostname) || shortName(s.Hostname) == shortName(hostname) && !isIP(hostname) && !isIP(s.Hostname)) {
		return true
	}
	for _, a := range addrs {
		if a == "" {
			continue
		}
		if strings.EqualFold(a, s.Hostname) || a == pidHost {
			return true
		}
	}
	return false
}

func shortName(h string) string {
	h = strings.ToLower(h)
	if i := strings.IndexByte(h, '.'); i > 0 {
		return h[:i]
	}
	return h
}

func isIP(h string) bool { return net.ParseIP(h) != nil }

// addAgentContainers fills ContainerIDs and Sandbox of tasks from this
// node's agent state: old agents (0.22, 0.27) name each task's container
// only under its executor, and only the agent knows the sandbox.
func addAgentContainers(tasks []model.Task, agent *mesosState) {
	byTask := make(map[string]*model.Task, len(agent.Tasks))
	for i := range agent.Tasks {
		t := &agent.Tasks[i]
		byTask[t.FrameworkID+"\x00"+t.ID] = t
	}
	for i := range tasks {
		t := &tasks[i]
		if t.Finished {
			continue
		}
		at := byTask[t.FrameworkID+"\x00"+t.ID]
		if at == nil {
			continue
		}
		for _, cid := range at.ContainerIDs {
			if !contains(t.ContainerIDs, cid) {
				t.ContainerIDs = append(t.ContainerIDs, cid)
			}
		}
		if d, sb := t.Detail(), at.Detail().Sandbox; d.Sandbox != sb {
			d.Sandbox = sb
			t.SetDetail(d)
		}
	}
}
