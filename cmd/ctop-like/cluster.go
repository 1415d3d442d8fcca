package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/ctop-like/ctop-like/batch"
	"github.com/ctop-like/ctop-like/cadvisor"
	"github.com/ctop-like/ctop-like/collector"
	"github.com/ctop-like/ctop-like/monitor"
	"github.com/ctop-like/ctop-like/orchestrator"
	"github.com/ctop-like/ctop-like/ui"
	"github.com/ctop-like/ctop-like/views"
)

// startRemote runs the tool on a source other than this node: every
// agent of a Mesos cluster (--cluster with -m) or one node's cAdvisor
// (--cadvisor). The views, batch output and screen are the same; no
// actions are offered, as they would act on this node's Docker.
func startRemote(ctx context.Context, o *options, stdout io.Writer) error {
	var src collector.Source
	var cl monitor.ClusterSource
	switch {
	case o.cluster && o.cadvisor != "":
		return usageError{"--cluster and --cadvisor: give one of them"}
	case o.cluster:
		if len(o.mesos) == 0 {
			return usageError{"--cluster: needs -m, --mesos-api with the Mesos master's URL"}
		}
		p, err := orchestrator.NewPoller(orchestrator.Config{
			URLs:     o.mesos,
			Interval: o.orchInterval,
			Timeout:  orchestrator.DefaultTimeout,
			Insecure: o.insecure,
			CACert:   o.caCert,
			Token:    os.Getenv("DCOS_ACS_TOKEN"),
		})
		if err != nil {
			return usageError{"-m, --mesos-api: " + err.Error()}
		}
		go p.Run(ctx)
		// A refresh waits at most 3/4 of the interval for agents that
		// answered last time; later answers land in the next one.
		ag := orchestrator.NewAgents(p, orchestrator.AgentsConfig{Wait: min(o.delay*3/4, orchestrator.DefaultTimeout)})
		src, cl = ag, ag
	default:
		hc, err := remoteClient(o)
		if err != nil {
			return err
		}
		cs, err := cadvisor.New(o.cadvisor, hc)
		if err != nil {
			return usageError{"--cadvisor: " + err.Error()}
		}
		cs.All = o.all
		src = cs
		if cl, _, err = startOrchestrator(ctx, o, cs.Host()); err != nil {
			return err
		}
	}
	mon := monitor.New(src, o.delay, cl, orchestrator.Match)
	q := views.Query{View: o.view, Scope: o.scope, Filter: o.filter, Sort: o.sort, Desc: o.desc}
	if o.output != "" {
		return runRemoteBatch(ctx, o, mon, cl, q, stdout)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go mon.Run(ctx)
	return ui.Run(ui.Options{
		Feed: mon, View: q.View, Scope: q.Scope, Filter: q.Filter, Sort: q.Sort, Desc: q.Desc,
		ReadOnly: true, Color: o.color,
	})
}

// remoteClient is the HTTP client for cAdvisor, with --insecure and
// --ca-cert as for Mesos.
func remoteClient(o *options) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tc := &tls.Config{InsecureSkipVerify: o.insecure} //nolint:gosec // opt-in by --insecure
	if o.caCert != "" {
		pem, err := os.ReadFile(o.caCert)
		if err != nil {
			return nil, fmt.Errorf("--ca-cert: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-cert %s: no PEM certificate found", o.caCert)
		}
		tc.RootCAs = pool
	}
	tr.TLSClientConfig = tc
	tr.ResponseHeaderTimeout = cadvisor.DefaultTimeout
	return &http.Client{Transport: tr, Timeout: cadvisor.DefaultTimeout + time.Second}, nil
}

// runRemoteBatch prints -n refreshes as runBatch does, without the local
// Docker wait.
func runRemoteBatch(ctx context.Context, o *options, mon *monitor.Monitor, cl monitor.ClusterSource, q views.Query, stdout io.Writer) error {
	start := time.Now()
	p := &batch.Printer{Out: stdout, Format: o.output, Query: q}
	if _, err := mon.Step(ctx); err != nil {
		return err
	}
	waitCluster(ctx, cl, start.Add(orchestrator.DefaultTimeout))
	next := time.Now()
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
			next = now
		}
	}
	return nil
}
