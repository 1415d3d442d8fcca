package events

import (
	"strings"
	"sync"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/redact"
)

// Config says what a timeline keeps and which sources it derives itself.
type Config struct {
	// Keep is the ring's size (DefaultKeep when 0).
	Keep int
	// Since: events that happened before it are not kept (a source's
	// history reaches further back than asked, the kernel log replays
	// every record since boot). Zero keeps everything heard.
	Since time.Time
	// Counters says for which runtimes the containers' own figures are
	// the source of their events (appeared, gone, paused, an OOM
	// counter that grew): those without an event stream of their own
	// (Mesos' containerizer, raw cgroups, CRI-O) on this node, every
	// runtime on a remote one. nil: none.
	Counters func(runtime string) bool
	// CounterSource names that source in the events: "cgroup" on this
	// node, "cadvisor" through it.
	CounterSource string
	// Handled says no snapshot is kept once handled (batch output
	// prints each and drops it): what places a container that is gone
	// by the next refresh is copied, not referred to in its sample,
	// which would keep the whole refresh's samples alive (see mark).
	Handled bool
}

// maxPending bounds the events heard between two refreshes; more are
// counted as dropped. A node where 10,000 things happen in one refresh
// has its timeline full anyway.
const maxPending = 10000

// Timeline is a run's events: sources push what they hear (Push, from any
// goroutine), and each refresh (Observe) derives what the snapshots
// themselves say happened, places every new event in the cluster, keeps
// it in the ring and gives the snapshot the timeline.
type Timeline struct {
	cfg Config
	log *Log

	mu      sync.Mutex
	pending []model.Event
	over    uint64 // pushed beyond maxPending since the last refresh
	// streamed says Marathon's event stream is attached: deployments
	// come from it, not from comparing polls.
	streamed bool

	// What the last refresh saw, to compare the next one with; touched
	// by Observe only (the monitor's loop).
	observed   bool
	containers map[string]mark
	copies     []placement    // what places the marks' containers (Config.Handled)
	cluster    *model.Cluster // the last one compared
	clusterAt  time.Time      // its fetch time
	tasks      map[string]taskMark
	apps       map[string]appMark
}

// New makes an empty timeline.
func New(cfg Config) *Timeline {
	return &Timeline{cfg: cfg, log: NewLog(cfg.Keep)}
}

// Push hands over an event heard from a source; it is kept at the next
// refresh. Safe from any goroutine; it never blocks on a refresh.
func (t *Timeline) Push(e model.Event) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.pending) >= maxPending {
		t.over++
		return
	}
	t.pending = append(t.pending, e)
}

// Streaming says whether Marathon's event stream is attached (it says
// when deployments start and end, so comparing polls need not).
func (t *Timeline) Streaming(on bool) {
	t.mu.Lock()
	t.streamed = on
	t.mu.Unlock()
}

// Events is what the timeline keeps now.
func (t *Timeline) Events() *model.Events { return t.log.Events() }

// Observe is the refresh's turn: it derives the events the snapshot's
// containers and cluster say happened since the last refresh, places
// them and those pushed since in the cluster, keeps them, and sets
// s.Events. The monitor calls it once per snapshot, after the cluster
// placed its containers, before the snapshot is published.
func (t *Timeline) Observe(s *model.Snapshot) {
	if t == nil || s == nil {
		return
	}
	var found []model.Event
	if t.cfg.Counters != nil {
		found = t.compareContainers(s, found)
	}
	t.mu.Lock()
	pushed, over, streamed := t.pending, t.over, t.streamed
	t.pending, t.over = nil, 0
	t.mu.Unlock()
	if s.Cluster != nil && s.Cluster != t.cluster {
		found = t.compareCluster(s.Cluster, streamed, found)
	}
	t.observed = true
	pl := placer{s: s, was: t.containers, copies: t.copies}
	for _, e := range append(found, pushed...) {
		if !t.cfg.Since.IsZero() && e.Time.Before(t.cfg.Since) {
			continue
		}
		if e.Time.IsZero() {
			e.Time = s.Time
		}
		pl.place(&e)
		e.Text = redact.Text(e.Text)
		e.Object = redact.Text(e.Object)
		t.log.Add(e)
	}
	t.log.lost(over)
	t.remember(s)
	s.Events = t.log.Events()
}

// mark is what a refresh remembers of a container to compare the next
// one with: the few fields compared, copied (a source may update a
// sample in place), and the container's own sample, to place an event
// about it once it is gone. The sample is the last snapshot's (held by
// it and by the screen until the next refresh), so referring to it
// costs a pointer where copying its name, runtime, image, cgroup, state
// and cluster placement cost 11 strings: 192 bytes a mark, each its own
// allocation in the map, 21-42 MB of --cluster's 100,000 executors.
// Where no snapshot is kept (Config.Handled) the pointer would keep the
// refresh's samples alive (74 MB there): i then indexes a copy of what
// places it in Timeline.copies, 160 bytes in one array per refresh (an
// index, not a pointer: it fits in the mark's padding, 24 bytes).
type mark struct {
	c        *model.ContainerSample
	oomKills uint64
	i        int32 // its copy, where c is nil
	paused   bool  // its state was "paused"
	memory   bool  // its OOM counter was read
}

// placement is what places an event about a container.
type placement struct {
	name, runtime, image, cgroup string
	cluster                      model.ClusterFields
}

// place is what places the container: its sample's, or its copy in
// copies.
func (m *mark) place(copies []placement) placement {
	if m.c == nil {
		return copies[m.i]
	}
	return placement{m.c.Name, m.c.Runtime, m.c.Image, m.c.Cgroup, m.c.Cluster}
}

// remember keeps what the snapshot's containers are, in a map sized once.
func (t *Timeline) remember(s *model.Snapshot) {
	m := make(map[string]mark, len(s.Containers))
	oomKnown := !s.Machine.Unknown.OOMKills
	var copies []placement
	if t.cfg.Handled {
		copies = make([]placement, len(s.Containers))
	}
	for i := range s.Containers {
		c := &s.Containers[i]
		mk := mark{oomKills: c.Mem.OOMKills, paused: c.State == "paused", memory: oomKnown && c.Measured("memory")}
		if copies != nil {
			copies[i] = placement{c.Name, c.Runtime, c.Image, c.Cgroup, c.Cluster}
			mk.i = int32(i)
		} else {
			mk.c = c.ContainerSample
		}
		m[c.Key()] = mk
	}
	t.containers, t.copies = m, copies
}

// placer fills in an event's object from the snapshot: the container it
// names (by key, else the one whose cgroup holds its cgroup), or one the
// last refresh listed (it has gone since), and where the cluster placed
// it; a task's framework, app and group.
type placer struct {
	s        *model.Snapshot
	was      map[string]mark
	copies   []placement
	byCgroup map[string]int
	byKey    map[string]int    // the snapshot's containers by Key, made on first use
	wasByCg  map[string]string // the last refresh's containers by cgroup
	tasks    map[string]*model.Task
	fwNames  map[string]string
}

func (p *placer) place(e *model.Event) {
	if e.Container == "" && e.Cgroup != "" {
		e.Container = p.containerOfCgroup(e.Cgroup)
	}
	if e.Container != "" {
		if c := p.container(e.Container); c != nil {
			fillFromContainer(e, c.Name, c.Runtime, c.Image, c.Cgroup, c.Cluster)
		} else if m, ok := p.was[e.Container]; ok {
			w := m.place(p.copies)
			fillFromContainer(e, w.name, w.runtime, w.image, w.cgroup, w.cluster)
		}
		if e.ObjectKind == "container" {
			if e.Object == "" {
				e.Object = model.ShortID(e.Container)
			}
			if e.ID == "" {
				e.ID = e.Container
			}
		}
	}
	if e.Cluster.TaskID != "" {
		p.placeTask(e)
	}
	if e.Cluster.App != "" && e.Cluster.Group == "" {
		e.Cluster.Group = model.ParentGroup(e.Cluster.App)
	}
}

// fillFromContainer fills what the event does not say yet.
func fillFromContainer(e *model.Event, name, runtime, image, cgroup string, cl model.ClusterFields) {
	if e.ObjectKind == "container" && e.Object == "" {
		e.Object = name
	}
	if e.Runtime == "" {
		e.Runtime = runtime
	}
	if e.Image == "" {
		e.Image = image
	}
	if e.Cgroup == "" {
		e.Cgroup = cgroup
	}
	if e.Cluster == (model.ClusterFields{}) {
		e.Cluster = cl
	}
}

// container is the snapshot's container with this key, nil when none.
func (p *placer) container(key string) *model.Container {
	if p.byKey == nil {
		// Built once per refresh: a scan per event was 100,000 x 100,000
		// comparisons when --cluster's executors appeared at once.
		p.byKey = make(map[string]int, len(p.s.Containers))
		for i := range p.s.Containers {
			k := p.s.Containers[i].Key()
			if _, dup := p.byKey[k]; !dup {
				p.byKey[k] = i // the first, as the scan found
			}
		}
	}
	if i, ok := p.byKey[key]; ok {
		return &p.s.Containers[i]
	}
	return nil
}

// containerOfCgroup is the key of the nearest container at or above a
// cgroup, in the snapshot or the last refresh's, "" when none.
func (p *placer) containerOfCgroup(cg string) string {
	if p.byCgroup == nil {
		p.byCgroup = make(map[string]int, len(p.s.Containers))
		for i := range p.s.Containers {
			if c := p.s.Containers[i].Cgroup; c != "" && c != "/" {
				p.byCgroup[c] = i
			}
		}
		p.wasByCg = make(map[string]string, len(p.was))
		for key, m := range p.was {
			if cg := m.place(p.copies).cgroup; cg != "" && cg != "/" {
				p.wasByCg[cg] = key
			}
		}
	}
	for cg = strings.TrimSuffix(cg, "/"); len(cg) > 1; {
		if i, ok := p.byCgroup[cg]; ok {
			return p.s.Containers[i].Key()
		}
		if key, ok := p.wasByCg[cg]; ok {
			return key
		}
		j := strings.LastIndexByte(cg, '/')
		if j < 0 {
			break
		}
		cg = cg[:j]
	}
	return ""
}

// placeTask names a task's framework, and its app and group where
// Marathon runs it.
func (p *placer) placeTask(e *model.Event) {
	c := p.s.Cluster
	if c == nil {
		return
	}
	if p.tasks == nil {
		p.tasks = make(map[string]*model.Task, len(c.Tasks))
		for i := range c.Tasks {
			if t := &c.Tasks[i]; !t.Finished || p.tasks[t.ID] == nil {
				p.tasks[t.ID] = t
			}
		}
		p.fwNames = make(map[string]string, len(c.Frameworks))
		for _, f := range c.Frameworks {
			p.fwNames[f.ID] = f.Name
		}
	}
	cl := &e.Cluster
	task := p.tasks[cl.TaskID]
	if task == nil {
		return
	}
	if cl.Task == "" {
		cl.Task = task.Name
	}
	if cl.FrameworkID == "" {
		cl.FrameworkID = task.FrameworkID
	}
	if cl.Framework == "" {
		cl.Framework = p.fwNames[cl.FrameworkID]
	}
	if cl.App == "" && cl.FrameworkID != "" && cl.FrameworkID == c.MarathonFrameworkID {
		for i := range c.Apps {
			if a := &c.Apps[i]; containsString(a.TaskIDs, task.ID) {
				cl.App = a.ID
				break
			}
		}
	}
	if e.ObjectKind == "task" && e.Object == "" {
		e.Object = task.Name
	}
	if e.Container == "" {
		for i := range p.s.Containers {
			if k := &p.s.Containers[i]; k.Cluster.TaskID == task.ID {
				e.Container = k.Key()
				if e.Runtime == "" {
					e.Runtime = k.Runtime
				}
				break
			}
		}
	}
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
