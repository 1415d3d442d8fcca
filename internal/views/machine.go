package views

import (
	"fmt"

	"github.com/ctop-like/ctop-like/internal/model"
)

func init() {
	register(&View{
		ID:      "machine",
		Title:   "Machine",
		Doc:     "a device of the node: each CPU, disk, network interface and filesystem, and the memory",
		Columns: machineCols,
		// As htop's header reads: CPUs, memory, disks, interfaces,
		// filesystems, each in the kernel's order.
		DefaultSort: "",
		Rank:        2,
		Minimum:     []string{"kind", "name", "util_pct", "read_bps", "write_bps", "rx_bps", "tx_bps", "used_bytes", "total_bytes"},
		NameColumns: []string{"name"},
		Build:       buildMachine,
		Drill: func(r Row) (Target, bool) {
			// The busiest users of a CPU or of memory are known; of a
			// single disk or interface they are not.
			switch r.Values[mKind] {
			case "cpu":
				return Target{View: "processes", Sort: "cpu_pct", Desc: true}, true
			case "memory", "swap":
				return Target{View: "processes", Sort: "rss_bytes", Desc: true}, true
			case "disk", "fs":
				return Target{View: "containers", Sort: "blk_write_bps", Desc: true}, true
			case "net":
				return Target{View: "containers", Sort: "net_rx_bps", Desc: true}, true
			}
			return Target{}, false
		},
	})
}

// machineCols are the machine view's columns. Each index below is given
// as its column is added, so that a row's values line up with the columns
// by construction.
var machineCols columnList

var (
	mKind     = machineCols.add(Column{ID: "kind", Title: "KIND", Width: 6})
	mName     = machineCols.add(Column{ID: "name", Title: "NAME", Width: 16})
	mUtil     = machineCols.add(Column{ID: "util_pct", Title: "UTIL%", Unit: UnitPct, Number: true, Width: 6})
	mRead     = machineCols.add(Column{ID: "read_bps", Title: "READ", Unit: UnitBps, Number: true, Width: 8, Priority: 1})
	mWrite    = machineCols.add(Column{ID: "write_bps", Title: "WRITE", Unit: UnitBps, Number: true, Width: 8, Priority: 1})
	mRx       = machineCols.add(Column{ID: "rx_bps", Title: "RX", Unit: UnitBps, Number: true, Width: 8, Priority: 1})
	mTx       = machineCols.add(Column{ID: "tx_bps", Title: "TX", Unit: UnitBps, Number: true, Width: 8, Priority: 1})
	mUsed     = machineCols.add(Column{ID: "used_bytes", Title: "USED", Unit: UnitBytes, Number: true, Width: 7, Priority: 2})
	mTotal    = machineCols.add(Column{ID: "total_bytes", Title: "TOTAL", Unit: UnitBytes, Number: true, Width: 7, Priority: 2})
	mUser     = machineCols.add(Column{ID: "user_pct", Title: "USR%", Unit: UnitPct, Number: true, Width: 5, Priority: 12})
	mSystem   = machineCols.add(Column{ID: "system_pct", Title: "SYS%", Unit: UnitPct, Number: true, Width: 5, Priority: 12})
	mIOWait   = machineCols.add(Column{ID: "iowait_pct", Title: "WAIT%", Unit: UnitPct, Number: true, Width: 5, Priority: 12})
	mSteal    = machineCols.add(Column{ID: "steal_pct", Title: "STEAL%", Unit: UnitPct, Number: true, Width: 6, Priority: 13})
	mReadsPS  = machineCols.add(Column{ID: "reads_ps", Title: "R/S", Unit: UnitPerSec, Number: true, Width: 6, Priority: 11})
	mWritesPS = machineCols.add(Column{ID: "writes_ps", Title: "W/S", Unit: UnitPerSec, Number: true, Width: 6, Priority: 11})
	mRxPps    = machineCols.add(Column{ID: "rx_pps", Title: "RX PK/S", Unit: UnitPerSec, Number: true, Width: 7, Priority: 13})
	mTxPps    = machineCols.add(Column{ID: "tx_pps", Title: "TX PK/S", Unit: UnitPerSec, Number: true, Width: 7, Priority: 13})
	mErrors   = machineCols.add(Column{ID: "errors", Title: "ERRS", Unit: UnitCount, Number: true, Width: 5, Priority: 14})
	mDrops    = machineCols.add(Column{ID: "drops", Title: "DROPS", Unit: UnitCount, Number: true, Width: 5, Priority: 14})
	mSpeed    = machineCols.add(Column{ID: "speed_mbps", Title: "MBIT/S", Unit: "Mbit/s", Number: true, Width: 6, Priority: 14})
	mState    = machineCols.add(Column{ID: "state", Title: "STATE", Width: 7, Priority: 14})
	mAvail    = machineCols.add(Column{ID: "available_bytes", Title: "AVAIL", Unit: UnitBytes, Number: true, Width: 7, Priority: 11})
	mDevice   = machineCols.add(Column{ID: "device", Title: "DEVICE", Width: 16, Priority: 15})
	mFsType   = machineCols.add(Column{ID: "fs_type", Title: "TYPE", Width: 6, Priority: 15})
)

func machineRow(kind, name string, order int) Row {
	vals := make([]any, len(machineCols))
	vals[mKind], vals[mName] = kind, name
	return Row{Key: fmt.Sprintf("%s:%04d:%s", kind, order, name), Values: vals}
}

func buildMachine(s *model.Snapshot, _ Query) []Row {
	rows := make([]Row, 0, 2+len(s.CPUs)+len(s.Disks)+len(s.Nets)+len(s.Filesystems))
	hasRates := s.Interval > 0
	u := s.Machine.Unknown // what the node's source cannot tell: n/a, never 0
	cpuRow := func(c model.CPU, order int) Row {
		known := hasRates && !u.CPU
		split := known && (order == 0 || !u.PerCPUSplit)
		r := machineRow("cpu", c.Name, order)
		r.Values[mUtil] = rate(known, c.UtilPct)
		r.Values[mUser] = rate(split, c.UserPct)
		r.Values[mSystem] = rate(split, c.SystemPct)
		r.Values[mIOWait] = rate(known && !u.IOWait, c.IOWaitPct)
		r.Values[mSteal] = rate(known && !u.Steal, c.StealPct)
		return r
	}
	total := s.CPUTotal
	if total.Name == "" {
		total.Name = "cpu"
	}
	rows = append(rows, cpuRow(total, 0))
	for i, c := range s.CPUs {
		rows = append(rows, cpuRow(c, i+1))
	}

	m := s.Memory
	mem := machineRow("memory", "memory", 0)
	if m.Total > 0 {
		mem.Values[mUtil] = float64(m.Used) / float64(m.Total) * 100
	}
	mem.Values[mUsed] = float64(m.Used)
	mem.Values[mTotal] = float64(m.Total)
	mem.Values[mAvail] = float64(m.Available)
	rows = append(rows, mem)
	swap := machineRow("memory", "swap", 1)
	swapUsed := m.SwapTotal - min(m.SwapFree, m.SwapTotal)
	if m.SwapTotal > 0 {
		swap.Values[mUtil] = float64(swapUsed) / float64(m.SwapTotal) * 100
	}
	swap.Values[mUsed] = float64(swapUsed)
	swap.Values[mTotal] = float64(m.SwapTotal)
	swap.Values[mAvail] = float64(m.SwapFree)
	rows = append(rows, swap)

	for i := range s.Disks {
		d := &s.Disks[i]
		if d.IsPartition {
			continue
		}
		r := machineRow("disk", d.Name, i)
		ok := d.HasRates
		r.Values[mUtil] = rate(ok && !u.DiskUtil, d.UtilPct)
		r.Values[mRead] = rate(ok, d.ReadBps)
		r.Values[mWrite] = rate(ok, d.WriteBps)
		r.Values[mReadsPS] = rate(ok, d.ReadsPS)
		r.Values[mWritesPS] = rate(ok, d.WritesPS)
		r.Values[mDevice] = "/dev/" + d.Name
		rows = append(rows, r)
	}
	for i := range s.Nets {
		n := &s.Nets[i]
		r := machineRow("net", n.Name, i)
		ok := n.HasRates
		r.Values[mRx] = rate(ok, n.RxBps)
		r.Values[mTx] = rate(ok, n.TxBps)
		r.Values[mRxPps] = rate(ok, n.RxPps)
		r.Values[mTxPps] = rate(ok, n.TxPps)
		if ok && n.SpeedMbps > 0 {
			// Utilisation of a full-duplex link is its busier direction.
			r.Values[mUtil] = min(100, max(n.RxBps, n.TxBps)*8/(float64(n.SpeedMbps)*1e6)*100)
		}
		r.Values[mErrors] = float64(n.RxErrors + n.TxErrors)
		r.Values[mDrops] = float64(n.RxDrops + n.TxDrops)
		r.Values[mSpeed] = rate(n.SpeedMbps > 0, float64(n.SpeedMbps))
		r.Values[mState] = text(n.OperState)
		rows = append(rows, r)
	}
	for i, f := range s.Filesystems {
		r := machineRow("fs", f.Mountpoint, i)
		if f.Used+f.Available > 0 {
			// As df: used over what a user can have.
			r.Values[mUtil] = float64(f.Used) / float64(f.Used+f.Available) * 100
		}
		r.Values[mUsed] = float64(f.Used)
		r.Values[mTotal] = float64(f.Total)
		r.Values[mAvail] = float64(f.Available)
		r.Values[mDevice] = text(f.Device)
		r.Values[mFsType] = text(f.Type)
		rows = append(rows, r)
	}
	return rows
}
