// Package model holds the plain data that flows from the collectors to the
// views: raw samples, snapshots with rates, and the cluster tree. It does no
// I/O so that live collection, replay and tests all share it.
package model

import "time"

// Sample is one collector pass: cumulative kernel counters exactly as read.
// Rates need two samples; see Rates.
type Sample struct {
	Time        time.Time         `json:"time"`
	Host        string            `json:"host"`
	Machine     MachineInfo       `json:"machine"`
	CPUTotal    CPUTimes          `json:"cpu_total"`
	CPUs        []CPUTimes        `json:"cpus"`
	Memory      Memory            `json:"memory"`
	Load        [3]float64        `json:"load"`
	UptimeS     float64           `json:"uptime_s"`
	Disks       []DiskCounters    `json:"disks"`
	Nets        []NetCounters     `json:"nets"`
	Filesystems []Filesystem      `json:"filesystems"`
	Containers  []ContainerSample `json:"containers"`
	Processes   []ProcessSample   `json:"processes"`
	// Errors names sources that failed in this pass ("docker: ...").
	Errors []string `json:"errors,omitempty"`

	// SampledAt is when a remote source measured the machine's counters
	// (cAdvisor's root sample); zero for the local node, whose counters
	// are read at Time.
	SampledAt time.Time `json:"sampled_at,omitzero"`
	// Before is the source's own earlier measurement of the same machine
	// and containers (cAdvisor keeps a history): Rates take the machine's
	// and the containers' rates from it and its timestamps instead of the
	// previous pass; when it holds processes and a Time, their rates span
	// from that Time. Nil for the local node.
	Before *Sample `json:"-"`
	// OwnEarlier, set by a source that keeps its containers' earlier
	// counters itself (--cluster: each agent's answer before its newest),
	// gives container i's: its rates come from them alone, and a compact
	// Remember of such a sample keeps no container's counters, which
	// were a second copy of the source's (18 MB at 90,000 executors).
	OwnEarlier func(i int) (OwnCounters, bool) `json:"-"`
}

// MachineInfo is what cAdvisor reads once at start: facts that do not change
// while the tool runs.
type MachineInfo struct {
	Cores         int    `json:"cores"`
	CPUModel      string `json:"cpu_model"`
	MemoryBytes   uint64 `json:"memory_bytes"`
	MachineID     string `json:"machine_id"`
	BootID        string `json:"boot_id"`
	Kernel        string `json:"kernel"`
	CgroupVersion int    `json:"cgroup_version"`
	ClockTicks    int    `json:"clock_ticks"`
	// Unknown names the figures this node's source cannot give.
	Unknown Unknown `json:"unknown,omitzero"`
}

// Unknown marks figures a source does not give, so that the views show
// them as n/a (null in JSON), never as 0: cAdvisor has no uptime, load,
// iowait or steal, a total but no user/system split per CPU, and no pids,
// OOM kills or restarts per container. The local node knows them all and
// leaves every flag false, which keeps its JSON as it was.
type Unknown struct {
	Uptime      bool `json:"uptime,omitempty"`
	Load        bool `json:"load,omitempty"`
	CPU         bool `json:"cpu,omitempty"` // the machine's CPU time (a cluster of agents has its executors' only)
	IOWait      bool `json:"iowait,omitempty"`
	Steal       bool `json:"steal,omitempty"`
	PerCPUSplit bool `json:"per_cpu_split,omitempty"` // user/system of each CPU (the total's is known)
	DiskUtil    bool `json:"disk_util,omitempty"`
	Pids        bool `json:"pids,omitempty"`      // per container
	OOMKills    bool `json:"oom_kills,omitempty"` // per container
	Restarts    bool `json:"restarts,omitempty"`  // per container
	// Of processes: the user/system split of CPU time, threads, nice and
	// start time (cAdvisor's ps gives total CPU time only).
	ProcCPUSplit bool `json:"proc_cpu_split,omitempty"`
	ProcThreads  bool `json:"proc_threads,omitempty"`
	ProcNice     bool `json:"proc_nice,omitempty"`
}

// CPUTimes is one line of /proc/stat in seconds.
type CPUTimes struct {
	Name    string  `json:"name"` // "cpu" for the total, "cpu0"...
	User    float64 `json:"user"`
	Nice    float64 `json:"nice"`
	System  float64 `json:"system"`
	Idle    float64 `json:"idle"`
	IOWait  float64 `json:"iowait"`
	IRQ     float64 `json:"irq"`
	SoftIRQ float64 `json:"softirq"`
	Steal   float64 `json:"steal"`
}

// Total is every second accounted in the line (guest time is already in user).
func (c CPUTimes) Total() float64 {
	return c.User + c.Nice + c.System + c.Idle + c.IOWait + c.IRQ + c.SoftIRQ + c.Steal
}

// Memory is /proc/meminfo in bytes.
type Memory struct {
	Total     uint64 `json:"total"`
	Available uint64 `json:"available"`
	Used      uint64 `json:"used"` // Total - Available, as free(1) and htop show
	Free      uint64 `json:"free"`
	Buffers   uint64 `json:"buffers"`
	Cached    uint64 `json:"cached"`
	SwapTotal uint64 `json:"swap_total"`
	SwapFree  uint64 `json:"swap_free"`
}

// DiskCounters is one line of /proc/diskstats.
type DiskCounters struct {
	Name         string `json:"name"`
	Reads        uint64 `json:"reads"`
	Writes       uint64 `json:"writes"`
	ReadBytes    uint64 `json:"read_bytes"`
	WriteBytes   uint64 `json:"write_bytes"`
	IOTimeMs     uint64 `json:"io_time_ms"` // io_ticks: time the device was busy
	SectorSize   uint64 `json:"-"`
	IsPartition  bool   `json:"is_partition"`
	InFlight     uint64 `json:"in_flight"`
	WeightedIOMs uint64 `json:"weighted_io_ms"`
}

// NetCounters is one line of a net/dev file, plus what /sys/class/net says
// about the interface.
type NetCounters struct {
	Name      string `json:"name"`
	RxBytes   uint64 `json:"rx_bytes"`
	TxBytes   uint64 `json:"tx_bytes"`
	RxPackets uint64 `json:"rx_packets"`
	TxPackets uint64 `json:"tx_packets"`
	RxErrors  uint64 `json:"rx_errors"`
	TxErrors  uint64 `json:"tx_errors"`
	RxDrops   uint64 `json:"rx_drops"`
	TxDrops   uint64 `json:"tx_drops"`
	SpeedMbps int64  `json:"speed_mbps"` // -1 when the driver does not say
	OperState string `json:"oper_state"`
}

// Add adds o's counters (bytes, packets, errors, drops) to n's, as a
// container's figures sum its interfaces'; n keeps its name, speed and
// state.
func (n *NetCounters) Add(o *NetCounters) {
	n.RxBytes += o.RxBytes
	n.TxBytes += o.TxBytes
	n.RxPackets += o.RxPackets
	n.TxPackets += o.TxPackets
	n.RxErrors += o.RxErrors
	n.TxErrors += o.TxErrors
	n.RxDrops += o.RxDrops
	n.TxDrops += o.TxDrops
}

// Filesystem is one real mount, from statfs.
type Filesystem struct {
	Device     string `json:"device"`
	Mountpoint string `json:"mountpoint"`
	Type       string `json:"type"`
	Total      uint64 `json:"total"`
	Used       uint64 `json:"used"`
	Available  uint64 `json:"available"`
	// Labels are what cAdvisor calls the mount, comma-separated
	// ("docker-images,root"); empty for the local node.
	Labels string `json:"labels,omitempty"`
}

// Runtimes a container can have (DESIGN.md: the containers view's runtime).
const (
	RuntimeDocker     = "docker"
	RuntimePodman     = "podman"
	RuntimeContainerd = "containerd"
	RuntimeCRIO       = "cri-o"
	RuntimeMesos      = "mesos"
	RuntimeRaw        = "raw"
)

// ContainerSample is one container's metadata and cgroup counters.
type ContainerSample struct {
	ID      string `json:"id"` // full id: Docker id, Mesos container id, or cgroup path for raw
	Name    string `json:"name"`
	Image   string `json:"image,omitempty"`
	Runtime string `json:"runtime"`
	State   string `json:"state"` // running, paused, exited...; "running" for cgroups with processes

	// RuntimeFields are what a container runtime of this node (and
	// cAdvisor) says of a container beyond its counters: cgroup, labels,
	// env, ports, mounts, its life. Never nil: a source that says none of
	// them (Mesos agents' statistics) points every row at NoRuntimeFields,
	// one shared zero value that nothing writes to. Its fields are
	// promoted (c.Cgroup) and flatten in JSON where they were.
	*RuntimeFields

	// Unmeasured names the controllers whose figures this container lacks
	// ("memory", "pids", "io", "cpu"): a v2 cgroup whose parent did not
	// enable them, or a stopped container, which has no cgroup. Their
	// figures are n/a, not 0.
	Unmeasured []string `json:"unmeasured,omitempty"`

	CPU     CgroupCPU     `json:"cpu"`
	Mem     CgroupMemory  `json:"mem"`
	Pids    uint64        `json:"pids"`
	Blkio   CgroupBlkio   `json:"blkio"`
	Net     *NetCounters  `json:"net"` // summed over interfaces but lo; nil in the host's network namespace or unknown
	Cluster ClusterFields `json:"cluster"`
	// Figures are the figures beyond these (swap, pressure, disk…); nil
	// where the source reads none of them (a remote source, a stopped
	// container).
	Figures *ContainerFigures `json:"figures,omitempty"`
	// ClusterLabels are its task's Mesos labels, then its app's Marathon
	// labels the task lacks (the runtime's own are Labels).
	ClusterLabels Labels `json:"cluster_labels,omitempty"`

	// Agent names the node a remote source read this container from (a
	// Mesos agent's host), AgentID the Mesos agent's id; empty for the
	// local node.
	Agent   string `json:"agent,omitempty"`
	AgentID string `json:"agent_id,omitempty"`
	// SampledAt is when the remote source measured the counters, when it
	// says so (cAdvisor, Mesos agents answer at their own times); Rates then
	// use it instead of the sample's Time. Zero for local data.
	SampledAt time.Time `json:"sampled_at,omitzero"`

	// Can is what ctop-like can do to the container on this node
	// (runtime.Can); none for a remote source's or a recording's, which
	// are not acted on from here.
	Can Caps `json:"-"`
}

// Key tells the container apart from every other of its node: its id,
// qualified by its containerd namespace where it has one. Rows, the
// screen's selection, rates, recordings and the processes' link to their
// container all go by it, never by the bare id.
func (c *ContainerSample) Key() string {
	if c.RuntimeFields == nil {
		return c.ID
	}
	return ContainerKey(c.ContainerdNamespace, c.ID)
}

// ContainerKey is the key of the container with this id in this
// containerd namespace ("" outside containerd): the id itself, or
// "<namespace>/<id>". Neither containerd's ids nor its namespaces can hold
// a "/", and no other runtime's id has this shape (a raw cgroup's starts
// with "/"), so a key names one container.
func ContainerKey(containerdNamespace, id string) string {
	if containerdNamespace == "" {
		return id
	}
	return containerdNamespace + "/" + id
}

// Measured says whether the container's figures of controller ("cpu",
// "memory", "pids", "io") were read.
func (c *ContainerSample) Measured(controller string) bool {
	for _, u := range c.Unmeasured {
		if u == controller {
			return false
		}
	}
	return true
}

// CgroupCPU holds cumulative CPU counters in nanoseconds.
type CgroupCPU struct {
	UsageNs          uint64  `json:"usage_ns"`
	UserNs           uint64  `json:"user_ns"`
	SystemNs         uint64  `json:"system_ns"`
	Periods          uint64  `json:"periods"`
	ThrottledPeriods uint64  `json:"throttled_periods"`
	ThrottledNs      uint64  `json:"throttled_ns"`
	QuotaCores       float64 `json:"quota_cores"` // 0 when unlimited
}

// CgroupMemory is in bytes; Used is what `docker stats` shows (usage minus
// inactive file pages).
type CgroupMemory struct {
	Usage    uint64 `json:"usage"`
	Used     uint64 `json:"used"`
	RSS      uint64 `json:"rss"`
	Cache    uint64 `json:"cache"`
	Limit    uint64 `json:"limit"` // the host's memory when unlimited
	OOMKills uint64 `json:"oom_kills"`
}

// CgroupBlkio holds cumulative block I/O counters.
type CgroupBlkio struct {
	ReadBytes  uint64 `json:"read_bytes"`
	WriteBytes uint64 `json:"write_bytes"`
	ReadOps    uint64 `json:"read_ops"`
	WriteOps   uint64 `json:"write_ops"`
}

// RuntimeFields are the fields of a ContainerSample that Mesos agents'
// statistics never have: behind one pointer, an executor's sample is 456
// bytes where it was 744 (90,000 executors: 26 MB a generation).
type RuntimeFields struct {
	// ContainerdNamespace is the containerd namespace of a containerd
	// container ("k8s.io", a team's); empty for every other runtime. Two
	// namespaces may hold the same id: see Key.
	ContainerdNamespace string `json:"containerd_namespace,omitempty"`

	// Cgroup is the container's cgroup path relative to the hierarchy root
	// ("/docker/<id>", "/system.slice/docker-<id>.scope", "/mesos/<id>").
	Cgroup       string            `json:"cgroup"`
	Labels       map[string]string `json:"labels,omitempty"`
	Env          Env               `json:"env,omitzero"` // names shown and recorded; placement values matched
	PID          int               `json:"pid"`          // one of its processes (Docker's init pid), 0 if none
	NetworkMode  string            `json:"network_mode,omitempty"`
	RestartCount int               `json:"restart_count"`
	Health       string            `json:"health,omitempty"`
	Created      time.Time         `json:"created"`
	Ports        []string          `json:"ports,omitempty"` // published ports as the runtime declares them
	// Wants are the ports of this node's network the container needs to
	// bind ("6379/tcp"): on the host's network its exposed and published
	// ports, on its own network the host ports it publishes. Another
	// process holding one keeps it from starting (a port conflict).
	Wants  []string `json:"wants,omitempty"`
	Mounts []string `json:"mounts,omitempty"`

	// What a runtime with an API says of a container's life (nil/zero where
	// it says nothing): the exit code of a stopped container, whether the
	// kernel's OOM killer ended it, and when its current state began.
	ExitCode   *int      `json:"exit_code,omitempty"`
	OOMKilled  bool      `json:"oom_killed,omitempty"`
	StateSince time.Time `json:"state_since,omitzero"`
	// Pod and Namespace come from the CRI labels io.kubernetes.pod.name and
	// io.kubernetes.pod.namespace; Sandbox marks a pod's pause container.
	Pod       string `json:"pod,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Sandbox   bool   `json:"sandbox,omitempty"`
	// Listen is what the container's processes listen on ("6379/tcp",
	// "8125/udp"), sorted; nil when it was not read, empty when nothing
	// listens (omitzero keeps that apart in recordings).
	Listen []string `json:"listen,omitzero"`
}

// NoRuntimeFields is the one zero RuntimeFields that the rows of a source
// saying none of them share: read only. A sample that needs its own (to
// set a field) gets it from OwnRuntimeFields.
var NoRuntimeFields = &RuntimeFields{}

// OwnRuntimeFields gives c a RuntimeFields of its own, a copy of what it
// points at (zero where it points at none), so that setting a field
// changes this container only; it returns c.
func (c *ContainerSample) OwnRuntimeFields() *ContainerSample {
	f := RuntimeFields{}
	if c.RuntimeFields != nil {
		f = *c.RuntimeFields
	}
	c.RuntimeFields = &f
	return c
}

// ClusterFields place a container in the cluster; empty when no framework
// placed it (shown as n/a, null in JSON).
type ClusterFields struct {
	TaskID      string `json:"task_id,omitempty"`
	Task        string `json:"task,omitempty"`
	FrameworkID string `json:"framework_id,omitempty"`
	Framework   string `json:"framework,omitempty"`
	Group       string `json:"group,omitempty"`
	App         string `json:"app,omitempty"`
}

// ProcessSample is one /proc/<pid>.
type ProcessSample struct {
	PID     int    `json:"pid"`
	PPID    int    `json:"ppid"`
	User    string `json:"user"`
	UID     int    `json:"uid"`
	State   string `json:"state"` // one letter as in ps: R S D Z T I
	Nice    int    `json:"nice"`
	Threads int    `json:"threads"`
	// CPU times in seconds since the process started.
	UserS   float64 `json:"user_s"`
	SystemS float64 `json:"system_s"`
	// StartTicks is field 22 of /proc/<pid>/stat: with the pid, it names a
	// process uniquely across pid reuse.
	StartTicks uint64    `json:"start_ticks"`
	StartTime  time.Time `json:"start_time"`
	RSS        uint64    `json:"rss"`
	VSZ        uint64    `json:"vsz"`
	HasIO      bool      `json:"has_io"` // /proc/<pid>/io was readable
	// NoFigures says the pass did not read what changes (State, PPID,
	// Nice, Threads, the CPU times, RSS, VSZ, the io): nothing showed
	// them. Its identity (pid, start time, name, command, user, cgroup)
	// is known; the views show the figures as n/a.
	NoFigures   bool   `json:"no_figures,omitempty"`
	ReadBytes   uint64 `json:"read_bytes"`
	WriteBytes  uint64 `json:"write_bytes"`
	Name        string `json:"name"`    // comm
	Command     string `json:"command"` // cmdline joined by spaces; [comm] for kernel threads
	Cgroup      string `json:"cgroup"`  // the path that names its container
	ContainerID string `json:"container_id,omitempty"`
	// ContainerKey is its container's Key (ContainerID alone may name
	// containers of two containerd namespaces); empty where only
	// ContainerID is known (a recording made before it, cAdvisor).
	ContainerKey string `json:"container_key,omitempty"`
	// Listen is what the process listens on ("6379/tcp"), sorted; nil when
	// it was not read, empty when nothing listens.
	Listen []string `json:"listen,omitzero"`
}

// InContainer is the key of the process's container (ContainerSample.Key),
// "" for none.
func (p *ProcessSample) InContainer() string {
	if p.ContainerKey != "" {
		return p.ContainerKey
	}
	return p.ContainerID
}
