package agents

import (
	"math"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
)

// maxExecutors bounds the executors kept of one agent's answer (a real
// agent runs tens to a few hundred).
const maxExecutors = 4096

// answer is one agent's /monitor/statistics as kept between refreshes:
// what the containers view shows of each executor, 200-odd bytes each,
// where the decoded JSON of encoding/json held twice that.
type answer struct {
	at    time.Time
	execs []execStats
}

// execStats is one executor of an answer.
type execStats struct {
	ExecutorID, FrameworkID, ContainerID string

	Timestamp                       float64
	CPUsLimit                       float64
	UserSecs, SystemSecs, Throttled float64
	Periods, NrThrottled            uint64
	MemRSS, MemTotal, MemCache      uint64
	MemFile, MemLimit               uint64
	// net is the executor's network counters, nil where the agent
	// says none: an element of one array per answer (see
	// readStatistics), which the sample's rows point at.
	net *model.NetCounters
	// rowID is the executor's row id (rowID), made once per executor
	// and kept from answer to answer.
	rowID string
}

// readStatistics reads an agent's /monitor/statistics from the stream. A
// string equal to the same executor's in the previous answer (ids do not
// change between answers) is that one, not a copy: 100,000 executors
// allocate no ids per refresh.
func readStatistics(s *httpapi.Stream, prev *answer) ([]execStats, error) {
	var out []execStats
	if prev != nil {
		// An agent's executors change little between answers: room for
		// as many as last time, not the doubling append's (20 executors
		// took room for 32, 3.3 KB of 8.7 unused).
		out = make([]execStats, 0, len(prev.execs))
	}
	// The network counters, gathered apart and kept in one exact array
	// that the rows of a sample point at: a snapshot that outlives the
	// answer (the screen's) keeps that array, not the whole answer, and
	// the sample needs no copy of its own (104 bytes an executor).
	var nets []model.NetCounters
	var netOf []int32 // the executor each of nets is of
	if prev != nil {
		nets = make([]model.NetCounters, 0, len(prev.execs))
		netOf = make([]int32, 0, len(prev.execs))
	}
	var buf []byte
	str := func(old string) (string, error) {
		b, err := s.Peek()
		if err != nil || b != '"' {
			return s.String()
		}
		raw, err := s.RawString(buf)
		buf = raw
		if err != nil {
			return "", err
		}
		if string(raw) == old {
			return old, nil
		}
		return httpapi.Unquote(raw)
	}
	err := s.EachElement(func() error {
		var e execStats
		var net model.NetCounters
		hasNet := false
		var was *execStats
		if prev != nil && len(out) < len(prev.execs) {
			was = &prev.execs[len(out)]
		} else {
			was = &execStats{}
		}
		err := s.EachMember(func(k []byte) error {
			var err error
			switch string(k) {
			case "executor_id":
				e.ExecutorID, err = str(was.ExecutorID)
			case "framework_id":
				// An agent's executors run under a few frameworks:
				// the one before's id is shared, not a copy each
				// (100,000 copies of a 40-odd byte id: 4.8 MB).
				old := was.FrameworkID
				if old == "" && len(out) > 0 {
					old = out[len(out)-1].FrameworkID
				}
				e.FrameworkID, err = str(old)
			case "container_id":
				e.ContainerID, err = str(was.ContainerID)
			case "statistics":
				err = readStats(s, &e, &net, &hasNet)
			default:
				err = s.Skip()
			}
			return err
		})
		if len(out) < maxExecutors && (e.ExecutorID != "" || e.ContainerID != "") {
			if hasNet {
				net.SpeedMbps = -1 // an agent never says it
				nets = append(nets, net)
				netOf = append(netOf, int32(len(out)))
			}
			out = append(out, e)
		}
		return err
	})
	if cap(out) > len(out) {
		exact := make([]execStats, len(out)) // kept until the next answer
		copy(exact, out)
		out = exact
	}
	if len(nets) > 0 {
		kept := make([]model.NetCounters, len(nets)) // kept until the next answer, or as long as a snapshot
		copy(kept, nets)
		for j, i := range netOf {
			out[i].net = &kept[j]
		}
	}
	return out, err
}

func readStats(s *httpapi.Stream, e *execStats, n *model.NetCounters, hasNet *bool) error {
	u := func(f float64) uint64 {
		if !(f > 0) || f >= math.MaxUint64 {
			return 0
		}
		return uint64(f)
	}
	return s.EachMember(func(k []byte) error {
		f, err := 0.0, error(nil)
		switch string(k) {
		case "timestamp", "cpus_limit", "cpus_user_time_secs", "cpus_system_time_secs", "cpus_throttled_time_secs",
			"cpus_nr_periods", "cpus_nr_throttled", "mem_rss_bytes", "mem_total_bytes", "mem_cache_bytes", "mem_file_bytes",
			"mem_limit_bytes", "net_rx_bytes", "net_tx_bytes", "net_rx_packets", "net_tx_packets", "net_rx_errors",
			"net_tx_errors", "net_rx_dropped", "net_tx_dropped":
			f, err = s.Number()
		default:
			return s.Skip()
		}
		switch string(k) {
		case "timestamp":
			e.Timestamp = f
		case "cpus_limit":
			e.CPUsLimit = f
		case "cpus_user_time_secs":
			e.UserSecs = f
		case "cpus_system_time_secs":
			e.SystemSecs = f
		case "cpus_throttled_time_secs":
			e.Throttled = f
		case "cpus_nr_periods":
			e.Periods = u(f)
		case "cpus_nr_throttled":
			e.NrThrottled = u(f)
		case "mem_rss_bytes":
			e.MemRSS = u(f)
		case "mem_total_bytes":
			e.MemTotal = u(f)
		case "mem_cache_bytes":
			e.MemCache = u(f)
		case "mem_file_bytes":
			e.MemFile = u(f)
		case "mem_limit_bytes":
			e.MemLimit = u(f)
		case "net_rx_bytes":
			*hasNet, n.RxBytes = true, u(f)
		case "net_tx_bytes":
			*hasNet, n.TxBytes = true, u(f)
		case "net_rx_packets":
			n.RxPackets = u(f)
		case "net_tx_packets":
			n.TxPackets = u(f)
		case "net_rx_errors":
			n.RxErrors = u(f)
		case "net_tx_errors":
			n.TxErrors = u(f)
		case "net_rx_dropped":
			n.RxDrops = u(f)
		case "net_tx_dropped":
			n.TxDrops = u(f)
		}
		return err
	})
}
