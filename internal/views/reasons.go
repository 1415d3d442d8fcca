package views

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
)

// Reasons that no single row holds, found by joining this node's
// containers with what Mesos says runs here: a task that keeps failing on
// a node (a crash loop), a container with a Mesos identity that no task or
// executor of the agent names (an orphan), and a task the agent runs here
// with no container to be found.

// CrashLoopRule says when an app's tasks loop on a node: Failures failed
// tasks there within Window.
type CrashLoopRule struct {
	Failures int
	Window   time.Duration
}

// CrashLoop is the rule in force: 3 failures in 15 minutes unless the
// settings file says otherwise (crash_loop:). Set once at start.
var CrashLoop = CrashLoopRule{Failures: 3, Window: 15 * time.Minute}

// OrphanGrace is the Mesos agent's own grace for a container it is
// launching or destroying: its executor registration timeout
// (EXECUTOR_REGISTRATION_TIMEOUT, 1 minute, src/slave/constants.hpp),
// which also covers the executor shutdown grace period (5 s) and Docker's
// stop. A container younger than this when the agent answered, or whose
// task ended less than this before, is none of these reasons.
var OrphanGrace = time.Minute

// crashStates are the states of a task that crashed: it failed (its
// command or container exited non-zero, a limit killed it) or Mesos could
// not launch it.
var crashStates = map[string]bool{"TASK_FAILED": true, "TASK_ERROR": true}

// loop is one app's crash loop on one node.
type loop struct {
	agentID, node string
	failures      int
	first         time.Time   // the oldest failure counted
	last          *model.Task // the newest
}

// reasons holds the joins of one snapshot.
type reasons struct {
	s          *model.Snapshot
	ix         *clusterIndex
	loops      map[string][]*loop // by loopKey, the nodes in order of their failures (most first)
	loopAgents map[string]bool    // the nodes where something loops
	here       string             // this node's agent id
	fresh      bool               // the agent's own state is this poll's
	live       map[string]bool    // live task ids
	liveCID    map[string]bool    // containers of live tasks and executors
	ended      map[string]time.Time
	started    map[string]time.Time // container key → its oldest process's start
	mesosSeen  bool                 // some container of this node has a Mesos identity
	carried    map[string]bool      // task ids and container ids this node's containers carry
}

// reasonsCache keeps the joins of the last snapshot: the header's count
// and the view on screen ask for the same one (snapshots are immutable).
// It holds them weakly: a strong hold kept the last snapshot (and its
// 100,000 tasks) alive while the next one's rows were built.
var reasonsCache struct {
	sync.Mutex
	s weak.Pointer[model.Snapshot]
	r weak.Pointer[reasons]
}

// reasonsOf joins a snapshot's containers and Mesos tasks, once per
// snapshot: one pass over the tasks, which is 101,000 of them while the
// master's state is read (bench/RESULTS.md).
func reasonsOf(s *model.Snapshot) *reasons {
	reasonsCache.Lock()
	if reasonsCache.s.Value() == s {
		if r := reasonsCache.r.Value(); r != nil {
			reasonsCache.Unlock()
			return r
		}
	}
	reasonsCache.Unlock()
	r := newReasons(s)
	reasonsCache.Lock()
	reasonsCache.s, reasonsCache.r = weak.Make(s), weak.Make(r)
	reasonsCache.Unlock()
	return r
}

func newReasons(s *model.Snapshot) *reasons {
	r := &reasons{s: s, ix: newClusterIndex(s), loops: map[string][]*loop{}}
	c := s.Cluster
	if c == nil {
		return r
	}
	r.here = c.AgentID
	r.fresh = c.HasMesos && !c.Stale && c.AgentRead && c.AgentID != ""
	sc := scanOf(c)
	r.live, r.liveCID, r.ended = sc.live, sc.liveCID, sc.ended
	rule := CrashLoop
	counts := map[crashGroup]*loop{}
	if rule.Failures > 0 && rule.Window > 0 {
		for _, t := range sc.crashes {
			if s.Time.Sub(t.StateSince) <= rule.Window {
				countCrash(counts, t)
			}
		}
	}
	r.loopsOf(counts, rule)
	if !r.fresh {
		return r
	}
	r.carried = map[string]bool{}
	for i := range s.Containers {
		ct := &s.Containers[i]
		if ct.Agent != "" {
			continue
		}
		tid, cids := orchestrator.MesosIdentity(ct.ContainerSample)
		if tid == "" && len(cids) == 0 {
			continue
		}
		r.mesosSeen = true
		if tid != "" {
			r.carried[tid] = true
		}
		if ct.Cluster.TaskID != "" {
			r.carried[ct.Cluster.TaskID] = true
		}
		for _, cid := range cids {
			r.carried[cid] = true
		}
	}
	r.started = map[string]time.Time{}
	for i := range s.Processes {
		p := &s.Processes[i]
		k := p.InContainer()
		if k == "" || p.StartTime.IsZero() {
			continue
		}
		if t, ok := r.started[k]; !ok || p.StartTime.Before(t) {
			r.started[k] = p.StartTime
		}
	}
	return r
}

// loopKey is what a task's failures are counted by: its Marathon app, else
// its framework and name (a Chronos job, a service's task).
func (ix *clusterIndex) loopKey(t *model.Task) string {
	if a := ix.appOf(t.ID); a != "" {
		return a
	}
	if ix.isMarathon(t.FrameworkID) {
		if a := orchestrator.MarathonAppOf(t.ID); a != "" {
			return a
		}
	}
	return t.FrameworkID + "\x00" + t.Name
}

// taskScan is what the joins need of a cluster's tasks, found in one
// pass: its crashed tasks, and the live and ended tasks of this node's
// agent. A cluster is shared by the snapshots of a poll (every 10 s by
// default; a snapshot every 2 s), so the pass is made once per poll:
// 100,000 tasks are 22 MB to read, 4-5 ms a pass (bench/RESULTS.md).
type taskScan struct {
	crashes       []*model.Task
	live, liveCID map[string]bool
	ended         map[string]time.Time
}

// scanCache holds the last pass weakly, as reasonsCache does: its tasks
// point into the cluster's.
var scanCache struct {
	sync.Mutex
	c    weak.Pointer[model.Cluster]
	scan weak.Pointer[taskScan]
}

func scanOf(c *model.Cluster) *taskScan {
	scanCache.Lock()
	defer scanCache.Unlock()
	if scanCache.c.Value() == c {
		if sc := scanCache.scan.Value(); sc != nil {
			return sc
		}
	}
	sc := &taskScan{live: map[string]bool{}, liveCID: map[string]bool{}, ended: map[string]time.Time{}}
	seen := map[string]bool{}
	for i := range c.Tasks {
		t := &c.Tasks[i]
		if t.Finished && crashStates[t.State] && !t.StateSince.IsZero() && !seen[t.ID] {
			seen[t.ID] = true
			sc.crashes = append(sc.crashes, t)
		}
		if t.AgentID != c.AgentID || c.AgentID == "" {
			continue // another node's: it explains nothing here
		}
		if t.Finished {
			if t.StateSince.After(sc.ended[t.ID]) {
				sc.ended[t.ID] = t.StateSince
			}
			continue
		}
		sc.live[t.ID] = true
		for _, cid := range t.ContainerIDs {
			sc.liveCID[cid] = true
		}
	}
	for _, cid := range c.AgentExecutors {
		sc.liveCID[cid] = true
	}
	scanCache.c, scanCache.scan = weak.Make(c), weak.Make(sc)
	return sc
}

// crashGroup is what failures are first counted by, without a string
// made per task: a task id's part before its first "." (a Marathon app's
// id with "_" for "/"), else its name; and its node.
type crashGroup struct{ fw, name, agent string }

func countCrash(counts map[crashGroup]*loop, t *model.Task) {
	name := t.Name
	if i := strings.IndexByte(t.ID, '.'); i > 0 {
		name = t.ID[:i]
	}
	k := crashGroup{t.FrameworkID, name, t.AgentID}
	l := counts[k]
	if l == nil {
		l = &loop{agentID: t.AgentID, node: t.AgentHost, first: t.StateSince, last: t}
		if l.node == "" {
			l.node = t.AgentID
		}
		counts[k] = l
	}
	l.failures++
	if t.StateSince.Before(l.first) {
		l.first = t.StateSince
	}
	if t.StateSince.After(l.last.StateSince) {
		l.last = t
	}
}

// loopsOf keeps the groups at or over the rule's count, by their app.
func (r *reasons) loopsOf(counts map[crashGroup]*loop, rule CrashLoopRule) {
	r.loopAgents = map[string]bool{}
	for _, l := range counts {
		if l.failures >= rule.Failures {
			key := r.ix.loopKey(l.last)
			r.loops[key] = append(r.loops[key], l)
			r.loopAgents[l.agentID] = true
		}
	}
	for _, ls := range r.loops {
		sort.Slice(ls, func(i, j int) bool {
			if ls[i].failures != ls[j].failures {
				return ls[i].failures > ls[j].failures
			}
			return ls[i].node < ls[j].node
		})
	}
}

// loopHere is the loop of a key on this node, nil for none.
func (r *reasons) loopHere(key string) *loop {
	for _, l := range r.loops[key] {
		if l.agentID == r.here && r.here != "" {
			return l
		}
	}
	return nil
}

// exitStatus finds an exit code in a Mesos status message: the command
// executor's "Command exited with status 1", Docker's "Container exited
// with status 137", "exit status 2".
var exitStatus = regexp.MustCompile(`(?i)exit(?:ed with)? (?:status|code) (-?\d+)`)

// words are the attention of a loop on this node: "crash loop: 4
// failures in 10m, last exit 1: Command exited with status 1".
func (l *loop) words(now time.Time, exit *int) string {
	w := fmt.Sprintf("crash loop: %d failures in %s", l.failures, span(now.Sub(l.first)))
	var last []string
	d := l.last.Detail()
	if exit == nil {
		if m := exitStatus.FindStringSubmatch(d.Message); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil {
				exit = &n
			}
		}
	}
	if exit != nil {
		last = append(last, "exit "+strconv.Itoa(*exit))
	}
	if d.Reason != "" {
		last = append(last, strings.TrimPrefix(d.Reason, "REASON_"))
	}
	if len(last) > 0 || d.Message != "" {
		w += ", last " + strings.Join(last, " ")
		if d.Message != "" {
			if len(last) > 0 {
				w += ": "
			}
			w += d.Message
		}
	}
	return w
}

// exitOf is the exit code the runtime gave the container of a task, nil
// when none of this node's stopped containers ran it.
func (r *reasons) exitOf(t *model.Task) *int {
	for i := range r.s.Containers {
		c := &r.s.Containers[i]
		if c.Agent == "" && c.ExitCode != nil && c.Cluster.TaskID == t.ID {
			return c.ExitCode
		}
	}
	return nil
}

// containerWords are a container's reasons here: its app loops on this
// node, or it is an orphan.
func (r *reasons) containerWords(c *model.Container) []string {
	var why []string
	if c.Agent != "" {
		return nil
	}
	if key := r.containerLoopKey(c); key != "" {
		if l := r.loopHere(key); l != nil {
			why = append(why, l.words(r.s.Time, r.exitOf(l.last)))
		}
	}
	if w := r.orphan(c); w != "" {
		why = append(why, w)
	}
	return why
}

// containerLoopKey is the loop key of a container's task.
func (r *reasons) containerLoopKey(c *model.Container) string {
	if len(r.loops) == 0 {
		return ""
	}
	if c.Cluster.App != "" {
		return c.Cluster.App
	}
	if c.Cluster.TaskID != "" {
		return c.Cluster.FrameworkID + "\x00" + c.Cluster.Task
	}
	return ""
}

// orphan is "orphan (no task) 2h holding cpu 12%, mem 300M" (what it
// holds as far as measured) for a running container of this node
// with a Mesos identity that no live task or executor of the agent names,
// judged only on this poll's answer of the agent, past OrphanGrace.
func (r *reasons) orphan(c *model.Container) string {
	if !r.fresh || c.Agent != "" || !isRunning(c) {
		return ""
	}
	tid, cids := orchestrator.MesosIdentity(c.ContainerSample)
	if tid == "" && len(cids) == 0 {
		return ""
	}
	if tid != "" && r.live[tid] {
		return ""
	}
	if slices.ContainsFunc(cids, func(cid string) bool { return r.liveCID[cid] }) {
		return ""
	}
	at := r.s.Cluster.Time // when the agent answered
	born := c.Created
	if st, ok := r.started[c.Key()]; born.IsZero() && ok {
		born = st
	}
	if born.IsZero() || at.Sub(born) < OrphanGrace {
		return "" // being launched, or of unknown age
	}
	if end, ok := r.ended[tid]; ok && at.Sub(end) < OrphanGrace {
		return "" // being destroyed
	}
	w := "orphan (no task) " + span(r.s.Time.Sub(born))
	var holds []string
	if c.HasRates && c.Measured("cpu") {
		holds = append(holds, fmt.Sprintf("cpu %.0f%%", c.CPUPct))
	}
	if c.Measured("memory") && c.Mem.Used > 0 {
		holds = append(holds, "mem "+HumanBytes(float64(c.Mem.Used)))
	}
	if len(holds) > 0 {
		w += " holding " + strings.Join(holds, ", ")
	}
	return w
}

func isRunning(c *model.Container) bool {
	switch c.State {
	case "exited", "dead", "stopped", "created", "restarting":
		return false
	}
	return true
}

// noContainer is "no container" for a task the agent says runs here, for
// longer than OrphanGrace, that no container of this node carries — said
// only where some container here has a Mesos identity, so that a
// collector that sees none of Mesos' containers does not blame every task.
func (r *reasons) noContainer(t *model.Task) string {
	if !r.fresh || !r.mesosSeen || t.Finished || t.State != "TASK_RUNNING" || t.AgentID != r.here {
		return ""
	}
	if t.StateSince.IsZero() || r.s.Cluster.Time.Sub(t.StateSince) < OrphanGrace {
		return ""
	}
	if r.carried[t.ID] || slices.ContainsFunc(t.ContainerIDs, func(cid string) bool { return r.carried[cid] }) {
		return ""
	}
	return "no container"
}

// taskWords are a task's reasons: its app loops on its node (said on its
// live tasks and its latest failure), or it has no container here.
func (r *reasons) taskWords(t *model.Task) []string {
	var why []string
	if len(r.loopAgents) > 0 && r.loopAgents[t.AgentID] { // a task id's app is found only where something loops
		for _, l := range r.loops[r.ix.loopKey(t)] {
			if l.agentID == t.AgentID && (!t.Finished || l.last == t) {
				why = append(why, l.words(r.s.Time, r.exitOf(l.last)))
			}
		}
	}
	if w := r.noContainer(t); w != "" {
		why = append(why, w)
	}
	return why
}

// appWords are an app's loops: "crash loop on 10.0.0.182 (56 in 4m)".
func (r *reasons) appWords(id string) string {
	ls := r.loops[id]
	if len(ls) == 0 {
		return ""
	}
	var on []string
	for _, l := range ls {
		on = append(on, fmt.Sprintf("%s (%d in %s)", l.node, l.failures, span(r.s.Time.Sub(l.first))))
	}
	return "crash loop on " + strings.Join(on, ", ")
}

// appFailures is an app's failed tasks within the crash-loop window on
// the nodes where it loops; nil where it loops nowhere.
func (r *reasons) appFailures(id string) any {
	ls := r.loops[id]
	if len(ls) == 0 {
		return nil
	}
	n := 0
	for _, l := range ls {
		n += l.failures
	}
	return float64(n)
}

// join adds reasons to a row's attention.
func join(why string, more ...string) string {
	parts := make([]string, 0, len(more)+1)
	if why != "" {
		parts = append(parts, why)
	}
	for _, m := range more {
		if m != "" {
			parts = append(parts, m)
		}
	}
	return strings.Join(parts, ", ")
}

// containerReasons, taskReasons and appReasons are what this file adds to
// a row's attention (attention.go's containerLook, taskLook, appLook).
func containerReasons(s *model.Snapshot, c *model.Container) string {
	return join("", reasonsOf(s).containerWords(c)...)
}

func taskReasons(s *model.Snapshot, t *model.Task) string {
	return join("", reasonsOf(s).taskWords(t)...)
}

func appReasons(s *model.Snapshot, a *model.App) string {
	return join(waitingWords(a, s.Time), reasonsOf(s).appWords(a.ID))
}
