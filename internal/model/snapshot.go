package model

import "time"

// Snapshot is what every view reads: the latest sample with rates computed
// against the one before, joined with the last good cluster state. It is
// never modified after it is published.
type Snapshot struct {
	Time        time.Time     `json:"time"`
	Host        string        `json:"host"`
	Interval    time.Duration `json:"interval"` // time between the two samples behind the rates
	Machine     MachineInfo   `json:"machine"`
	CPUTotal    CPU           `json:"cpu_total"`
	CPUs        []CPU         `json:"cpus"`
	Memory      Memory        `json:"memory"`
	Load        [3]float64    `json:"load"`
	UptimeS     float64       `json:"uptime_s"`
	Disks       []Disk        `json:"disks"`
	Nets        []Net         `json:"nets"`
	Filesystems []Filesystem  `json:"filesystems"`
	Containers  []Container   `json:"containers"`
	Processes   []Process     `json:"processes"`
	Cluster     *Cluster      `json:"cluster,omitempty"`
	Errors      []string      `json:"errors,omitempty"`
	// Events is the node's and cluster's timeline up to this refresh (the
	// events view); nil where none is kept (a recording made before
	// events were). A recording stores it apart: json "-".
	Events *Events `json:"-"`
}

// CPU is one CPU's (or the total's) share of time in percent over the interval.
type CPU struct {
	Name      string  `json:"name"`
	UtilPct   float64 `json:"util_pct"` // everything but idle and iowait
	UserPct   float64 `json:"user_pct"` // user + nice
	SystemPct float64 `json:"system_pct"`
	IOWaitPct float64 `json:"iowait_pct"`
	StealPct  float64 `json:"steal_pct"`
	IdlePct   float64 `json:"idle_pct"`
}

// Disk is a block device with its rates.
type Disk struct {
	DiskCounters
	HasRates bool    `json:"has_rates"`
	ReadsPS  float64 `json:"reads_ps"`
	WritesPS float64 `json:"writes_ps"`
	ReadBps  float64 `json:"read_bps"`
	WriteBps float64 `json:"write_bps"`
	UtilPct  float64 `json:"util_pct"`
}

// Net is a network interface with its rates.
type Net struct {
	NetCounters
	HasRates bool    `json:"has_rates"`
	RxBps    float64 `json:"rx_bps"`
	TxBps    float64 `json:"tx_bps"`
	RxPps    float64 `json:"rx_pps"`
	TxPps    float64 `json:"tx_pps"`
}

// Container is a container with its rates. Rates are valid only when
// HasRates (the container was in the previous sample too).
//
// The row refers to its sample's container rather than copying it: at
// 100,000 executors (--cluster) a copy was 74 MB more in each of the two
// generations a refresh holds. The sample is as immutable as the
// snapshot once it is published; only orchestrator.Match writes its
// Cluster and ClusterLabels, before that.
type Container struct {
	*ContainerSample
	HasRates     bool    `json:"has_rates"`
	CPUPct       float64 `json:"cpu_pct"` // 100 = one core
	CPUUserPct   float64 `json:"cpu_user_pct"`
	CPUSystemPct float64 `json:"cpu_system_pct"`
	ThrottledPct float64 `json:"throttled_pct"` // share of CFS periods throttled
	ThrottledS   float64 `json:"throttled_s"`   // seconds throttled during the interval
	MemPct       float64 `json:"mem_pct"`       // Used / Limit
	NetRxBps     float64 `json:"net_rx_bps"`    // valid when Net != nil
	NetTxBps     float64 `json:"net_tx_bps"`
	NetRxPps     float64 `json:"net_rx_pps"`
	NetTxPps     float64 `json:"net_tx_pps"`
	BlkReadBps   float64 `json:"blk_read_bps"`
	BlkWriteBps  float64 `json:"blk_write_bps"`
	BlkReadOps   float64 `json:"blk_read_ops"`
	BlkWriteOps  float64 `json:"blk_write_ops"`
	// Rates of ContainerFigures' counters and of the network's errors and
	// drops; valid with HasRates and the figure (Has, Net != nil).
	PgMajFaultPS  float64 `json:"pgmajfault_ps,omitempty"`
	NetRxErrorsPS float64 `json:"net_rx_errors_ps,omitempty"`
	NetTxErrorsPS float64 `json:"net_tx_errors_ps,omitempty"`
	NetRxDropsPS  float64 `json:"net_rx_drops_ps,omitempty"`
	NetTxDropsPS  float64 `json:"net_tx_drops_ps,omitempty"`
}

// Process is a process with its rates.
type Process struct {
	ProcessSample
	HasRates     bool    `json:"has_rates"`
	CPUPct       float64 `json:"cpu_pct"`
	CPUUserPct   float64 `json:"cpu_user_pct"`
	CPUSystemPct float64 `json:"cpu_system_pct"`
	MemPct       float64 `json:"mem_pct"`
	ReadBps      float64 `json:"read_bps"` // valid when HasIO
	WriteBps     float64 `json:"write_bps"`
}

// ContainerByID returns the container with that key (Key: containerd's
// are namespace/id), else the first with that full id, else the one
// container the id names as a prefix (IDNames), else nil: a prefix that
// names several containers finds none.
func (s *Snapshot) ContainerByID(id string) *Container {
	for i := range s.Containers {
		if c := &s.Containers[i]; c.Key() != c.ID && c.Key() == id {
			return &s.Containers[i]
		}
	}
	for i := range s.Containers {
		if s.Containers[i].ID == id {
			return &s.Containers[i]
		}
	}
	var found *Container
	for i := range s.Containers {
		if c := &s.Containers[i]; IDNames(id, c.ID) {
			if found != nil {
				return nil
			}
			found = c
		}
	}
	return found
}
