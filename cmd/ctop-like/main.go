// Command ctop-like is a top for containers: it shows what every container,
// process and device of a node is doing, grouped by the Mesos/Marathon
// cluster that placed the containers there.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ctop-like/ctop-like/internal/batch"
	"github.com/ctop-like/ctop-like/internal/collector"
	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/logfeed"
	"github.com/ctop-like/ctop-like/internal/metrics"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/monitor"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
	"github.com/ctop-like/ctop-like/internal/recording"
	"github.com/ctop-like/ctop-like/internal/termtext"
	"github.com/ctop-like/ctop-like/internal/views"
)

func main() {
	exit(run(hideArgPasswords(), os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stdout)
	if errors.Is(err, errHelp) {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		warn(stderr, ue.msg)
		return 2
	}
	if done, code := about(o, stdout, stderr); done {
		return code
	}
	readSettings(o, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if err := start(ctx, o, stdout, stderr); err != nil {
		if errors.As(err, &ue) {
			warn(stderr, ue.msg)
			return 2
		}
		warn(stderr, err.Error())
		return 1
	}
	return 0
}

// about prints what the tool says about itself (--version, -l, the
// manual) and reports whether that was all the command line asked.
func about(o *options, stdout, stderr io.Writer) (done bool, code int) {
	form := o.completion
	switch {
	case o.version:
		fmt.Fprintf(stdout, "ctop-like %s\n", buildVersion())
		return true, 0
	case o.listViews && !o.markdown:
		batch.ListViews(stdout)
		return true, 0
	case o.markdown:
		form = "markdown"
	case o.man:
		form = "man"
	case form == "":
		return false, 0
	}
	if err := writeManual(stdout, form); err != nil {
		warn(stderr, err.Error())
		return true, 1
	}
	return true, 0
}

// stderrCells bounds one line on stderr: an error may quote a whole HTTP
// body.
const stderrCells = 2048

// warn writes msg as one line on stderr. Errors quote text from outside
// (HTTP bodies, names, ids, file names), so msg passes termtext.Line: no
// control or bidi character reaches the terminal, and no line break.
func warn(stderr io.Writer, msg string) {
	fmt.Fprintf(stderr, "ctop-like: %s\n", termtext.Line(msg, stderrCells))
}

func start(ctx context.Context, o *options, stdout, stderr io.Writer) (err error) {
	if o.read != "" {
		return replay(ctx, o, stdout, stderr)
	}
	nd, err := openNode(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer nd.close()
	logFeed, stopLogs := startLogs(o, nd.logs)
	defer stopLogs()
	last, stopLast := startLast(o, nd.logs)
	defer stopLast()
	mon := monitor.New(nd.src, o.delay, nd.cluster, orchestrator.Match)
	if printedOnly(o) {
		mon.Handled()
	}
	startEvents(ctx, o, nd, mon, stderr)
	if o.listen != "" {
		srv, err := metrics.Listen(o.listen, mon.Latest)
		if err != nil {
			return err
		}
		defer srv.Close()
	}
	q := views.Query{View: o.view, Scope: o.scope, Filter: o.filter, Sort: o.sort, Desc: o.desc, Logs: logFeed, Last: last}
	rec, err := openRecording(o, nd.host)
	if err != nil {
		return err
	}
	if rec != nil {
		setCrashRecording(rec)
		nd.onTime.always.Store(true) // every refresh's events are kept
		// A recording that lost records (a full disk) fails the run: the
		// file is not what the user asked for.
		defer func() {
			if cerr := rec.Close(); cerr != nil {
				if err != nil {
					warn(stderr, cerr.Error())
				} else {
					err = cerr
				}
			}
		}()
	}
	if nd.local != nil && rec == nil {
		// What processes listen on, their io and their figures are read
		// only while a view, the describe text or the port-conflict rule
		// uses them (views/uses.go); the recorder reads them always, and
		// batch output what processes listen on (its port conflicts show
		// from the first line). A view that asks for the processes'
		// figures when the last pass read none has a pass at once and
		// its rates half a second later (RefreshSoon).
		nd.local.ReadOnDemand(o.output == "", true, true)
		nd.refreshSoon = mon.RefreshSoon
		views.SetUsesHook(func(u views.Uses) { wantUses(nd, u) })
		defer views.SetUsesHook(nil)
		wantUses(nd, views.ViewUses(q.View))
	}
	if o.output != "" {
		return runBatch(ctx, o, nd, mon, q, rec, stdout, stderr)
	}
	if len(q.Scope) > 0 {
		// As in batch mode, a scope that matches nothing is a usage
		// error before the screen opens.
		if err := scopeBeforeScreen(ctx, o, nd, mon, q.Scope); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go guard("monitor", func() {
		// As in batch mode: names come from the Docker API's first
		// listing, so the first snapshot waits for it (at most one
		// interval) rather than showing hex ids; the screen says
		// "waiting for the first sample…" meanwhile.
		if d := nd.docker; d != nil {
			wctx, cancel := context.WithTimeout(ctx, o.delay)
			_ = d.WaitReady(wctx)
			cancel()
		}
		mon.Run(ctx)
	})
	var feed monitor.Feed = mon
	if rec != nil {
		feed = recording.Tee(ctx, mon, rec, func(err error) { lastRecordErr.Store(err.Error()) })
	}
	err = runScreen(o, feed, nd, q)
	if msg, ok := lastRecordErr.Load().(string); ok {
		warn(stderr, msg) // the error names the file
	}
	return err
}

// printedOnly says each snapshot is printed and dropped: batch output
// without --listen (whose endpoint reads the newest snapshot). The
// monitor and the events timeline then keep nothing that refers to the
// last refresh's samples (monitor.Handled).
func printedOnly(o *options) bool { return o.output != "" && o.listen == "" }

// wantUses tells the collector what the views use.
func wantUses(nd *node, u views.Uses) {
	if u&views.UsesEventsOnTime != 0 {
		nd.onTime.want()
	}
	l := nd.local
	if u&views.UsesListeners != 0 {
		l.WantPorts()
	}
	if u&views.UsesProcessIO != 0 {
		l.WantProcessIO()
	}
	if u&views.UsesProcessFigures != 0 && l.WantProcessFigures() && nd.refreshSoon != nil {
		nd.refreshSoon()
	}
}

// node is what the tool watches: this node's kernel and Docker, every agent
// of a cluster (--cluster) or a remote node's cAdvisor (--cadvisor).
type node struct {
	src     monitor.Source
	host    string
	cluster monitor.ClusterSource // nil without -m
	docker  runtime.Handler       // this node's Docker, whose first list the screen waits for; nil without
	local   *collector.Local      // this node's runtimes; nil for remote nodes (no container actions, no shell)
	ready   func(context.Context) // waits for the runtimes' first lists; nil for remote nodes
	// refreshSoon has the monitor take a pass at once (a view asks for
	// what the last pass did not read); nil: none.
	refreshSoon func()
	logs        logfeed.Opener // opens a scope's log; nil where none can be read
	// events reads the orchestrator's event stream where cluster does not
	// itself (--cluster: the agents' source, on top of the poller); nil
	// when cluster does or there is none.
	events eventStreamer
	// onTime says whether a refresh waits for the engines' late streams
	// (catchUp): while the events are shown or recorded.
	onTime eventsDemand
	close  func()
}

// openNode opens the source the flags name.
func openNode(ctx context.Context, o *options, stderr io.Writer) (*node, error) {
	if o.cluster || o.cadvisor != "" {
		tuneRemoteGC(ctx, o)
		return openRemote(ctx, o)
	}
	tuneGC(ctx, 0)
	local, err := collector.NewLocal(ctx, collector.Config{
		ProcRoot:          o.procRoot,
		CgroupRoot:        o.cgroupRoot,
		DockerHost:        o.dockerHost,
		PodmanHost:        o.podmanHost,
		ContainerdAddress: o.containerdAddress,
		CRIOAddress:       o.crioAddress,
		All:               o.all,
	})
	if err != nil {
		return nil, err
	}
	cl, err := startOrchestrator(ctx, o, local.Host(), stderr)
	if err != nil {
		local.Close()
		return nil, err
	}
	return &node{src: local, host: local.Host(), cluster: cl, docker: local.Runtime(model.RuntimeDocker), local: local, ready: local.WaitReady, logs: logfeed.Local(local, o.procRoot, o.cgroupRoot), close: func() { local.Close() }}, nil
}

// runBatch prints -n refreshes. Rates need two samples, so the first line
// comes one interval after start.
func runBatch(ctx context.Context, o *options, nd *node, mon *monitor.Monitor, q views.Query, rec *recording.Writer, stdout, stderr io.Writer) error {
	start := time.Now()
	if nd.ready != nil {
		// Names come from the runtimes' APIs: give their first listings up
		// to one interval so the first refresh is not nameless.
		wctx, cancel := context.WithTimeout(ctx, o.delay)
		nd.ready(wctx)
		cancel()
	}
	p := &batch.Printer{Out: stdout, Format: o.output, Query: q, Columns: tableColumns(o, q.View)}
	first, err := mon.Step(ctx)
	if err != nil {
		return err
	}
	if err := checkAgentScope(o, first); err != nil {
		return err
	}
	if err := checkLogScope(ctx, nd.logs, first, q); err != nil {
		return err
	}
	// The first refresh is placed in the cluster if Mesos/Marathon answer
	// within one interval of start; a hanging one delays it no more (it is
	// named as waiting in the errors).
	waitCluster(ctx, nd.cluster, start.Add(o.delay))
	next := start
	if late := time.Since(start) - o.delay; late > 0 {
		next = next.Add(late)
	}
	recordFailed := false
	heard := answered(nd.cluster)
	for i := 0; o.iterations == 0 || i < o.iterations; i++ {
		next = next.Add(o.delay)
		t := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			t.Stop()
			return heard.verdict()
		case <-t.C:
		}
		snap, err := mon.Step(ctx)
		if err != nil {
			return err
		}
		if i == 0 && len(q.Scope) > 0 {
			if snap, err = scopeFound(ctx, nd, mon, snap, q.Scope); err != nil {
				return err
			}
		}
		heard.check()
		if err := p.Print(snap); err != nil {
			return err
		}
		if rec != nil {
			if err := rec.Write(snap); err != nil && !recordFailed {
				// The printed lines go on; the user learns at once why
				// the file stopped growing, and at exit how many
				// records it lacks (Close), not once per refresh.
				warn(stderr, err.Error())
				recordFailed = true
			}
		}
		if now := time.Now(); now.After(next.Add(o.delay)) {
			// Fell behind by more than an interval: start afresh rather
			// than printing a burst.
			next = now
		}
	}
	return heard.verdict()
}
