package views

import (
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// Issue 24: a container's further figures are numbers in their column's
// unit where read, n/a where the kernel did not give them (cgroup v1's
// pressure, no quota, the host's network namespace), never 0.
func TestContainerFigureColumns(t *testing.T) {
	now := time.Now()
	c := model.Container{ContainerSample: &model.ContainerSample{ID: "x", Runtime: model.RuntimeMesos,
		CPU: model.CgroupCPU{UsageNs: 1}, RuntimeFields: &model.RuntimeFields{}}, HasRates: true, CPUPct: 50}
	r := containerRow(t, c, now)
	for _, col := range figureColumns {
		if r[col.ID] != nil {
			t.Errorf("%s = %v without the figure, want n/a", col.ID, r[col.ID])
		}
	}
	c.CPU.QuotaCores = 0.5
	c.Net = &model.NetCounters{}
	c.NetRxDropsPS = 3
	c.PgMajFaultPS = 12
	c.Figures = &model.ContainerFigures{
		Known:     model.KnownSwap | model.KnownPgMajFault | model.KnownMemFailcnt | model.KnownPSIMem | model.KnownFDs | model.KnownTCP,
		SwapBytes: 1 << 20, MemFailcnt: 7, PSI: model.Pressure{MemSome: 41.5, MemFull: 12}, FDs: 36, TCPEstablished: 10, TCPTimeWait: 3,
	}
	r = containerRow(t, c, now)
	want := map[string]any{
		"cpu_limit_pct": 100.0, "swap_bytes": float64(1 << 20), "pgmajfault_ps": 12.0, "mem_failcnt": 7.0,
		"net_rx_drops_ps": 3.0, "net_rx_errors_ps": 0.0, "psi_mem_some_pct": 41.5, "psi_mem_full_pct": 12.0,
		"psi_cpu_some_pct": nil, "psi_io_some_pct": nil, "hugetlb_bytes": nil, "disk_bytes": nil,
		"fds": 36.0, "tcp_established": 10.0, "tcp_time_wait": 3.0,
	}
	for id, w := range want {
		if r[id] != w {
			t.Errorf("%s = %v, want %v", id, r[id], w)
		}
	}
	if got := r["attention"]; got != "swapping, memory pressure 42%, net drops" {
		t.Errorf("attention %q, want swapping, memory pressure 42%%, net drops", got)
	}
	// Swap in use without pages coming back is no swapping; pressure
	// below the threshold is none.
	c.PgMajFaultPS = 0
	c.NetRxDropsPS = 0
	c.Figures.PSI.MemSome = 39
	if got := containerRow(t, c, now)["attention"]; got != nil {
		t.Errorf("attention %q for a quiet container, want none", got)
	}
}
