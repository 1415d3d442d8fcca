package proc

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/ctop-like/ctop-like/internal/collector/kernfile"
)

// TCPStates are a network namespace's TCP connections as its own
// counters give them, without walking its socket table.
type TCPStates struct {
	// Established is RFC 1213's tcpCurrEstab (/proc/<pid>/net/snmp):
	// connections in ESTABLISHED, and since Linux 6.10 in CLOSE-WAIT too.
	Established uint64
	// TimeWait is sockstat's "tw": the namespace's TIME-WAIT sockets.
	TimeWait uint64
}

// ParseTCPStates reads /proc/<pid>/net/snmp's Tcp CurrEstab and
// /proc/<pid>/net/sockstat's TCP tw; ok is false unless both are there.
func ParseTCPStates(snmp, sockstat []byte) (s TCPStates, ok bool) {
	est, okE := snmpTCP(snmp, "CurrEstab")
	tw, okT := sockstatTCP(sockstat, "tw")
	return TCPStates{Established: est, TimeWait: tw}, okE && okT
}

// snmpTCP finds a field of the "Tcp:" header line and its value line.
func snmpTCP(data []byte, field string) (uint64, bool) {
	var header []byte
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		rest, ok := bytes.CutPrefix(line, []byte("Tcp:"))
		if !ok {
			continue
		}
		if header == nil {
			header = rest
			continue
		}
		names, values := bytes.Fields(header), bytes.Fields(rest)
		if len(names) != len(values) {
			return 0, false
		}
		for i, n := range names {
			if string(n) == field {
				// CurrEstab is a gauge the kernel prints signed.
				v, err := strconv.ParseInt(string(values[i]), 10, 64)
				if err != nil || v < 0 {
					return 0, false
				}
				return uint64(v), true
			}
		}
		return 0, false
	}
	return 0, false
}

// sockstatTCP finds a key of sockstat's "TCP: inuse 3 orphan 0 tw 1 …".
func sockstatTCP(data []byte, key string) (uint64, bool) {
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		rest, ok := bytes.CutPrefix(line, []byte("TCP:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		for i := 0; i+1 < len(f); i += 2 {
			if string(f[i]) == key {
				return kernfile.ParseUint(f[i+1])
			}
		}
		return 0, false
	}
	return 0, false
}

// FDCounter counts a process's open descriptors. Since Linux 6.2 the
// size of /proc/<pid>/fd is that count, one stat; before, the folder is
// listed. The stat is made on a path kept in the counter's own buffer:
// with filepath.Join, strconv and unix.Stat's C string it was three
// allocations per containerised process and refresh, about half of a
// collector pass's allocations at 500 containers.
// A counter is used by one goroutine at a time.
type FDCounter struct {
	procRoot string
	sized    int8   // 0: not known yet, 1: stat gives the count, -1: it does not
	path     []byte // "<procRoot>/<pid>/fd\x00", made again for each pid
}

// NewFDCounter counts the descriptors of the processes under procRoot.
func NewFDCounter(procRoot string) *FDCounter { return &FDCounter{procRoot: procRoot} }

// Count returns how many descriptors the process pid has open.
func (c *FDCounter) Count(pid int) (uint64, error) {
	c.checkSized()
	if c.sized > 0 {
		n, err := c.stat(pid)
		if err != nil {
			dir := filepath.Join(c.procRoot, strconv.Itoa(pid), "fd")
			return 0, &os.PathError{Op: "stat", Path: dir, Err: err}
		}
		return n, nil
	}
	dir := filepath.Join(c.procRoot, strconv.Itoa(pid), "fd")
	d, err := os.Open(dir)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	return uint64(len(names)), err
}

// checkSized finds out, once, whether one stat gives a count.
func (c *FDCounter) checkSized() {
	if c.sized == 0 {
		// This process has descriptors open: a size of 0 says the
		// kernel does not count them in it.
		var st unix.Stat_t
		c.sized = -1
		if unix.Stat(filepath.Join(c.procRoot, "self", "fd"), &st) == nil && st.Size > 0 {
			c.sized = 1
		}
	}
}

// stat is the size of /proc/<pid>/fd: one stat, no allocation.
func (c *FDCounter) stat(pid int) (uint64, error) {
	c.path = append(c.path[:0], c.procRoot...)
	c.path = append(c.path, '/')
	c.path = strconv.AppendInt(c.path, int64(pid), 10)
	c.path = append(c.path, "/fd\x00"...)
	var st unix.Stat_t
	if err := statPath(c.path, &st); err != nil {
		return 0, err
	}
	return uint64(st.Size), nil
}

// Quick returns the process's descriptor count when one stat gives it
// (Linux 6.2 on); ok is false where only a listing would, or the stat
// failed. It never lists the folder.
func (c *FDCounter) Quick(pid int) (n uint64, ok bool) {
	c.checkSized()
	if c.sized < 0 {
		return 0, false
	}
	n, err := c.stat(pid)
	return n, err == nil
}

// statPath is stat(2) of a NUL-terminated path, following links as
// unix.Stat does, without making a C string of a Go one.
func statPath(path []byte, st *unix.Stat_t) error {
	cwd := unix.AT_FDCWD // a variable: -100 as a uintptr argument
	for {
		_, _, errno := unix.Syscall6(unix.SYS_NEWFSTATAT, uintptr(cwd),
			uintptr(unsafe.Pointer(&path[0])), uintptr(unsafe.Pointer(st)), 0, 0, 0)
		switch errno {
		case 0:
			return nil
		case unix.EINTR:
			continue
		}
		return errno
	}
}
