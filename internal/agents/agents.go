// Package agents is the cluster-wide source of --cluster: every Mesos
// agent's /monitor/statistics, the agent list read from the leading master
// that an orchestrator.Poller finds, joined into one sample whose
// containers are all the executors of the cluster.
package agents

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
	"github.com/ctop-like/ctop-like/internal/redact"
)

// Defaults of the cluster-wide source.
const (
	// DefaultParallel bounds the requests in flight to agents that
	// answered last time (or were never asked): enough that 5,000 agents
	// are read within a 2 s refresh while a tenth of them hang for the
	// first timeout, few enough not to flood the network.
	DefaultParallel = 128
	// DefaultFailingParallel is the budget of agents that failed last
	// time: they are asked again with a short timeout and their own few
	// slots, so that hanging agents never hold the slots healthy ones
	// need.
	DefaultFailingParallel = 8
	// DefaultFirstParallel bounds the first requests to agents never
	// asked yet: in flight at once they cost a socket and a goroutine
	// each, and as many as a tenth of the cluster may hang on the first
	// try; the healthy budget never waits for them.
	DefaultFirstParallel = 512
	// maxAgentErrors bounds the per-agent lines in a sample's Errors.
	maxAgentErrors = 5
	// staleAfter is how many refresh intervals an agent may go without an
	// answer before its rows say stale: an answer late for one refresh is
	// in the next.
	staleAfter = 3
	// maxBackoff bounds the wait before a failing agent is asked again.
	maxBackoff = 30 * time.Second
)

// Config tunes the cluster-wide source; zero values take defaults.
type Config struct {
	// Timeout bounds each request to an agent that answered last time;
	// the poller's Timeout when zero.
	Timeout time.Duration
	// FailTimeout bounds each request to an agent that failed last time:
	// max(1 s, Interval) within Timeout when zero, so that an agent slow
	// for a while answers again while a hanging one costs little.
	FailTimeout time.Duration
	// Wait bounds how long a Collect waits for the answers of its round;
	// Timeout when zero. Give it less than the refresh interval: answers
	// that come later are used by the next refresh.
	Wait time.Duration
	// Interval is the refresh interval, which the stale rule and the
	// failing agents' backoff count in; 2 s when zero.
	Interval time.Duration
	// Parallel, FailingParallel and FirstParallel bound the requests in
	// flight of the three budgets (agents that answered last time, that
	// failed, never asked); the Default ones when zero.
	Parallel, FailingParallel, FirstParallel int
	// ListEvery is how often the agent list is read from the master; the
	// poller's Interval when zero.
	ListEvery time.Duration
	// Transport replaces the HTTP transport (tests map every host to a
	// loopback server); nil uses the poller's TLS settings.
	Transport http.RoundTripper
	// BeforeSample, when set, runs before each Collect builds its sample
	// from the round's answers: the round's largest allocation (at
	// 100,000 executors, 41 MB of rows at once). The command collects
	// the heap there (gc.go).
	BeforeSample func()
}

// Source is the cluster-wide monitor.Source of --cluster: each Collect
// reads every Mesos agent's /monitor/statistics (the agent list comes from
// the leading master) and returns one sample whose containers are all the
// executors of the cluster. It is also a monitor.ClusterSource: the
// poller's cluster state with the agents added, for the agents view.
type Source struct {
	p      *orchestrator.Poller
	cfg    Config
	master *httpapi.Client // the agent list, an agent's state
	client *httpapi.Client // the agents' statistics
	// closing is client without idle connections, for clusters of more
	// agents than idle connections are kept (see agentClient).
	closing  *httpapi.Client
	failing  *httpapi.Client // the same with FailTimeout
	jobs     chan fetchJob   // the healthy budget's queue
	firsts   chan fetchJob   // the queue of agents never asked
	slots    chan struct{}   // the failing budget
	inFlight atomicMax
	workers  sync.Once
	// firstWorkers is how many workers serve firsts: started when
	// agents never asked are queued, they end when the queue is empty.
	firstWorkers atomic.Int32

	mu         sync.Mutex
	list       []agentInfo
	frameworks []model.Framework // from the master's summary
	listAt     time.Time
	listErr    string
	listing    bool
	state      map[string]*agentState // by agent id
	round      int
}

// agentInfo is one agent of the master's list.
type agentInfo struct {
	ID   string
	Name string
	PID  string // name@host:port; the host:port is where it is asked
	// via is the master that listed it, shared by the whole list: the
	// agent's endpoint is made from it when the agent is asked (see
	// endpoint), not kept.
	via      *httpapi.Endpoint
	CPUs     float64
	CPUsUsed float64
	Mem      float64 // bytes
	MemUsed  float64
	Active   bool
	Running  int // its running tasks, from the summary; -1 unknown
}

// endpoint is the agent's own: its pid's host:port with the scheme and
// credentials of the master that named it. It is made for each request,
// not kept in the list: kept, an endpoint with its url.URL and its text
// were 270-odd bytes an agent for the process's life (1.4 MB at 5,000
// agents), made, they are that much garbage per request beside an
// answer's tens of KB.
func (ag *agentInfo) endpoint() (*httpapi.Endpoint, error) {
	_, hp, _ := strings.Cut(ag.PID, "@")
	return ag.via.Named(hp, "")
}

// agentState is what the last requests to one agent gave.
type agentState struct {
	cur  *answer     // the newest answer
	prev []rateStats // the counters of the one before
	// prevAt is when prev came; zero for none.
	prevAt   time.Time
	okAt     time.Time
	err      string // why the last request failed; "" when it answered
	kind     string // the failure in a word: timeout, refused, HTTP 500...
	failing  bool   // the last request failed: the failing budget
	fails    int
	retryAt  time.Time
	inFlight bool
	path     string // "/monitor/statistics" or the old ".json"
}

// fetchJob is one request of the healthy budget. It points at the agent
// in the list (a list is never changed once read): the queues hold room
// for 65,536 jobs each, which with the agent's 104 bytes copied were
// 14 MB allocated at start, touched as the queues went round and
// scanned by every GC.
type fetchJob struct {
	ag   *agentInfo
	wait *roundWait
}

// roundWait counts the healthy requests of a round still in flight.
type roundWait struct {
	sync.WaitGroup
}

// New makes the cluster-wide source on top of a poller, whose leading
// master (and its credentials), TLS settings and task list it uses. It does
// no I/O.
func New(p *orchestrator.Poller, cfg Config) *Source {
	pc := p.Config()
	if cfg.Timeout <= 0 {
		cfg.Timeout = pc.Timeout
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 2 * time.Second
	}
	if cfg.FailTimeout <= 0 {
		cfg.FailTimeout = max(time.Second, cfg.Interval)
	}
	cfg.FailTimeout = min(cfg.FailTimeout, cfg.Timeout)
	if cfg.Wait <= 0 || cfg.Wait > cfg.Timeout {
		cfg.Wait = cfg.Timeout
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = DefaultParallel
	}
	if cfg.FailingParallel <= 0 {
		cfg.FailingParallel = DefaultFailingParallel
	}
	if cfg.FirstParallel <= 0 {
		cfg.FirstParallel = DefaultFirstParallel
	}
	if cfg.ListEvery <= 0 {
		cfg.ListEvery = pc.Interval
	}
	if cfg.Transport == nil {
		cfg.Transport = pc.Transport
	}
	// The TLS settings were checked by NewPoller: these cannot fail.
	master, _ := httpapi.New(httpapi.Config{
		Timeout: 2 * pc.Timeout, Insecure: pc.Insecure, CACert: pc.CACert, Transport: cfg.Transport,
	})
	// Connections kept for reuse are bounded in all: one per agent for
	// 5,000 agents held 2 goroutines and 8 KB of buffers each (about
	// 150 MB); what the budgets use at once is kept.
	idle := cfg.Parallel + cfg.FailingParallel
	// An agent that does not answer within Timeout (FailTimeout when it
	// failed last time) has failed; once its answer began it may take
	// longer to read, as hundreds are read at once at the first refresh.
	client, _ := httpapi.New(httpapi.Config{
		Timeout: 4 * cfg.Timeout, HeaderTimeout: cfg.Timeout, Insecure: pc.Insecure, CACert: pc.CACert,
		IdlePerHost: 1, IdleTotal: idle, Transport: cfg.Transport,
	})
	closing, _ := httpapi.New(httpapi.Config{
		Timeout: 4 * cfg.Timeout, HeaderTimeout: cfg.Timeout, Insecure: pc.Insecure, CACert: pc.CACert,
		NoIdle: true, Transport: cfg.Transport,
	})
	failing, _ := httpapi.New(httpapi.Config{
		Timeout: 4 * cfg.FailTimeout, HeaderTimeout: cfg.FailTimeout, Insecure: pc.Insecure, CACert: pc.CACert,
		IdlePerHost: 1, IdleTotal: cfg.FailingParallel, Transport: cfg.Transport,
	})
	return &Source{
		p: p, cfg: cfg, master: master, client: client, closing: closing, failing: failing,
		jobs:   make(chan fetchJob, 1<<16),
		firsts: make(chan fetchJob, 1<<16),
		slots:  make(chan struct{}, cfg.FailingParallel),
		state:  map[string]*agentState{},
	}
}

// MaxInFlight is the most agent requests that were ever in flight at once.
func (a *Source) MaxInFlight() int { return a.inFlight.Max() }

// Latest implements monitor.ClusterSource: the poller's state with the
// agents added (a copy; the poller's value is shared), and the master's
// frameworks when the poller read none.
func (a *Source) Latest() *model.Cluster {
	c := a.p.Latest()
	agents := a.Agents()
	a.mu.Lock()
	fws := a.frameworks
	a.mu.Unlock()
	if c == nil {
		if agents == nil {
			return nil
		}
		c = &model.Cluster{Time: time.Now(), Frameworks: []model.Framework{}, Tasks: []model.Task{}, Groups: []model.Group{}, Apps: []model.App{}}
	} else {
		cp := *c
		c = &cp
	}
	if len(c.Frameworks) == 0 && len(fws) > 0 {
		c.Frameworks = fws
		c.HasMesos = true
		for _, f := range fws {
			if f.Name == "marathon" && f.Active && c.MarathonFrameworkID == "" {
				c.MarathonFrameworkID = f.ID
			}
		}
	}
	c.Agents = agents
	return c
}

// Settled says whether the poller has asked Mesos and Marathon once.
func (a *Source) Settled() bool { return a.p.Settled() }

// Errors implements monitor.ClusterSource with the poller's errors; the
// agents' own errors come in each sample's Errors.
func (a *Source) Errors() []string { return a.p.Errors() }

// Agents lists the agents as last seen, sorted by name.
func (a *Source) Agents() []model.Agent {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.list == nil {
		return nil
	}
	var running map[string]int
	now := time.Now()
	out := make([]model.Agent, 0, len(a.list))
	for _, ag := range a.list {
		st := a.state[ag.ID]
		n := ag.Running
		if n < 0 {
			if running == nil {
				running = runningByAgent(a.p.Latest())
			}
			n = running[ag.ID]
		}
		m := model.Agent{
			ID: ag.ID, Name: ag.Name, PID: ag.PID, CPUs: ag.CPUs, CPUsAllocated: ag.CPUsUsed,
			MemBytes: ag.Mem, MemAllocatedBytes: ag.MemUsed, Active: ag.Active, TasksRunning: n, Stale: true,
		}
		if st != nil {
			if st.cur != nil {
				m.Executors = len(st.cur.execs)
			}
			m.LastOK, m.Error = st.okAt, st.err
			m.Stale = a.stale(st, now)
		}
		out = append(out, m)
	}
	return out
}

// stale says whether an agent went staleAfter intervals without an
// answer; a.mu is held.
func (a *Source) stale(st *agentState, now time.Time) bool {
	return st.okAt.IsZero() || now.Sub(st.okAt) > staleAfter*a.cfg.Interval
}

// runningByAgent counts the running tasks of each agent in the poller's
// last good master state (a master without a summary).
func runningByAgent(c *model.Cluster) map[string]int {
	out := map[string]int{}
	if c == nil {
		return out
	}
	for _, t := range c.Tasks {
		if t.State == "TASK_RUNNING" {
			out[t.AgentID]++
		}
	}
	return out
}

// executorKey names an executor in the cluster: its agent, framework
// and executor ids. A struct, not the three joined: a joined key of 100
// bytes and more was a string allocated per executor at every sample
// (about 10 MB a refresh at 90,000 executors).
type executorKey struct{ agent, framework, executor string }

// executorTasks maps (agent, framework, executor) to the task it runs, from
// the poller's last master state when a view made it read one: a command
// task's executor id is its task id, which needs no map.
func executorTasks(c *model.Cluster) map[executorKey]string {
	out := map[executorKey]string{}
	if c == nil {
		return out
	}
	for i := range c.Tasks {
		t := &c.Tasks[i]
		ex := t.Detail().ExecutorID
		if t.Finished || ex == "" || ex == t.ID {
			continue
		}
		out[executorKey{t.AgentID, t.FrameworkID, ex}] = t.ID
	}
	return out
}

// describe names a failure with the server, hiding the credentials.
func describe(what string, e *httpapi.Endpoint, err error) string {
	return redact.Secrets(what+" "+e.String()+": "+err.Error(), e.Secrets()...)
}

// failureKind is a failure in a word or two, for the count of failing
// agents: "timeout", "connection refused", "HTTP 500", "not JSON"...
func failureKind(err error) string {
	var se *httpapi.StatusError
	var pe *httpapi.PayloadError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("HTTP %d", se.Code)
	case errors.As(err, &pe):
		if strings.Contains(pe.Error(), "not JSON") {
			return "not JSON"
		}
		return "unreadable answer"
	}
	msg := err.Error()
	for _, k := range []string{"timeout", "connection refused", "connection reset", "cannot resolve"} {
		if strings.Contains(msg, k) {
			return k
		}
	}
	return "no answer"
}

// Collect implements monitor.Source. It asks every agent for its
// statistics — those that answered last time (or were never asked) in one
// budget, those that failed in their own small one with a short timeout,
// after a backoff — waits up to Wait for the first budget's answers, and
// returns every executor of the cluster. An answer that comes later is in
// the next refresh; an agent without an answer for staleAfter intervals
// keeps its last counters with state "stale" and is named in Errors.
func (a *Source) Collect(ctx context.Context) (*model.Sample, error) {
	now := time.Now()
	if err := a.ensureList(ctx, now); err != nil {
		return &model.Sample{Time: now, Host: a.host(), Errors: []string{err.Error()}, Machine: model.MachineInfo{Unknown: unknown}}, nil
	}
	a.workers.Do(a.startWorkers)
	a.mu.Lock()
	a.round++
	wait := &roundWait{}
	for i := range a.list {
		ag := &a.list[i]
		st := a.state[ag.ID]
		if st == nil {
			st = &agentState{path: "/monitor/statistics"}
			a.state[ag.ID] = st
		}
		if st.inFlight {
			continue // still out from an earlier round
		}
		if st.failing {
			if now.Before(st.retryAt) {
				continue
			}
			select {
			case a.slots <- struct{}{}:
			default:
				continue // the budget is used up: next refresh
			}
			st.inFlight = true
			go func(ag *agentInfo) {
				defer func() { <-a.slots }()
				a.fetch(ctx, *ag, a.failing)
			}(ag)
			continue
		}
		// Never asked: its own budget, waited for like the healthy.
		queue := a.jobs
		if st.cur == nil && st.fails == 0 {
			queue = a.firsts
		}
		st.inFlight = true
		wait.Add(1)
		select {
		case queue <- fetchJob{ag: ag, wait: wait}:
		default:
			st.inFlight = false
			wait.Done()
		}
	}
	a.mu.Unlock()
	a.serveFirsts()

	done := make(chan struct{})
	go func() { wait.Wait(); close(done) }()
	t := time.NewTimer(a.cfg.Wait)
	select {
	case <-done:
	case <-t.C:
	case <-ctx.Done():
	}
	t.Stop()
	if a.cfg.BeforeSample != nil {
		a.cfg.BeforeSample()
	}
	return a.sample(time.Now()), nil
}

// startWorkers starts the workers of the healthy budget; they live as
// long as the process (a Source is made once, by the command).
func (a *Source) startWorkers() {
	for i := 0; i < a.cfg.Parallel; i++ {
		go func() {
			for j := range a.jobs {
				a.fetch(context.Background(), *j.ag, a.agentClient())
				j.wait.Done()
			}
		}()
	}
}

// agentClient is the client of the healthy and never-asked budgets.
// Agents are asked in the list's order once a round: with more of them
// than idle connections are kept, the connection kept to an agent is
// closed for newer ones before its next round, and never used again
// (none was at 5,000 agents), while the 136 kept held two goroutines and
// 8 KB of buffers each.
func (a *Source) agentClient() *httpapi.Client {
	a.mu.Lock()
	n := len(a.list)
	a.mu.Unlock()
	if n > a.cfg.Parallel+a.cfg.FailingParallel {
		return a.closing
	}
	return a.client
}

// serveFirsts starts workers for the agents never asked that are queued,
// up to FirstParallel in all. They end when the queue is empty: the
// queue is full only at the start and when agents join, and 512 workers
// kept idle for the process's life held 12 KB of stack each (6 MB of
// StackInuse at --cluster's peak).
func (a *Source) serveFirsts() {
	// A worker for each queued, as the workers running may all be busy
	// with earlier ones; those that find the queue empty end at once.
	for queued := len(a.firsts); queued > 0; {
		n := a.firstWorkers.Load()
		if int(n) >= a.cfg.FirstParallel {
			return
		}
		if a.firstWorkers.CompareAndSwap(n, n+1) {
			go a.firstWorker()
			queued--
		}
	}
}

// firstWorker serves the queue of agents never asked until it is empty.
func (a *Source) firstWorker() {
	for {
		select {
		case j := <-a.firsts:
			a.fetch(context.Background(), *j.ag, a.agentClient())
			j.wait.Done()
			continue
		default:
		}
		a.firstWorkers.Add(-1)
		// A job queued after the select saw none, by a serveFirsts that
		// still counted this worker: take the place back if the budget
		// allows, else that serveFirsts' next call starts one.
		if len(a.firsts) == 0 {
			return
		}
		if a.firstWorkers.Add(1) > int32(a.cfg.FirstParallel) {
			a.firstWorkers.Add(-1)
			return
		}
	}
}

func (a *Source) host() string {
	if e := a.p.Leader(); e != nil {
		return e.Hostname()
	}
	return "cluster"
}

// fetch reads one agent's statistics with c and records the outcome.
func (a *Source) fetch(ctx context.Context, ag agentInfo, c *httpapi.Client) {
	a.inFlight.inc()
	defer a.inFlight.dec()
	a.mu.Lock()
	st0 := a.state[ag.ID]
	var path string
	var prev *answer
	if st0 != nil {
		path, prev = st0.path, st0.cur
	}
	a.mu.Unlock()
	if st0 == nil {
		return // the agent left the master's list while this waited its turn
	}
	var execs []execStats
	read := func(s *httpapi.Stream) error {
		var err error
		execs, err = readStatistics(s, prev)
		return err
	}
	ep, err := ag.endpoint()
	if err == nil {
		_, err = c.GetStream(ctx, ep, path, read)
	}
	if httpapi.IsStatus(err, http.StatusNotFound) && path == "/monitor/statistics" {
		path = "/monitor/statistics.json" // agents before 0.23
		execs = nil
		_, err = c.GetStream(ctx, ep, path, read)
	}
	if err == nil {
		keepRowIDs(ag, execs, prev)
	}
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.state[ag.ID]
	if st == nil {
		return // the agent left the master's list meanwhile
	}
	st.inFlight = false
	if err != nil {
		if ep == nil {
			st.err, st.kind = "mesos agent "+ag.Name+": "+err.Error(), "unreadable address"
		} else {
			st.err, st.kind = describe("mesos agent", ep, err), failureKind(err)
		}
		st.failing = true
		st.fails++
		st.retryAt = now.Add(min(maxBackoff, a.cfg.Interval*time.Duration(1<<min(st.fails-1, 5))))
		return
	}
	st.path, st.okAt, st.err, st.kind, st.failing, st.fails = path, now, "", "", false, 0
	if st.cur != nil {
		st.prev, st.prevAt = ratesBefore(execs, st.cur.execs), st.cur.at
	} else {
		st.prev, st.prevAt = nil, time.Time{}
	}
	st.cur = &answer{at: now, execs: execs}
}

// ensureList reads the agent list the first time (synchronously) and then
// every ListEvery in the background, so a slow master never holds up a
// refresh once the list is known.
func (a *Source) ensureList(ctx context.Context, now time.Time) error {
	a.mu.Lock()
	have := a.list != nil
	due := !a.listing && now.Sub(a.listAt) >= a.cfg.ListEvery
	if due {
		a.listing = true
	}
	a.mu.Unlock()
	if !due {
		return nil
	}
	if have {
		go a.refreshList(context.WithoutCancel(ctx))
		return nil
	}
	return a.refreshList(ctx)
}

func (a *Source) refreshList(ctx context.Context) error {
	list, fws, err := a.readList(ctx)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.listing = false
	a.listAt = time.Now()
	if err != nil {
		a.listErr = err.Error()
		if a.list == nil {
			return err
		}
		return nil
	}
	a.list, a.listErr = list, ""
	if fws != nil {
		a.frameworks = fws
	}
	keep := make(map[string]bool, len(list))
	for _, ag := range list {
		keep[ag.ID] = true
	}
	for id := range a.state {
		if !keep[id] {
			delete(a.state, id) // gone from the master: its rows go too
		}
	}
	return nil
}

// masterSlaves is /master/slaves (and the slaves member of a state), for
// masters before /master/state-summary (Mesos 0.23).
type masterSlaves struct {
	Slaves []struct {
		ID        string         `json:"id"`
		PID       string         `json:"pid"`
		Hostname  string         `json:"hostname"`
		Active    *bool          `json:"active"`
		Resources slaveResources `json:"resources"`
		Used      slaveResources `json:"used_resources"`
	} `json:"slaves"`
}

// SkipKeys implements httpapi.Skipper: an old master's whole state (the
// fallback) is mostly frameworks and tasks, which the agent list does not
// need.
func (*masterSlaves) SkipKeys() map[string]bool { return stateSkip }

var stateSkip = map[string]bool{
	"frameworks": true, "completed_frameworks": true, "unregistered_frameworks": true,
	"orphan_tasks": true, "unreachable_tasks": true, "flags": true,
}

type slaveResources struct {
	CPUs float64 `json:"cpus"`
	Mem  float64 `json:"mem"` // MB
}

// readList asks the leading master for its agents and frameworks: its
// /master/state-summary (every agent with its resources and running
// tasks, a few MB at 5,000 agents), or /master/slaves, or the whole state
// on masters that have neither.
func (a *Source) readList(ctx context.Context) ([]agentInfo, []model.Framework, error) {
	leader := a.p.Leader()
	if leader == nil {
		return nil, nil, errors.New("--cluster: no Mesos master URL given")
	}
	var list []agentInfo
	names := map[string]int{}
	add := func(id, pid, host string, active bool, cpus, mem, cpusUsed, memUsed float64, running int) {
		_, hp, ok := strings.Cut(pid, "@")
		if !ok {
			return
		}
		// The master named this agent: it gets the credentials.
		if _, err := leader.Named(hp, ""); err != nil {
			return
		}
		names[host]++
		list = append(list, agentInfo{
			ID: id, Name: host, PID: pid, via: leader, Active: active, Running: running,
			CPUs: cpus, CPUsUsed: cpusUsed, Mem: mem * (1 << 20), MemUsed: memUsed * (1 << 20),
		})
	}
	var fws []model.Framework
	sm, err := orchestrator.ReadSummary(ctx, a.master, leader)
	switch {
	case err == nil:
		for _, s := range sm.Agents {
			add(s.ID, s.PID, s.Hostname, s.Active, s.CPUs, s.Mem, s.CPUsUsed, s.MemUsed, s.Running)
		}
		fws = sm.Frameworks
	case httpapi.IsStatus(err, http.StatusNotFound):
		var ms masterSlaves
		_, err = a.master.GetJSON(ctx, leader, "/master/slaves", &ms)
		if httpapi.IsStatus(err, http.StatusNotFound) {
			ms = masterSlaves{}
			_, err = a.master.GetJSON(ctx, leader, "/state.json", &ms)
		}
		if err != nil {
			return nil, nil, errors.New(describe("mesos agents", leader, err))
		}
		for _, s := range ms.Slaves {
			add(s.ID, s.PID, s.Hostname, s.Active == nil || *s.Active, s.Resources.CPUs, s.Resources.Mem, s.Used.CPUs, s.Used.Mem, -1)
		}
	default:
		return nil, nil, errors.New(describe("mesos agents", leader, err))
	}
	for i := range list {
		if list[i].Name == "" || names[list[i].Name] > 1 {
			_, list[i].Name, _ = strings.Cut(list[i].PID, "@")
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	// Kept until the next list: no room left over from appending.
	list = append(make([]agentInfo, 0, len(list)), list...)
	return list, fws, nil
}

// unknown is what Mesos agents' statistics never say of the cluster as a
// machine: no uptime or load, no machine CPU counters (each executor's
// CPU time only), no OOM kills or restarts per container. Their pids and
// block I/O are named per container in Unmeasured.
var unknown = model.Unknown{
	Uptime: true, Load: true, IOWait: true, Steal: true, PerCPUSplit: true, DiskUtil: true,
	OOMKills: true, Restarts: true, CPU: true,
}

// unmeasured is every executor's: /monitor/statistics has no process
// count or block I/O (without the isolators that add them).
var unmeasured = []string{"pids", "io"}

// sample joins every agent's newest answer into one sample. An
// executor's rates are those of its agent's two newest answers, however
// old: the sample's OwnEarlier hands the counters of the answer before
// the newest, kept here once (the monitor keeps no copy of them; an
// agent without an answer since the last sample has the same two again).
func (a *Source) sample(now time.Time) *model.Sample {
	tasks := executorTasks(a.p.Latest())
	smp := &model.Sample{Time: now, Host: a.host(), Machine: model.MachineInfo{Unknown: unknown}}
	// Under a.mu only what each agent's state says is taken; the
	// 100,000 executors' rows are built after, from answers that are not
	// changed once kept: while a.mu was held for the whole build (0.2 to
	// 3.8 s under a load of 12-18 on 2 CPUs) every answer of the round
	// waited for it, and so did every request after it.
	type pick struct {
		ag    agentInfo
		cur   *answer
		prev  []rateStats
		stale bool
	}
	a.mu.Lock()
	if a.listErr != "" {
		smp.Errors = append(smp.Errors, a.listErr+fmt.Sprintf(" (agent list stale %d s)", int(now.Sub(a.listAt).Seconds())))
	}
	n := 0
	picks := make([]pick, 0, len(a.list))
	var failing []string
	kinds := map[string]int{}
	nFailing := 0
	for _, ag := range a.list {
		smp.Machine.Cores += int(math.Round(ag.CPUs))
		smp.Memory.Total += uint64(ag.Mem)
		st := a.state[ag.ID]
		if st == nil {
			continue
		}
		stale := a.stale(st, now)
		if st.err != "" || stale {
			nFailing++
			kind := st.kind
			if kind == "" {
				kind = "no answer yet"
			}
			kinds[kind]++
			if len(failing) < maxAgentErrors {
				failing = append(failing, agentErrLine(ag, st, now))
			}
		}
		if st.cur == nil {
			continue
		}
		n += len(st.cur.execs)
		picks = append(picks, pick{ag: ag, cur: st.cur, prev: st.prev, stale: stale})
	}
	a.mu.Unlock()
	smp.Containers = make([]model.ContainerSample, 0, n)
	// Each row's counters of the answer before, in the agent's state (a
	// prev slice is never changed once kept): 8 bytes a row where a copy
	// was 240 in the monitor, and as many again in Before for the agents
	// that had not answered since the last sample.
	earlier := make([]*rateStats, 0, n)
	for _, p := range picks {
		for i := range p.cur.execs {
			e := &p.cur.execs[i]
			cs := a.executorSample(p.ag, e, tasks)
			if p.stale {
				cs.State = "stale"
			}
			smp.Memory.Used += cs.Mem.Used
			smp.Containers = append(smp.Containers, cs)
			earlier = append(earlier, findRates(p.prev, i))
		}
	}
	smp.OwnEarlier = func(i int) (model.OwnCounters, bool) {
		if i >= len(earlier) || earlier[i] == nil {
			return model.OwnCounters{}, false
		}
		return earlier[i].counters(), true
	}
	smp.Memory.Available = smp.Memory.Total - min(smp.Memory.Used, smp.Memory.Total)
	smp.Machine.MemoryBytes = smp.Memory.Total
	smp.Errors = append(smp.Errors, failing...)
	if nFailing > len(failing) {
		var ks []string
		for k := range kinds {
			ks = append(ks, k)
		}
		sort.Slice(ks, func(i, j int) bool {
			return kinds[ks[i]] > kinds[ks[j]] || kinds[ks[i]] == kinds[ks[j]] && ks[i] < ks[j]
		})
		var parts []string
		for _, k := range ks {
			parts = append(parts, fmt.Sprintf("%d %s", kinds[k], k))
		}
		smp.Errors = append(smp.Errors, fmt.Sprintf("%d agents failing or without an answer (%s; see the agents view)", nFailing, strings.Join(parts, ", ")))
	}
	return smp
}

func agentErrLine(ag agentInfo, st *agentState, now time.Time) string {
	why := st.err
	if why == "" {
		why = "mesos agent " + ag.Name + ": no answer yet"
		if ep, err := ag.endpoint(); err == nil {
			why = "mesos agent " + ep.String() + ": no answer yet"
		}
	}
	if st.okAt.IsZero() {
		return fmt.Sprintf("%s (%s, no data yet)", why, ag.Name)
	}
	return fmt.Sprintf("%s (%s, stale %d s)", why, ag.Name, int(now.Sub(st.okAt).Seconds()))
}

// executorSample turns one executor's statistics into a container row:
// runtime mesos, placed in the cluster by its task id (or its executor id,
// which is the task id of command tasks) through Match's env rules; a.mu
// is held.
func (a *Source) executorSample(ag agentInfo, e *execStats, tasks map[executorKey]string) model.ContainerSample {
	id := e.rowID
	if id == "" {
		id = rowID(ag, e)
	}
	cs := model.ContainerSample{
		ID: id, Name: e.ExecutorID, Runtime: model.RuntimeMesos, State: "running", Agent: ag.Name, AgentID: ag.ID,
		// An agent says nothing of an executor's image, labels, env,
		// ports, mounts or life: one shared zero value for every row.
		RuntimeFields: model.NoRuntimeFields,
		CPU: model.CgroupCPU{
			UsageNs:          secsToNs(e.UserSecs + e.SystemSecs),
			UserNs:           secsToNs(e.UserSecs),
			SystemNs:         secsToNs(e.SystemSecs),
			Periods:          e.Periods,
			ThrottledPeriods: e.NrThrottled,
			ThrottledNs:      secsToNs(e.Throttled),
			QuotaCores:       e.CPUsLimit,
		},
		Mem:        model.CgroupMemory{Usage: e.MemTotal, Used: e.MemRSS, RSS: e.MemRSS, Cache: e.MemCache, Limit: e.MemLimit},
		Unmeasured: unmeasured,
	}
	if cs.Mem.Cache == 0 {
		cs.Mem.Cache = e.MemFile
	}
	if cs.Mem.Usage == 0 {
		cs.Mem.Usage = e.MemRSS + cs.Mem.Cache
	}
	if e.Timestamp > 0 && e.Timestamp < 1<<40 {
		sec, frac := math.Modf(e.Timestamp)
		cs.SampledAt = time.Unix(int64(sec), int64(frac*1e9))
	}
	// Where Match places it: the task its executor runs (a command
	// executor's id is its task's), in the framework Mesos names. Hints,
	// not an env map per container: 100,000 maps were 27 MB.
	task := tasks[executorKey{ag.ID, e.FrameworkID, e.ExecutorID}]
	if task == "" {
		task = e.ExecutorID
	}
	cs.Cluster = model.ClusterFields{TaskID: task, FrameworkID: e.FrameworkID}
	// The answer's own counters, never written to: an array of their
	// own (see readStatistics), so a snapshot that outlives the answer
	// keeps them and not the rest. A copy in the sample was 104 bytes
	// an executor beside the answer's 64.
	cs.Net = e.net
	return cs
}

// rowID is an executor's row id: its container id, or where the agent
// names none (before Mesos 0.27) its executor, agent and framework.
func rowID(ag agentInfo, e *execStats) string {
	if e.ContainerID != "" {
		return e.ContainerID
	}
	return e.ExecutorID + "@" + ag.ID + "/" + e.FrameworkID
}

// keepRowIDs gives each executor of a new answer its row id: the one
// the same executor had in the agent's answer before (its ids are the
// same strings, see readStatistics), else a new one. Made on every
// refresh they were 100,000 strings a refresh at 100,000 executors
// (13.5 MB kept in each of two generations, and as many again for the
// rates).
func keepRowIDs(ag agentInfo, execs []execStats, prev *answer) {
	for i := range execs {
		e := &execs[i]
		if prev != nil && i < len(prev.execs) {
			if p := &prev.execs[i]; p.rowID != "" && p.ContainerID == e.ContainerID && p.ExecutorID == e.ExecutorID && p.FrameworkID == e.FrameworkID {
				e.rowID, e.ExecutorID = p.rowID, p.ExecutorID
				continue
			}
		}
		e.rowID = rowID(ag, e)
		if e.ContainerID == "" && len(e.rowID) > len(e.ExecutorID) {
			// The row id begins with the executor id: the executor's
			// name is that part of it, not a string of its own (64
			// bytes an executor kept while the agent answers).
			e.ExecutorID = e.rowID[:len(e.ExecutorID)]
		}
	}
}

// rateStats is what a rate needs of an executor's answer before the
// newest: its counters and their time, 100-odd bytes where the answer
// kept 300. They are kept in the newest answer's order (see ratesBefore),
// so they carry no row id: 16 bytes an executor, and a 20-executor
// agent's slice in the size class below (2,688 bytes, was 3,072).
type rateStats struct {
	ts, user, system, thrSecs float64
	periods, nrThrottled      uint64
	rx, tx, rxPackets, txPkts uint64
	rxErr, txErr              uint64
	rxDrop, txDrop            uint64
	hasNet                    bool
	known                     bool // the executor was in the answer before
}

// ratesBefore keeps what a rate needs of the answer before (older), in a
// new slice in the newest answer's (newer's) order: the i-th is the
// counters newer's i-th executor had in older, known false when it was
// not there. Both have their row ids (keepRowIDs): an executor in both
// has the same; agents list their executors in the same order, so it is
// looked for at the same place first. A sample being built may still
// read the slice before.
func ratesBefore(newer, older []execStats) []rateStats {
	out := make([]rateStats, len(newer))
	for i := range newer {
		id := newer[i].rowID
		j := i
		if j >= len(older) || older[j].rowID != id {
			j = -1
			for k := range older {
				if older[k].rowID == id {
					j = k
					break
				}
			}
		}
		if j < 0 {
			continue
		}
		e := &older[j]
		r := rateStats{
			ts: e.Timestamp, user: e.UserSecs, system: e.SystemSecs, thrSecs: e.Throttled,
			periods: e.Periods, nrThrottled: e.NrThrottled, known: true,
		}
		if n := e.net; n != nil {
			r.rx, r.tx, r.rxPackets, r.txPkts = n.RxBytes, n.TxBytes, n.RxPackets, n.TxPackets
			r.rxErr, r.txErr, r.rxDrop, r.txDrop, r.hasNet = n.RxErrors, n.TxErrors, n.RxDrops, n.TxDrops, true
		}
		out[i] = r
	}
	return out
}

// findRates is the counters of the newest answer's i-th executor in the
// answer before, nil when it was not there.
func findRates(prev []rateStats, i int) *rateStats {
	if i < len(prev) && prev[i].known {
		return &prev[i]
	}
	return nil
}

// counters are those of r as the model's rates take a source's own.
func (r *rateStats) counters() model.OwnCounters {
	o := model.OwnCounters{
		CPU: model.CgroupCPU{
			UsageNs: secsToNs(r.user + r.system), UserNs: secsToNs(r.user), SystemNs: secsToNs(r.system),
			Periods: r.periods, ThrottledPeriods: r.nrThrottled, ThrottledNs: secsToNs(r.thrSecs),
		},
	}
	if r.ts > 0 && r.ts < 1<<40 {
		sec, frac := math.Modf(r.ts)
		o.SampledAt = time.Unix(int64(sec), int64(frac*1e9))
	}
	if r.hasNet {
		o.Net = model.NetCounters{
			RxBytes: r.rx, TxBytes: r.tx, RxPackets: r.rxPackets, TxPackets: r.txPkts,
			RxErrors: r.rxErr, TxErrors: r.txErr, RxDrops: r.rxDrop, TxDrops: r.txDrop, SpeedMbps: -1,
		}
		o.HasNet = true
	}
	return o
}

func secsToNs(s float64) uint64 {
	if !(s > 0) || s > math.MaxUint64/1e9 {
		return 0
	}
	return uint64(s * 1e9)
}

// atomicMax counts requests in flight and remembers the most at once.
type atomicMax struct {
	mu       sync.Mutex
	cur, max int
}

func (m *atomicMax) inc() {
	m.mu.Lock()
	m.cur++
	m.max = max(m.max, m.cur)
	m.mu.Unlock()
}

func (m *atomicMax) dec() {
	m.mu.Lock()
	m.cur--
	m.mu.Unlock()
}

// Max is the most at once so far.
func (m *atomicMax) Max() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.max
}
