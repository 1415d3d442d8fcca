package agents

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ctop-like/ctop-like/internal/logs"
)

// agentSandboxes is the part of an agent's /state that says where each
// executor keeps its sandbox.
type agentSandboxes struct {
	Frameworks []struct {
		ID        string `json:"id"`
		Executors []struct {
			ID        string `json:"id"`
			Container string `json:"container"`
			Directory string `json:"directory"`
		} `json:"executors"`
	} `json:"frameworks"`
}

// TaskLog is the log of a container on one of the cluster's agents (by
// the name the containers view shows in its agent column): its executor's
// sandbox stdout and stderr, found in the agent's /state
// (executors[].directory) and read through the agent's /files/read, with
// the credentials of -m, which go only to agents the master lists and
// never follow a redirect elsewhere.
func (a *Source) TaskLog(ctx context.Context, agent, containerID, executorID string) (logs.Source, error) {
	if err := a.ensureList(ctx, time.Now()); err != nil {
		return nil, err
	}
	a.mu.Lock()
	var ag *agentInfo
	for i := range a.list {
		if a.list[i].Name == agent {
			ag = &a.list[i]
			break
		}
	}
	a.mu.Unlock()
	if ag == nil {
		return nil, fmt.Errorf("agent %s is not in the master's list", agent)
	}
	ep, err := ag.endpoint()
	if err != nil {
		return nil, fmt.Errorf("mesos agent %s: %v", agent, err)
	}
	var st agentSandboxes
	if _, err := a.master.GetJSON(ctx, ep, "/state", &st); err != nil {
		return nil, errors.New(describe("mesos agent", ep, err))
	}
	dir := ""
	for _, fw := range st.Frameworks {
		for _, e := range fw.Executors {
			if (containerID != "" && e.Container == containerID) || (containerID == "" && e.ID == executorID) {
				dir = e.Directory
			}
		}
	}
	if dir == "" {
		return nil, fmt.Errorf("mesos agent %s: no executor of container %s in its state", ep, containerID)
	}
	file := func(std string) logs.Source {
		return logs.AgentFile{API: a.master, Agent: ep, Path: dir + "/" + std, Std: std}
	}
	return logs.Merge(file(logs.Stdout), file(logs.Stderr)), nil
}
