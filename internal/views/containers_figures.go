package views

import "github.com/ctop-like/ctop-like/internal/model"

// figureColumns are the containers view's figures of issue 24, beyond the
// CPU, memory, network and block I/O of the minimum: n/a where the kernel
// or runtime does not give them (model.ContainerFigures.Known), never 0.
var figureColumns = []Column{
	{ID: "cpu_limit_pct", Title: "CPU/LIM%", Null: "without a CPU quota", Unit: UnitPct, Number: true, Width: 6, Priority: 6},
	{ID: "swap_bytes", Title: "SWAP", Null: "without swap accounting", Unit: UnitBytes, Number: true, Width: 6, Priority: 9},
	{ID: "pgmajfault_ps", Title: "MAJFL/S", Null: "where memory.stat has no pgmajfault", Unit: UnitPerSec, Number: true, Width: 6, Priority: 9},
	{ID: "mem_failcnt", Title: "MEMFAIL", Null: "without the memory controller", Unit: UnitCount, Number: true, Width: 6, Priority: 9},
	{ID: "net_rx_errors_ps", Title: "RX ERR/S", Null: "in the host's network namespace", Unit: UnitPerSec, Number: true, Width: 6, Priority: 9},
	{ID: "net_tx_errors_ps", Title: "TX ERR/S", Null: "in the host's network namespace", Unit: UnitPerSec, Number: true, Width: 6, Priority: 9},
	{ID: "net_rx_drops_ps", Title: "RX DRP/S", Null: "in the host's network namespace", Unit: UnitPerSec, Number: true, Width: 6, Priority: 9},
	{ID: "net_tx_drops_ps", Title: "TX DRP/S", Null: "in the host's network namespace", Unit: UnitPerSec, Number: true, Width: 6, Priority: 9},
	{ID: "psi_cpu_some_pct", Title: "PSI CPU", Null: "on cgroup v1 or with PSI off", Unit: UnitPct, Number: true, Width: 6, Priority: 9},
	{ID: "psi_mem_some_pct", Title: "PSI MEM", Null: "on cgroup v1 or with PSI off", Unit: UnitPct, Number: true, Width: 6, Priority: 9},
	{ID: "psi_mem_full_pct", Title: "PSI MEMF", Null: "on cgroup v1 or with PSI off", Unit: UnitPct, Number: true, Width: 6, Priority: 9},
	{ID: "psi_io_some_pct", Title: "PSI IO", Null: "on cgroup v1 or with PSI off", Unit: UnitPct, Number: true, Width: 6, Priority: 9},
	{ID: "psi_io_full_pct", Title: "PSI IOF", Null: "on cgroup v1 or with PSI off", Unit: UnitPct, Number: true, Width: 6, Priority: 9},
	{ID: "hugetlb_bytes", Title: "HUGETLB", Null: "without the hugetlb controller", Unit: UnitBytes, Number: true, Width: 6, Priority: 9},
	{ID: "disk_bytes", Title: "DISK", Null: "until its writable layer is measured (in the background, every minute) or without an overlay root", Unit: UnitBytes, Number: true, Width: 6, Priority: 9},
	{ID: "fds", Title: "FDS", Null: "where its processes are not ours to read", Unit: UnitCount, Number: true, Width: 5, Priority: 9},
	{ID: "tcp_established", Title: "TCP EST", Null: "in the host's network namespace", Unit: UnitCount, Number: true, Width: 5, Priority: 9},
	{ID: "tcp_time_wait", Title: "TCP TW", Null: "in the host's network namespace", Unit: UnitCount, Number: true, Width: 5, Priority: 9},
}

// figureValues are a container's values of figureColumns, in their order.
func figureValues(c *model.Container) []any {
	has := c.Has
	var f model.ContainerFigures
	if c.Figures != nil {
		f = *c.Figures
	}
	cpu := c.HasRates && c.Measured("cpu") && c.CPU.QuotaCores > 0
	net := c.HasRates && c.Net != nil
	return []any{
		rate(cpu, c.CPUPct/c.CPU.QuotaCores),
		counter(has(model.KnownSwap), f.SwapBytes),
		rate(c.HasRates && has(model.KnownPgMajFault), c.PgMajFaultPS),
		counter(has(model.KnownMemFailcnt), f.MemFailcnt),
		rate(net, c.NetRxErrorsPS),
		rate(net, c.NetTxErrorsPS),
		rate(net, c.NetRxDropsPS),
		rate(net, c.NetTxDropsPS),
		rate(has(model.KnownPSICPU), f.PSI.CPUSome),
		rate(has(model.KnownPSIMem), f.PSI.MemSome),
		rate(has(model.KnownPSIMem), f.PSI.MemFull),
		rate(has(model.KnownPSIIO), f.PSI.IOSome),
		rate(has(model.KnownPSIIO), f.PSI.IOFull),
		counter(has(model.KnownHugetlb), f.HugetlbBytes),
		counter(has(model.KnownDisk), f.DiskBytes),
		counter(has(model.KnownFDs), f.FDs),
		counter(has(model.KnownTCP), f.TCPEstablished),
		counter(has(model.KnownTCP), f.TCPTimeWait),
	}
}

// counter is a counter's value, nil when it was not read.
func counter(ok bool, v uint64) any { return rate(ok, float64(v)) }
