package main

import (
	"context"
	"net"
	"os"
	"time"

	"github.com/ctop-like/ctop-like/collector"
	"github.com/ctop-like/ctop-like/monitor"
	"github.com/ctop-like/ctop-like/orchestrator"
	"github.com/ctop-like/ctop-like/views"
)

// startOrchestrator starts polling Mesos/Marathon in its own goroutine when
// -m is given. Matching always runs: without -m, MARATHON_APP_ID in a
// container's env still names its app.
func startOrchestrator(ctx context.Context, o *options, host string) (monitor.ClusterSource, monitor.Joiner, error) {
	if len(o.mesos) == 0 {
		return nil, orchestrator.Match, nil
	}
	p, err := orchestrator.NewPoller(orchestrator.Config{
		URLs:     o.mesos,
		Interval: o.orchInterval,
		Timeout:  orchestrator.DefaultTimeout,
		Insecure: o.insecure,
		CACert:   o.caCert,
		Token:    os.Getenv("DCOS_ACS_TOKEN"),
		Hostname: host,
		Addrs:    localAddrs(),
	})
	if err != nil {
		return nil, nil, usageError{"-m, --mesos-api: " + err.Error()}
	}
	go p.Run(ctx)
	return p, orchestrator.Match, nil
}

// waitCluster waits until the first Mesos/Marathon answer (or error) or
// the deadline, whichever comes first.
func waitCluster(ctx context.Context, cl monitor.ClusterSource, deadline time.Time) {
	if cl == nil {
		return
	}
	for cl.Latest() == nil && len(cl.Errors()) == 0 && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// localAddrs are this node's addresses, to find its Mesos agent.
func localAddrs() []string {
	var out []string
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() {
			out = append(out, ipn.IP.String())
		}
	}
	return out
}

// runScreen draws the interactive screen.
func runScreen(ctx context.Context, o *options, local *collector.Local, mon *monitor.Monitor, q views.Query) error {
	return usageError{"the interactive screen is not built yet: use -o table or -o json"}
}
