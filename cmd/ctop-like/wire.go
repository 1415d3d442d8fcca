package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/monitor"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
	"github.com/ctop-like/ctop-like/internal/ui"
	"github.com/ctop-like/ctop-like/internal/views"
)

// startOrchestrator starts polling Mesos/Marathon in its own goroutine:
// with -m, or without it when this node's Mesos agent answers
// (--mesos-agent, else localhost:5051), which then leads to its master;
// a node where no agent answers has no orchestrator, and nothing is said.
// (Matching always runs: without one, MARATHON_APP_ID in a container's
// env still names its app.)
func startOrchestrator(ctx context.Context, o *options, host string, stderr io.Writer) (monitor.ClusterSource, error) {
	agent := o.mesosAgent
	if len(o.mesos) == 0 {
		if agent == "" {
			agent = orchestrator.DefaultAgentURL
		}
		cfg, err := pollerConfig(o, host, nil)
		if err != nil {
			return nil, err
		}
		cfg.Agent = agent
		pctx, cancel := context.WithTimeout(ctx, agentProbe)
		found, err := orchestrator.ProbeAgent(pctx, cfg)
		cancel()
		switch {
		case err != nil && o.mesosAgent == "":
			return nil, nil // not a Mesos node: nothing changes
		case err != nil:
			warn(stderr, "--mesos-agent: "+err.Error()+"; asking it again every "+o.orchInterval.String())
		default:
			warn(stderr, "found "+found.String())
		}
	}
	p, err := newPoller(o, host, localAddrs(), agent)
	if err != nil {
		return nil, err
	}
	p.Want(views.Get(o.view).Needs)
	views.SetNeedsHook(p.Want)
	go guard("orchestrator", func() { p.Run(ctx) })
	return p, nil
}

// agentProbe bounds the look for this node's Mesos agent at start: one
// that refuses answers at once; one that hangs costs this much once.
const agentProbe = time.Second

// Where a -m password can come from without a command line: a file (as
// Docker's *_FILE secrets), or the environment.
const (
	passwordFileEnv = "CTOP_LIKE_PASSWORD_FILE"
	passwordEnv     = "CTOP_LIKE_PASSWORD"
)

// mesosPassword is the password for -m URLs that name a user without one.
func mesosPassword() (string, error) {
	if f := os.Getenv(passwordFileEnv); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", usageError{passwordFileEnv + ": " + err.Error()}
		}
		pw, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimSuffix(pw, "\r"), nil
	}
	return os.Getenv(passwordEnv), nil
}

// newPoller makes the Mesos/Marathon poller of -m (and this node's agent:
// agent, "" for none) and says on stderr, once, when DCOS_ACS_TOKEN
// replaces a user:password given in -m. It reads the cluster only for
// what a view shows (OnDemand).
func newPoller(o *options, host string, addrs []string, agent string) (*orchestrator.Poller, error) {
	cfg, err := pollerConfig(o, host, addrs)
	if err != nil {
		return nil, err
	}
	cfg.Agent, cfg.OnDemand = agent, true
	p, err := orchestrator.NewPoller(cfg)
	if err != nil {
		return nil, usageError{"-m, --mesos-api: " + err.Error()}
	}
	if _, replaces := p.Credentials(); replaces {
		fmt.Fprintln(os.Stderr, "ctop-like: DCOS_ACS_TOKEN is set: it is sent instead of the user:password of -m")
	}
	return p, nil
}

// pollerConfig is the orchestrator's configuration from the flags; host and
// addrs name this node, to find its Mesos agent.
func pollerConfig(o *options, host string, addrs []string) (orchestrator.Config, error) {
	pw, err := mesosPassword()
	if err != nil {
		return orchestrator.Config{}, err
	}
	return orchestrator.Config{
		URLs:     o.mesos,
		Password: pw,
		Interval: o.orchInterval,
		Timeout:  orchestrator.DefaultTimeout,
		Insecure: o.insecure,
		CACert:   o.caCert,
		Token:    os.Getenv("DCOS_ACS_TOKEN"),
		Hostname: host,
		Addrs:    addrs,
	}, nil
}

// waitCluster waits until Mesos and Marathon have each answered or failed
// once, or the deadline, whichever comes first.
func waitCluster(ctx context.Context, cl monitor.ClusterSource, deadline time.Time) {
	if cl == nil {
		return
	}
	settled := func() bool {
		if s, ok := cl.(interface{ Settled() bool }); ok {
			return s.Settled()
		}
		return cl.Latest() != nil || len(cl.Errors()) > 0
	}
	for !settled() && time.Now().Before(deadline) {
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

// runScreen draws the interactive screen over a feed of snapshots: the live
// monitor (maybe recorded on the way) or a replay (nd nil).
func runScreen(o *options, feed monitor.Feed, nd *node, q views.Query) error {
	acts := newActuator(o, nd)
	var showStopped func(bool)
	if nd != nil && nd.local != nil {
		showStopped = nd.local.ListStopped
	}
	return ui.Run(ui.Options{
		Feed:        feed,
		View:        q.View,
		Scope:       q.Scope,
		Filter:      q.Filter,
		Sort:        q.Sort,
		Desc:        q.Desc,
		ReadOnly:    acts == nil,
		ReadOnlyWhy: readOnlyWhy(o, nd),
		Color:       o.color,
		Actions:     acts,
		Logs:        q.Logs,
		Last:        q.Last,
		ShowStopped: showStopped,
		AllStopped:  o.all,
		OnOpen:      setCrashUI,
		Views:       settingsViews(o),
		Keep:        keepSettings(o),
		Notes:       o.notes,
	})
}

// readOnlyWhy says why the screen offers no action, as newActuator
// decides: "" when it offers them.
func readOnlyWhy(o *options, nd *node) string {
	switch {
	case o.readOnly:
		return "read-only (--read-only): no actions are offered"
	case o.read != "" || nd == nil:
		return "a replay of a recording: no actions are offered"
	case nd.local == nil:
		return "a remote source (--cluster, --cadvisor) is read-only: actions would act on this node, not on the one shown"
	}
	return ""
}
