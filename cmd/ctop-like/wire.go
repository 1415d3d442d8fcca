package main

import (
	"context"

	"github.com/ctop-like/ctop-like/collector"
	"github.com/ctop-like/ctop-like/monitor"
	"github.com/ctop-like/ctop-like/views"
)

// startOrchestrator starts polling Mesos/Marathon when -m is given.
func startOrchestrator(ctx context.Context, o *options, host string) (monitor.ClusterSource, monitor.Joiner, error) {
	if len(o.mesos) > 0 {
		return nil, nil, usageError{"-m: Mesos support is not built yet"}
	}
	return nil, nil, nil
}

// runScreen draws the interactive screen.
func runScreen(ctx context.Context, o *options, local *collector.Local, mon *monitor.Monitor, q views.Query) error {
	return usageError{"the interactive screen is not built yet: use -o table or -o json"}
}
