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

	"github.com/ctop-like/ctop-like/batch"
	"github.com/ctop-like/ctop-like/collector"
	"github.com/ctop-like/ctop-like/monitor"
	"github.com/ctop-like/ctop-like/orchestrator"
	"github.com/ctop-like/ctop-like/views"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, errHelp) {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "ctop-like: %s\n", ue.msg)
		return 2
	}
	if o.version {
		fmt.Fprintf(stdout, "ctop-like %s\n", version)
		return 0
	}
	if o.listViews {
		batch.ListViews(stdout)
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := start(ctx, o, stdout, stderr); err != nil {
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "ctop-like: %s\n", ue.msg)
			return 2
		}
		fmt.Fprintf(stderr, "ctop-like: %v\n", err)
		return 1
	}
	return 0
}

func start(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	if o.read != "" || o.write != "" {
		return usageError{"-r/-w: recording and replay are not built yet"}
	}
	if o.cluster || o.cadvisor != "" {
		return startRemote(ctx, o, stdout)
	}
	local, err := collector.NewLocal(ctx, collector.Config{
		ProcRoot:   o.procRoot,
		CgroupRoot: o.cgroupRoot,
		DockerHost: o.dockerHost,
		All:        o.all,
	})
	if err != nil {
		return err
	}
	defer local.Close()
	cl, join, err := startOrchestrator(ctx, o, local.Host())
	if err != nil {
		return err
	}
	mon := monitor.New(local, o.delay, cl, join)
	q := views.Query{View: o.view, Scope: o.scope, Filter: o.filter, Sort: o.sort, Desc: o.desc}
	if o.output != "" {
		return runBatch(ctx, o, local, mon, cl, q, stdout)
	}
	return runScreen(ctx, o, local, mon, q)
}

// runBatch prints -n refreshes. Rates need two samples, so the first line
// comes one interval after start.
func runBatch(ctx context.Context, o *options, local *collector.Local, mon *monitor.Monitor, cl monitor.ClusterSource, q views.Query, stdout io.Writer) error {
	start := time.Now()
	if d := local.Docker(); d != nil {
		// Names come from the Docker API: give its first listing up to one
		// interval so the first refresh is not nameless.
		wctx, cancel := context.WithTimeout(ctx, o.delay)
		_ = d.WaitReady(wctx)
		cancel()
	}
	p := &batch.Printer{Out: stdout, Format: o.output, Query: q}
	if _, err := mon.Step(ctx); err != nil {
		return err
	}
	// The first refresh is placed in the cluster if Mesos/Marathon answer
	// within one request timeout of start; a hanging one delays it no more.
	waitCluster(ctx, cl, start.Add(orchestrator.DefaultTimeout))
	next := start
	if late := time.Since(start) - o.delay; late > 0 {
		next = next.Add(late)
	}
	for i := 0; o.iterations == 0 || i < o.iterations; i++ {
		next = next.Add(o.delay)
		t := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		snap, err := mon.Step(ctx)
		if err != nil {
			return err
		}
		if err := p.Print(snap); err != nil {
			return err
		}
		if now := time.Now(); now.After(next.Add(o.delay)) {
			// Fell behind by more than an interval: start afresh rather
			// than printing a burst.
			next = now
		}
	}
	return nil
}
