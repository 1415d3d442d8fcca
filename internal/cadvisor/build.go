package cadvisor

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// unknown is what cAdvisor never says: no uptime or load, CPU time used
// but no iowait or steal, per CPU a total only, no OOM kills or restarts
// per container, and ps gives a process's CPU time without its split.
var unknown = model.Unknown{
	Uptime: true, Load: true, IOWait: true, Steal: true, PerCPUSplit: true,
	OOMKills: true, Restarts: true,
	ProcCPUSplit: true, ProcThreads: true, ProcNice: true,
}

// build turns one answer (every container with up to two samples) into a
// sample of the newest counters, with the samples before them in Before:
// the root container "/" gives the machine's CPU, memory, disks and
// interfaces; every other container (Docker, Mesos, and raw cgroups with
// all) becomes a ContainerSample.
func build(mi *machineInfo, conts []containerInfo, host string, all bool) *model.Sample {
	info := model.MachineInfo{Cores: mi.NumCores, MemoryBytes: mi.MemoryCapacity, MachineID: mi.MachineID, BootID: mi.BootID, Unknown: unknown}
	smp := &model.Sample{Host: host, Machine: info}
	before := &model.Sample{Host: host, Machine: info}
	for _, x := range []*model.Sample{smp, before} {
		x.Memory.Total = mi.MemoryCapacity
		x.Memory.SwapTotal = mi.SwapCapacity
		x.Memory.SwapFree = mi.SwapCapacity
	}
	smp.Containers = make([]model.ContainerSample, 0, len(conts))
	parents := parentsOf(conts)
	pids, withEnv, tasks := false, false, 0
	for i := range conts {
		c := &conts[i]
		last, prev := c.newest()
		if c.Name == "/" {
			if last != nil {
				smp.SampledAt = last.Timestamp
				smp.Machine.Unknown.DiskUtil = !machineFrom(smp, mi, last)
			}
			if prev != nil {
				before.SampledAt = prev.Timestamp
				machineFrom(before, mi, prev)
			}
			continue
		}
		runtime, id := kind(c)
		if id == "" || runtime == model.RuntimeRaw && (!all || parents[c.Name]) {
			continue
		}
		if last == nil {
			continue // no counters yet: a container cAdvisor just found
		}
		if runtime != model.RuntimeRaw {
			tasks++
			withEnv = withEnv || len(c.Spec.Envs) > 0
		}
		cs := container(c, last, runtime, id, mi.MemoryCapacity)
		pids = pids || c.countsProcesses(last)
		smp.Containers = append(smp.Containers, cs)
		if prev != nil {
			before.Containers = append(before.Containers, container(c, prev, runtime, id, mi.MemoryCapacity))
		}
	}
	smp.Machine.Unknown.Pids = !pids
	before.Machine.Unknown = smp.Machine.Unknown
	if !before.SampledAt.IsZero() || len(before.Containers) > 0 {
		smp.Before = before
	}
	if tasks > 0 && !withEnv {
		smp.Errors = append(smp.Errors, EnvHint)
	}
	sort.Slice(smp.Containers, func(i, j int) bool { return smp.Containers[i].ID < smp.Containers[j].ID })
	return smp
}

// parentsOf names the cgroups that hold other listed cgroups (/docker,
// /mesos, /system.slice): listed too, their children would count twice.
func parentsOf(conts []containerInfo) map[string]bool {
	p := map[string]bool{}
	for i := range conts {
		for dir := path.Dir(conts[i].Name); dir != "/" && dir != "." && !p[dir]; dir = path.Dir(dir) {
			p[dir] = true
		}
	}
	return p
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
		ID: id, Runtime: runtime, State: "running", Image: c.Spec.Image,
		RuntimeFields: &model.RuntimeFields{Cgroup: c.Name, Labels: labels, Created: c.Spec.CreationTime},
		SampledAt:     st.Timestamp,
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
	cs.Env = model.EnvOf(env(c.Spec.Envs, labels))

	u := st.CPU.Usage
	cs.CPU = model.CgroupCPU{
		UsageNs: u.Total, UserNs: u.User, SystemNs: u.System,
		Periods: st.CPU.CFS.Periods, ThrottledPeriods: st.CPU.CFS.ThrottledPeriods, ThrottledNs: st.CPU.CFS.ThrottledTime,
	}
	if q, p := c.Spec.CPU.Quota, c.Spec.CPU.Period; q > 0 && p > 0 {
		cs.CPU.QuotaCores = float64(q) / float64(p)
	}
	m := st.Memory
	// Used is the working set (usage minus inactive file pages), which is
	// what the local node and `docker stats` show for a container too.
	cs.Mem = model.CgroupMemory{Usage: m.Usage, Used: m.WorkingSet, RSS: m.RSS, Cache: m.Cache, Limit: uint64(c.Spec.Memory.Limit)}
	if cs.Mem.Used == 0 && m.WorkingSet == 0 {
		cs.Mem.Used = m.Usage
	}
	if cs.Mem.Limit == 0 || (memTotal > 0 && cs.Mem.Limit > memTotal) {
		cs.Mem.Limit = memTotal // unlimited: the host's memory, as locally
	}
	if c.countsProcesses(st) {
		cs.Pids = st.Processes.Count
	} else {
		cs.Unmeasured = append(cs.Unmeasured, "pids")
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

// machineFrom fills the machine's figures from one sample of the root
// container and reports whether its disks carry busy time. cAdvisor gives
// CPU time used, not idle time: idle is derived as cores × the stats clock
// minus the time used, which makes Rates' utilisation the share used.
func machineFrom(smp *model.Sample, mi *machineInfo, st *containerStats) (diskTime bool) {
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
	memoryFrom(&smp.Memory, st)
	smp.Nets = machineNets(mi, st)
	smp.Disks, diskTime = machineDisks(mi, st)
	if smp.Filesystems == nil {
		// v1.3 has no /api/v2.0/storage: the root's filesystems, by device.
		for _, f := range st.Filesystem {
			if !strings.HasPrefix(f.Device, "overlay") {
				smp.Filesystems = append(smp.Filesystems, model.Filesystem{
					Device: f.Device, Mountpoint: f.Device, Type: fsType(f.Type), Total: f.Capacity, Used: f.Usage, Available: f.Available,
				})
			}
		}
	}
	return diskTime
}

// memoryFrom gives the machine's memory in use as near as cgroup counters
// come to the local node's MemTotal − MemAvailable: the root cgroup's usage
// minus the file pages the kernel may reclaim (its active and inactive
// file lists), plus the kernel's own memory where usage leaves it out
// (cgroup v1's root usage is rss + cache only). What stays apart is the
// free-page reserve MemAvailable also subtracts. cAdvisor versions that
// give no file lists fall back to the working set.
func memoryFrom(m *model.Memory, st *containerStats) {
	mem := st.Memory
	used := mem.WorkingSet
	if file := mem.ActiveFile + mem.InactiveFile; file > 0 && file <= mem.Usage {
		used = mem.Usage - file
		if mem.Usage <= mem.RSS+mem.Cache {
			used += mem.Kernel
		}
	}
	if used == 0 {
		used = mem.Usage
	}
	m.Used = min(used, m.Total)
	m.Available = m.Total - m.Used
	m.Cached = mem.Cache
	m.SwapFree = m.SwapTotal - min(mem.Swap, m.SwapTotal)
}

func machineNets(mi *machineInfo, st *containerStats) []model.NetCounters {
	speed := map[string]int64{}
	for _, d := range mi.NetworkDevices {
		speed[d.Name] = d.Speed
	}
	var nets []model.NetCounters
	for _, i := range st.Network.Interfaces {
		sp, ok := speed[i.Name]
		if !ok || sp <= 0 {
			sp = -1
		}
		nets = append(nets, model.NetCounters{
			Name: i.Name, RxBytes: i.RxBytes, TxBytes: i.TxBytes, RxPackets: i.RxPackets, TxPackets: i.TxPackets,
			RxErrors: i.RxErrors, TxErrors: i.TxErrors, RxDrops: i.RxDropped, TxDrops: i.TxDropped, SpeedMbps: sp,
		})
	}
	return nets
}

// machineDisks are the node's block devices. cAdvisor reports each
// device's /proc/diskstats counters with its filesystem, as the local node
// reads them, busy time included; without those (older versions) the root
// cgroup's blkio counters, which have no busy time.
func machineDisks(mi *machineInfo, st *containerStats) ([]model.DiskCounters, bool) {
	names := map[string]bool{}
	for _, d := range mi.DiskMap {
		names[d.Name] = true
	}
	var disks []model.DiskCounters
	seen := map[string]bool{}
	for _, f := range st.Filesystem {
		name := strings.TrimPrefix(f.Device, "/dev/")
		if !names[name] || seen[name] {
			continue
		}
		seen[name] = true
		disks = append(disks, model.DiskCounters{
			Name: name, Reads: f.Reads, Writes: f.Writes, ReadBytes: f.SectorsRead * 512, WriteBytes: f.SectorsWritten * 512, IOTimeMs: f.IOTimeMs,
		})
	}
	if len(disks) > 0 {
		sort.Slice(disks, func(i, j int) bool { return disks[i].Name < disks[j].Name })
		return disks, true
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
		disks = append(disks, model.DiskCounters{
			Name: name, ReadBytes: d.Stats["Read"], WriteBytes: d.Stats["Write"],
			Reads: ops[k].Stats["Read"], Writes: ops[k].Stats["Write"],
		})
	}
	return disks, false
}

func devKey(d perDisk) string { return fmt.Sprintf("%d:%d", d.Major, d.Minor) }

// fsType is a filesystem's type; cAdvisor writes "vfs" for every mount,
// which says nothing.
func fsType(t string) string {
	if t == "vfs" {
		return ""
	}
	return t
}

// filesystems are the node's mounts from /api/v2.0/storage, with their
// labels ("root", "docker-images"). cAdvisor lists each container's
// overlay root ("overlay_0-83") too: those repeat the disk under them and
// are left out.
func filesystems(st []storageInfo) []model.Filesystem {
	var out []model.Filesystem
	for _, f := range st {
		if strings.HasPrefix(f.Device, "overlay") {
			continue
		}
		out = append(out, model.Filesystem{
			Device: f.Device, Mountpoint: f.Mountpoint, Total: f.Capacity, Used: f.Usage, Available: f.Available, Labels: strings.Join(f.Labels, ","),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Mountpoint < out[j].Mountpoint })
	return out
}

// processes are the node's processes from /api/v2.0/ps/, each placed in
// its container by cgroup path. ps gives CPU time in whole seconds, so the
// CPU % of a process is coarse over a short interval.
func processes(ps []processInfo, conts []model.ContainerSample) []model.ProcessSample {
	byCgroup := make(map[string]string, len(conts))
	for i := range conts {
		byCgroup[conts[i].Cgroup] = conts[i].ID
	}
	out := make([]model.ProcessSample, 0, len(ps))
	for _, p := range ps {
		name, _, _ := strings.Cut(p.Cmd, " ")
		state := ""
		if p.Status != "" {
			state = p.Status[:1]
		}
		out = append(out, model.ProcessSample{
			PID: p.PID, PPID: p.PPID, User: p.User, State: state,
			UserS: cpuTime(p.RunningTime), RSS: p.RSS, VSZ: p.VirtualSize,
			Name: name, Command: p.Cmd, Cgroup: p.CgroupPath, ContainerID: byCgroup[p.CgroupPath],
		})
	}
	return out
}

// cpuTime reads ps's TIME, [DD-]HH:MM:SS, in seconds; 0 when malformed.
func cpuTime(s string) float64 {
	var days int
	if d, rest, ok := strings.Cut(s, "-"); ok {
		n, err := strconv.Atoi(d)
		if err != nil {
			return 0
		}
		days, s = n, rest
	}
	var h, m, sec int
	if _, err := fmt.Sscanf(s, "%d:%d:%d", &h, &m, &sec); err != nil || days < 0 || h < 0 || m < 0 || sec < 0 {
		return 0
	}
	return (time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second).Seconds()
}
