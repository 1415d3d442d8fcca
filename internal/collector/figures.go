package collector

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/ctop-like/ctop-like/internal/collector/proc"
	"github.com/ctop-like/ctop-like/internal/model"
)

// tcpOf fills the TCP connection counts of the container c, whose own
// network namespace netOf just read through its entry: two small counter
// files, kept open, rather than its socket table. Containers that share
// a namespace (a pod) show the same counts.
func (l *Local) tcpOf(c *model.ContainerSample) {
	e := l.nets[c.Key()]
	if e == nil {
		return
	}
	base := filepath.Join(l.cfg.ProcRoot, strconv.Itoa(e.pid), "net")
	snmp, err := e.snmp.Read(l.figs.snmpBuf, 0, func() string { return filepath.Join(base, "snmp") })
	l.figs.snmpBuf = snmp[:0]
	if err != nil {
		return
	}
	sockstat, err := e.sockstat.Read(l.figs.sockBuf, 0, func() string { return filepath.Join(base, "sockstat") })
	l.figs.sockBuf = sockstat[:0]
	if err != nil {
		return
	}
	st, ok := proc.ParseTCPStates(snmp, sockstat)
	if !ok {
		return
	}
	fig := c.MoreFigures()
	fig.TCPEstablished, fig.TCPTimeWait = st.Established, st.TimeWait
	fig.Known |= model.KnownTCP
}

// fillFDs sums the open descriptors of each listed container's processes
// (attribute gave them their container). A container with a process whose
// count is not ours to read (another user's, as non-root) has n/a rather
// than a part; one that exited meanwhile counts nothing.
func (l *Local) fillFDs(conts []model.ContainerSample, procs []model.ProcessSample) {
	idx := make(map[string]int, len(conts))
	for i := range conts {
		if conts[i].State != "running" && conts[i].State != "paused" {
			continue
		}
		idx[conts[i].Key()] = i
	}
	sum := make([]uint64, len(conts))
	denied := make([]bool, len(conts))
	seen := make([]bool, len(conts))
	for i := range procs {
		ci, ok := idx[procs[i].ContainerKey]
		if !ok || procs[i].ContainerKey == "" {
			continue
		}
		n, err := l.figs.fds.Count(procs[i].PID)
		if err != nil {
			if !gone(err) {
				denied[ci] = true
			}
			continue
		}
		sum[ci] += n
		seen[ci] = true
	}
	for ci := range conts {
		if seen[ci] && !denied[ci] {
			fig := conts[ci].MoreFigures()
			fig.FDs = sum[ci]
			fig.Known |= model.KnownFDs
		}
	}
}

// gone says whether err is a process that exited while it was read.
func gone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH)
}

// localFigures is what Local keeps for the figures of this file.
type localFigures struct {
	fds              *proc.FDCounter
	snmpBuf, sockBuf []byte
}
