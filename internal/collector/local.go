package collector

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/cgroups"
	"github.com/ctop-like/ctop-like/internal/collector/diskusage"
	"github.com/ctop-like/ctop-like/internal/collector/machine"
	"github.com/ctop-like/ctop-like/internal/collector/oomkills"
	"github.com/ctop-like/ctop-like/internal/collector/ports"
	"github.com/ctop-like/ctop-like/internal/collector/proc"
	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/collector/runtime/kubernetes"
	"github.com/ctop-like/ctop-like/internal/model"
)

// Local is the Source that reads this node: machine, cgroups, /proc and
// the runtimes' handlers, one pass per Collect. It finds containers by
// their cgroups and asks the handler of each cgroup's runtime to name
// them; it knows no runtime by type.
type Local struct {
	cfg      Config
	host     string
	machine  *machine.Reader
	info     model.MachineInfo
	procs    *proc.Reader
	finder   cgroups.Finder
	runtimes *runtimes
	ports    *ports.Reader
	oom      *oomkills.Log // nil where the kernel log cannot be read

	mu  sync.Mutex
	env map[string]envEntry // non-Docker containers' env, by container key

	// collectMu serialises Collect and Close, which releases the files
	// that passes keep open. Under it: the fields below.
	collectMu sync.Mutex
	hostNS    string                // the host's network namespace, once known
	listed    map[string]listedOnce // the last pass's containers, by key
	nets      map[string]*netEntry  // by container key
	// netTried and netDenied count, per pass, the containers with a
	// network of their own and those whose figures were not ours to read.
	netTried, netDenied int
	pass                uint64
	netBuf              []byte
	figs                localFigures
	// allStopped lists every stopped container as -a does (the screen's
	// A key); without it and -a, only those that need a look.
	allStopped atomic.Bool
	// onDemand: what processes listen on, their io and their figures
	// are read only in a pass that starts within wantFor of a WantPorts
	// (WantProcessIO, WantProcessFigures), or after one made since the
	// last pass started; else always.
	portsOnDemand, ioOnDemand, figuresOnDemand atomic.Bool
	portsWantedAt, ioWantedAt, figuresWantedAt atomic.Int64 // UnixNano of the last want
	lastPassAt                                 int64        // UnixNano of the last pass's start; under collectMu
	// figuresSkipped: the last pass read no figures of the processes it
	// knew (see WantProcessFigures).
	figuresSkipped atomic.Bool
}

// wantFor is how long a WantPorts or WantProcessIO lasts: a view that
// shows them asks at every refresh, so they stop being read this long
// after the last such view was left, and going back to it within that
// time finds them current.
const wantFor = 30 * time.Second

// ReadOnDemand makes passes read what processes listen on (ports: the
// ports reader, every new process's descriptors and each network
// namespace's listening sockets; about a seventh of a refresh with 50
// Docker containers) only while WantPorts is called, each process's io
// (io: a pread per process) only while WantProcessIO is, and the figures
// of the processes a pass already knows (figures: their stat, a pread
// per process, a third of a refresh at 500 containers; io goes with
// them) only while WantProcessFigures is, instead of always. Without
// figures a pass still lists every process, with its identity, command,
// user, cgroup and container (model's NoFigures).
func (l *Local) ReadOnDemand(ports, io, figures bool) {
	l.portsOnDemand.Store(ports)
	l.ioOnDemand.Store(io)
	l.figuresOnDemand.Store(figures)
}

// WantPorts says that what processes listen on is used: the next passes
// read it (see ReadOnDemand).
func (l *Local) WantPorts() { l.portsWantedAt.Store(time.Now().UnixNano()) }

// WantProcessIO says that the processes' io is used: the next passes
// read it (see ReadOnDemand).
func (l *Local) WantProcessIO() { l.ioWantedAt.Store(time.Now().UnixNano()) }

// WantProcessFigures says that the processes' figures are used: the next
// passes read them (see ReadOnDemand). It reports, once, that the last
// pass did not: the newest sample's processes have none, and the caller
// may want a pass at once rather than at the next refresh.
func (l *Local) WantProcessFigures() (lastPassLacked bool) {
	l.figuresWantedAt.Store(time.Now().UnixNano())
	return l.figuresSkipped.CompareAndSwap(true, false)
}

// wanted says whether the pass starting at now reads what was last
// wanted at (UnixNano; 0 never), the last pass having started at last.
func wanted(onDemand bool, at, last int64, now time.Time) bool {
	if !onDemand {
		return true
	}
	return at != 0 && (at >= last || now.UnixNano()-at <= int64(wantFor))
}

// ListStopped says whether every stopped container is listed, as -a does
// for them (the screen's A key), or only those that need a look.
func (l *Local) ListStopped(all bool) { l.allStopped.Store(all) }

// StoppedFailure is how long a stopped container that exited non-zero or
// was OOM-killed stays listed without -a (DESIGN.md: they need a look).
const StoppedFailure = time.Hour

// failedLately says whether a stopped container needs a look: it exited
// non-zero or the OOM killer ended it, within StoppedFailure of now (or
// when, its runtime did not say).
func failedLately(m runtime.Meta, now time.Time) bool {
	if !stoppedState(m.State) || !(m.OOMKilled || m.ExitCode != nil && *m.ExitCode != 0) {
		return false
	}
	return m.StateSince.IsZero() || now.Sub(m.StateSince) <= StoppedFailure
}

type envEntry struct {
	pid int
	env model.Env
}

// listedOnce is a container of the last pass: what its runtime's handler
// is asked for when its cgroup has gone.
type listedOnce struct {
	runtime, id, cgroup string
}

// NewLocal opens every local source. Only a missing /proc or cgroup root is
// an error; a runtime that is not there is retried, and reported in each
// sample's Errors when the user named it or its socket is there.
func NewLocal(ctx context.Context, cfg Config) (*Local, error) {
	if cfg.ProcRoot == "" {
		cfg.ProcRoot = "/proc"
	}
	if cfg.SysRoot == "" {
		cfg.SysRoot = "/sys"
	}
	if cfg.CgroupRoot == "" {
		cfg.CgroupRoot = "/sys/fs/cgroup"
	}
	if _, err := os.Stat(filepath.Join(cfg.ProcRoot, "stat")); err != nil {
		return nil, fmt.Errorf("proc root %s: not a procfs (%w)", cfg.ProcRoot, err)
	}
	if st, err := os.Stat(cfg.CgroupRoot); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("cgroup root %s: not a directory", cfg.CgroupRoot)
	}
	m, err := machine.NewReader(cfg.ProcRoot, cfg.SysRoot)
	if err != nil {
		return nil, err
	}
	info := m.Info()
	mounts, err := cgroups.Locate(cfg.ProcRoot, cfg.CgroupRoot)
	if err != nil {
		return nil, err
	}
	finder, version, err := cgroups.NewFinder(mounts, cfg.All, info.MemoryBytes)
	if err != nil {
		return nil, err
	}
	info.CgroupVersion = version
	if info.ClockTicks == 0 {
		info.ClockTicks = 100
	}
	host, _ := os.Hostname()
	if b, err := os.ReadFile(filepath.Join(cfg.ProcRoot, "sys/kernel/hostname")); err == nil {
		host = strings.TrimSpace(string(b))
	}
	l := &Local{
		cfg:     cfg,
		host:    host,
		machine: m,
		info:    info,
		procs:   proc.NewReader(cfg.ProcRoot, info.ClockTicks, m.BootTime()),
		finder:  finder,
		env:     map[string]envEntry{},
		nets:    map[string]*netEntry{},
		ports:   ports.NewReader(cfg.ProcRoot),
		figs:    localFigures{fds: proc.NewFDCounter(cfg.ProcRoot), disk: diskusage.New(), layers: map[string]layer{}},
	}
	if cfg.ProcRoot == "/proc" {
		// This program listens on nothing; its thousands of kept
		// descriptors are not worth walking for that.
		l.ports.Self = os.Getpid()
	}
	l.runtimes = openRuntimes(ctx, cfg)
	l.oom = oomkills.Open("/dev/kmsg")
	finder.SetClaim(l.runtimes.claim)
	finder.SetNodeOOMKills(m.OOMKills)
	return l, nil
}

// Runtime returns the handler that names the runtime's containers
// (model.RuntimeDocker...), nil when none does: the caller that acts on a
// runtime's containers asks for the handler it knows. It may be one opened
// for another runtime (Podman's API behind --docker-host).
func (l *Local) Runtime(name string) runtime.Handler { return l.runtimes.get(name) }

// Runtimes are the handlers of every runtime opened, in the order the
// collector asks them.
func (l *Local) Runtimes() []runtime.Handler { return slices.Clone(l.runtimes.list) }

// ListenOOM has f told each process the kernel's OOM killer kills from
// now on (the kernel log's record, as an event); nothing where the log
// cannot be read.
func (l *Local) ListenOOM(f func(model.Event)) { l.oom.Listen(f) }

// WaitReady waits until every runtime's first list is in or failed, or
// ctx ends, so that batch mode names containers from its first line.
func (l *Local) WaitReady(ctx context.Context) { l.runtimes.waitReady(ctx) }

// Host is the node's host name.
func (l *Local) Host() string { return l.host }

// Close releases the runtime connection and the files kept open between
// refreshes.
func (l *Local) Close() error {
	l.collectMu.Lock()
	defer l.collectMu.Unlock()
	for id, e := range l.nets {
		e.close()
		delete(l.nets, id)
	}
	l.finder.Close()
	l.figs.disk.Close()
	l.procs.Close()
	l.ports.Close()
	l.machine.Close()
	l.oom.Close()
	return l.runtimes.close()
}

// Collect implements Source.
func (l *Local) Collect(ctx context.Context) (*model.Sample, error) {
	l.collectMu.Lock()
	defer l.collectMu.Unlock()
	s := &model.Sample{Time: time.Now(), Host: l.host, Machine: l.info}
	if err := l.machine.Read(s); err != nil {
		s.Errors = append(s.Errors, "machine: "+err.Error())
	}
	conts, err := l.finder.Containers()
	if err != nil {
		s.Errors = append(s.Errors, "cgroups: "+err.Error())
	}
	for _, h := range l.runtimes.list {
		if err := h.Err(); err != nil {
			s.Errors = append(s.Errors, err.Error())
		}
	}
	if l.hostNS == "" {
		// pid 1's link, or kthreadd's where pid 1's is not ours to read;
		// the host's namespace never changes.
		l.hostNS, _ = hostNetNS(l.cfg.ProcRoot)
	}
	l.pass++
	l.netDenied, l.netTried = 0, 0
	seen := make(map[string]bool, len(conts))
	kept := conts[:0]
	all := l.cfg.All || l.allStopped.Load()
	for i := range conts {
		c := &conts[i]
		l.name(c)
		seen[c.Key()] = true
		if !all && stoppedState(c.State) {
			// An empty cgroup its runtime has not removed yet (containerd
			// keeps it until the task is deleted): listed with -a (or A)
			// only.
			continue
		}
		if c.Env.IsZero() && c.PID > 0 {
			c.Env = l.envOf(c.Key(), c.PID)
		}
		c.Net = nil
		if c.PID > 0 && c.NetworkMode != "host" {
			c.Net = l.netOf(c.Key(), c.PID)
		}
		if c.Net != nil {
			l.tcpOf(c)
		}
		l.diskOf(c)
		kept = append(kept, *c)
	}
	conts = kept
	for id, e := range l.nets {
		if e.seen != l.pass {
			e.close()
			delete(l.nets, id)
		}
	}
	l.forgetEnv(seen)
	l.forgetLayers()
	s.Containers = l.appendStopped(conts, seen, s.Time)
	last := l.lastPassAt
	l.lastPassAt = s.Time.UnixNano()
	figures := wanted(l.figuresOnDemand.Load(), l.figuresWantedAt.Load(), last, s.Time)
	l.procs.SkipFigures(!figures)
	l.procs.SkipIO(!figures || !wanted(l.ioOnDemand.Load(), l.ioWantedAt.Load(), last, s.Time))
	l.figuresSkipped.Store(!figures)
	procs, err := l.procs.Read()
	if err != nil {
		s.Errors = append(s.Errors, "processes: "+err.Error())
	}
	attribute(s.Containers, procs)
	l.fillFDs(s.Containers, procs)
	// The listed containers, stopped ones (-a) included: appendStopped may
	// have copied conts. Without it, Listen stays nil: unknown.
	if wanted(l.portsOnDemand.Load(), l.portsWantedAt.Load(), last, s.Time) {
		l.ports.Counts(l.figs.fdCounts)
		l.ports.Fill(s.Containers, procs)
	}
	s.Processes = procs
	if msg := l.unreadable(); msg != "" {
		s.Errors = append(s.Errors, msg)
	}
	return s, nil
}

// attribute gives each process the container whose cgroup holds it: the
// nearest listed container at or above its cgroup (a process in a child
// cgroup of a container is the container's). The cgroup's shape alone
// names no container that only its runtime knows (`ctr run` makes
// /<namespace>/<id>), nor tells two containerd namespaces apart; the
// container list does both. A process whose container is not listed
// keeps the id its cgroup's shape gives, without a key.
func attribute(conts []model.ContainerSample, procs []model.ProcessSample) {
	byCgroup := make(map[string]int, len(conts))
	for i := range conts {
		if conts[i].Cgroup != "" && conts[i].Cgroup != "/" {
			byCgroup[conts[i].Cgroup] = i
		}
	}
	for i := range procs {
		p := &procs[i]
		for cg := p.Cgroup; len(cg) > 1; {
			if ci, ok := byCgroup[cg]; ok {
				p.ContainerID, p.ContainerKey = conts[ci].ID, conts[ci].Key()
				break
			}
			j := strings.LastIndexByte(cg, '/')
			if j < 0 {
				break
			}
			cg = cg[:j]
		}
	}
}

// unreadable says, in one line, what this pass could not see for lack of
// permission (run as a user other than root, most of /proc/<pid>/io and
// every other user's network namespace are closed), or "". Without it a
// non-root run silently shows n/a where root sees figures. Root is told
// nothing: what it may not read (a sandbox's init) is the odd process,
// not a blind spot.
func (l *Local) unreadable() string {
	if os.Geteuid() == 0 {
		return ""
	}
	var what []string
	if denied, total := l.procs.IODenied(); denied > 0 {
		what = append(what, fmt.Sprintf("disk I/O of %d of %d processes", denied, total))
	}
	if l.netDenied > 0 {
		what = append(what, fmt.Sprintf("network of %d of %d containers", l.netDenied, l.netTried))
	}
	if len(what) == 0 {
		return ""
	}
	return "not root: " + strings.Join(what, " and ") + " unreadable (permission denied)"
}

// name asks the handler of the container's runtime what it is. A plain id
// in a Kubernetes pod's cgroupfs folder is containerd's unless Docker
// (cri-dockerd) knows it.
func (l *Local) name(c *model.ContainerSample) {
	meta, ok := runtime.Meta{}, false
	if h := l.runtimes.get(c.Runtime); h != nil {
		meta, ok = h.Meta(c.ID, c.Cgroup)
	}
	if !ok && c.Runtime == model.RuntimeContainerd {
		if d := l.runtimes.get(model.RuntimeDocker); d != nil {
			if meta, ok = d.Meta(c.ID, c.Cgroup); ok {
				c.Runtime = model.RuntimeDocker
			}
		}
	}
	frozen := c.State == "paused" // the cgroup's freezer holds it
	if ok {
		applyMeta(c, meta)
	}
	if frozen && c.State == "running" {
		// Frozen through its cgroup (`:pause` of a containerd, CRI-O,
		// Mesos or raw container), which its runtime never hears of.
		c.State = "paused"
	}
	l.oom.Mark(c, meta.StartedAt)
	kubernetes.Apply(c, meta.Sandbox)
	if c.Name == "" {
		c.Name = shortName(c)
	}
	c.Can = runtime.Can(l.runtimes.get(c.Runtime))
}

// stoppedState says whether a runtime's state means the container runs
// nothing (listed with -a only); Podman's "stopped" is a container that
// died and is not cleaned up yet.
func stoppedState(state string) bool {
	return state == "exited" || state == "created" || state == "dead" || state == "stopped"
}

// unmeasuredStopped is what a container without a cgroup lacks: every
// figure.
var unmeasuredStopped = []string{"cpu", "memory", "pids", "io"}

// appendStopped adds the containers the runtimes keep that have no cgroup:
// with -a (or ListStopped) every stopped one (exited, created, dead);
// always those that failed within the last hour (failedLately), which
// need a look, and those between two runs of a restart loop, so that such
// a container stays one row saying "restarting" instead of flickering in
// and out. An id a runtime's cgroup already listed is not listed again.
//
// A container listed in the last pass whose cgroup is gone while its
// runtime still has it (it died and the runtime's event has not come yet,
// or it waits to restart) stays too. seen holds the keys listed.
func (l *Local) appendStopped(conts []model.ContainerSample, seen map[string]bool, now time.Time) []model.ContainerSample {
	all := l.cfg.All || l.allStopped.Load()
	add := func(h runtime.Handler, m runtime.Meta) {
		seen[model.ContainerKey(m.Namespace, m.ID)] = true
		c := model.ContainerSample{ID: m.ID, Runtime: h.Name(), Unmeasured: unmeasuredStopped, RuntimeFields: &model.RuntimeFields{}}
		applyMeta(&c, m)
		l.oom.Mark(&c, m.StartedAt)
		c.PID = 0
		c.Can = runtime.Can(h)
		kubernetes.Apply(&c, m.Sandbox)
		if c.Name == "" {
			c.Name = shortName(&c)
		}
		conts = append(conts, c)
	}
	for _, h := range l.runtimes.list {
		for _, m := range h.Stopped() {
			if !seen[model.ContainerKey(m.Namespace, m.ID)] && (all || m.State == "restarting" || failedLately(m, now)) {
				add(h, m)
			}
		}
	}
	for key, was := range l.listed {
		if h := l.runtimes.get(was.runtime); h != nil && !seen[key] {
			if m, ok := h.Meta(was.id, was.cgroup); ok && model.ContainerKey(m.Namespace, m.ID) == key && (all || !stoppedState(m.State) || failedLately(m, now)) {
				add(h, m)
			}
		}
	}
	clear(l.listed)
	if l.listed == nil {
		l.listed = make(map[string]listedOnce, len(conts))
	}
	for i := range conts {
		c := &conts[i]
		l.listed[c.Key()] = listedOnce{runtime: c.Runtime, id: c.ID, cgroup: c.Cgroup}
	}
	return conts
}

func applyMeta(c *model.ContainerSample, m runtime.Meta) {
	c.ContainerdNamespace = m.Namespace
	c.Name = m.Name
	c.Image = m.Image
	if m.State != "" {
		c.State = m.State
	}
	c.Labels = m.Labels
	c.Env = m.Env
	if m.PID > 0 {
		c.PID = m.PID
	}
	c.NetworkMode = m.NetworkMode
	c.RestartCount = m.RestartCount
	c.Health = m.Health
	c.Ports = m.Ports
	c.Wants = m.Wants
	c.Mounts = m.Mounts
	if m.Created > 0 {
		c.Created = time.Unix(m.Created, 0)
	}
	c.ExitCode = m.ExitCode
	c.OOMKilled = m.OOMKilled
	c.StateSince = m.StateSince
}

// shortName names a container its runtime did not: a 64-hex id's
// 12-character short id (Docker, Podman, containerd, CRI-O), a Mesos
// container's id, a raw cgroup's last path element.
func shortName(c *model.ContainerSample) string {
	switch {
	case c.Runtime == model.RuntimeRaw:
		return filepath.Base(c.Cgroup)
	case cgroups.IsHexID(c.ID):
		return c.ID[:12]
	}
	return c.ID
}

// envOf reads the environment of a container (by key) whose runtime did
// not give it from its first process, once per (container, pid).
func (l *Local) envOf(key string, pid int) model.Env {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.env[key]; ok && e.pid == pid {
		return e.env
	}
	env := readEnviron(filepath.Join(l.cfg.ProcRoot, strconv.Itoa(pid), "environ"))
	l.env[key] = envEntry{pid: pid, env: env}
	return env
}

func (l *Local) forgetEnv(seen map[string]bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id := range l.env {
		if !seen[id] {
			delete(l.env, id)
		}
	}
}

// readEnviron is the kept environment of a NUL-separated environ file
// (runtime.EnvironFile: every name, only the values that place the
// container); the zero Env when unreadable.
func readEnviron(path string) model.Env {
	b, err := os.ReadFile(path)
	if err != nil {
		return model.Env{}
	}
	return runtime.EnvironFile(b)
}
