package main

import (
	"context"
	"io"
	"sync/atomic"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/events"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/monitor"
	"github.com/ctop-like/ctop-like/internal/views"
)

// eventStreamer is a cluster source that reads its orchestrator's event
// stream (Marathon's /v2/events) while a view shows events.
type eventStreamer interface {
	StreamEvents(ctx context.Context, push func(model.Event), attached func(bool))
}

// startEvents gives the run its timeline: every refresh derives what the
// snapshot says happened (Observe) and keeps what the engines' event
// streams heard since. On this node Docker, Podman and containerd say
// themselves what happened to their containers (with exit codes and OOM
// kills); the other runtimes' cgroups and their counters say it. On a
// remote source every runtime's figures do.
//
// With --since, the engines' own history of that span comes first (up to
// 10 s to read it); what the live stream hears again is kept once.
//
// Batch output of another view that is not recorded shows no event: it
// keeps no timeline (deriving the events cost a copy of what places each
// container, 20 MB at --cluster's 100,000 executors, and a pass over
// them every refresh).
func startEvents(ctx context.Context, o *options, nd *node, mon *monitor.Monitor, stderr io.Writer) *events.Timeline {
	if printedOnly(o) && o.write == "" && views.ViewUses(o.view)&views.UsesEventsOnTime == 0 {
		if nd.local != nil {
			mon.Observe(nd.local.SandboxDisk)
		}
		return nil
	}
	// What happened before the run is no news (the kernel log replays
	// every record since boot).
	now := time.Now()
	cfg := events.Config{CounterSource: "cgroup", Since: now.Add(-o.since), Handled: printedOnly(o)}
	// The runtimes whose engines say what happened (Docker, Podman,
	// containerd).
	var engines []runtime.Handler
	told := map[string]bool{}
	if nd.local != nil {
		for _, h := range nd.local.Runtimes() {
			if _, ok := h.(runtime.Notifier); ok {
				engines = append(engines, h)
				told[h.Name()] = true
			}
		}
	} else {
		cfg.CounterSource = counterSource(o)
	}
	cfg.Counters = func(rt string) bool { return !told[rt] }
	tl := events.New(cfg)
	for _, h := range engines {
		h.(runtime.Notifier).Listen(tl.Push)
	}
	if o.since > 0 {
		if nd.ready != nil && len(engines) > 0 {
			// Each engine's first list says whether it is there.
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			nd.ready(wctx)
			cancel()
		}
		for _, h := range engines {
			hist, ok := h.(runtime.Historian)
			if !ok {
				continue
			}
			past, err := hist.History(ctx, cfg.Since, now)
			if err != nil {
				warn(stderr, "--since: "+h.Name()+": "+err.Error())
			}
			for _, e := range past {
				tl.Push(e)
			}
		}
	}
	if nd.local != nil {
		nd.local.ListenOOM(tl.Push)
	}
	// Marathon's event stream, while the events view is shown (with
	// --cluster too: its poller's).
	es, ok := nd.cluster.(eventStreamer)
	if !ok {
		es, ok = nd.events, nd.events != nil
	}
	if ok {
		es.StreamEvents(ctx, tl.Push, tl.Streaming)
	}
	// The engines whose streams a refresh waits for (catchUp).
	var catchers []runtime.CatchUpper
	gone := runtime.ProcGone(o.procRoot)
	for _, h := range engines {
		if c, ok := h.(runtime.CatchUpper); ok {
			catchers = append(catchers, c)
		}
	}
	mon.Observe(func(s *model.Snapshot) {
		// A Mesos task's sandbox size is its container's disk_bytes when
		// no layer is measured: known only once the cluster placed it.
		if nd.local != nil {
			nd.local.SandboxDisk(s)
		}
		if nd.onTime.wanted() {
			catchUp(ctx, catchers, gone)
		}
		tl.Observe(s)
	})
	return tl
}

// eventsDemand says whether a refresh waits for the engines' late
// streams: while the events view is used (views.UsesEventsOnTime, renewed
// at every use, for 30 s after the last) or a recording keeps every
// refresh's events. A refresh of another view keeps its pace: at -d 250
// with containers stopping several times a second, waiting made the
// soak's refreshes late by up to 420 ms.
type eventsDemand struct {
	until  atomic.Int64 // unix nanoseconds
	always atomic.Bool
}

func (d *eventsDemand) want() { d.until.Store(time.Now().Add(30 * time.Second).UnixNano()) }

func (d *eventsDemand) wanted() bool {
	return d.always.Load() || time.Now().UnixNano() < d.until.Load()
}

// counterSource names where a remote run's counter-derived events (OOM
// counter grew, container appeared or gone) come from: the Mesos agents'
// statistics under --cluster, the node's cAdvisor under --cadvisor.
func counterSource(o *options) string {
	if o.cluster {
		return "mesos-agent"
	}
	return "cadvisor"
}

// catchUpMax bounds how long a refresh waits for the engines' streams to
// tell the exits the node already shows: a stream further behind has its
// events kept by a later refresh (and is not waited for again for the
// same process).
const catchUpMax = 6 * time.Second

// catchUp waits, before a refresh keeps what the streams heard, for each
// engine's stream to have told the exit of every container whose main
// process is gone: the refresh that started after an engine said a
// container exited carries that exit.
func catchUp(ctx context.Context, catchers []runtime.CatchUpper, gone func(pid int) bool) {
	if len(catchers) == 0 {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, catchUpMax)
	defer cancel()
	for _, c := range catchers {
		_ = c.CatchUp(cctx, gone)
	}
}
