package orchestrator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/redact"
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
	// finished are the frameworks' completed_tasks and unreachable_tasks
	// (unreachable_tasks exists from Mesos 1.1), read by the stream filter
	// (see capture); each names its framework in framework_id.
	finished []mesosTask
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

// mesosStatus is one of a task's statuses. Reason and Message are decoded
// where a state carries them; Mesos' own /master/state writes only state,
// timestamp, labels, container_status and healthy (src/common/http.cpp).
type mesosStatus struct {
	State           string  `json:"state"`
	Timestamp       float64 `json:"timestamp"`
	Reason          string  `json:"reason"`
	Message         string  `json:"message"`
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
	if err := httpapi.Decode(r, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// isStandby says whether a master's answer is a non-leading master's: no
// frameworks, and a leader that is not itself.
func (st *mesosState) isStandby() bool {
	return len(st.Frameworks) == 0 && st.Leader != "" && st.Leader != st.PID
}

// capture reads frameworks' completed_tasks and unreachable_tasks into
// st.finished (httpapi's Capturer hook, see skip.go): only ids, names,
// state and the latest status are kept. What it reads counts against the
// decode's cost limit, so a hostile answer cannot grow st.finished past
// what encoding/json would have been allowed to hold.
func (st *mesosState) capture(key string) func(*httpapi.Stream) error {
	if key != "completed_tasks" && key != "unreachable_tasks" {
		return nil
	}
	return func(s *httpapi.Stream) error {
		var buf []byte
		// States, framework and agent ids repeat: one string each.
		seen := map[string]string{}
		intern := func() (string, error) {
			b, err := s.Peek()
			if err != nil || b != '"' {
				return s.String()
			}
			raw, err := s.RawString(buf)
			buf = raw
			if err != nil {
				return "", err
			}
			if v, ok := seen[string(raw)]; ok {
				return v, nil
			}
			if bytes.IndexByte(raw, '\\') >= 0 || len(seen) > 4096 {
				return httpapi.Unquote(raw)
			}
			v := string(raw)
			seen[v] = v
			return v, nil
		}
		return s.EachElement(func() error {
			var t mesosTask
			err := s.EachMember(func(k []byte) error {
				var err error
				switch string(k) {
				case "id":
					t.ID, err = s.String()
				case "name":
					t.Name, err = intern()
				case "framework_id":
					t.FrameworkID, err = intern()
				case "slave_id":
					t.SlaveID, err = intern()
				case "state":
					t.State, err = intern()
				case "statuses":
					err = s.EachElement(func() error {
						var ms mesosStatus
						err := s.EachMember(func(k []byte) error {
							var err error
							switch string(k) {
							case "state":
								ms.State, err = intern()
							case "timestamp":
								ms.Timestamp, err = s.Number()
							case "reason":
								ms.Reason, err = s.String()
							case "message":
								ms.Message, err = s.String()
							default:
								err = s.Skip()
							}
							return err
						})
						// Only the latest status is kept: one, not a slice
						// that grows, for each of thousands of tasks.
						if len(t.Statuses) == 0 {
							t.Statuses = make([]mesosStatus, 1)
							t.Statuses[0] = ms
						} else if ms.Timestamp >= t.Statuses[0].Timestamp {
							t.Statuses[0] = ms
						}
						return err
					})
				default:
					err = s.Skip()
				}
				return err
			})
			if t.ID != "" {
				st.finished = append(st.finished, t)
			}
			return err
		})
	}
}

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
func fetchMesos(ctx context.Context, c *httpapi.Client, e *httpapi.Endpoint) (*mesosState, *httpapi.Endpoint, error) {
	cur := e
	for hop := 0; ; hop++ {
		st, final, err := fetchMesosOnce(ctx, c, cur)
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

func fetchMesosOnce(ctx context.Context, c *httpapi.Client, e *httpapi.Endpoint) (*mesosState, *url.URL, error) {
	var st mesosState
	final, err := c.GetJSON(ctx, e, "/master/state", &st)
	var se *httpapi.StatusError
	if errors.As(err, &se) && se.Code == http.StatusNotFound {
		st = mesosState{}
		final, err = c.GetJSON(ctx, e, "/state.json", &st)
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

// latest is the task's newest status (by timestamp), nil when it has none.
func (t *mesosTask) latest() *mesosStatus {
	var l *mesosStatus
	for i := range t.Statuses {
		s := &t.Statuses[i]
		if l == nil || s.Timestamp >= l.Timestamp {
			l = s
		}
	}
	return l
}

// maxFinishedPerFramework bounds the finished tasks kept of each framework
// (the newest): a master keeps up to 1000 by default, and a view of
// thousands of old tasks helps nobody.
const maxFinishedPerFramework = 100

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
	finished := map[string][]*mesosTask{}
	for i := range st.finished {
		t := &st.finished[i]
		finished[t.FrameworkID] = append(finished[t.FrameworkID], t)
	}
	n := 0
	for i := range st.Frameworks {
		f := &st.Frameworks[i]
		n += len(f.Tasks) + min(len(finished[f.ID]), maxFinishedPerFramework)
	}
	p.Tasks = make([]model.Task, 0, n)
	// Running (known) tasks first, so a task id listed twice is its live one.
	for i := range st.Frameworks {
		f := &st.Frameworks[i]
		mf := model.Framework{ID: f.ID, Name: f.Name, Active: f.Active, WebUIURL: redact.Text(f.WebUIURL)}
		for j := range f.Tasks {
			t := &f.Tasks[j]
			if t.State == "TASK_RUNNING" {
				mf.TasksRunning++
			}
			p.Tasks = append(p.Tasks, taskOf(t, f.ID, hosts, false))
		}
		p.Frameworks = append(p.Frameworks, mf)
	}
	for i := range st.Frameworks {
		p.Tasks = appendFinished(p.Tasks, st.Frameworks[i].ID, finished[st.Frameworks[i].ID], hosts)
	}
	return p
}

// taskOf turns a task of framework fid into a model.Task.
func taskOf(t *mesosTask, fid string, hosts map[string]string, finished bool) model.Task {
	if t.FrameworkID != "" {
		fid = t.FrameworkID
	}
	mt := model.Task{
		ID: t.ID, Name: t.Name, FrameworkID: fid, State: t.State,
		AgentID: t.SlaveID, AgentHost: hosts[t.SlaveID],
		ExecutorID: t.ExecutorID, Finished: finished,
	}
	if !finished {
		mt.ContainerIDs = t.containerIDs()
	}
	if l := t.latest(); l != nil {
		mt.StateSince = unixTime(l.Timestamp)
		mt.Reason, mt.Message = l.Reason, l.Message
	}
	return mt
}

// appendFinished adds a framework's finished tasks, the newest
// maxFinishedPerFramework of them.
func appendFinished(out []model.Task, fid string, tasks []*mesosTask, hosts map[string]string) []model.Task {
	start := len(out)
	for _, t := range tasks {
		out = append(out, taskOf(t, fid, hosts, true))
	}
	if len(tasks) <= maxFinishedPerFramework {
		return out
	}
	mine := out[start:]
	sort.SliceStable(mine, func(a, b int) bool { return mine[a].StateSince.After(mine[b].StateSince) })
	clear(out[start+maxFinishedPerFramework:])
	return out[:start+maxFinishedPerFramework]
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
