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
//
// With OnDemand (the tool's own use) a poll reads this node's Mesos agent,
// whose state places every container of the node whatever the cluster's
// size, and reads the master's whole state and Marathon only while a view
// shows them (Want). Without it every poll reads everything.
type Poller struct {
	cfg      Config
	api      *httpapi.Client   // every request but the master's whole state
	big      *httpapi.Client   // the master's whole state: a longer timeout
	mesos    *httpapi.Endpoint // the -m master; nil without one
	marathon []*httpapi.Endpoint
	secrets  []string

	// now is time.Now, replaceable in tests.
	now func() time.Time
	// skipAgent turns off the agent state fetch (tests whose fixtures name
	// agents at real addresses).
	skipAgent bool
	kick      chan struct{} // Want: poll now

	pollMu sync.Mutex // one poll at a time (Run and Refresh)

	mu        sync.Mutex
	agent     *localAgent       // this node's agent, when known
	notListed time.Time         // when the master's summary last did not list this node
	found     *httpapi.Endpoint // the master this node's agent follows (no -m)
	summary   []model.Framework // the frameworks of the last summary read
	wantAt    [3]time.Time      // when each of needBits was last wanted
	mesosOK   *mesosPart
	mesosAt   time.Time
	mesosErr  string // "" when the last poll succeeded
	agentErr  string
	maraOK    *marathonPart
	maraAt    time.Time
	// withTasks is the last apps given the Mesos tasks that name them
	// (appsWithTasks), and the parts they were made of: each poll
	// assembles the cluster up to three times, and Latest on every
	// refresh while a part is stale; 100,000 task ids each time.
	withTasks struct {
		mesos *mesosPart
		mara  *marathonPart
		fwID  string
		apps  []model.App
	}
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
	p := &Poller{cfg: cfg, now: time.Now, kick: make(chan struct{}, 1)}
	if cfg.Token != "" {
		p.secrets = append(p.secrets, cfg.Token)
	}
	if cfg.Password != "" {
		p.secrets = append(p.secrets, cfg.Password)
	}
	parse := func(raw, flag string) (*httpapi.Endpoint, error) {
		e, err := httpapi.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", flag, redact.Secrets(err.Error(), p.secrets...))
		}
		if e.HasUser() && !e.HasPassword() && cfg.Password != "" {
			e = e.WithPassword(cfg.Password)
		}
		e = e.WithToken(cfg.Token)
		p.secrets = append(p.secrets, e.Secrets()...)
		return e, nil
	}
	for i, raw := range cfg.URLs {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		e, err := parse(raw, "-m")
		if err != nil {
			return nil, err
		}
		if i == 0 {
			p.mesos = e
		} else {
			p.marathon = append(p.marathon, e)
		}
	}
	if cfg.Agent != "" {
		e, err := parse(cfg.Agent, "--mesos-agent")
		if err != nil {
			return nil, err
		}
		p.agent = &localAgent{ep: e, prefix: "/slave(1)", given: true}
	}
	if p.mesos == nil && len(p.marathon) == 0 && p.agent == nil {
		return nil, errors.New("-m: no Mesos or Marathon URL given")
	}
	api, err := httpapi.New(httpapi.Config{Timeout: cfg.Timeout, Insecure: cfg.Insecure, CACert: cfg.CACert, Transport: cfg.Transport})
	if err != nil {
		return nil, err
	}
	// A 200 MB state takes a few seconds to send and read: it gets four
	// timeouts, in its own goroutine, never holding up a refresh.
	big, err := httpapi.New(httpapi.Config{Timeout: 4 * cfg.Timeout, Insecure: cfg.Insecure, CACert: cfg.CACert, Transport: cfg.Transport})
	if err != nil {
		return nil, err
	}
	p.api, p.big = api, big
	return p, nil
}

// Credentials names what the -m URLs send ("DCOS_ACS_TOKEN", "the
// user:password of the URL"), or "" when none sends anything, and whether
// DCOS_ACS_TOKEN replaces a user:password given in -m.
func (p *Poller) Credentials() (what string, tokenReplaces bool) {
	eps := append([]*httpapi.Endpoint{p.mesos}, p.marathon...)
	if p.agent != nil {
		eps = append(eps, p.agent.ep)
	}
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
	if p.mesos == nil {
		return p.found
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
			kicked := false
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			case <-p.kick:
				t.Stop()
				kicked = true
			}
			if kicked || !time.Now().Before(deadline) || p.back(ctx) {
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
	if p.agent != nil && p.agent.given {
		eps = append(eps, p.agent.ep)
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
	p.mu.Lock()
	needs := p.needs()
	p.mu.Unlock()
	var failed [2]bool
	var wg sync.WaitGroup
	if p.mesos != nil || p.agent != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			failed[0] = p.refreshMesos(ctx, needs)
		}()
	}
	if len(p.marathon) == 0 {
		wg.Wait() // Marathon is discovered from the Mesos state
	}
	failed[1] = p.refreshMarathon(ctx, needs)
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

// refreshMesos polls the agent and the master and publishes the outcome;
// it reports a failure.
func (p *Poller) refreshMesos(ctx context.Context, needs model.ClusterNeeds) bool {
	p.mu.Lock()
	p.mesosSince = p.now()
	p.mu.Unlock()
	mp, leader, err := p.pollMesos(ctx, needs)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mesosSince = time.Time{}
	if err != nil {
		p.mesosErr = p.describe("mesos", leader, err)
	} else {
		p.mesosOK, p.mesosAt, p.mesosErr = mp, p.now(), ""
		if leader != nil {
			p.leaderEp = leader
		}
	}
	p.latest = p.assemble()
	return err != nil
}

// refreshMarathon asks the -m Marathon URLs in order, else the active
// framework named marathon of the master, and publishes the outcome; it
// reports a failure. When no view shows Marathon it asks nothing and lets
// the last answer go.
func (p *Poller) refreshMarathon(ctx context.Context, needs model.ClusterNeeds) bool {
	if needs&model.NeedMarathon == 0 {
		p.mu.Lock()
		p.maraOK, p.maraAt, p.maraErr, p.maraFail = nil, time.Time{}, "", false
		p.mu.Unlock()
		return false
	}
	eps := p.marathon
	if len(eps) == 0 {
		if e := p.discoverMarathon(ctx); e != nil {
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
		part, in, err := fetchMarathon(cctx, p.api, e, info, !p.cfg.OnDemand)
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

// nodeKnown says whether this poller has a node to place (its host name or
// addresses): --cluster has none.
func (p *Poller) nodeKnown() bool { return p.cfg.Hostname != "" || len(p.cfg.Addrs) > 0 }

// pollMesos reads this node's agent and, when a view shows the whole
// cluster or no agent of this node is known, the leading master's state.
func (p *Poller) pollMesos(ctx context.Context, needs model.ClusterNeeds) (*mesosPart, *httpapi.Endpoint, error) {
	agent, ast, agentErr := p.readAgent(ctx, needs)
	master := p.mesos
	if master == nil {
		p.mu.Lock()
		master = p.found
		p.mu.Unlock()
	}
	whole := !p.cfg.OnDemand || needs&model.NeedMesosTasks != 0 || ast == nil && p.nodeKnown() && agent == nil
	if !whole || master == nil {
		return p.agentOnly(ast, master, agentErr)
	}
	var prev []model.Task
	p.mu.Lock()
	if p.mesosOK != nil && p.mesosOK.Whole {
		prev = p.mesosOK.Tasks[:p.mesosOK.Live]
	}
	p.mu.Unlock()
	cctx, cancel := context.WithTimeout(ctx, 4*p.cfg.Timeout)
	st, leader, err := fetchMesos(cctx, p.big, master, prev)
	cancel()
	if err != nil {
		p.setAgentErr(agentErr)
		if ast != nil {
			// The node is placed; the cluster views say why they are old.
			mp := agentPart(ast)
			mp.Leader = leader.String()
			p.mu.Lock()
			p.agentErr = p.describe("mesos", leader, err)
			p.mu.Unlock()
			return mp, nil, nil
		}
		return nil, leader, err
	}
	mp := buildMesos(st, p.cfg.Hostname, p.cfg.Addrs)
	mp.Whole = true
	mp.Leader = leader.String()
	if ast == nil && agent == nil && mp.AgentID != "" && !p.skipAgent {
		ast, agentErr = p.readListedAgent(ctx, mp.AgentPID, leader, agentErr)
	}
	if ast != nil {
		addAgentContainers(mp.Tasks, ast)
		mp.AgentRead, mp.AgentExecutors = true, ast.Executors
		if mp.AgentID == "" {
			mp.AgentID, mp.AgentPID = ast.ID, ast.PID
		}
	}
	p.setAgentErr(agentErr)
	return mp, leader, nil
}

// readAgent reads this node's agent's state, looking for the agent in the
// master's summary first where none is known and no view wants the whole
// cluster; agentErr says why it could not be read.
func (p *Poller) readAgent(ctx context.Context, needs model.ClusterNeeds) (agent *localAgent, ast *mesosState, agentErr string) {
	p.mu.Lock()
	agent = p.agent
	recheck := p.now().Sub(p.notListed) > summaryRecheck
	p.mu.Unlock()
	if agent == nil && p.cfg.OnDemand && needs&model.NeedMesosTasks == 0 && p.nodeKnown() && p.mesos != nil && !p.skipAgent && recheck {
		agent = p.findAgent(ctx)
	}
	if agent == nil || p.skipAgent {
		return agent, nil, ""
	}
	cctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	st, err := readAgentState(cctx, p.api, agent)
	cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		agent.fails++
		if !agent.given && agent.fails >= agentRetries {
			p.agent = nil // look for it again: the master may know better
		}
		return agent, nil, p.describe("mesos agent", agent.ep, err)
	}
	agent.fails = 0
	if p.mesos == nil {
		p.found = agentMaster(st, agent.ep)
	}
	return agent, st, ""
}

// agentOnly is the Mesos part of a poll that read this node's agent
// alone: its tasks, under the leader last found.
func (p *Poller) agentOnly(ast *mesosState, master *httpapi.Endpoint, agentErr string) (*mesosPart, *httpapi.Endpoint, error) {
	p.setAgentErr(agentErr)
	if ast == nil {
		if agentErr == "" {
			agentErr = "no Mesos master or agent to read"
		}
		return nil, master, errors.New(strings.TrimPrefix(agentErr, "mesos "))
	}
	p.mu.Lock()
	leader := p.leaderEp
	p.mu.Unlock()
	if leader == nil {
		leader = master
	}
	mp := agentPart(ast)
	if leader != nil {
		mp.Leader = leader.String()
	}
	return mp, leader, nil
}

// readListedAgent reads the agent the master's state lists for this node
// (at pid), so that the first poll places this node's containers; the next
// polls read it alone. agentErr is the poll's, replaced when it fails.
func (p *Poller) readListedAgent(ctx context.Context, pid string, leader *httpapi.Endpoint, agentErr string) (*mesosState, string) {
	ae, prefix := agentEndpoint(pid, leader)
	if ae == nil {
		return nil, agentErr
	}
	a := &localAgent{ep: ae, prefix: prefix}
	cctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	ast, err := readAgentState(cctx, p.api, a)
	cancel()
	if err != nil {
		return nil, p.describe("mesos agent", ae, err)
	}
	p.mu.Lock()
	p.agent = a
	p.mu.Unlock()
	return ast, agentErr
}

func (p *Poller) setAgentErr(s string) {
	p.mu.Lock()
	p.agentErr = s
	p.mu.Unlock()
}

// summaryRecheck is how long a node that the master's summary did not
// list (it is no agent) waits before looking there again.
const summaryRecheck = 10 * time.Minute

// findAgent looks for this node's agent among the master's, by host name
// or address, through its state summary (a few MB at 5,000 agents, where
// its state is a hundred). nil when the master has no summary (before
// Mesos 0.23) or does not list this node: the master's state is then read.
func (p *Poller) findAgent(ctx context.Context) *localAgent {
	cctx, cancel := context.WithTimeout(ctx, 2*p.cfg.Timeout)
	sm, err := ReadSummary(cctx, p.api, p.mesos)
	cancel()
	p.mu.Lock()
	p.notListed = p.now()
	if sm != nil {
		p.summary = sm.Frameworks
	}
	p.mu.Unlock()
	if err != nil {
		return nil
	}
	for _, a := range sm.Agents {
		if slaveIsLocal(mesosSlave{ID: a.ID, Hostname: a.Hostname, PID: a.PID}, p.cfg.Hostname, p.cfg.Addrs) {
			// The master named it: it gets -m's credentials.
			if ae, prefix := agentEndpoint(a.PID, p.mesos); ae != nil {
				la := &localAgent{ep: ae, prefix: prefix}
				p.mu.Lock()
				p.agent, p.notListed = la, time.Time{}
				p.mu.Unlock()
				return la
			}
		}
	}
	return nil
}

// discoverMarathon finds Marathon's URL as the webui_url of the active
// framework named "marathon": in the last master state read, else in the
// master's summary (read for it when needed).
func (p *Poller) discoverMarathon(ctx context.Context) *httpapi.Endpoint {
	p.mu.Lock()
	var fws []model.Framework
	if p.mesosOK != nil && p.mesosOK.Whole {
		fws = p.mesosOK.Frameworks
	}
	if fws == nil {
		fws = p.summary
	}
	master := p.mesos
	if master == nil {
		master = p.found
	}
	if p.leaderEp != nil {
		master = p.leaderEp
	}
	p.mu.Unlock()
	if e := marathonOf(fws); e != nil || master == nil {
		return e
	}
	cctx, cancel := context.WithTimeout(ctx, 2*p.cfg.Timeout)
	sm, err := ReadSummary(cctx, p.api, master)
	cancel()
	if err != nil {
		return nil
	}
	p.mu.Lock()
	p.summary = sm.Frameworks
	p.mu.Unlock()
	return marathonOf(sm.Frameworks)
}

// marathonOf is the webui_url of the active framework named marathon,
// without credentials: a framework chose it, not the user.
func marathonOf(fws []model.Framework) *httpapi.Endpoint {
	for _, f := range fws {
		if f.Name != "marathon" || !f.Active || f.WebUIURL == "" {
			continue
		}
		if e, err := httpapi.Parse(f.WebUIURL); err == nil {
			return e.Bare()
		}
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
		c.AgentRead, c.AgentExecutors = m.AgentRead, m.AgentExecutors
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
	if m := p.maraOK; m != nil && !m.withTasks && p.mesosOK != nil {
		w := &p.withTasks
		if w.mesos != p.mesosOK || w.mara != m || w.fwID != c.MarathonFrameworkID {
			named := map[string]bool{}
			for _, f := range c.Frameworks {
				named[f.ID] = f.Name == "marathon"
			}
			w.mesos, w.mara, w.fwID = p.mesosOK, m, c.MarathonFrameworkID
			w.apps = appsWithTasks(m.Apps, c.Tasks, c.MarathonFrameworkID, func(id string) bool { return named[id] })
		}
		c.Apps = w.apps
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
		where := ""
		switch {
		case p.mesos != nil:
			where = p.mesos.String()
		case p.agent != nil:
			where = p.agent.ep.String()
		}
		add(p.waiting("mesos", where, p.mesosSince, now), time.Time{})
	}
	if p.maraErr == "" && p.maraOK == nil && !p.maraSince.IsZero() {
		add(p.waiting("marathon", p.maraAsking, p.maraSince, now), time.Time{})
	}
	add(p.mesosErr, p.mesosAt)
	if p.agentErr != "" {
		out = append(out, p.agentErr)
	}
	if m := p.mesosOK; m != nil && m.Dropped != "" && p.mesosErr == "" {
		out = append(out, "mesos "+m.Leader+": "+m.Dropped)
	}
	if m := p.maraOK; m != nil && m.Dropped != "" && !p.maraFail {
		out = append(out, "marathon "+m.URL+": "+m.Dropped)
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
