package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/ctop-like/ctop-like/internal/orchestrator"
)

// pollCmd measures what the orchestrator alone costs on this node: the
// poller of the node view (OnDemand, no view that needs the cluster) on
// the master of -info, polled -polls times after a first poll that finds
// this node's agent; the CPU per poll, and per refresh at -d when polls
// come every -interval.
func pollCmd(args []string) error {
	fs := flag.NewFlagSet("poll", flag.ExitOnError)
	in := fs.String("info", "", "serve's info file")
	out := fs.String("out", "", "result file (JSON)")
	host := fs.String("host", "", "this node's host name (agent 0's)")
	polls := fs.Int("polls", 20, "polls measured")
	fs.Parse(args)
	inf, err := readInfo(*in)
	if err != nil {
		return err
	}
	p, err := orchestrator.NewPoller(orchestrator.Config{URLs: []string{inf.Master}, Hostname: *host, Addrs: []string{"192.0.2.1"}, OnDemand: true, Timeout: 30 * time.Second})
	if err != nil {
		return err
	}
	ctx := context.Background()
	p.Refresh(ctx) // finds this node's agent
	if c := p.Latest(); c == nil || c.AgentID == "" {
		return fmt.Errorf("the first poll found no agent of this node: %v", p.Errors())
	}
	var cpus []float64
	for i := 0; i < *polls; i++ {
		c0 := cpuNow()
		p.Refresh(ctx)
		cpus = append(cpus, float64(cpuNow()-c0))
		time.Sleep(100 * time.Millisecond)
	}
	r := struct {
		Label string `json:"label"`
		CPUNs stats  `json:"cpu_ns"` // per poll
	}{"orchestrator poll of the node view", summarise(cpus)}
	fmt.Fprintf(os.Stderr, "clustertool poll: %d agents: %.2f ms CPU per poll (median of %d)\n", len(inf.Agents), r.CPUNs.Median/1e6, r.CPUNs.N)
	b, _ := json.MarshalIndent(r, "", "  ")
	return os.WriteFile(*out, b, 0o644)
}
