package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
)

// DefaultAgentURL is where a node's Mesos agent answers by default.
const DefaultAgentURL = "http://localhost:5051"

// localAgent is this node's Mesos agent: the source of the node view. Its
// state holds exactly this node's frameworks, executors (with the
// container id and sandbox) and tasks, whatever the cluster's size.
type localAgent struct {
	ep     *httpapi.Endpoint
	prefix string // its process: "/slave(1)"
	// given says the user named it (--mesos-agent, or the default of a
	// node without -m); otherwise the master's list did, and after
	// agentRetries failed polls it is looked for again.
	given bool
	fails int
}

const agentRetries = 3

// readAgentState reads an agent's state: /slave(1)/state (Mesos 0.25 on),
// else /state.json, which every version before 1.0 answers through
// libprocess's delegation to the agent process (0.22 has no other).
func readAgentState(ctx context.Context, c *httpapi.Client, a *localAgent) (*mesosState, error) {
	st := newState()
	_, err := c.GetStream(ctx, a.ep, a.prefix+"/state", st.read)
	if httpapi.IsStatus(err, http.StatusNotFound) {
		st = newState()
		_, err = c.GetStream(ctx, a.ep, "/state.json", st.read)
	}
	if err != nil {
		return nil, err
	}
	if st.ID == "" {
		return nil, httpapi.Payloadf("unexpected JSON: no agent id (not a Mesos agent's state)")
	}
	return st.done(), nil
}

// agentEndpoint turns an agent pid "slave(1)@10.0.3.46:5051", as the
// master named it, into the agent's endpoint (the master's scheme,
// credentials and path prefix) and its own path prefix ("/slave(1)").
func agentEndpoint(pid string, master *httpapi.Endpoint) (*httpapi.Endpoint, string) {
	name, hp, ok := strings.Cut(pid, "@")
	if !ok {
		return nil, ""
	}
	e, err := master.Named(hp, master.Path())
	if err != nil {
		return nil, ""
	}
	return e, "/" + name
}

// agentMaster is the master an agent follows: master_hostname (the
// master's address as the agent resolved it; there is no port in the
// state), on the port of flags.master when that is host:port rather than
// zk://..., else Mesos' default 5050; with the agent's scheme and none of
// its credentials (README: only a master's own word carries them). nil
// when the agent names none (it has no master yet).
func agentMaster(st *mesosState, agent *httpapi.Endpoint) *httpapi.Endpoint {
	host := st.MasterHostname
	if host == "" {
		return nil
	}
	port := "5050"
	if f := st.MasterFlag; f != "" && !strings.Contains(f, "://") {
		if _, p, err := net.SplitHostPort(strings.TrimSpace(strings.Split(f, ",")[0])); err == nil && p != "" {
			port = p
		}
	}
	e, err := agent.Bare().Named(net.JoinHostPort(host, port), "")
	if err != nil {
		return nil
	}
	return e
}

// agentPart is what this node's agent state gives the node view: its
// frameworks (by name; the running counts are this node's), its live and
// finished tasks with their containers and sandboxes.
func agentPart(st *mesosState) *mesosPart {
	p := &mesosPart{AgentID: st.ID, AgentPID: st.PID, AgentRead: true, AgentExecutors: st.Executors}
	for _, f := range st.Frameworks {
		p.Frameworks = append(p.Frameworks, model.Framework{ID: f.ID, Name: f.Name, Active: true, TasksRunning: f.Running})
	}
	p.Tasks = make([]model.Task, 0, len(st.Tasks)+len(st.Finished))
	p.Tasks = append(append(p.Tasks, st.Tasks...), st.Finished...)
	for i := range p.Tasks {
		if p.Tasks[i].AgentID == "" {
			p.Tasks[i].AgentID = st.ID
		}
		p.Tasks[i].AgentHost = st.Hostname
	}
	p.Dropped = droppedError(st)
	return p
}

// AgentFound is what ProbeAgent learnt of an agent.
type AgentFound struct {
	URL      string // without credentials
	ID       string
	Hostname string
	Version  string
	Master   string // the master it follows ("" when none), without credentials
	Tasks    int
}

func (a *AgentFound) String() string {
	s := fmt.Sprintf("Mesos agent %s (%s, Mesos %s, %d tasks)", a.URL, a.Hostname, a.Version, a.Tasks)
	if a.Master != "" {
		s += ", following the master " + a.Master
	}
	return s
}

// ErrNoAgent says nothing answers where the agent was looked for.
var ErrNoAgent = errors.New("no Mesos agent answers")

// ProbeAgent asks the agent of cfg.Agent for its state once, within ctx:
// how a node without -m learns that it is a Mesos agent. An address where
// nothing listens gives ErrNoAgent; an answer that is no agent's state an
// error saying so.
func ProbeAgent(ctx context.Context, cfg Config) (*AgentFound, error) {
	p, err := NewPoller(cfg)
	if err != nil {
		return nil, err
	}
	st, err := readAgentState(ctx, p.api, p.agent)
	if err != nil {
		var ne *httpapi.NetError
		if errors.As(err, &ne) {
			return nil, fmt.Errorf("%w at %s: %v", ErrNoAgent, p.agent.ep, err)
		}
		return nil, fmt.Errorf("%s: %w", p.agent.ep, err)
	}
	f := &AgentFound{URL: p.agent.ep.String(), ID: st.ID, Hostname: st.Hostname, Version: st.Version, Tasks: len(st.Tasks)}
	if m := agentMaster(st, p.agent.ep); m != nil {
		f.Master = m.String()
	}
	return f, nil
}
