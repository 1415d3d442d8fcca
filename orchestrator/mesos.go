package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/ctop-like/ctop-like/model"
	"github.com/ctop-like/ctop-like/redact"
)

// mesosState is the part of a master's /master/state (or old /state.json)
// this tool uses; everything else is skipped by the decoder.
type mesosState struct {
	Version    string           `json:"version"`
	PID        string           `json:"pid"`
	Leader     string           `json:"leader"`
	LeaderInfo *mesosLeaderInfo `json:"leader_info"`
	Frameworks []mesosFramework `json:"frameworks"`
	Slaves     []mesosSlave     `json:"slaves"`
}

type mesosLeaderInfo struct {
	Hostname string `json:"hostname"`
	Port     int    `json:"port"`
}

type mesosFramework struct {
	ID       string      `json:"id"`
	Name     string      `json:"name"`
	Active   bool        `json:"active"`
	WebUIURL string      `json:"webui_url"`
	Tasks    []mesosTask `json:"tasks"`
	// Executors are only in an agent's state: old agents (0.22, 0.27) name
	// the container there and not in the task statuses.
	Executors []mesosExecutor `json:"executors"`
}

type mesosTask struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	FrameworkID string        `json:"framework_id"`
	ExecutorID  string        `json:"executor_id"`
	SlaveID     string        `json:"slave_id"`
	State       string        `json:"state"`
	Statuses    []mesosStatus `json:"statuses"`
}

type mesosStatus struct {
	ContainerStatus *struct {
		ContainerID *mesosContainerID `json:"container_id"`
	} `json:"container_status"`
}

type mesosContainerID struct {
	Value  string            `json:"value"`
	Parent *mesosContainerID `json:"parent"`
}

type mesosExecutor struct {
	ID        string      `json:"id"`
	Container string      `json:"container"`
	Tasks     []mesosTask `json:"tasks"`
}

type mesosSlave struct {
	ID       string `json:"id"`
	Hostname string `json:"hostname"`
	PID      string `json:"pid"`
}

// decodeMesosState reads a master or agent state from r.
func decodeMesosState(r io.Reader) (*mesosState, error) {
	var st mesosState
	if err := decodeJSON(r, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// isStandby says whether a master's answer is a non-leading master's: no
// frameworks, and a leader that is not itself.
func (st *mesosState) isStandby() bool {
	return len(st.Frameworks) == 0 && st.Leader != "" && st.Leader != st.PID
}

// namedLeader is the endpoint of the leader a standby master named
// ("master@10.0.0.1:5050"): the credentials go with it, as the master
// they were given for named it.
func namedLeader(leader string, from *endpoint) (*endpoint, error) {
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
func (c *client) fetchMesos(ctx context.Context, e *endpoint) (*mesosState, *endpoint, error) {
	cur := e
	for hop := 0; ; hop++ {
		st, final, err := c.fetchMesosOnce(ctx, cur)
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

func (c *client) fetchMesosOnce(ctx context.Context, e *endpoint) (*mesosState, *url.URL, error) {
	var st mesosState
	final, err := c.getJSON(ctx, e, "/master/state", &st)
	var se *statusError
	if errors.As(err, &se) && se.Code == http.StatusNotFound {
		st = mesosState{}
		final, err = c.getJSON(ctx, e, "/state.json", &st)
	}
	if err != nil {
		return nil, final, err
	}
	return &st, final, nil
}

// containerIDs lists a task's container ids from its statuses (nested
// containers' parents too), without duplicates.
func (t *mesosTask) containerIDs() []string {
	var ids []string
	add := func(id string) {
		if id == "" {
			return
		}
		for _, x := range ids {
			if x == id {
				return
			}
		}
		ids = append(ids, id)
	}
	for _, s := range t.Statuses {
		if s.ContainerStatus == nil {
			continue
		}
		for cid := s.ContainerStatus.ContainerID; cid != nil; cid = cid.Parent {
			add(cid.Value)
		}
	}
	return ids
}

// mesosPart is what one Mesos poll contributes to a model.Cluster.
type mesosPart struct {
	Leader     string
	AgentID    string
	AgentPID   string // "slave(1)@10.0.3.46:5051", to reach this node's agent
	Frameworks []model.Framework
	Tasks      []model.Task
}

// buildMesos turns a master's state into frameworks and tasks and finds this
// node's agent by host name or address.
func buildMesos(st *mesosState, hostname string, addrs []string) *mesosPart {
	p := &mesosPart{}
	hosts := map[string]string{}
	for _, s := range st.Slaves {
		hosts[s.ID] = s.Hostname
		if p.AgentID == "" && slaveIsLocal(s, hostname, addrs) {
			p.AgentID, p.AgentPID = s.ID, s.PID
		}
	}
	p.Frameworks = make([]model.Framework, 0, len(st.Frameworks))
	n := 0
	for i := range st.Frameworks {
		n += len(st.Frameworks[i].Tasks)
	}
	p.Tasks = make([]model.Task, 0, n)
	for i := range st.Frameworks {
		f := &st.Frameworks[i]
		mf := model.Framework{ID: f.ID, Name: f.Name, Active: f.Active, WebUIURL: redact.Text(f.WebUIURL)}
		for j := range f.Tasks {
			t := &f.Tasks[j]
			if t.State == "TASK_RUNNING" {
				mf.TasksRunning++
			}
			fid := t.FrameworkID
			if fid == "" {
				fid = f.ID
			}
			p.Tasks = append(p.Tasks, model.Task{
				ID: t.ID, Name: t.Name, FrameworkID: fid, State: t.State,
				AgentID: t.SlaveID, AgentHost: hosts[t.SlaveID],
				ContainerIDs: t.containerIDs(), ExecutorID: t.ExecutorID,
			})
		}
		p.Frameworks = append(p.Frameworks, mf)
	}
	return p
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

// addAgentContainers fills ContainerIDs of tasks from an agent's state,
// where old agents name each executor's container.
func addAgentContainers(tasks []model.Task, agent *mesosState) {
	byTask := map[string]string{}
	for _, f := range agent.Frameworks {
		for _, ex := range f.Executors {
			if ex.Container == "" {
				continue
			}
			for _, t := range ex.Tasks {
				byTask[f.ID+"\x00"+t.ID] = ex.Container
			}
		}
	}
	for i := range tasks {
		t := &tasks[i]
		cid, ok := byTask[t.FrameworkID+"\x00"+t.ID]
		if !ok {
			continue
		}
		dup := false
		for _, x := range t.ContainerIDs {
			dup = dup || x == cid
		}
		if !dup {
			t.ContainerIDs = append(t.ContainerIDs, cid)
		}
	}
}
