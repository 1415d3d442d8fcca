package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/redact"
)

// Poller polls Mesos and Marathon in its own goroutine and keeps the last
// good answer of each, so that a refresh never waits on the network.
type Poller struct {
	cfg      Config
	api      *httpapi.Client
	mesos    *httpapi.Endpoint   // nil without a Mesos URL
	marathon []*httpapi.Endpoint // from -m; empty means "discover from Mesos"
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
	// mesosSince and maraSince are when the request in flight started
	// (zero when none), maraAsking the Marathon it asks: a part that has
	// neither data nor an error yet is named as waiting.
	mesosSince time.Time
	maraSince  time.Time
	maraAsking string
	leaderEp   *httpapi.Endpoint // the leading master, as the last good poll found it
	polled     bool
	failures   int
	latest     *model.Cluster // rebuilt after each poll
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
	if cfg.Password != "" {
		p.secrets = append(p.secrets, cfg.Password)
	}
	for i, raw := range cfg.URLs {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		e, err := httpapi.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("-m: %s", redact.Secrets(err.Error(), p.secrets...))
		}
		if e.HasUser() && !e.HasPassword() && cfg.Password != "" {
			e = e.WithPassword(cfg.Password)
		}
		e = e.WithToken(cfg.Token)
		p.secrets = append(p.secrets, e.Secrets()...)
		if i == 0 {
			p.mesos = e
		} else {
			p.marathon = append(p.marathon, e)
		}
	}
	if p.mesos == nil && len(p.marathon) == 0 {
		return nil, errors.New("-m: no Mesos or Marathon URL given")
	}
	api, err := httpapi.New(httpapi.Config{Timeout: cfg.Timeout, Insecure: cfg.Insecure, CACert: cfg.CACert, Transport: cfg.Transport})
	if err != nil {
		return nil, err
	}
	p.api = api
	return p, nil
}

// Credentials names what the -m URLs send ("DCOS_ACS_TOKEN", "the
// user:password of the URL"), or "" when none sends anything, and whether
// DCOS_ACS_TOKEN replaces a user:password given in -m.
func (p *Poller) Credentials() (what string, tokenReplaces bool) {
	eps := append([]*httpapi.Endpoint{p.mesos}, p.marathon...)
	for _, e := range eps {
		if e == nil {
			continue
		}
		if c := e.Credentials(); c != "" {
			what = c
		}
		tokenReplaces = tokenReplaces || p.cfg.Token != "" && e.HasUser()
	}
	return what, tokenReplaces
}

// Config is the poller's configuration with its defaults filled in.
func (p *Poller) Config() Config { return p.cfg }

// Leader is the leading master's endpoint as the last good poll found it:
// with the credentials when the -m master named it, without when a
// redirect led there; the -m master before the first success, nil without
// a Mesos URL.
func (p *Poller) Leader() *httpapi.Endpoint {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.leaderEp != nil {
		return p.leaderEp
	}
	return p.mesos
}

// Settled says whether every part has answered or failed at least once, so
// that a first refresh can wait for it (up to its own deadline).
func (p *Poller) Settled() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.polled
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
	eps := append([]*httpapi.Endpoint(nil), p.marathon...)
	if p.mesos != nil {
		eps = append(eps, p.mesos)
	}
	d := net.Dialer{Timeout: min(p.cfg.Timeout, time.Second)}
	for _, e := range eps {
		c, err := d.DialContext(ctx, "tcp", e.Addr())
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
// Refresh returns within a few timeouts even when every server hangs. Mesos
// and the Marathon URLs of -m are asked at once, and each part is published
// as soon as it comes, so a hanging one never holds up the other. (Marathon
// found from the master's state waits for that state.) Batch mode calls it
// once before its first print.
func (p *Poller) Refresh(ctx context.Context) {
	p.pollMu.Lock()
	defer p.pollMu.Unlock()
	var failed [2]bool
	var wg sync.WaitGroup
	if p.mesos != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			failed[0] = p.refreshMesos(ctx)
		}()
	}
	if len(p.marathon) == 0 {
		wg.Wait() // Marathon is discovered from the Mesos state
	}
	failed[1] = p.refreshMarathon(ctx)
	wg.Wait()

	p.mu.Lock()
	p.polled = true
	if failed[0] || failed[1] {
		p.failures++
	} else {
		p.failures = 0
	}
	p.latest = p.assemble()
	p.mu.Unlock()
}

// refreshMesos polls the master and publishes the outcome; it reports a
// failure.
func (p *Poller) refreshMesos(ctx context.Context) bool {
	p.mu.Lock()
	p.mesosSince = p.now()
	p.mu.Unlock()
	mp, leader, err := p.pollMesos(ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mesosSince = time.Time{}
	if err != nil {
		p.mesosErr = p.describe("mesos", leader, err)
	} else {
		p.mesosOK, p.mesosAt, p.mesosErr = mp, p.now(), ""
		p.leaderEp = leader
	}
	p.latest = p.assemble()
	return err != nil
}

// refreshMarathon asks the -m Marathon URLs in order, else the active
// framework named marathon in the last good Mesos state, and publishes the
// outcome; it reports a failure.
func (p *Poller) refreshMarathon(ctx context.Context) bool {
	eps := p.marathon
	if len(eps) == 0 {
		p.mu.Lock()
		last := p.mesosOK
		p.mu.Unlock()
		if e := discoverMarathon(last, p.mesos); e != nil {
			eps = []*httpapi.Endpoint{e}
		}
	}
	if len(eps) == 0 {
		return false
	}
	var errs []string
	var got *marathonPart
	for _, e := range eps {
		p.mu.Lock()
		info := p.maraInfo
		if p.maraInfoE != e.String() {
			info = nil
		}
		p.maraSince, p.maraAsking = p.now(), e.String()
		p.mu.Unlock()
		cctx, cancel := context.WithTimeout(ctx, 2*p.cfg.Timeout)
		part, in, err := fetchMarathon(cctx, p.api, e, info)
		cancel()
		if in != nil {
			p.mu.Lock()
			p.maraInfo, p.maraInfoE = in, e.String()
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
	defer p.mu.Unlock()
	p.maraSince = time.Time{}
	p.maraErr, p.maraFail = strings.Join(errs, "; "), got == nil
	if got != nil {
		p.maraOK, p.maraAt = got, p.now()
	}
	p.latest = p.assemble()
	return got == nil
}

// pollMesos reads the leader's state, and this node's agent state when the
// master's task statuses do not name the local containers (old Mesos).
func (p *Poller) pollMesos(ctx context.Context) (*mesosPart, *httpapi.Endpoint, error) {
	cctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	st, leader, err := fetchMesos(cctx, p.api, p.mesos)
	cancel()
	if err != nil {
		return nil, leader, err
	}
	mp := buildMesos(st, p.cfg.Hostname, p.cfg.Addrs)
	mp.Leader = leader.String()
	agentErr := ""
	if mp.AgentID != "" && !p.skipAgent && needAgentState(mp) {
		if ae, prefix := agentEndpoint(mp.AgentPID, leader); ae != nil {
			actx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
			agent, err := fetchAgent(actx, p.api, ae, prefix)
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

// agentEndpoint turns an agent pid "slave(1)@10.0.3.46:5051", as the
// master named it, into the agent's endpoint (the master's scheme,
// credentials and path prefix) and its own path prefix ("/slave(1)").
func agentEndpoint(pid string, master *httpapi.Endpoint) (*httpapi.Endpoint, string) {
	name, hp, ok := strings.Cut(pid, "@")
	if !ok {
		return nil, ""
	}
	e, err := master.Named(hp, master.Path())
	if err != nil {
		return nil, ""
	}
	return e, "/" + name
}

// fetchAgent reads an agent's state: /<name>/state, or /state.json on old
// agents.
func fetchAgent(ctx context.Context, c *httpapi.Client, e *httpapi.Endpoint, prefix string) (*mesosState, error) {
	var st mesosState
	_, err := c.GetJSON(ctx, e, prefix+"/state", &st)
	if httpapi.IsStatus(err, 404) {
		st = mesosState{}
		_, err = c.GetJSON(ctx, e, "/state.json", &st)
	}
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// discoverMarathon finds Marathon's URL as the webui_url of the active
// framework named "marathon", with the Mesos URL's scheme when it has none.
func discoverMarathon(mp *mesosPart, mesos *httpapi.Endpoint) *httpapi.Endpoint {
	if mp == nil {
		return nil
	}
	for _, f := range mp.Frameworks {
		if f.Name != "marathon" || !f.Active || f.WebUIURL == "" {
			continue
		}
		e, err := httpapi.Parse(f.WebUIURL)
		if err != nil {
			continue
		}
		// A framework chose this URL, not the user: no credentials.
		return e.Bare()
	}
	return nil
}

// describe names a failure: which part, which endpoint, what happened.
func (p *Poller) describe(what string, e *httpapi.Endpoint, err error) string {
	where := ""
	if e != nil {
		where = " " + e.String()
	}
	return redact.Secrets(what+where+": "+err.Error(), p.secrets...)
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
	if p.mesosErr == "" && p.mesosOK == nil && !p.mesosSince.IsZero() {
		add(p.waiting("mesos", p.mesos.String(), p.mesosSince, now), time.Time{})
	}
	if p.maraErr == "" && p.maraOK == nil && !p.maraSince.IsZero() {
		add(p.waiting("marathon", p.maraAsking, p.maraSince, now), time.Time{})
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

// waiting names a part whose first request is still in flight.
func (p *Poller) waiting(what, url string, since, now time.Time) string {
	return fmt.Sprintf("%s %s: no answer yet after %.1f s (timeout %v)", what, url, now.Sub(since).Seconds(), p.cfg.Timeout)
}
