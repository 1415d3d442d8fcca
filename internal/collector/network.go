package collector

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/ctop-like/ctop-like/internal/collector/kernfile"
	"github.com/ctop-like/ctop-like/internal/collector/machine"
	"github.com/ctop-like/ctop-like/internal/collector/proc"
	"github.com/ctop-like/ctop-like/internal/model"
)

// netEntry is what a container's network figures are read through: its
// process's namespace (read once per pid) and that pid's net/dev, kept
// open.
type netEntry struct {
	pid  int
	ns   string
	dev  kernfile.File
	seen uint64
	// snmp and sockstat give its TCP counts (figures.go).
	snmp, sockstat kernfile.File
}

func (e *netEntry) close() {
	e.dev.Close()
	e.snmp.Close()
	e.sockstat.Close()
}

// netOf returns the traffic of the network namespace of the container
// with this key, nil in the host's namespace (that would be the node's
// traffic) or when unknown.
func (l *Local) netOf(key string, pid int) *model.NetCounters {
	e := l.nets[key]
	if e == nil || e.pid != pid {
		if e != nil {
			e.close()
		}
		e = &netEntry{pid: pid}
		l.nets[key] = e
	}
	e.seen = l.pass
	if e.ns == "" {
		var err error
		e.ns, err = os.Readlink(filepath.Join(l.cfg.ProcRoot, strconv.Itoa(pid), "ns", "net"))
		if errors.Is(err, os.ErrPermission) {
			l.netTried++
			l.netDenied++
			return nil
		}
	}
	if e.ns == "" || e.ns == l.hostNS {
		return nil
	}
	l.netTried++
	data, err := e.dev.Read(l.netBuf, 0, func() string {
		return filepath.Join(l.cfg.ProcRoot, strconv.Itoa(pid), "net", "dev")
	})
	if cap(data) > cap(l.netBuf) {
		l.netBuf = data[:0]
	}
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			l.netDenied++
		}
		return nil
	}
	ifs, err := machine.ParseNetDev(data)
	if err != nil {
		return nil
	}
	return machine.SumNetDev(ifs)
}

// hostNetNS names the initial network namespace ("net:[4026531833]").
func hostNetNS(procRoot string) (string, error) {
	host, err := os.Readlink(filepath.Join(procRoot, "1", "ns", "net"))
	if err == nil {
		return host, nil
	}
	if stat, err2 := os.ReadFile(filepath.Join(procRoot, "2", "stat")); err2 == nil {
		if p, err2 := proc.ParseStat(stat, 1); err2 == nil && p.PPID == 0 {
			if host, err2 := os.Readlink(filepath.Join(procRoot, "2", "ns", "net")); err2 == nil {
				return host, nil
			}
		}
	}
	return "", fmt.Errorf("net namespace of the host (pid 1): %w", err)
}
