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
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
	"github.com/ctop-like/ctop-like/internal/redact"
)

// Defaults of the cluster-wide source.
const (
	// DefaultParallel bounds the agent requests in flight: enough to read
	// 500 agents within a refresh, few enough not to flood the network.
	DefaultParallel = 32
	// maxAgentErrors bounds the per-agent lines in a sample's Errors.
	maxAgentErrors = 5
	// maxAgentAnswer bounds what one agent's statistics may cost to
	// decode: about 2,000 executors; DefaultParallel of them in flight
	// stay within the tool's memory.
	maxAgentAnswer = 2 << 20
)

// Config tunes the cluster-wide source; zero values take defaults.
type Config struct {
	// Timeout bounds each agent request; the poller's Timeout when zero.
	Timeout time.Duration
	// Wait bounds how long a Collect waits for agents that answered last
	// time; Timeout when zero. Give it less than the refresh interval so
	// a newly dead agent never holds up a refresh; agents that failed last
	// time are never waited for, their answer is used when it comes.
	Wait time.Duration
	// Parallel bounds the requests in flight; DefaultParallel when zero.
	Parallel int
	// ListEvery is how often the agent list is read from the master; the
	// poller's Interval when zero.
	ListEvery time.Duration
	// Transport replaces the HTTP transport (tests map every host to a
	// loopback server); nil uses the poller's TLS settings.
	Transport http.RoundTripper
}

// Source is the cluster-wide monitor.Source of --cluster: each Collect
// reads every Mesos agent's /monitor/statistics (the agent list comes from
// the leading master) and returns one sample whose containers are all the
// executors of the cluster. It is also a monitor.ClusterSource: the
// poller's cluster state with the agents added, for the agents view.
type Source struct {
	p        *orchestrator.Poller
	cfg      Config
	master   *httpapi.Client // the agent list
	client   *httpapi.Client // the agents' statistics
	sem      chan struct{}
	inFlight atomicMax

	mu      sync.Mutex
	list    []agentInfo
	listAt  time.Time
	listErr string
	listing bool
	state   map[string]*agentState // by agent id
	round   int
	built   int       // the last round whose sample was built
	builtAt time.Time // when
}

// agentInfo is one agent of the master's list.
type agentInfo struct {
	ID       string
	Name     string
	PID      string
	ep       *httpapi.Endpoint
	CPUs     float64
	CPUsUsed float64
	Mem      float64 // bytes
	MemUsed  float64
	Active   bool
}

// agentState is what the last requests to one agent gave.
type agentState struct {
	execs    []agentExecutor
	okAt     time.Time
	err      string
	inFlight bool
	fresh    bool   // answered since the sample before the last one
	failed   bool   // the last request failed or came late: do not wait for it
	path     string // "/monitor/statistics" or the old ".json"
}

// agentExecutor is one element of an agent's /monitor/statistics.
type agentExecutor struct {
	ExecutorID  string     `json:"executor_id"`
	FrameworkID string     `json:"framework_id"`
	Source      string     `json:"source"`
	ContainerID string     `json:"container_id"`
	Statistics  agentStats `json:"statistics"`
}

type agentStats struct {
	Timestamp        float64  `json:"timestamp"`
	CPUsLimit        float64  `json:"cpus_limit"`
	CPUsUserSecs     float64  `json:"cpus_user_time_secs"`
	CPUsSystemSecs   float64  `json:"cpus_system_time_secs"`
	CPUsPeriods      uint64   `json:"cpus_nr_periods"`
	CPUsThrottled    uint64   `json:"cpus_nr_throttled"`
	CPUsThrottledSec float64  `json:"cpus_throttled_time_secs"`
	MemRSS           uint64   `json:"mem_rss_bytes"`
	MemTotal         uint64   `json:"mem_total_bytes"`
	MemCache         uint64   `json:"mem_cache_bytes"`
	MemFile          uint64   `json:"mem_file_bytes"`
	MemLimit         uint64   `json:"mem_limit_bytes"`
	NetRxBytes       *uint64  `json:"net_rx_bytes"`
	NetTxBytes       *uint64  `json:"net_tx_bytes"`
	NetRxPackets     uint64   `json:"net_rx_packets"`
	NetTxPackets     uint64   `json:"net_tx_packets"`
	NetRxErrors      uint64   `json:"net_rx_errors"`
	NetTxErrors      uint64   `json:"net_tx_errors"`
	NetRxDropped     uint64   `json:"net_rx_dropped"`
	NetTxDropped     uint64   `json:"net_tx_dropped"`
	DiskUsed         *float64 `json:"disk_used_bytes"`
}

// masterSlaves is /master/slaves (and the slaves member of a state).
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

// New makes the cluster-wide source on top of a poller, whose leading
// master (and its credentials), TLS settings and task list it uses. It does
// no I/O.
func New(p *orchestrator.Poller, cfg Config) *Source {
	pc := p.Config()
	if cfg.Timeout <= 0 {
		cfg.Timeout = pc.Timeout
	}
	if cfg.Wait <= 0 || cfg.Wait > cfg.Timeout {
		cfg.Wait = cfg.Timeout
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = DefaultParallel
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
	// One connection kept per agent across refreshes.
	client, _ := httpapi.New(httpapi.Config{
		Timeout: cfg.Timeout, Insecure: pc.Insecure, CACert: pc.CACert,
		MaxCost: maxAgentAnswer, IdlePerHost: 1, Transport: cfg.Transport,
	})
	return &Source{
		p: p, cfg: cfg, master: master, client: client,
		sem:   make(chan struct{}, cfg.Parallel),
		state: map[string]*agentState{},
	}
}

// MaxInFlight is the most agent requests that were ever in flight at once.
func (a *Source) MaxInFlight() int { return a.inFlight.Max() }

// Latest implements monitor.ClusterSource: the poller's state with the
// agents added (a copy; the poller's value is shared).
func (a *Source) Latest() *model.Cluster {
	c := a.p.Latest()
	agents := a.Agents()
	if c == nil {
		if agents == nil {
			return nil
		}
		c = &model.Cluster{Time: time.Now(), Frameworks: []model.Framework{}, Tasks: []model.Task{}, Groups: []model.Group{}, Apps: []model.App{}}
	} else {
		cp := *c
		c = &cp
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
	running := runningByAgent(a.p.Latest())
	out := make([]model.Agent, 0, len(a.list))
	for _, ag := range a.list {
		st := a.state[ag.ID]
		m := model.Agent{
			ID: ag.ID, Name: ag.Name, PID: ag.PID, CPUs: ag.CPUs, CPUsAllocated: ag.CPUsUsed,
			MemBytes: ag.Mem, MemAllocatedBytes: ag.MemUsed, Active: ag.Active, TasksRunning: running[ag.ID],
		}
		if st != nil {
			m.Executors, m.LastOK, m.Error = len(st.execs), st.okAt, st.err
			m.Stale = !st.fresh
		} else {
			m.Stale = true
		}
		out = append(out, m)
	}
	return out
}

// runningByAgent counts the running tasks of each agent in the poller's
// last good master state.
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

// executorTasks maps (agent, framework, executor) to the task it runs, from
// the last good master state: a command task's executor id is its task id.
func executorTasks(c *model.Cluster) map[string]string {
	out := map[string]string{}
	if c == nil {
		return out
	}
	for _, t := range c.Tasks {
		if t.Finished {
			continue
		}
		ex := t.ExecutorID
		if ex == "" {
			ex = t.ID
		}
		out[t.AgentID+"\x00"+t.FrameworkID+"\x00"+ex] = t.ID
	}
	return out
}

// describe names a failure with the server, hiding the credentials.
func describe(what string, e *httpapi.Endpoint, err error) string {
	return redact.Secrets(what+" "+e.String()+": "+err.Error(), e.Secrets()...)
}

// Collect implements monitor.Source. It asks every agent for its
// statistics, waits up to Wait for those that answered last time, and
// returns every executor of the cluster: an agent that did not answer in
// time keeps its last counters, with state "stale" and no rates, and is
// named in Errors.
func (a *Source) Collect(ctx context.Context) (*model.Sample, error) {
	now := time.Now()
	if err := a.ensureList(ctx, now); err != nil {
		return &model.Sample{Time: now, Host: a.host(), Errors: []string{err.Error()}}, nil
	}
	a.mu.Lock()
	a.round++
	round := a.round
	list := a.list
	var wg sync.WaitGroup
	for _, ag := range list {
		st := a.state[ag.ID]
		if st == nil {
			st = &agentState{path: "/monitor/statistics"}
			a.state[ag.ID] = st
		}
		if st.inFlight {
			continue // still hanging from an earlier round
		}
		st.inFlight = true
		wait := !st.failed
		if wait {
			wg.Add(1)
		}
		go func(ag agentInfo, wait bool) {
			if wait {
				defer wg.Done()
			}
			a.fetch(ctx, ag, round)
		}(ag, wait)
	}
	a.mu.Unlock()

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(a.cfg.Wait)
	select {
	case <-done:
	case <-t.C:
	case <-ctx.Done():
	}
	t.Stop()
	return a.sample(time.Now(), round), nil
}

func (a *Source) host() string {
	if e := a.p.Leader(); e != nil {
		return e.Hostname()
	}
	return "cluster"
}

// fetch reads one agent's statistics and records the outcome.
func (a *Source) fetch(ctx context.Context, ag agentInfo, round int) {
	a.sem <- struct{}{}
	a.inFlight.inc()
	defer func() { a.inFlight.dec(); <-a.sem }()
	a.mu.Lock()
	st0 := a.state[ag.ID]
	var path string
	if st0 != nil {
		path = st0.path
	}
	a.mu.Unlock()
	if st0 == nil {
		return // the agent left the master's list while this waited its turn
	}
	cctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	var execs []agentExecutor
	_, err := a.client.GetJSON(cctx, ag.ep, path, &execs)
	if httpapi.IsStatus(err, http.StatusNotFound) && path == "/monitor/statistics" {
		path = "/monitor/statistics.json" // agents before 0.23
		execs = nil
		_, err = a.client.GetJSON(cctx, ag.ep, path, &execs)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.state[ag.ID]
	if st == nil {
		return // the agent left the master's list meanwhile
	}
	st.inFlight = false
	if err != nil {
		st.failed = true
		st.err = describe("mesos agent", ag.ep, err)
		return
	}
	// An answer that came after its round's refresh was built is used by
	// the next one, but the next round does not wait for this agent.
	late := a.built >= round
	st.path, st.execs, st.okAt, st.err, st.failed = path, execs, time.Now(), "", late
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
	list, err := a.readList(ctx)
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

// readList asks the leading master for its agents: /master/slaves, or the
// whole state on masters that lack it.
func (a *Source) readList(ctx context.Context) ([]agentInfo, error) {
	leader := a.p.Leader()
	if leader == nil {
		return nil, errors.New("--cluster: no Mesos master URL given")
	}
	var ms masterSlaves
	_, err := a.master.GetJSON(ctx, leader, "/master/slaves", &ms)
	if httpapi.IsStatus(err, http.StatusNotFound) {
		ms = masterSlaves{}
		_, err = a.master.GetJSON(ctx, leader, "/state.json", &ms)
	}
	if err != nil {
		return nil, errors.New(describe("mesos agents", leader, err))
	}
	list := make([]agentInfo, 0, len(ms.Slaves))
	names := map[string]int{}
	for _, s := range ms.Slaves {
		names[s.Hostname]++
	}
	for _, s := range ms.Slaves {
		_, hp, ok := strings.Cut(s.PID, "@")
		if !ok {
			continue
		}
		// The master named this agent: it gets the credentials.
		ep, err := leader.Named(hp, "")
		if err != nil {
			continue
		}
		name := s.Hostname
		if name == "" || names[s.Hostname] > 1 {
			name = hp
		}
		list = append(list, agentInfo{
			ID: s.ID, Name: name, PID: s.PID, ep: ep, Active: s.Active == nil || *s.Active,
			CPUs: s.Resources.CPUs, CPUsUsed: s.Used.CPUs, Mem: s.Resources.Mem * (1 << 20), MemUsed: s.Used.Mem * (1 << 20),
		})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list, nil
}

// sample joins every agent's last answer into one sample.
func (a *Source) sample(now time.Time, round int) *model.Sample {
	tasks := executorTasks(a.p.Latest())
	smp := &model.Sample{Time: now, Host: a.host()}
	a.mu.Lock()
	defer a.mu.Unlock()
	since := a.builtAt
	a.built, a.builtAt = round, now
	if a.listErr != "" {
		smp.Errors = append(smp.Errors, a.listErr+fmt.Sprintf(" (agent list stale %d s)", int(now.Sub(a.listAt).Seconds())))
	}
	var failing []string
	nFailing := 0
	for _, ag := range a.list {
		smp.Machine.Cores += int(math.Round(ag.CPUs))
		smp.Memory.Total += uint64(ag.Mem)
		st := a.state[ag.ID]
		if st == nil {
			continue
		}
		fresh := !st.okAt.IsZero() && st.okAt.After(since)
		st.fresh = fresh
		if !fresh {
			nFailing++
			if len(failing) < maxAgentErrors {
				failing = append(failing, agentErrLine(ag, st, now))
			}
		}
		for i := range st.execs {
			cs := executorSample(ag, &st.execs[i], tasks)
			if !fresh {
				cs.State = "stale"
			}
			smp.Memory.Used += cs.Mem.Used
			smp.Containers = append(smp.Containers, cs)
		}
	}
	smp.Memory.Available = smp.Memory.Total - min(smp.Memory.Used, smp.Memory.Total)
	smp.Machine.MemoryBytes = smp.Memory.Total
	smp.Errors = append(smp.Errors, failing...)
	if nFailing > len(failing) {
		smp.Errors = append(smp.Errors, fmt.Sprintf("%d more agents did not answer in time (see the agents view)", nFailing-len(failing)))
	}
	return smp
}

func agentErrLine(ag agentInfo, st *agentState, now time.Time) string {
	why := st.err
	if why == "" {
		why = "mesos agent " + ag.ep.String() + ": no answer yet"
	}
	if st.okAt.IsZero() {
		return fmt.Sprintf("%s (%s, no data yet)", why, ag.Name)
	}
	return fmt.Sprintf("%s (%s, stale %d s)", why, ag.Name, int(now.Sub(st.okAt).Seconds()))
}

// executorSample turns one executor's statistics into a container row:
// runtime mesos, placed in the cluster by its task id (or its executor id,
// which is the task id of command tasks) through Match's env rules.
func executorSample(ag agentInfo, e *agentExecutor, tasks map[string]string) model.ContainerSample {
	s := &e.Statistics
	id := e.ContainerID
	if id == "" {
		id = e.ExecutorID + "@" + ag.ID + "/" + e.FrameworkID
	}
	cs := model.ContainerSample{
		ID: id, Name: e.ExecutorID, Runtime: model.RuntimeMesos, State: "running", Agent: ag.Name,
		Env: map[string]string{"MESOS_EXECUTOR_ID": e.ExecutorID},
		CPU: model.CgroupCPU{
			UsageNs:          secsToNs(s.CPUsUserSecs + s.CPUsSystemSecs),
			UserNs:           secsToNs(s.CPUsUserSecs),
			SystemNs:         secsToNs(s.CPUsSystemSecs),
			Periods:          s.CPUsPeriods,
			ThrottledPeriods: s.CPUsThrottled,
			ThrottledNs:      secsToNs(s.CPUsThrottledSec),
			QuotaCores:       s.CPUsLimit,
		},
		Mem: model.CgroupMemory{Usage: s.MemTotal, Used: s.MemRSS, RSS: s.MemRSS, Cache: s.MemCache, Limit: s.MemLimit},
	}
	if cs.Mem.Cache == 0 {
		cs.Mem.Cache = s.MemFile
	}
	if cs.Mem.Usage == 0 {
		cs.Mem.Usage = s.MemRSS + cs.Mem.Cache
	}
	if s.Timestamp > 0 {
		sec, frac := math.Modf(s.Timestamp)
		cs.SampledAt = time.Unix(int64(sec), int64(frac*1e9))
	}
	if t := tasks[ag.ID+"\x00"+e.FrameworkID+"\x00"+e.ExecutorID]; t != "" {
		cs.Env["MESOS_TASK_ID"] = t
	}
	if s.NetRxBytes != nil || s.NetTxBytes != nil {
		cs.Net = &model.NetCounters{
			RxBytes: deref(s.NetRxBytes), TxBytes: deref(s.NetTxBytes), RxPackets: s.NetRxPackets, TxPackets: s.NetTxPackets,
			RxErrors: s.NetRxErrors, TxErrors: s.NetTxErrors, RxDrops: s.NetRxDropped, TxDrops: s.NetTxDropped, SpeedMbps: -1,
		}
	}
	return cs
}

func secsToNs(s float64) uint64 {
	if s <= 0 {
		return 0
	}
	return uint64(s * 1e9)
}

func deref(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
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
