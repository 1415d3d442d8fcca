package main

import (
	"context"
	"io"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/runtime/docker"
	"github.com/ctop-like/ctop-like/internal/events"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/monitor"
)

// startEvents gives the run its timeline: every refresh derives what the
// snapshot says happened (Observe) and keeps what the engines' event
// streams heard since. On this node Docker and Podman say themselves what
// happened to their containers (with exit codes and OOM kills); the other
// runtimes' cgroups and their counters say it. On a remote source every
// runtime's figures do.
//
// With --since, the engines' own history of that span comes first (up to
// 10 s to read it); what the live stream hears again is kept once.
func startEvents(ctx context.Context, o *options, nd *node, mon *monitor.Monitor, stderr io.Writer) *events.Timeline {
	// What happened before the run is no news (the kernel log replays
	// every record since boot).
	now := time.Now()
	cfg := events.Config{CounterSource: "cgroup", Since: now.Add(-o.since)}
	engines := map[string]*docker.Handler{}
	if nd.local != nil {
		for _, name := range []string{model.RuntimeDocker, model.RuntimePodman} {
			if h, ok := nd.local.Runtime(name).(*docker.Handler); ok {
				engines[name] = h
			}
		}
	} else {
		cfg.CounterSource = "cadvisor"
	}
	cfg.Counters = func(runtime string) bool { return engines[runtime] == nil }
	tl := events.New(cfg)
	for _, h := range engines {
		h.Listen(tl.Push)
	}
	if o.since > 0 {
		if nd.ready != nil && len(engines) > 0 {
			// Each engine's first list says whether it is there.
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			nd.ready(wctx)
			cancel()
		}
		for name, h := range engines {
			past, err := h.History(ctx, cfg.Since, now)
			if err != nil {
				warn(stderr, "--since: "+name+": "+err.Error())
			}
			for _, e := range past {
				tl.Push(e)
			}
		}
	}
	if nd.local != nil {
		nd.local.ListenOOM(tl.Push)
	}
	mon.Observe(tl.Observe)
	return tl
}
