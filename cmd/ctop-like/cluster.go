package main

import (
	"context"

	"github.com/ctop-like/ctop-like/internal/agents"
	"github.com/ctop-like/ctop-like/internal/cadvisor"
	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
)

// openRemote opens a source other than this node: every agent of a Mesos
// cluster (--cluster with -m) or one node's cAdvisor (--cadvisor). The
// views, batch output, screen and recorder are the same; no actions are
// offered, as they would act on this node's Docker.
func openRemote(ctx context.Context, o *options) (*node, error) {
	switch {
	case o.cluster && o.cadvisor != "":
		return nil, usageError{"--cluster and --cadvisor: give one of them"}
	case o.cluster:
		if len(o.mesos) == 0 {
			return nil, usageError{"--cluster: needs -m, --mesos-api with the Mesos master's URL"}
		}
		p, err := newPoller(o, "", nil)
		if err != nil {
			return nil, err
		}
		go guard("orchestrator", func() { p.Run(ctx) })
		// A refresh waits at most 3/4 of the interval for agents that
		// answered last time; later answers land in the next one.
		ag := agents.New(p, agents.Config{Wait: min(o.delay*3/4, orchestrator.DefaultTimeout)})
		return &node{src: ag, host: "cluster", cluster: ag, logs: clusterLogs(ag), close: func() {}}, nil
	default:
		// --insecure and --ca-cert as for Mesos.
		api, err := httpapi.New(httpapi.Config{Timeout: cadvisor.DefaultTimeout, Insecure: o.insecure, CACert: o.caCert})
		if err != nil {
			return nil, err
		}
		cs, err := cadvisor.New(o.cadvisor, api)
		if err != nil {
			return nil, usageError{"--cadvisor: " + err.Error()}
		}
		cs.All = o.all
		cl, err := startOrchestrator(ctx, o, cs.Host())
		if err != nil {
			return nil, err
		}
		return &node{src: cs, host: cs.Host(), cluster: cl, close: func() {}}, nil
	}
}
