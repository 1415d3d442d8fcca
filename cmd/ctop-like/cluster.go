package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/ctop-like/ctop-like/cadvisor"
	"github.com/ctop-like/ctop-like/orchestrator"
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
		p, err := orchestrator.NewPoller(orchestrator.Config{
			URLs:     o.mesos,
			Interval: o.orchInterval,
			Timeout:  orchestrator.DefaultTimeout,
			Insecure: o.insecure,
			CACert:   o.caCert,
			Token:    os.Getenv("DCOS_ACS_TOKEN"),
		})
		if err != nil {
			return nil, usageError{"-m, --mesos-api: " + err.Error()}
		}
		go guard("orchestrator", func() { p.Run(ctx) })
		// A refresh waits at most 3/4 of the interval for agents that
		// answered last time; later answers land in the next one.
		ag := orchestrator.NewAgents(p, orchestrator.AgentsConfig{Wait: min(o.delay*3/4, orchestrator.DefaultTimeout)})
		return &node{src: ag, host: "cluster", cluster: ag, close: func() {}}, nil
	default:
		hc, err := remoteClient(o)
		if err != nil {
			return nil, err
		}
		cs, err := cadvisor.New(o.cadvisor, hc)
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
