package collector

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/diskusage"
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
	counts := slices.Grow(l.figs.fdCounts[:0], len(procs))[:len(procs)]
	for i := range counts {
		counts[i] = -1
	}
	l.figs.fdCounts = counts
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
		counts[i] = int64(n)
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
	fds *proc.FDCounter
	// fdCounts is fillFDs' count of each process of the pass (-1 where
	// none), which the ports reader takes for stats of its own.
	fdCounts         []int64
	snmpBuf, sockBuf []byte
	disk             *diskusage.Sizer
	layers           map[string]layer // by container key
	hostMnt          string           // the host's mount namespace, once read
}

// layer is a container's writable layer, as its pid's mountinfo said.
type layer struct {
	pid  int
	dir  string
	seen uint64
}

// diskOf gives the container c its writable layer's size as last
// measured in the background (diskusage.Sizer): the refresh reads a
// number, never walks. Its pid's mountinfo is read once.
func (l *Local) diskOf(c *model.ContainerSample) {
	if l.figs.disk == nil || c.PID <= 0 {
		return
	}
	key := c.Key()
	ly, ok := l.figs.layers[key]
	if !ok || ly.pid != c.PID {
		ly = layer{pid: c.PID}
		// A process in the host's mount namespace (a Mesos task without
		// an image, a raw cgroup) has the node's root, not a layer.
		pidDir := filepath.Join(l.cfg.ProcRoot, strconv.Itoa(c.PID))
		if l.figs.hostMnt == "" {
			l.figs.hostMnt, _ = os.Readlink(filepath.Join(l.cfg.ProcRoot, "1", "ns", "mnt"))
		}
		if mnt, err := os.Readlink(filepath.Join(pidDir, "ns", "mnt")); err == nil && mnt != l.figs.hostMnt {
			if b, err := os.ReadFile(filepath.Join(pidDir, "mountinfo")); err == nil {
				ly.dir = diskusage.UpperDir(b)
			}
		}
	}
	ly.seen = l.pass
	l.figs.layers[key] = ly
	if ly.dir == "" {
		return
	}
	if n, ok := l.figs.disk.Size(ly.dir); ok {
		fig := c.MoreFigures()
		fig.DiskBytes = n
		fig.Known |= model.KnownDisk
	}
}

// forgetLayers drops the layers of containers this pass did not list.
func (l *Local) forgetLayers() {
	for k, ly := range l.figs.layers {
		if ly.seen != l.pass {
			delete(l.figs.layers, k)
		}
	}
	if l.figs.disk != nil {
		l.figs.disk.Forget(time.Now().Add(-5 * time.Minute))
	}
}
