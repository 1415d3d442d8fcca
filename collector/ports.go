package collector

import (
	"bytes"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ctop-like/ctop-like/model"
)

// portReader finds what each process listens on: the TCP sockets in LISTEN
// and the bound, unconnected UDP sockets of its network namespace
// (/proc/<pid>/net/{tcp,tcp6,udp,udp6}, read once per namespace per
// refresh), matched by inode against the sockets among its descriptors
// (/proc/<pid>/fd/*, "socket:[inode]").
//
// Walking every process's descriptors is the expensive part, so it is
// done once per process and kept: a process is walked again only when its
// namespace shows a listening socket that no walked process holds (a new
// listener in an old process), at most once per rescanGap, and every
// process is walked again every fullRescan, so that a socket handed from
// one process to another is seen within that time.
type portReader struct {
	procRoot string
	now      func() time.Time

	procs map[int]*portProc
	nets  map[string]*portNS // by namespace link ("net:[4026531833]")
	pass  uint64
	buf   []byte
	path  []byte
}

// portProc is what a walk of one process found.
type portProc struct {
	start   uint64   // start ticks: a reused pid is another process
	ns      string   // its network namespace link; "" when unreadable
	ok      bool     // its descriptors could be read
	inodes  []uint64 // listening sockets among its descriptors, at the walk
	walked  time.Time
	seen    uint64
}

// portNS is one network namespace's listening sockets.
type portNS struct {
	ok         bool              // its tables were read this pass
	listen     map[uint64]string // inode → "6379/tcp"
	unresolved map[uint64]bool   // held by no process at the last rescan
	rescanned  time.Time         // when its processes were last all walked
	seen       uint64
}

const (
	rescanGap  = 5 * time.Second
	fullRescan = 30 * time.Second
)

func newPortReader(procRoot string) *portReader {
	return &portReader{procRoot: procRoot, now: time.Now, procs: map[int]*portProc{}, nets: map[string]*portNS{}}
}

// fill sets Listen on every process, and on every container the union of
// its processes'. A process whose descriptors or namespace cannot be read
// keeps nil (n/a); one that listens on nothing gets an empty list.
func (r *portReader) fill(conts []model.ContainerSample, procs []model.ProcessSample) {
	r.pass++
	now := r.now()
	// Each process's namespace: known from its last walk, read for a new
	// one or one due for a walk.
	members := map[string][]int{} // ns → indexes into procs
	var due []int
	for i := range procs {
		p := &procs[i]
		if strings.HasPrefix(p.Command, "[") { // a kernel thread holds no descriptors
			continue
		}
		e := r.procs[p.PID]
		if e == nil || e.start != p.StartTicks || now.Sub(e.walked) >= walkAge(p.PID) {
			e = &portProc{start: p.StartTicks, ns: r.netns(p.PID)}
			r.procs[p.PID] = e
			due = append(due, i)
		}
		e.seen = r.pass
		if e.ns != "" {
			members[e.ns] = append(members[e.ns], i)
		}
	}
	for pid, e := range r.procs {
		if e.seen != r.pass {
			delete(r.procs, pid)
		}
	}
	// Each namespace's tables, through any of its processes.
	for ns, idx := range members {
		n := r.nets[ns]
		if n == nil {
			n = &portNS{unresolved: map[uint64]bool{}}
			r.nets[ns] = n
		}
		n.seen = r.pass
		n.ok = false
		for _, i := range idx {
			if l, ok := r.readTables(procs[i].PID); ok {
				n.listen, n.ok = l, true
				break
			}
		}
	}
	for ns, n := range r.nets {
		if n.seen != r.pass {
			delete(r.nets, ns)
		}
	}
	// Walk the new processes against this pass's tables, then walk a
	// namespace again if it shows a listener no process accounts for.
	for _, i := range due {
		e := r.procs[procs[i].PID]
		if n := r.nets[e.ns]; n != nil && n.ok {
			r.walk(procs[i].PID, e, n.listen, now)
		}
	}
	for ns, idx := range members {
		if n := r.nets[ns]; n.ok {
			r.resolve(n, idx, procs, now)
		}
	}
	// Each process's answer, then each container's.
	byContainer := map[string]int{}
	for i := range conts {
		byContainer[conts[i].ID] = i
	}
	sets := make([]map[string]bool, len(conts))
	for i := range procs {
		p := &procs[i]
		e := r.procs[p.PID]
		if e == nil || !e.ok || e.ns == "" || r.nets[e.ns] == nil || !r.nets[e.ns].ok {
			continue
		}
		n := r.nets[e.ns]
		l := []string{}
		for _, ino := range e.inodes {
			if port, ok := n.listen[ino]; ok && !slices.Contains(l, port) {
				l = append(l, port)
			}
		}
		sortPorts(l)
		p.Listen = l
		if ci, ok := byContainer[p.ContainerID]; ok && p.ContainerID != "" {
			if sets[ci] == nil {
				sets[ci] = map[string]bool{}
			}
			for _, port := range l {
				sets[ci][port] = true
			}
		}
	}
	for i, set := range sets {
		if set == nil {
			continue // no process of it was read: n/a
		}
		l := make([]string, 0, len(set))
		for port := range set {
			l = append(l, port)
		}
		sortPorts(l)
		conts[i].Listen = l
	}
}

// resolve walks a namespace's processes again when it shows a listening
// socket no walked process holds and that was not already unaccounted for
// at its last rescan (a socket held only by a process of another pid
// namespace stays so).
func (r *portReader) resolve(n *portNS, idx []int, procs []model.ProcessSample, now time.Time) {
	held := map[uint64]bool{}
	for _, i := range idx {
		for _, ino := range r.procs[procs[i].PID].inodes {
			held[ino] = true
		}
	}
	missing := false
	for ino := range n.listen {
		if !held[ino] && !n.unresolved[ino] {
			missing = true
			break
		}
	}
	if !missing || now.Sub(n.rescanned) < rescanGap {
		return
	}
	walked := 0
	for _, i := range idx {
		e := r.procs[procs[i].PID]
		if e.walked.Equal(now) {
			continue // walked in this pass already
		}
		r.walk(procs[i].PID, e, n.listen, now)
		walked++
		for _, ino := range e.inodes {
			held[ino] = true
		}
	}
	if walked > 0 {
		n.rescanned = now
	}
	clear(n.unresolved)
	for ino := range n.listen {
		if !held[ino] {
			n.unresolved[ino] = true
		}
	}
}

// walkAge is how long a walk of pid is trusted: fullRescan and up to as
// much again, spread by pid so that processes started together are not
// all walked again in one refresh.
func walkAge(pid int) time.Duration {
	return fullRescan + time.Duration(pid%16)*fullRescan/16
}

// netns names pid's network namespace: its ns/net link, or, where that
// is not ours to read (pid 1 in some sandboxes) but its tables may be,
// a namespace of its own ("pid:1").
func (r *portReader) netns(pid int) string {
	ns, err := os.Readlink(r.procRoot + "/" + strconv.Itoa(pid) + "/ns/net")
	if err != nil {
		return "pid:" + strconv.Itoa(pid)
	}
	return ns
}

// walk reads the socket inodes among pid's descriptors into e, keeping
// those that listen (in listen). A process whose descriptors cannot be
// read (gone, or not ours) is left not ok: n/a.
func (r *portReader) walk(pid int, e *portProc, listen map[uint64]string, now time.Time) {
	e.walked, e.ok, e.inodes = now, false, e.inodes[:0]
	dir := r.procRoot + "/" + strconv.Itoa(pid) + "/fd/"
	f, err := os.Open(dir)
	if err != nil {
		return
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return
	}
	if cap(r.buf) < 64 {
		r.buf = make([]byte, 64)
	}
	for _, name := range names {
		r.path = append(append(r.path[:0], dir...), name...)
		n, err := syscall.Readlink(string(r.path), r.buf[:cap(r.buf)])
		if err != nil || n <= 0 {
			continue // closed since the listing
		}
		if ino, ok := socketInode(r.buf[:n]); ok && listen[ino] != "" {
			e.inodes = append(e.inodes, ino)
		}
	}
	e.ok = true
}

// socketInode reads "socket:[12345]".
func socketInode(link []byte) (uint64, bool) {
	rest, ok := bytes.CutPrefix(link, []byte("socket:["))
	if !ok || len(rest) < 2 || rest[len(rest)-1] != ']' {
		return 0, false
	}
	v, err := strconv.ParseUint(string(rest[:len(rest)-1]), 10, 64)
	return v, err == nil
}

// readTables reads the listening sockets of pid's network namespace; ok is
// false when its TCP table cannot be read (the process is gone, or the
// namespace is not ours to read). A missing IPv6 table is no error.
func (r *portReader) readTables(pid int) (map[uint64]string, bool) {
	dir := r.procRoot + "/" + strconv.Itoa(pid) + "/net/"
	out := map[uint64]string{}
	for _, t := range [...]struct {
		file  string
		proto string
		udp   bool
	}{{"tcp", "tcp", false}, {"tcp6", "tcp", false}, {"udp", "udp", true}, {"udp6", "udp", true}} {
		data, err := r.readFile(dir + t.file)
		if err != nil {
			if t.file == "tcp" {
				return nil, false
			}
			continue
		}
		parseSockets(data, t.proto, t.udp, out)
	}
	return out, true
}

func (r *portReader) readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := r.buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil || n == 0 {
			break
		}
	}
	r.buf = buf
	return buf, nil
}

// parseSockets adds the listening sockets of one /proc/net/{tcp,udp}[6]
// table to out: TCP in LISTEN (0A), UDP unconnected (07) with a port.
// Lines it cannot read are skipped.
//
//	sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
//	 0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 126133 ...
func parseSockets(data []byte, proto string, udp bool, out map[uint64]string) {
	first := true
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		if first {
			first = false
			continue // the header
		}
		var f [10][]byte
		n := 0
		for rest := line; n < len(f); n++ {
			rest = bytes.TrimLeft(rest, " ")
			if len(rest) == 0 {
				break
			}
			end := bytes.IndexByte(rest, ' ')
			if end < 0 {
				end = len(rest)
			}
			f[n], rest = rest[:end], rest[end:]
		}
		if n < len(f) {
			continue
		}
		st := string(f[3])
		if !udp && st != "0A" || udp && st != "07" {
			continue
		}
		_, hexPort, ok := bytes.Cut(f[1], []byte{':'})
		if !ok {
			continue
		}
		port, err := strconv.ParseUint(string(hexPort), 16, 16)
		if err != nil || port == 0 {
			continue
		}
		ino, err := strconv.ParseUint(string(f[9]), 10, 64)
		if err != nil || ino == 0 {
			continue // a kernel socket: no process holds it
		}
		out[ino] = strconv.FormatUint(port, 10) + "/" + proto
	}
}

// sortPorts orders "80/tcp" before "443/tcp" before "53/udp": by protocol,
// then port number.
func sortPorts(l []string) {
	slices.SortFunc(l, func(a, b string) int {
		pa, qa, _ := strings.Cut(a, "/")
		pb, qb, _ := strings.Cut(b, "/")
		if c := strings.Compare(qa, qb); c != 0 {
			return c
		}
		na, _ := strconv.Atoi(pa)
		nb, _ := strconv.Atoi(pb)
		return na - nb
	})
}
