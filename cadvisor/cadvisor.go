// Package cadvisor reads a remote node through cAdvisor's REST API (v1.3),
// so that ctop-like can show a node it does not run on — a kubelet node or
// any host running cAdvisor — with nothing to install there.
package cadvisor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctop-like/ctop-like/model"
	"github.com/ctop-like/ctop-like/orchestrator"
)

// DefaultTimeout bounds one request when the caller's context has no
// deadline, so a hanging cAdvisor costs one timeout, not a frozen screen.
const DefaultTimeout = 5 * time.Second

// maxBody bounds one answer: a node with many containers answers a few MB.
const maxBody = 128 << 20

// Source is a monitor.Source for one remote node's cAdvisor: machine
// facts once, then every container's newest counters on each Collect.
type Source struct {
	// All also lists cgroups that are not containers (systemd slices,
	// kubelet...) as runtime raw, as -a does for the local node.
	All bool
	// Timeout bounds each request; DefaultTimeout when zero.
	Timeout time.Duration

	base     *url.URL // no user info, no trailing slash
	user     string
	pass     string
	hasAuth  bool
	redacted string
	client   *http.Client

	mu      sync.Mutex
	machine *machineInfo
	last    *model.Sample // last good sample, repeated (stale) when a pass fails
	lastAt  time.Time
}

// New checks the URL; it does no I/O, so a node that is down at start is
// reported by Collect and retried on the next refresh. client may be nil.
func New(baseURL string, client *http.Client) (*Source, error) {
	raw := strings.TrimSpace(baseURL)
	if raw == "" {
		return nil, errors.New("cadvisor: empty URL")
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("cadvisor: malformed URL %q", orchestrator.Redact(raw))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("cadvisor %s: scheme %q is not http or https", orchestrator.RedactURL(u), u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("cadvisor %s: no host", orchestrator.RedactURL(u))
	}
	s := &Source{client: client}
	if s.client == nil {
		s.client = &http.Client{Timeout: DefaultTimeout + time.Second}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		s.hasAuth = true
	}
	b := *u
	b.User = nil
	b.RawQuery, b.Fragment, b.RawPath = "", "", ""
	b.Path = strings.TrimSuffix(b.Path, "/")
	s.base = &b
	s.redacted = b.String()
	return s, nil
}

// Host is the remote node's name as the URL gives it.
func (s *Source) Host() string { return s.base.Hostname() }

// Collect implements monitor.Source. After a first success a failed pass
// repeats the last good counters (which then give no rates) with the error
// and its age, so the screen keeps the node's rows and says why they are old.
func (s *Source) Collect(ctx context.Context) (*model.Sample, error) {
	now := time.Now()
	mi, err := s.machineInfo(ctx)
	var conts []containerInfo
	if err == nil {
		err = s.fetch(ctx, http.MethodPost, "/api/v1.3/subcontainers/", []byte(`{"num_stats":1}`), &conts)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		msg := s.describe(err)
		if s.last == nil {
			return nil, errors.New(msg)
		}
		stale := *s.last
		stale.Time = now
		stale.Errors = append(append([]string(nil), s.last.Errors...), fmt.Sprintf("%s (stale %d s)", msg, int(now.Sub(s.lastAt).Seconds())))
		return &stale, nil
	}
	smp := build(mi, conts, s.Host(), s.All)
	smp.Time = now
	s.last, s.lastAt = smp, now
	return smp, nil
}

// machineInfo fetches /api/v1.3/machine once; a failure is retried on the
// next Collect.
func (s *Source) machineInfo(ctx context.Context) (*machineInfo, error) {
	s.mu.Lock()
	mi := s.machine
	s.mu.Unlock()
	if mi != nil {
		return mi, nil
	}
	var m machineInfo
	if err := s.fetch(ctx, http.MethodGet, "/api/v1.3/machine", nil, &m); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.machine = &m
	s.mu.Unlock()
	return &m, nil
}

// fetch does one request and decodes its JSON answer into v. cAdvisor's
// own client POSTs the ContainerInfoRequest ({"num_stats":N}) as the body.
func (s *Source) fetch(ctx context.Context, method, path string, body []byte, v any) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base.String()+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.hasAuth {
		req.SetBasicAuth(s.user, s.pass)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the URL
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = errors.New("timeout")
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		line, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return fmt.Errorf("%s: HTTP %d %s: %s", path, resp.StatusCode, http.StatusText(resp.StatusCode), strings.TrimSpace(firstLine(string(line))))
	}
	lr := &io.LimitedReader{R: resp.Body, N: maxBody + 1}
	if err := json.NewDecoder(lr).Decode(v); err != nil {
		if lr.N <= 0 {
			return fmt.Errorf("%s: answer larger than %d MB", path, maxBody>>20)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = errors.New("timeout")
		}
		return fmt.Errorf("%s: not the expected JSON: %w", path, err)
	}
	return nil
}

// describe names the node and redacts credentials.
func (s *Source) describe(err error) string {
	msg := "cadvisor " + s.redacted + ": " + err.Error()
	msg = orchestrator.Redact(msg)
	if s.pass != "" {
		msg = strings.ReplaceAll(msg, s.pass, "***")
	}
	return msg
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// build turns one subcontainers answer into a sample: the root container
// "/" gives the machine's CPU, memory, disks, interfaces and filesystems;
// every other container (Docker, Mesos, and raw cgroups with all) becomes
// a ContainerSample with its newest counters.
func build(mi *machineInfo, conts []containerInfo, host string, all bool) *model.Sample {
	smp := &model.Sample{Host: host, Machine: model.MachineInfo{
		Cores: mi.NumCores, MemoryBytes: mi.MemoryCapacity, MachineID: mi.MachineID, BootID: mi.BootID,
	}}
	smp.Memory.Total = mi.MemoryCapacity
	smp.Memory.SwapTotal = mi.SwapCapacity
	smp.Containers = make([]model.ContainerSample, 0, len(conts))
	for i := range conts {
		c := &conts[i]
		st := c.newest()
		if c.Name == "/" {
			if st != nil {
				machineFrom(smp, mi, st)
			}
			continue
		}
		runtime, id := kind(c)
		if id == "" || runtime == model.RuntimeRaw && !all {
			continue
		}
		if st == nil {
			continue // no counters yet: a container cAdvisor just found
		}
		smp.Containers = append(smp.Containers, container(c, st, runtime, id, mi.MemoryCapacity))
	}
	sort.Slice(smp.Containers, func(i, j int) bool { return smp.Containers[i].ID < smp.Containers[j].ID })
	return smp
}

// kind tells a container's runtime and id from its cgroup name: Docker's
// /docker/<id> or /system.slice/docker-<id>.scope (or namespace docker, as
// the kubelet's cAdvisor reports "/<id>"), Mesos's /mesos/<id>, else raw.
// A name that yields no id (a bare "/docker/") is raw, named by its path,
// so that no row has an empty key.
func kind(c *containerInfo) (runtime, id string) {
	runtime, id = kindByName(c)
	if id == "" {
		return model.RuntimeRaw, c.Name
	}
	return runtime, id
}

func kindByName(c *containerInfo) (runtime, id string) {
	name := c.Name
	last := name[strings.LastIndexByte(name, '/')+1:]
	switch {
	case c.Namespace == "docker" || strings.HasPrefix(name, "/docker/"):
		if c.ID != "" {
			return model.RuntimeDocker, c.ID
		}
		return model.RuntimeDocker, last
	case strings.HasPrefix(last, "docker-") && strings.HasSuffix(last, ".scope"):
		return model.RuntimeDocker, strings.TrimSuffix(strings.TrimPrefix(last, "docker-"), ".scope")
	case strings.Contains(name, "/mesos/"):
		return model.RuntimeMesos, last
	}
	return model.RuntimeRaw, name
}

// taskKeys are the env and label keys Match reads a task or app from.
var taskKeys = []string{"MESOS_TASK_ID", "MESOS_EXECUTOR_ID", "MARATHON_APP_ID"}

func container(c *containerInfo, st *containerStats, runtime, id string, memTotal uint64) model.ContainerSample {
	labels := c.Labels
	if len(labels) == 0 {
		labels = c.Spec.Labels
	}
	cs := model.ContainerSample{
		ID: id, Runtime: runtime, State: "running", Cgroup: c.Name,
		Image: c.Spec.Image, Labels: labels, Created: c.Spec.CreationTime,
		SampledAt: st.Timestamp,
	}
	for _, a := range c.Aliases {
		if a != id && a != "" {
			cs.Name = a // the Docker name; the other alias is the id
			break
		}
	}
	if cs.Name == "" {
		cs.Name = id
		if runtime == model.RuntimeDocker && len(id) > 12 {
			cs.Name = id[:12]
		}
	}
	cs.Env = env(c.Spec.Envs, labels)

	u := st.CPU.Usage
	cs.CPU = model.CgroupCPU{
		UsageNs: u.Total, UserNs: u.User, SystemNs: u.System,
		Periods: st.CPU.CFS.Periods, ThrottledPeriods: st.CPU.CFS.ThrottledPeriods, ThrottledNs: st.CPU.CFS.ThrottledTime,
	}
	if q, p := c.Spec.CPU.Quota, c.Spec.CPU.Period; q > 0 && p > 0 {
		cs.CPU.QuotaCores = float64(q) / float64(p)
	}
	m := st.Memory
	cs.Mem = model.CgroupMemory{Usage: m.Usage, Used: m.WorkingSet, RSS: m.RSS, Cache: m.Cache, Limit: uint64(c.Spec.Memory.Limit)}
	if cs.Mem.Used == 0 && m.WorkingSet == 0 {
		cs.Mem.Used = m.Usage
	}
	if cs.Mem.Limit == 0 || (memTotal > 0 && cs.Mem.Limit > memTotal) {
		cs.Mem.Limit = memTotal // unlimited: the host's memory, as locally
	}
	cs.Blkio = model.CgroupBlkio{
		ReadBytes: sumStat(st.DiskIO.ServiceBytes, "Read"), WriteBytes: sumStat(st.DiskIO.ServiceBytes, "Write"),
		ReadOps: sumStat(st.DiskIO.Serviced, "Read"), WriteOps: sumStat(st.DiskIO.Serviced, "Write"),
	}
	cs.Net = containerNet(st)
	return cs
}

// env gives Match what the container's environment would: cAdvisor passes
// whitelisted env variables in spec.envs with lower-cased keys, and Docker
// labels may carry MESOS_TASK_ID. Keys are kept as given and also
// upper-cased, so Marathon's and Chronos's spellings both match.
func env(envs, labels map[string]string) map[string]string {
	var out map[string]string
	add := func(k, v string) {
		for _, want := range taskKeys {
			if strings.EqualFold(k, want) {
				if out == nil {
					out = map[string]string{}
				}
				out[k] = v
				if _, ok := out[want]; !ok {
					out[want] = v
				}
			}
		}
	}
	for k, v := range envs {
		add(k, v)
	}
	for k, v := range labels {
		add(k, v)
	}
	return out
}

func sumStat(ds []perDisk, key string) uint64 {
	var n uint64
	for _, d := range ds {
		n += d.Stats[key]
	}
	return n
}

// containerNet sums the container's interfaces but lo; nil when cAdvisor
// saw none (a container sharing another's network namespace).
func containerNet(st *containerStats) *model.NetCounters {
	ifs := st.Network.Interfaces
	if len(ifs) == 0 && st.Network.Name != "" {
		ifs = []netStats{st.Network.netStats}
	}
	var n *model.NetCounters
	for _, i := range ifs {
		if i.Name == "lo" {
			continue
		}
		if n == nil {
			n = &model.NetCounters{SpeedMbps: -1}
		}
		n.RxBytes += i.RxBytes
		n.TxBytes += i.TxBytes
		n.RxPackets += i.RxPackets
		n.TxPackets += i.TxPackets
		n.RxErrors += i.RxErrors
		n.TxErrors += i.TxErrors
		n.RxDrops += i.RxDropped
		n.TxDrops += i.TxDropped
	}
	return n
}

// machineFrom fills the machine's figures from the root container. cAdvisor
// gives CPU time used, not idle time: idle is derived as cores × the stats
// clock minus the time used, which makes Rates' utilisation the share used.
func machineFrom(smp *model.Sample, mi *machineInfo, st *containerStats) {
	t := float64(st.Timestamp.UnixNano()) / 1e9
	u := st.CPU.Usage
	cores := float64(mi.NumCores)
	if cores == 0 {
		cores = float64(len(u.PerCPU))
	}
	user := float64(u.User) / 1e9
	sys := float64(u.Total)/1e9 - user
	if sys < 0 {
		sys = 0
	}
	smp.CPUTotal = model.CPUTimes{Name: "cpu", User: user, System: sys, Idle: cores*t - float64(u.Total)/1e9}
	for i, ns := range u.PerCPU {
		smp.CPUs = append(smp.CPUs, model.CPUTimes{Name: "cpu" + strconv.Itoa(i), User: float64(ns) / 1e9, Idle: t - float64(ns)/1e9})
	}
	used := st.Memory.WorkingSet
	if used == 0 {
		used = st.Memory.Usage
	}
	smp.Memory.Used = min(used, smp.Memory.Total)
	smp.Memory.Available = smp.Memory.Total - smp.Memory.Used
	smp.Memory.Cached = st.Memory.Cache

	speed := map[string]int64{}
	for _, d := range mi.NetworkDevices {
		speed[d.Name] = d.Speed
	}
	for _, i := range st.Network.Interfaces {
		sp, ok := speed[i.Name]
		if !ok || sp <= 0 {
			sp = -1
		}
		smp.Nets = append(smp.Nets, model.NetCounters{
			Name: i.Name, RxBytes: i.RxBytes, TxBytes: i.TxBytes, RxPackets: i.RxPackets, TxPackets: i.TxPackets,
			RxErrors: i.RxErrors, TxErrors: i.TxErrors, RxDrops: i.RxDropped, TxDrops: i.TxDropped, SpeedMbps: sp,
		})
	}

	ops := map[string]perDisk{}
	for _, d := range st.DiskIO.Serviced {
		ops[devKey(d)] = d
	}
	for _, d := range st.DiskIO.ServiceBytes {
		k := devKey(d)
		name := k
		if di, ok := mi.DiskMap[k]; ok && di.Name != "" {
			name = di.Name
		}
		smp.Disks = append(smp.Disks, model.DiskCounters{
			Name: name, ReadBytes: d.Stats["Read"], WriteBytes: d.Stats["Write"],
			Reads: ops[k].Stats["Read"], Writes: ops[k].Stats["Write"],
		})
	}
	for _, f := range st.Filesystem {
		smp.Filesystems = append(smp.Filesystems, model.Filesystem{
			Device: f.Device, Type: f.Type, Total: f.Capacity, Used: f.Usage, Available: f.Available,
		})
	}
}

func devKey(d perDisk) string { return fmt.Sprintf("%d:%d", d.Major, d.Minor) }
