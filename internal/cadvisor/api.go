package cadvisor

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// The types below are the members of cAdvisor's JSON (info/v1, and the v2.0
// answers built from it) that this tool reads; everything else in an answer
// is ignored by the decoder.

// machineInfo is GET /api/v1.3/machine.
type machineInfo struct {
	NumCores       int                 `json:"num_cores"`
	MemoryCapacity uint64              `json:"memory_capacity"`
	SwapCapacity   uint64              `json:"swap_capacity"`
	MachineID      string              `json:"machine_id"`
	BootID         string              `json:"boot_id"`
	DiskMap        map[string]diskInfo `json:"disk_map"`
	NetworkDevices []netDevice         `json:"network_devices"`
}

type diskInfo struct {
	Name  string `json:"name"`
	Major uint64 `json:"major"`
	Minor uint64 `json:"minor"`
}

type netDevice struct {
	Name  string `json:"name"`
	Speed int64  `json:"speed"`
}

// containerInfo is one element of POST /api/v1.3/subcontainers/; the v2.0
// answers (stats by name, spec by name) are put in the same shape.
type containerInfo struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Aliases   []string          `json:"aliases"`
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels"`
	Spec      containerSpec     `json:"spec"`
	Stats     []containerStats  `json:"stats"`
	// v2 says the stats came from v2.0, whose samples carry their own
	// has_processes; a v1.3 sample has the spec's.
	v2 bool
}

// countsProcesses says whether st carries the container's process count.
// A v1.3 sample does when the spec says has_processes. A v2.0 sample only
// when it says so itself: cAdvisor's v2.0 stats (DeprecatedStatsFromV1 in
// info/v2/conversion.go) never copy the flag or the counts, so with
// process metrics on the spec says has_processes:true while every sample
// says false with a process_count of 0, which is no count.
func (c *containerInfo) countsProcesses(st *containerStats) bool {
	return st.HasProcesses || !c.v2 && c.Spec.HasProcesses
}

// containerSpec is a v1 spec, and a v2.0 spec, which adds the aliases and
// namespace that v1 keeps beside it.
type containerSpec struct {
	Aliases      []string          `json:"aliases"`
	Namespace    string            `json:"namespace"`
	CreationTime time.Time         `json:"creation_time"`
	Labels       map[string]string `json:"labels"`
	Envs         map[string]string `json:"envs"`
	Image        string            `json:"image"`
	HasCPU       bool              `json:"has_cpu"`
	CPU          struct {
		Quota  int64  `json:"quota"`
		Period uint64 `json:"period"`
	} `json:"cpu"`
	HasMemory bool `json:"has_memory"`
	Memory    struct {
		Limit bigUint `json:"limit"`
	} `json:"memory"`
	HasNetwork   bool `json:"has_network"`
	HasProcesses bool `json:"has_processes"`
}

type containerStats struct {
	Timestamp time.Time `json:"timestamp"`
	CPU       struct {
		Usage struct {
			Total  uint64   `json:"total"`
			PerCPU []uint64 `json:"per_cpu_usage"`
			User   uint64   `json:"user"`
			System uint64   `json:"system"`
		} `json:"usage"`
		CFS struct {
			Periods          uint64 `json:"periods"`
			ThrottledPeriods uint64 `json:"throttled_periods"`
			ThrottledTime    uint64 `json:"throttled_time"`
		} `json:"cfs"`
	} `json:"cpu"`
	DiskIO struct {
		ServiceBytes []perDisk `json:"io_service_bytes"`
		Serviced     []perDisk `json:"io_serviced"`
	} `json:"diskio"`
	Memory struct {
		Usage        uint64 `json:"usage"`
		Cache        uint64 `json:"cache"`
		RSS          uint64 `json:"rss"`
		Swap         uint64 `json:"swap"`
		WorkingSet   uint64 `json:"working_set"`
		ActiveFile   uint64 `json:"total_active_file"`
		InactiveFile uint64 `json:"total_inactive_file"`
		Kernel       uint64 `json:"kernel"`
	} `json:"memory"`
	Network struct {
		netStats
		Interfaces []netStats `json:"interfaces"`
	} `json:"network"`
	Filesystem []fsStats `json:"filesystem"`
	// v2.0 says whether processes were counted; v1 has the spec's flag.
	HasProcesses bool `json:"has_processes"`
	Processes    struct {
		Count uint64 `json:"process_count"`
	} `json:"processes"`
}

type perDisk struct {
	Major uint64            `json:"major"`
	Minor uint64            `json:"minor"`
	Stats map[string]uint64 `json:"stats"` // "Read", "Write", "Total"...
}

type netStats struct {
	Name      string `json:"name"`
	RxBytes   uint64 `json:"rx_bytes"`
	RxPackets uint64 `json:"rx_packets"`
	RxErrors  uint64 `json:"rx_errors"`
	RxDropped uint64 `json:"rx_dropped"`
	TxBytes   uint64 `json:"tx_bytes"`
	TxPackets uint64 `json:"tx_packets"`
	TxErrors  uint64 `json:"tx_errors"`
	TxDropped uint64 `json:"tx_dropped"`
}

// fsStats is a filesystem of a stats sample; for a block device it also
// carries the device's /proc/diskstats counters.
type fsStats struct {
	Device         string `json:"device"`
	Type           string `json:"type"`
	Capacity       uint64 `json:"capacity"`
	Usage          uint64 `json:"usage"`
	Available      uint64 `json:"available"`
	Reads          uint64 `json:"reads_completed"`
	Writes         uint64 `json:"writes_completed"`
	SectorsRead    uint64 `json:"sectors_read"`
	SectorsWritten uint64 `json:"sectors_written"`
	IOTimeMs       uint64 `json:"io_time"`
}

// storageInfo is one element of GET /api/v2.0/storage.
type storageInfo struct {
	Device     string   `json:"device"`
	Mountpoint string   `json:"mountpoint"`
	Capacity   uint64   `json:"capacity"`
	Available  uint64   `json:"available"`
	Usage      uint64   `json:"usage"`
	Labels     []string `json:"labels"`
}

// processInfo is one element of GET /api/v2.0/ps/: a line of `ps -e -o
// user,pid,ppid,stime,pcpu,pmem,rss,vsz,stat,time,comm,psr,cgroup` on the
// node, sizes in bytes.
type processInfo struct {
	User        string `json:"user"`
	PID         int    `json:"pid"`
	PPID        int    `json:"parent_pid"`
	RSS         uint64 `json:"rss"`
	VirtualSize uint64 `json:"virtual_size"`
	Status      string `json:"status"`
	RunningTime string `json:"running_time"` // CPU time, [DD-]HH:MM:SS
	CgroupPath  string `json:"cgroup_path"`
	Cmd         string `json:"cmd"`
}

// newest returns the latest stats entry and the one before it (nil when
// there are fewer).
func (c *containerInfo) newest() (last, before *containerStats) {
	for i := range c.Stats {
		st := &c.Stats[i]
		switch {
		case last == nil || st.Timestamp.After(last.Timestamp):
			last, before = st, last
		case st.Timestamp.Before(last.Timestamp) && (before == nil || st.Timestamp.After(before.Timestamp)):
			before = st
		}
	}
	return last, before
}

// bigUint is a limit that may be written as a float: "unlimited" is near
// 2^63 or 2^64, and a JSON writer that goes through float64 prints
// 18446744073709552000, one past uint64. Such values saturate.
type bigUint uint64

func (b *bigUint) UnmarshalJSON(p []byte) error {
	s := string(p)
	if s == "null" {
		return nil
	}
	if u, err := strconv.ParseUint(s, 10, 64); err == nil {
		*b = bigUint(u)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("limit %q is not a number", s)
	}
	switch {
	case f <= 0:
		*b = 0
	case f >= math.MaxUint64:
		*b = math.MaxUint64
	default:
		*b = bigUint(f)
	}
	return nil
}
