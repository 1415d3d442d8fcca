package main

import (
	"github.com/ctop-like/ctop-like/internal/actions"
	"github.com/ctop-like/ctop-like/internal/actuator"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
	"github.com/ctop-like/ctop-like/internal/views"
)

// newActuator makes the screen's actuator for the node; nil when nothing
// may be acted on: --read-only, a replay, and a remote source (--cluster,
// --cadvisor), whose rows are not this node's to act on.
func newActuator(o *options, nd *node) views.Actuator {
	if o.readOnly || o.read != "" || nd == nil || nd.local == nil {
		return nil
	}
	x := &actuator.Actuator{Runtime: nd.local.Runtime, Cluster: nd.cluster,
		Cgroups: func() (actions.Cgroups, error) { return actions.Locate(o.procRoot, o.cgroupRoot) },
		Self:    actions.OwnSession}
	if p, ok := nd.cluster.(*orchestrator.Poller); ok {
		x.MarathonWriter = p.MarathonWriter
	}
	return x
}
