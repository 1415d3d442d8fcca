package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ctop-like/ctop-like/internal/clustergen"
)

// info is what serve (and cadvisor) write for the others: where the
// servers are and which agents misbehave.
type info struct {
	Master   string      `json:"master,omitempty"`
	Marathon string      `json:"marathon,omitempty"`
	CAdvisor string      `json:"cadvisor,omitempty"`
	Agents   []agentInfo `json:"agents,omitempty"`
	Tasks    int         `json:"tasks,omitempty"`
	// Local are the container ids of the local agent's tasks.
	Local      []string `json:"local,omitempty"`
	Containers int      `json:"containers,omitempty"` // cadvisor
}

type agentInfo struct {
	Host string `json:"host"`
	URL  string `json:"url"`
	Mode string `json:"mode"` // healthy, hang, fail, refuse
}

func writeInfo(path string, in info) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func readInfo(path string) (info, error) {
	var in info
	b, err := os.ReadFile(path)
	if err != nil {
		return in, err
	}
	return in, json.Unmarshal(b, &in)
}

// serveCmd plays the cluster until SIGTERM or SIGINT.
func serveCmd(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	out := fs.String("info", "", "where to write the servers' addresses (JSON)")
	agents := fs.Int("agents", 5000, "Mesos agents")
	tasks := fs.Int("tasks", 20, "running tasks (executors) per agent")
	completed := fs.Int("completed", 1000, "finished tasks the master remembers")
	hang := fs.Float64("hang", 0, "share of agents that accept and never answer")
	fail := fs.Float64("fail", 0, "share of agents that answer HTTP 500")
	refuse := fs.Float64("refuse", 0, "share of agents where nothing listens")
	localHost := fs.String("local-host", "", "agent 0 names itself so (this node's host name)")
	localIDs := fs.String("local-ids", "", "file of container ids, one a line: agent 0's first tasks run in them")
	version := fs.String("agent-version", "1.5.0", "shape of the agents' states: 1.5.0, 0.27.0 or 0.22.0")
	fs.Parse(args)
	if *out == "" {
		return fmt.Errorf("-info is needed")
	}
	if _, err := clustergen.RaiseFileLimit(); err != nil {
		return err
	}
	c := clustergen.New(clustergen.Spec{Agents: *agents, TasksPerAgent: *tasks, Completed: *completed, AgentVersion: *version, Seed: 1})
	var local []string
	if *localIDs != "" {
		b, err := os.ReadFile(*localIDs)
		if err != nil {
			return err
		}
		for i, id := range strings.Fields(string(b)) {
			if i >= len(c.Agents[0].Tasks) {
				return fmt.Errorf("%d local ids for %d tasks per agent", len(strings.Fields(string(b))), len(c.Agents[0].Tasks))
			}
			c.Agents[0].Tasks[i].ContainerID = id
			local = append(local, id)
		}
	}
	// Misbehaving agents spread evenly, never agent 0 (the local one).
	every := func(share float64) int {
		if share <= 0 {
			return 0
		}
		return max(1, int(1/share+0.5))
	}
	h, f, r := every(*hang), every(*fail), every(*refuse)
	for i, a := range c.Agents {
		switch {
		case i == 0:
		case h > 0 && i%h == 1:
			a.Mode = clustergen.Hang
		case f > 0 && i%f == 2:
			a.Mode = clustergen.Fail
		case r > 0 && i%r == 3:
			a.Mode = clustergen.Refuse
		}
	}
	s, err := c.Serve()
	if err != nil {
		return err
	}
	defer s.Close()
	if *localHost != "" {
		c.Agents[0].Hostname = *localHost
	}
	in := info{Master: s.MasterURL(), Marathon: s.MarathonURL(), Tasks: c.Tasks(), Local: local}
	for i, a := range c.Agents {
		in.Agents = append(in.Agents, agentInfo{Host: a.Hostname, URL: s.AgentURL(i), Mode: [...]string{"healthy", "hang", "fail", "refuse"}[a.Mode]})
	}
	if err := writeInfo(*out, in); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "clustertool serve: master %s, %d agents, %d tasks\n", s.MasterURL(), len(c.Agents), c.Tasks())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	return nil
}
