package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/agents"
	"github.com/ctop-like/ctop-like/internal/cadvisor"
	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/logfeed"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/monitor"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
	"github.com/ctop-like/ctop-like/internal/views"
)

// tuneRemoteGC sets the collector for a remote source: --cluster takes
// this node's soft limit that follows the live heap (gc.go), which at
// 5,000 agents x 20 executors kept peak RSS at 601-622 MB against
// 1,018-1,040 with Go's defaults, for 1,323-1,422 against 1,146-1,420 ms
// of CPU per refresh; --cadvisor collects at half again its live heap
// (GOGC 50): at 5,000 cgroups 80-86 MB against 94-96, for the same CPU,
// where the soft limit doubled its CPU. GOGC and GOMEMLIMIT, when set,
// win.
func tuneRemoteGC(ctx context.Context, o *options) {
	if o.cluster {
		tuneGC(ctx, max(10*time.Second, 4*o.delay))
		return
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
}

// startRemoteOrchestrator is -m for a remote node (--cadvisor): that
// node's agent is not this node's, so there is nothing to probe here.
func startRemoteOrchestrator(ctx context.Context, o *options, host string) (monitor.ClusterSource, error) {
	if len(o.mesos) == 0 {
		return nil, nil
	}
	p, err := newPoller(o, host, nil, o.mesosAgent)
	if err != nil {
		return nil, err
	}
	p.Want(views.Get(o.view).Needs)
	views.SetNeedsHook(p.Want)
	go guard("orchestrator", func() { p.Run(ctx) })
	return p, nil
}

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
		p, err := newPoller(o, "", nil, "")
		if err != nil {
			return nil, err
		}
		p.Want(views.Get(o.view).Needs)
		views.SetNeedsHook(p.Want)
		go guard("orchestrator", func() { p.Run(ctx) })
		// A refresh waits at most 3/4 of the interval for agents that
		// answered last time; later answers land in the next one.
		ag := agents.New(p, agents.Config{Wait: min(o.delay*3/4, orchestrator.DefaultTimeout), Interval: o.delay, BeforeSample: collectBeforeSample})
		return &node{src: ag, host: "cluster", cluster: ag, logs: logfeed.Cluster(ag), events: p, close: func() {}}, nil
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
		cl, err := startRemoteOrchestrator(ctx, o, cs.Host())
		if err != nil {
			return nil, err
		}
		return &node{src: cs, host: cs.Host(), cluster: cl, close: func() {}}, nil
	}
}

// checkAgentScope makes --scope agent= that names no agent of the
// cluster a usage error naming some that exist; the list is known once
// the first refresh read it (without it, the refresh's errors say why).
func checkAgentScope(o *options, s *model.Snapshot) error {
	for _, sc := range o.scope {
		if sc.Kind != "agent" || s == nil || s.Cluster == nil || len(s.Cluster.Agents) == 0 {
			continue
		}
		var names []string
		for _, a := range s.Cluster.Agents {
			if a.ID == sc.ID || a.Name == sc.ID {
				names = nil
				break
			}
			names = append(names, a.Name+" ("+a.ID+")")
		}
		if names == nil {
			continue
		}
		more := ""
		if len(names) > 5 {
			more = fmt.Sprintf(" and %d more (-v agents)", len(names)-5)
			names = names[:5]
		}
		return usageError{fmt.Sprintf("--scope agent=%s: no such agent; agents are %s%s", sc.ID, strings.Join(names, ", "), more)}
	}
	return nil
}
