package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ctop-like/ctop-like/model"
)

// Poller polls Mesos and Marathon in its own goroutine and keeps the last
// good answer of each, so that a refresh never waits on the network.
type Poller struct {
	cfg      Config
	client   *client
	mesos    *endpoint   // nil without a Mesos URL
	marathon []*endpoint // from -m; empty means "discover from Mesos"
	secrets  []string

	// now is time.Now, replaceable in tests.
	now func() time.Time
	// skipAgent turns off the agent state fetch (tests whose fixtures name
	// agents at real addresses).
	skipAgent bool

	pollMu sync.Mutex // one poll at a time (Run and Refresh)

	mu        sync.Mutex
	mesosOK   *mesosPart
	mesosAt   time.Time
	mesosErr  string // "" when the last poll succeeded
	agentErr  string
	maraOK    *marathonPart
	maraAt    time.Time
	maraErr   string // every Marathon URL that failed in the last poll
	maraFail  bool   // all of them failed: the Marathon part is stale
	maraInfo  *marathonInfo
	maraInfoE string // endpoint the info came from
	polled    bool
	failures  int
	latest    *model.Cluster // rebuilt after each poll
}

// NewPoller checks the URLs and TLS settings; it does no I/O.
func NewPoller(cfg Config) (*Poller, error) {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	p := &Poller{cfg: cfg, now: time.Now}
	if cfg.Token != "" {
		p.secrets = append(p.secrets, cfg.Token)
	}
	for i, raw := range cfg.URLs {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		e, err := parseEndpoint(raw)
		if err != nil {
			return nil, fmt.Errorf("-m: %s", redactSecrets(err.Error(), p.secrets))
		}
		if e.pass != "" {
			p.secrets = append(p.secrets, e.pass)
		}
		if i == 0 {
			p.mesos = e
		} else {
			p.marathon = append(p.marathon, e)
		}
	}
	if p.mesos == nil && len(p.marathon) == 0 {
		return nil, errors.New("-m: no Mesos or Marathon URL given")
	}
	hc, err := newHTTPClient(cfg)
	if err != nil {
		return nil, err
	}
	p.client = &client{http: hc, token: cfg.Token}
	return p, nil
}

// Run polls every Interval until ctx ends, backing off after failures
// (twice the wait per failed poll, up to 8 intervals or 2 minutes). While
// backing off it still knocks (a TCP connect, no request) on the servers
// every Interval, and polls at once when one that refused connections
// answers again: a server that returns is seen within one interval, and a
// server that stays down gets no requests.
func (p *Poller) Run(ctx context.Context) {
	for {
		p.Refresh(ctx)
		p.mu.Lock()
		wait := backoff(p.cfg.Interval, p.failures)
		p.mu.Unlock()
		deadline := time.Now().Add(wait)
		for {
			step := min(p.cfg.Interval, time.Until(deadline))
			t := time.NewTimer(max(step, 0))
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if !time.Now().Before(deadline) || p.back(ctx) {
				break
			}
		}
	}
}

// back reports whether every server given on the command line accepts a
// TCP connection again; discovered addresses are left alone.
func (p *Poller) back(ctx context.Context) bool {
	eps := append([]*endpoint(nil), p.marathon...)
	if p.mesos != nil {
		eps = append(eps, p.mesos)
	}
	d := net.Dialer{Timeout: min(p.cfg.Timeout, time.Second)}
	for _, e := range eps {
		port := e.base.Port()
		if port == "" {
			port = "80"
			if e.base.Scheme == "https" {
				port = "443"
			}
		}
		c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(e.base.Hostname(), port))
		if err != nil {
			return false
		}
		c.Close()
	}
	return len(eps) > 0
}

func backoff(interval time.Duration, failures int) time.Duration {
	if failures <= 0 {
		return interval
	}
	f := math.Pow(2, float64(min(failures, 3)))
	d := time.Duration(float64(interval) * f)
	if d > 2*time.Minute {
		d = max(2*time.Minute, interval)
	}
	return d
}

// Refresh polls once, synchronously; each request is bounded by Timeout, so
// Refresh returns within a few timeouts even when every server hangs.
// Batch mode calls it once before its first print.
func (p *Poller) Refresh(ctx context.Context) {
	p.pollMu.Lock()
	defer p.pollMu.Unlock()
	failed := false

	var mp *mesosPart
	if p.mesos != nil {
		var err error
		var leader *endpoint
		mp, leader, err = p.pollMesos(ctx)
		p.mu.Lock()
		if err != nil {
			failed = true
			p.mesosErr = p.describe("mesos", leader, err)
		} else {
			p.mesosOK, p.mesosAt, p.mesosErr = mp, p.now(), ""
		}
		p.mu.Unlock()
	}

	// Marathon: the -m URLs in order, else the active framework named
	// marathon in the last good Mesos state.
	eps := p.marathon
	if len(eps) == 0 {
		p.mu.Lock()
		last := p.mesosOK
		p.mu.Unlock()
		if e := discoverMarathon(last, p.mesos); e != nil {
			eps = []*endpoint{e}
		}
	}
	if len(eps) > 0 {
		var errs []string
		var got *marathonPart
		for _, e := range eps {
			p.mu.Lock()
			info := p.maraInfo
			if p.maraInfoE != e.redacted {
				info = nil
			}
			p.mu.Unlock()
			cctx, cancel := context.WithTimeout(ctx, 2*p.cfg.Timeout)
			part, in, err := p.client.fetchMarathon(cctx, e, info)
			cancel()
			if in != nil {
				p.mu.Lock()
				p.maraInfo, p.maraInfoE = in, e.redacted
				p.mu.Unlock()
			}
			if err != nil {
				errs = append(errs, p.describe("marathon", e, err))
				continue
			}
			got = part
			break
		}
		p.mu.Lock()
		p.maraErr, p.maraFail = strings.Join(errs, "; "), got == nil
		if got != nil {
			p.maraOK, p.maraAt = got, p.now()
		} else {
			failed = true
		}
		p.mu.Unlock()
	}

	p.mu.Lock()
	p.polled = true
	if failed {
		p.failures++
	} else {
		p.failures = 0
	}
	p.latest = p.assemble()
	p.mu.Unlock()
}

// pollMesos reads the leader's state, and this node's agent state when the
// master's task statuses do not name the local containers (old Mesos).
func (p *Poller) pollMesos(ctx context.Context) (*mesosPart, *endpoint, error) {
	cctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	st, leader, err := p.client.fetchMesos(cctx, p.mesos)
	cancel()
	if err != nil {
		return nil, leader, err
	}
	mp := buildMesos(st, p.cfg.Hostname, p.cfg.Addrs)
	mp.Leader = leader.redacted
	agentErr := ""
	if mp.AgentID != "" && !p.skipAgent && needAgentState(mp) {
		if u := agentURL(mp.AgentPID, leader.base); u != nil {
			ae := leader.withHost(u)
			actx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
			agent, err := p.client.fetchAgent(actx, ae, u.Path)
			cancel()
			if err != nil {
				agentErr = p.describe("mesos agent", ae, err)
			} else {
				addAgentContainers(mp.Tasks, agent)
			}
		}
	}
	p.mu.Lock()
	p.agentErr = agentErr
	p.mu.Unlock()
	return mp, leader, nil
}

// needAgentState says whether some task on this node has no container id.
func needAgentState(mp *mesosPart) bool {
	for i := range mp.Tasks {
		if mp.Tasks[i].AgentID == mp.AgentID && len(mp.Tasks[i].ContainerIDs) == 0 {
			return true
		}
	}
	return false
}

// agentURL turns an agent pid "slave(1)@10.0.3.46:5051" into its base URL,
// with the agent's path prefix ("/slave(1)") in Path.
func agentURL(pid string, from *url.URL) *url.URL {
	name, hp, ok := strings.Cut(pid, "@")
	if !ok {
		return nil
	}
	if _, _, err := net.SplitHostPort(hp); err != nil {
		return nil
	}
	return &url.URL{Scheme: from.Scheme, Host: hp, Path: "/" + name}
}

// fetchAgent reads an agent's state: /<name>/state, or /state.json on old
// agents.
func (c *client) fetchAgent(ctx context.Context, e *endpoint, prefix string) (*mesosState, error) {
	var st mesosState
	_, err := c.getJSON(ctx, e, prefix+"/state", &st)
	var se *statusError
	if errors.As(err, &se) && se.Code == 404 {
		st = mesosState{}
		_, err = c.getJSON(ctx, e, "/state.json", &st)
	}
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// discoverMarathon finds Marathon's URL as the webui_url of the active
// framework named "marathon", with the Mesos URL's scheme when it has none.
func discoverMarathon(mp *mesosPart, mesos *endpoint) *endpoint {
	if mp == nil {
		return nil
	}
	for _, f := range mp.Frameworks {
		if f.Name != "marathon" || !f.Active || f.WebUIURL == "" {
			continue
		}
		e, err := parseEndpoint(f.WebUIURL)
		if err != nil {
			continue
		}
		return e
	}
	return nil
}

// describe names a failure: which part, which endpoint, what happened.
func (p *Poller) describe(what string, e *endpoint, err error) string {
	where := ""
	if e != nil {
		where = " " + e.redacted
	}
	return redactSecrets(what+where+": "+describeNetErr(err).Error(), p.secrets)
}

// Latest returns the last good cluster state, marked stale with the age and
// the errors when the last poll failed; nil before any success. It never
// blocks on the network. The value is shared: do not modify it.
func (p *Poller) Latest() *model.Cluster {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.latest == nil {
		return nil
	}
	if !p.latest.Stale {
		return p.latest
	}
	// Recompute the ages in the errors, on a copy.
	return p.assemble()
}

// Errors returns the current error lines even before any success, for a
// header to show why the cluster views are empty.
func (p *Poller) Errors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.errorLines()
}

// assemble joins the last good parts; p.mu is held.
func (p *Poller) assemble() *model.Cluster {
	if p.mesosOK == nil && p.maraOK == nil {
		return nil
	}
	c := &model.Cluster{Frameworks: []model.Framework{}, Tasks: []model.Task{}, Groups: []model.Group{}, Apps: []model.App{}}
	if m := p.mesosOK; m != nil {
		c.HasMesos = true
		c.Time = p.mesosAt
		c.Leader, c.AgentID = m.Leader, m.AgentID
		c.Frameworks, c.Tasks = m.Frameworks, m.Tasks
	}
	if m := p.maraOK; m != nil {
		c.HasMarathon = true
		if c.Time.IsZero() || p.maraAt.Before(c.Time) {
			c.Time = p.maraAt
		}
		c.Marathon, c.MarathonFrameworkID = m.URL, m.FrameworkID
		c.Groups, c.Apps = m.Groups, m.Apps
	}
	if c.MarathonFrameworkID == "" {
		for _, f := range c.Frameworks {
			if f.Name == "marathon" && f.Active {
				c.MarathonFrameworkID = f.ID
				break
			}
		}
	}
	c.Errors = p.errorLines()
	c.Stale = p.mesosErr != "" || p.maraFail
	return c
}

// errorLines lists each failing part with the age of the data kept for it.
func (p *Poller) errorLines() []string {
	var out []string
	now := p.now()
	add := func(msg string, at time.Time) {
		if msg == "" {
			return
		}
		if at.IsZero() {
			out = append(out, msg+" (no data yet)")
			return
		}
		out = append(out, fmt.Sprintf("%s (stale %d s)", msg, int(now.Sub(at).Seconds())))
	}
	add(p.mesosErr, p.mesosAt)
	if p.agentErr != "" {
		out = append(out, p.agentErr)
	}
	if p.maraFail {
		add(p.maraErr, p.maraAt)
	} else if p.maraErr != "" {
		out = append(out, p.maraErr) // an earlier URL failed, a later one answered
	}
	return out
}
