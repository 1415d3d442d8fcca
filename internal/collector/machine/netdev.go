package machine

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/ctop-like/ctop-like/internal/model"
)

// ParseNetDev parses a /proc/<pid>/net/dev file (the node's, or a
// container's namespace's): two header lines, then one line per interface
// ("  eth0: rx_bytes rx_packets ... tx_bytes ..."). The name is everything
// before the colon: long names ("docker0:123") have no space after it.
// SpeedMbps is -1 and OperState empty: only sysfs knows them.
func ParseNetDev(data []byte) ([]model.NetCounters, error) {
	var out []model.NetCounters
	lineNo := 0
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		lineNo++
		if lineNo <= 2 || len(bytes.TrimSpace(line)) == 0 {
			continue // headers
		}
		name, rest, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			return out, fmt.Errorf("net/dev line %d: no colon in %q", lineNo, line)
		}
		var f [16]uint64
		n := 0
		for _, field := range bytes.Fields(rest) {
			if n == len(f) {
				break
			}
			v, err := strconv.ParseUint(string(field), 10, 64)
			if err != nil {
				return out, fmt.Errorf("net/dev line %d field %d: %w", lineNo, n+1, err)
			}
			f[n] = v
			n++
		}
		if n < len(f) {
			return out, fmt.Errorf("net/dev line %d: %d counters, want 16", lineNo, n)
		}
		out = append(out, model.NetCounters{
			Name:    string(bytes.TrimSpace(name)),
			RxBytes: f[0], RxPackets: f[1], RxErrors: f[2], RxDrops: f[3],
			TxBytes: f[8], TxPackets: f[9], TxErrors: f[10], TxDrops: f[11],
			SpeedMbps: -1,
		})
	}
	if lineNo < 2 {
		return nil, errors.New("net/dev: missing header")
	}
	return out, nil
}

// SumNetDev adds every interface but the loopback, which carries no traffic
// that leaves the container.
func SumNetDev(ifs []model.NetCounters) *model.NetCounters {
	sum := &model.NetCounters{Name: "all", SpeedMbps: -1}
	for _, c := range ifs {
		if c.Name == "lo" {
			continue
		}
		sum.RxBytes += c.RxBytes
		sum.TxBytes += c.TxBytes
		sum.RxPackets += c.RxPackets
		sum.TxPackets += c.TxPackets
		sum.RxErrors += c.RxErrors
		sum.TxErrors += c.TxErrors
		sum.RxDrops += c.RxDrops
		sum.TxDrops += c.TxDrops
	}
	return sum
}
