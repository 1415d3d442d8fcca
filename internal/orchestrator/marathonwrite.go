package orchestrator

import (
	"fmt"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
)

// WriteTimeout bounds one write to Marathon (restart, scale, kill): it
// answers once it has stored the deployment, later than a read.
const WriteTimeout = 30 * time.Second

// MarathonWriter is what acts on the Marathon whose shown URL is base
// (model.Cluster.Marathon, the one that answered): a client of httpapi with
// the poller's TLS settings and WriteTimeout, and the endpoint with the
// credentials the poller reads it with — the user:password of the -m URL
// that names it (DCOS_ACS_TOKEN instead when set). A Marathon found as
// the webui_url of Mesos's marathon framework gets none, as its reads get
// none: a framework chose that URL, not the user.
func (p *Poller) MarathonWriter(base string) (*httpapi.Client, *httpapi.Endpoint, error) {
	e := p.marathonAt(base)
	if e == nil {
		return nil, nil, fmt.Errorf("marathon %s: not a Marathon this tool reads", base)
	}
	api, err := httpapi.New(httpapi.Config{Timeout: WriteTimeout, MaxBody: 1 << 20, Insecure: p.cfg.Insecure, CACert: p.cfg.CACert, Transport: p.cfg.Transport})
	if err != nil {
		return nil, nil, err
	}
	return api, e, nil
}

// marathonAt is the endpoint whose shown URL is base: one of -m, else the
// one discovered from Mesos's frameworks; nil when neither.
func (p *Poller) marathonAt(base string) *httpapi.Endpoint {
	for _, e := range p.marathon {
		if e.String() == base {
			return e
		}
	}
	if len(p.marathon) > 0 {
		return nil
	}
	p.mu.Lock()
	answered := p.maraOK != nil && p.maraOK.URL == base
	p.mu.Unlock()
	if !answered {
		return nil
	}
	e, err := httpapi.Parse(base)
	if err != nil {
		return nil
	}
	return e.Bare()
}
