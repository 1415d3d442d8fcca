package collector

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctop-like/ctop-like/model"
)

// Local is the Source that reads this node: machine, cgroups, /proc and the
// Docker runtime, one pass per Collect.
type Local struct {
	cfg     Config
	host    string
	machine *MachineReader
	info    model.MachineInfo
	procs   *ProcReader
	finder  ContainerFinder
	docker  *Docker // nil when disabled
	ports   *portReader

	mu  sync.Mutex
	env map[string]envEntry // non-Docker containers' env, by container id

	// collectMu serialises Collect and Close, which releases the files
	// that passes keep open. Under it: the fields below.
	collectMu sync.Mutex
	hostNS    string // the host's network namespace, once known
	nets      map[string]*netEntry
	pass      uint64
	netBuf    []byte
}

// netEntry is what a container's network figures are read through: its
// process's namespace (read once per pid) and that pid's net/dev, kept
// open.
type netEntry struct {
	pid  int
	ns   string
	dev  keptFile
	seen uint64
}

type envEntry struct {
	pid int
	env map[string]string
}

// NewLocal opens every local source. Only a missing /proc or cgroup root is
// an error; a Docker daemon that is not there is reported in each sample's
// Errors and retried.
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
	m, err := NewMachineReader(cfg.ProcRoot, cfg.SysRoot)
	if err != nil {
		return nil, err
	}
	info := m.Info()
	finder, version, err := NewContainerFinder(cfg.CgroupRoot, cfg.All, info.MemoryBytes)
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
		procs:   NewProcReader(cfg.ProcRoot, info.ClockTicks, m.BootTime()),
		finder:  finder,
		env:     map[string]envEntry{},
		nets:    map[string]*netEntry{},
		ports:   newPortReader(cfg.ProcRoot),
	}
	if cfg.DockerHost != "none" {
		l.docker = NewDocker(ctx, cfg.DockerHost)
	}
	return l, nil
}

// Docker returns the Docker runtime, or nil when disabled.
func (l *Local) Docker() *Docker { return l.docker }

// Host is the node's host name.
func (l *Local) Host() string { return l.host }

// Close releases the runtime connection and the files kept open between
// refreshes.
func (l *Local) Close() error {
	l.collectMu.Lock()
	defer l.collectMu.Unlock()
	for id, e := range l.nets {
		e.dev.close()
		delete(l.nets, id)
	}
	if c, ok := l.finder.(interface{ close() }); ok {
		c.close()
	}
	l.procs.close()
	l.ports.close()
	l.machine.close()
	if l.docker != nil {
		return l.docker.Close()
	}
	return nil
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
	if l.docker != nil {
		if err := l.docker.Err(); err != nil {
			s.Errors = append(s.Errors, err.Error())
		}
	}
	if l.hostNS == "" {
		// pid 1's link, or kthreadd's where pid 1's is not ours to read;
		// the host's namespace never changes.
		l.hostNS, _ = hostNetNS(l.cfg.ProcRoot)
	}
	l.pass++
	seen := make(map[string]bool, len(conts))
	for i := range conts {
		c := &conts[i]
		seen[c.ID] = true
		if c.Runtime == model.RuntimeDocker && l.docker != nil {
			if meta, ok := l.docker.Meta(c.ID); ok {
				applyMeta(c, meta)
			}
		}
		if c.Name == "" {
			c.Name = shortName(c)
		}
		if c.Runtime != model.RuntimeDocker && c.PID > 0 {
			c.Env = l.envOf(c.ID, c.PID)
		}
		c.Net = nil
		if c.PID > 0 && c.NetworkMode != "host" {
			c.Net = l.netOf(c.ID, c.PID)
		}
	}
	for id, e := range l.nets {
		if e.seen != l.pass {
			e.dev.close()
			delete(l.nets, id)
		}
	}
	l.forgetEnv(seen)
	s.Containers = conts
	procs, err := l.procs.Read()
	if err != nil {
		s.Errors = append(s.Errors, "processes: "+err.Error())
	}
	l.ports.fill(conts, procs)
	s.Processes = procs
	return s, nil
}

// netOf returns the traffic of the container's network namespace, nil in
// the host's namespace (that would be the node's traffic) or when unknown.
func (l *Local) netOf(id string, pid int) *model.NetCounters {
	e := l.nets[id]
	if e == nil || e.pid != pid {
		if e != nil {
			e.dev.close()
		}
		e = &netEntry{pid: pid}
		l.nets[id] = e
	}
	e.seen = l.pass
	if e.ns == "" {
		e.ns = netnsLink(l.cfg.ProcRoot, pid)
	}
	if e.ns == "" || e.ns == l.hostNS {
		return nil
	}
	data, err := e.dev.read(l.netBuf, 0, func() string {
		return filepath.Join(l.cfg.ProcRoot, strconv.Itoa(pid), "net", "dev")
	})
	if cap(data) > cap(l.netBuf) {
		l.netBuf = data[:0]
	}
	if err != nil {
		return nil
	}
	ifs, err := parseNetDev(data)
	if err != nil {
		return nil
	}
	return sumNetDev(ifs)
}

func applyMeta(c *model.ContainerSample, m Meta) {
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
	c.Mounts = m.Mounts
	if m.Created > 0 {
		c.Created = time.Unix(m.Created, 0)
	}
}

// shortName names a container its runtime did not: Docker's 12-character
// short id, a Mesos container's id, a raw cgroup's last path element.
func shortName(c *model.ContainerSample) string {
	switch c.Runtime {
	case model.RuntimeDocker:
		if len(c.ID) > 12 {
			return c.ID[:12]
		}
	case model.RuntimeRaw:
		return filepath.Base(c.Cgroup)
	}
	return c.ID
}

// envOf reads a non-Docker container's environment from its first process,
// once per (container, pid).
func (l *Local) envOf(id string, pid int) map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.env[id]; ok && e.pid == pid {
		return e.env
	}
	env := readEnviron(filepath.Join(l.cfg.ProcRoot, strconv.Itoa(pid), "environ"))
	l.env[id] = envEntry{pid: pid, env: env}
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

// readEnviron parses a NUL-separated environ file; nil when unreadable.
func readEnviron(path string) map[string]string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return nil
	}
	env := map[string]string{}
	for _, kv := range bytes.Split(b, []byte{0}) {
		if k, v, ok := bytes.Cut(kv, []byte{'='}); ok && len(k) > 0 {
			env[string(k)] = string(v)
		}
	}
	return env
}

func netnsLink(procRoot string, pid int) string {
	s, _ := os.Readlink(filepath.Join(procRoot, strconv.Itoa(pid), "ns", "net"))
	return s
}
