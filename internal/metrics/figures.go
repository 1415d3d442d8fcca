package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ctop-like/ctop-like/internal/model"
)

// Figure is one of a container's figures served under cAdvisor's metric
// name (cAdvisor's lib/metrics/prometheus.go: the name, its type and its
// unit). Its value is either a column of the containers view — then the
// scrape says exactly what the JSON output's row says, and a null is no
// sample — or, for a cumulative counter no column shows, read from the
// container by Value.
type Figure struct {
	Name string
	Help string
	Type prometheus.ValueType
	// Column is the id of the containers view column the value is.
	Column string
	// Value is the figure of a container and whether it has one (a
	// controller it lacks, a figure its source cannot tell: no sample).
	// Used when Column is "".
	Value func(c *model.Container, u model.Unknown) (float64, bool)
}

// Figures are what /metrics serves of each container, in cAdvisor's
// names and units. A new figure is one line here: a column the
// containers view has, or a counter read from the model.
//
// Where cAdvisor splits a figure by a label ctop-like does not keep —
// network figures by interface, I/O figures by device — the series is the
// container's sum (its interfaces but lo, its devices) without that label.
var Figures = []Figure{
	{Name: "container_cpu_usage_seconds_total", Help: "Cumulative cpu time consumed in seconds.", Type: prometheus.CounterValue, Value: cpuSeconds(func(c *model.CgroupCPU) uint64 { return c.UsageNs })},
	{Name: "container_cpu_user_seconds_total", Help: "Cumulative user cpu time consumed in seconds.", Type: prometheus.CounterValue, Value: cpuSeconds(func(c *model.CgroupCPU) uint64 { return c.UserNs })},
	{Name: "container_cpu_system_seconds_total", Help: "Cumulative system cpu time consumed in seconds.", Type: prometheus.CounterValue, Value: cpuSeconds(func(c *model.CgroupCPU) uint64 { return c.SystemNs })},
	{Name: "container_cpu_cfs_periods_total", Help: "Number of elapsed enforcement period intervals.", Type: prometheus.CounterValue, Value: cfs(func(c *model.CgroupCPU) float64 { return float64(c.Periods) })},
	{Name: "container_cpu_cfs_throttled_periods_total", Help: "Number of throttled period intervals.", Type: prometheus.CounterValue, Value: cfs(func(c *model.CgroupCPU) float64 { return float64(c.ThrottledPeriods) })},
	{Name: "container_cpu_cfs_throttled_seconds_total", Help: "Total time duration the container has been throttled.", Type: prometheus.CounterValue, Value: cfs(func(c *model.CgroupCPU) float64 { return float64(c.ThrottledNs) / 1e9 })},
	{Name: "container_memory_usage_bytes", Help: "Current memory usage in bytes, including all memory regardless of when it was accessed", Type: prometheus.GaugeValue, Value: memory(func(m *model.CgroupMemory) uint64 { return m.Usage })},
	{Name: "container_memory_working_set_bytes", Help: "Current working set in bytes.", Type: prometheus.GaugeValue, Column: "mem_bytes"},
	{Name: "container_memory_rss", Help: "Size of RSS in bytes.", Type: prometheus.GaugeValue, Column: "rss_bytes"},
	{Name: "container_memory_cache", Help: "Number of bytes of page cache memory.", Type: prometheus.GaugeValue, Column: "cache_bytes"},
	{Name: "container_spec_memory_limit_bytes", Help: "Memory limit for the container.", Type: prometheus.GaugeValue, Column: "mem_limit_bytes"},
	{Name: "container_oom_events_total", Help: "Count of out of memory events observed for the container", Type: prometheus.CounterValue, Column: "oom_kills"},
	{Name: "container_threads", Help: "Number of threads running inside the container", Type: prometheus.GaugeValue, Column: "pids"},
	{Name: "container_network_receive_bytes_total", Help: "Cumulative count of bytes received", Type: prometheus.CounterValue, Value: network(func(n *model.NetCounters) uint64 { return n.RxBytes })},
	{Name: "container_network_transmit_bytes_total", Help: "Cumulative count of bytes transmitted", Type: prometheus.CounterValue, Value: network(func(n *model.NetCounters) uint64 { return n.TxBytes })},
	{Name: "container_network_receive_packets_total", Help: "Cumulative count of packets received", Type: prometheus.CounterValue, Value: network(func(n *model.NetCounters) uint64 { return n.RxPackets })},
	{Name: "container_network_transmit_packets_total", Help: "Cumulative count of packets transmitted", Type: prometheus.CounterValue, Value: network(func(n *model.NetCounters) uint64 { return n.TxPackets })},
	{Name: "container_network_receive_errors_total", Help: "Cumulative count of errors encountered while receiving", Type: prometheus.CounterValue, Value: network(func(n *model.NetCounters) uint64 { return n.RxErrors })},
	{Name: "container_network_transmit_errors_total", Help: "Cumulative count of errors encountered while transmitting", Type: prometheus.CounterValue, Value: network(func(n *model.NetCounters) uint64 { return n.TxErrors })},
	{Name: "container_network_receive_packets_dropped_total", Help: "Cumulative count of packets dropped while receiving", Type: prometheus.CounterValue, Value: network(func(n *model.NetCounters) uint64 { return n.RxDrops })},
	{Name: "container_network_transmit_packets_dropped_total", Help: "Cumulative count of packets dropped while transmitting", Type: prometheus.CounterValue, Value: network(func(n *model.NetCounters) uint64 { return n.TxDrops })},
	{Name: "container_fs_reads_bytes_total", Help: "Cumulative count of bytes read", Type: prometheus.CounterValue, Value: blkio(func(b *model.CgroupBlkio) uint64 { return b.ReadBytes })},
	{Name: "container_fs_writes_bytes_total", Help: "Cumulative count of bytes written", Type: prometheus.CounterValue, Value: blkio(func(b *model.CgroupBlkio) uint64 { return b.WriteBytes })},
	{Name: "container_fs_reads_total", Help: "Cumulative count of reads completed", Type: prometheus.CounterValue, Value: blkio(func(b *model.CgroupBlkio) uint64 { return b.ReadOps })},
	{Name: "container_fs_writes_total", Help: "Cumulative count of writes completed", Type: prometheus.CounterValue, Value: blkio(func(b *model.CgroupBlkio) uint64 { return b.WriteOps })},
	// Issue 24's figures (the containers view's columns). cAdvisor's
	// container_memory_failures_total (faults by type and scope), its PSI
	// totals and container_network_tcp_usage_total (by state) have labels
	// or counters ctop-like does not keep: not served.
	{Name: "container_memory_swap", Help: "Container swap usage in bytes.", Type: prometheus.GaugeValue, Column: "swap_bytes"},
	{Name: "container_memory_failcnt", Help: "Number of memory usage hits limits", Type: prometheus.CounterValue, Column: "mem_failcnt"},
	{Name: "container_hugetlb_usage_bytes", Help: "Hugepage usage in bytes", Type: prometheus.GaugeValue, Column: "hugetlb_bytes"},
	{Name: "container_fs_usage_bytes", Help: "Number of bytes that are consumed by the container on this filesystem.", Type: prometheus.GaugeValue, Column: "disk_bytes"},
	{Name: "container_file_descriptors", Help: "Number of open file descriptors for the container.", Type: prometheus.GaugeValue, Column: "fds"},
	{Name: "container_start_time_seconds", Help: "Start time of the container since unix epoch in seconds.", Type: prometheus.GaugeValue, Value: startTime},
}

// cpuSeconds reads a CPU time counter in seconds, where the container's
// cpu controller was read.
func cpuSeconds(f func(*model.CgroupCPU) uint64) func(*model.Container, model.Unknown) (float64, bool) {
	return func(c *model.Container, _ model.Unknown) (float64, bool) {
		return float64(f(&c.CPU)) / 1e9, c.Measured("cpu")
	}
}

// cfs reads a CFS bandwidth counter: only a container with a CPU quota
// has periods (as the throttled_pct column).
func cfs(f func(*model.CgroupCPU) float64) func(*model.Container, model.Unknown) (float64, bool) {
	return func(c *model.Container, _ model.Unknown) (float64, bool) {
		return f(&c.CPU), c.Measured("cpu") && c.CPU.Periods > 0
	}
}

func memory(f func(*model.CgroupMemory) uint64) func(*model.Container, model.Unknown) (float64, bool) {
	return func(c *model.Container, _ model.Unknown) (float64, bool) {
		return float64(f(&c.Mem)), c.Measured("memory")
	}
}

// network reads a counter of the container's own network namespace; none
// in the host's (as the net_rx_bps column).
func network(f func(*model.NetCounters) uint64) func(*model.Container, model.Unknown) (float64, bool) {
	return func(c *model.Container, _ model.Unknown) (float64, bool) {
		if c.Net == nil {
			return 0, false
		}
		return float64(f(c.Net)), true
	}
}

func blkio(f func(*model.CgroupBlkio) uint64) func(*model.Container, model.Unknown) (float64, bool) {
	return func(c *model.Container, _ model.Unknown) (float64, bool) {
		return float64(f(&c.Blkio)), c.Measured("io")
	}
}

// startTime is when the runtime says the container was created.
func startTime(c *model.Container, _ model.Unknown) (float64, bool) {
	if c.Created.IsZero() {
		return 0, false
	}
	return float64(c.Created.UnixNano()) / 1e9, true
}
