package model

// ContainerFigures are a container's figures beyond its cgroup's CPU,
// memory, pids and block I/O (issue 24, the figures cAdvisor has): swap,
// major page faults, the memory limit's fail count, pressure stall
// information, hugetlb usage, disk usage, open descriptors and TCP
// connections. A figure is valid only when Known has its bit: what the
// kernel or the runtime does not give is n/a (null in JSON), never 0.
// Counters (PgMajFault, MemFailcnt) are cumulative, as read; Rates turns
// PgMajFault into a rate.
type ContainerFigures struct {
	Known Known `json:"known"`
	// SwapBytes is the container's memory in swap (v1 memory.stat
	// total_swap, v2 memory.swap.current).
	SwapBytes uint64 `json:"swap_bytes,omitempty"`
	// PgMajFault counts the major page faults of its processes (memory.stat
	// total_pgmajfault, v2 pgmajfault): a page read from disk or swap.
	PgMajFault uint64 `json:"pgmajfault,omitempty"`
	// MemFailcnt counts the times its memory hit the limit (v1
	// memory.failcnt, v2 memory.events max).
	MemFailcnt uint64 `json:"mem_failcnt,omitempty"`
	// HugetlbBytes is its huge pages, every size summed.
	HugetlbBytes uint64 `json:"hugetlb_bytes,omitempty"`
	// PSI is its pressure stall information (cgroup v2 only).
	PSI Pressure `json:"psi,omitzero"`
	// DiskBytes is the disk its writable layer takes (st_blocks, as du
	// counts), measured at a slow cadence off the refresh.
	DiskBytes uint64 `json:"disk_bytes,omitempty"`
	// FDs is the open descriptors of its processes, summed.
	FDs uint64 `json:"fds,omitempty"`
	// TCPEstablished and TCPTimeWait are its network namespace's TCP
	// connections: the kernel's tcpCurrEstab (ESTABLISHED and CLOSE-WAIT,
	// /proc/<pid>/net/snmp) and its TIME-WAIT sockets (sockstat's tw).
	TCPEstablished uint64 `json:"tcp_established,omitempty"`
	TCPTimeWait    uint64 `json:"tcp_time_wait,omitempty"`
}

// Pressure is a cgroup's pressure stall information: the share of the
// last 10 s (the kernel's avg10) in which some or all of its tasks waited
// for CPU, memory or I/O, in percent.
type Pressure struct {
	CPUSome float64 `json:"cpu_some,omitempty"`
	MemSome float64 `json:"mem_some,omitempty"`
	MemFull float64 `json:"mem_full,omitempty"`
	IOSome  float64 `json:"io_some,omitempty"`
	IOFull  float64 `json:"io_full,omitempty"`
}

// Known says which of a container's ContainerFigures were read.
type Known uint16

// The figures of ContainerFigures, one bit each.
const (
	KnownSwap Known = 1 << iota
	KnownPgMajFault
	KnownMemFailcnt
	KnownHugetlb
	KnownPSICPU // cpu.pressure
	KnownPSIMem // memory.pressure
	KnownPSIIO  // io.pressure
	KnownFDs
	KnownTCP
	KnownDisk
)

// Has says whether the figure (one Known bit) of the container was read.
func (c *ContainerSample) Has(k Known) bool {
	return c.Figures != nil && c.Figures.Known&k == k
}

// MoreFigures returns the container's figures, made on first use.
func (c *ContainerSample) MoreFigures() *ContainerFigures {
	if c.Figures == nil {
		c.Figures = &ContainerFigures{}
	}
	return c.Figures
}

// figureRates fills the rates of c's figures against p, its counters dt
// seconds before: major faults and its network's errors and drops.
func figureRates(c *Container, p *counters, dt float64) {
	if c.Has(KnownPgMajFault) && p.hasMajFlt {
		c.PgMajFaultPS = float64(delta(p.pgMajFault, c.Figures.PgMajFault)) / dt
	}
	if c.Net != nil && p.hasNet {
		c.NetRxErrorsPS = float64(delta(p.rxErr, c.Net.RxErrors)) / dt
		c.NetTxErrorsPS = float64(delta(p.txErr, c.Net.TxErrors)) / dt
		c.NetRxDropsPS = float64(delta(p.rxDrop, c.Net.RxDrops)) / dt
		c.NetTxDropsPS = float64(delta(p.txDrop, c.Net.TxDrops)) / dt
	}
}
