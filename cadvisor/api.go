package cadvisor

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// The types below are the members of cAdvisor's info/v1 JSON that this
// tool reads; everything else in an answer is ignored by the decoder.

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

// containerInfo is one element of GET /api/v1.3/subcontainers/.
type containerInfo struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Aliases   []string          `json:"aliases"`
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels"`
	Spec      containerSpec     `json:"spec"`
	Stats     []containerStats  `json:"stats"`
}

type containerSpec struct {
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
	HasNetwork bool `json:"has_network"`
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
		Usage      uint64 `json:"usage"`
		Cache      uint64 `json:"cache"`
		RSS        uint64 `json:"rss"`
		WorkingSet uint64 `json:"working_set"`
	} `json:"memory"`
	Network struct {
		netStats
		Interfaces []netStats `json:"interfaces"`
	} `json:"network"`
	Filesystem []fsStats `json:"filesystem"`
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

type fsStats struct {
	Device    string `json:"device"`
	Type      string `json:"type"`
	Capacity  uint64 `json:"capacity"`
	Usage     uint64 `json:"usage"`
	Available uint64 `json:"available"`
}

// newest returns the latest stats entry, nil when there is none.
func (c *containerInfo) newest() *containerStats {
	var n *containerStats
	for i := range c.Stats {
		if n == nil || c.Stats[i].Timestamp.After(n.Timestamp) {
			n = &c.Stats[i]
		}
	}
	return n
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
