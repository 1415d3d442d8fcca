// Package ports finds what each process listens on, and each container
// through its processes: the listening sockets of each network namespace
// (sock_diag, else /proc/<pid>/net/{tcp,udp}[6]) matched by inode against
// the sockets among a process's descriptors.
package ports

import (
	"bytes"
	"encoding/binary"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/kernfile"
	"github.com/ctop-like/ctop-like/internal/collector/proc"
	"github.com/ctop-like/ctop-like/internal/model"
	"golang.org/x/sys/unix"
)

// Reader finds what each process listens on: the TCP sockets in LISTEN
// and the bound, unconnected UDP sockets of its network namespace
// (sock_diag, or /proc/<pid>/net/{tcp,tcp6,udp,udp6}; read again in a
// refresh where the namespace's socket counts changed, else every
// portsTTL), matched by inode against the sockets among its descriptors
// (/proc/<pid>/fd/*, "socket:[inode]").
//
// Walking every process's descriptors is the expensive part (about 90 µs
// a process on the bench machine), so it is done once per process and
// kept. When a namespace shows a listening socket that no walked process
// holds (a listener opened after its process was walked), the processes
// started in the last youngAge are walked again, those whose descriptor
// count (one stat of /proc/<pid>/fd) changed since their walk, and if
// that does not find it, every process of the namespace, at most once per
// rescanGap. (A process that closed a descriptor and opened a listener
// between two refreshes keeps its count: its listener is found by that
// rescan, within rescanGap.)
// Every process is walked again after fullRescan (spread over as much
// again), so that a socket handed from one process to another is seen
// within that time.
type Reader struct {
	procRoot string
	now      func() time.Time

	ownNS string // this process's namespace link
	// Self is this program's pid when its descriptors are not walked
	// (0: they are). ctop-like listens on nothing, and holds a descriptor
	// for each kept file: 12,600 at 500 containers and 3,000 processes,
	// whose walk cost 170-260 ms each time (the first refresh, and every
	// listener opened elsewhere while it is young).
	Self int

	procs   map[int]*portProc
	nets    map[string]*portNS // by namespace link ("net:[4026531833]")
	pass    uint64
	buf     []byte
	dents   []byte // a descriptor folder's listing
	diagBuf []byte
	held    map[uint64]bool // resolve's listeners held by walked processes
	// portNames are the "<port>/<proto>" strings of the dumps (portName).
	portNames map[uint32]string
	// byContainer and read are answer's, kept between passes.
	byContainer map[string]int
	read        []bool
	fds         *proc.FDCounter // counts of young processes, before walking them again
	counts      []int64         // the next Fill's procs' counts, from its caller (Counts)
	walks       int             // processes walked so far, for benchmarks
	dumps       int             // namespaces' tables read so far, for tests
}

// portProc is what a walk of one process found.
type portProc struct {
	start  uint64   // start ticks: a reused pid is another process
	ns     string   // its network namespace link; "" when unreadable
	ok     bool     // its descriptors could be read
	inodes []uint64 // listening sockets among its descriptors, at the walk
	fds    uint64   // descriptors the walk listed
	walked time.Time
	seen   uint64
}

// portNS is one network namespace's listening sockets.
type portNS struct {
	diag       int               // its sock_diag socket; -1 when none could be made
	ok         bool              // its tables were read this pass
	listen     map[uint64]string // inode → "6379/tcp"
	unresolved map[uint64]bool   // held by no process at the last rescan
	tried      map[uint64]bool   // held by no young process when last looked for
	rescanned  time.Time         // when its processes were last all walked
	seen       uint64

	// The listening tables are asked for again only when the namespace's
	// socket counts changed (or after portsTTL): the kernel answers a
	// dump by walking its whole TCP listening and UDP hash tables, every
	// namespace's, which made the dumps 16% of a refresh's CPU with 50
	// Docker containers (udp_dump and tcp_diag_dump in perf), against two
	// preads of /proc/<pid>/net/sockstat{,6}.
	stat    [2]kernfile.File // its sockstat and sockstat6, kept open
	counts  sockCounts       // as read before the last dump
	dumped  time.Time        // when its tables were last read
	tables  bool             // n.listen came from a dump or the /proc tables
	counted bool             // counts were read for the last dump
}

// sockCounts are a namespace's hashed TCP and UDP sockets (sockstat's TCP
// and UDP "inuse", sockstat6's TCP6 and UDP6). Opening or closing a
// listener changes one of them: listen() hashes the socket (inuse + 1),
// bind() of a UDP socket too, close unhashes it. ("sockets: used" is no
// use: it counts every socket made in the namespace, netlink ones too,
// which other monitors make and close there all the time.)
type sockCounts [4]uint64

// portsTTL bounds how long a namespace's listening sockets are trusted
// without a dump while its counts stay the same: a listener closed and
// another opened in the same refresh interval (or a bound UDP socket
// that connects) leaves them unchanged. Each namespace's is spread over
// up to as much again (nsTTL), so that namespaces first seen together are
// not all dumped again in one refresh.
const portsTTL = 5 * time.Second

// nsTTL is portsTTL and a share of it by the namespace's name.
func nsTTL(ns string) time.Duration {
	h := 0
	for i := 0; i < len(ns); i++ {
		h = h*31 + int(ns[i])
	}
	return portsTTL + time.Duration(h&7)*portsTTL/8
}

const (
	youngAge   = 2 * time.Minute
	rescanGap  = 30 * time.Second
	fullRescan = 2 * time.Minute
)

// NewReader returns a reader of the processes under procRoot ("/proc",
// or a host's proc mounted elsewhere).
func NewReader(procRoot string) *Reader {
	own, _ := os.Readlink("/proc/self/ns/net")
	return &Reader{procRoot: procRoot, now: time.Now, ownNS: own, procs: map[int]*portProc{}, nets: map[string]*portNS{}, fds: proc.NewFDCounter(procRoot)}
}

// Close releases the namespaces' netlink sockets and kept files.
func (r *Reader) Close() {
	for ns, n := range r.nets {
		n.closeAll()
		delete(r.nets, ns)
	}
}

func (n *portNS) closeAll() {
	n.closeDiag()
	n.stat[0].Close()
	n.stat[1].Close()
}

func (n *portNS) closeDiag() {
	if n.diag >= 0 {
		syscall.Close(n.diag)
		n.diag = -1
	}
}

// listening reads the namespace's listening sockets through pid, one of
// its processes: by netlink when it answers, else from pid's /proc tables.
func (r *Reader) listening(ns string, n *portNS, pid int) (map[uint64]string, bool) {
	r.openDiag(ns, n, pid)
	if n.diag >= 0 {
		if r.portNames == nil {
			r.portNames = map[uint32]string{}
		}
		// The last answer's map is filled again: nothing else holds it
		// (walk and listenOf read it within a pass, under n.ok, which a
		// failed dump leaves false).
		l, buf, ok := diagListen(n.diag, r.diagBuf, r.portNames, n.listen)
		r.diagBuf = buf
		if ok {
			return l, true
		}
		n.closeDiag()
	}
	return r.readTables(pid)
}

// openDiag makes the namespace's sock_diag socket through pid, once.
func (r *Reader) openDiag(ns string, n *portNS, pid int) {
	if n.diag == -2 { // not tried yet
		n.diag = diagSocket(r.procRoot, pid, ns == r.ownNS && r.procRoot == "/proc")
	}
}

// Counts hands the next Fill the descriptor counts its caller read in the
// same pass: counts[i] is that of Fill's procs[i], -1 where not read. The
// young walk takes them for the stat of /proc/<pid>/fd it would make
// (the collector already counts every containerised process's
// descriptors each pass: 12,000 at the bench's 2,000 containers).
func (r *Reader) Counts(counts []int64) { r.counts = counts }

// fdCount is procs[i]'s descriptor count: handed by Counts, else one
// stat where that gives it.
func (r *Reader) fdCount(i, pid int) (uint64, bool) {
	if i < len(r.counts) && r.counts[i] >= 0 {
		return uint64(r.counts[i]), true
	}
	return r.fds.Quick(pid)
}

// Fill sets Listen on every process, and on every container the union of
// its processes'. A process whose descriptors or namespace cannot be read
// keeps nil (n/a); one that listens on nothing gets an empty list.
//
// Its phases: each process's namespace; each namespace's listening
// sockets; the walks of the processes due and of namespaces with a
// listener nobody holds; then each process's and container's answer.
func (r *Reader) Fill(conts []model.ContainerSample, procs []model.ProcessSample) {
	r.pass++
	now := r.now()
	members, due := r.namespaces(procs, now)
	r.readNamespaces(members, procs, now)
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
	r.answer(conts, procs)
	r.counts = nil
}

// namespaces finds each process's namespace: known from its last walk, or
// read for a new process or one due for a walk (those are due). It
// forgets the processes gone since the last pass, and returns each
// namespace's processes as indexes into procs.
func (r *Reader) namespaces(procs []model.ProcessSample, now time.Time) (members map[string][]int, due []int) {
	members = map[string][]int{} // ns → indexes into procs
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
	return members, due
}

// readNamespaces gets each namespace's listening sockets through any of
// its processes (or keeps the last ones while its socket counts stay the
// same), and closes the namespaces no process is in any more.
func (r *Reader) readNamespaces(members map[string][]int, procs []model.ProcessSample, now time.Time) {
	for ns, idx := range members {
		n := r.nets[ns]
		if n == nil {
			n = &portNS{diag: -2, unresolved: map[uint64]bool{}, tried: map[uint64]bool{}}
			r.nets[ns] = n
		}
		n.seen = r.pass
		n.ok = false
		for _, i := range idx {
			if r.readNamespace(ns, n, procs[i].PID, now) {
				break
			}
		}
		if !n.ok {
			n.tables = false
		}
	}
	for ns, n := range r.nets {
		if n.seen != r.pass {
			n.closeAll()
			delete(r.nets, ns)
		}
	}
}

// readNamespace tries one process of the namespace: true when its tables
// are known for this pass, either unchanged since the last dump or read
// again through pid.
func (r *Reader) readNamespace(ns string, n *portNS, pid int, now time.Time) bool {
	counts, counted := r.sockCounts(n, pid)
	if counted && n.tables && n.counted && counts == n.counts && now.Sub(n.dumped) < nsTTL(ns) && !now.Before(n.dumped) {
		n.ok = true // nothing opened or closed: the last tables hold
		return true
	}
	if l, ok := r.listening(ns, n, pid); ok {
		n.listen, n.ok = l, true
		n.tables, n.dumped = true, now
		n.counts, n.counted = counts, counted
		r.dumps++
		return true
	}
	return false
}

// answer sets each process's Listen from its walk and its namespace's
// tables, and each container's as the union of its processes'. Only a
// container whose processes listen gets a set and a list of its own:
// with a set for every container read it was one allocation per
// container and refresh (500 of a pass's 1,550 at 500 containers), for
// containers that mostly listen on nothing.
func (r *Reader) answer(conts []model.ContainerSample, procs []model.ProcessSample) {
	if r.byContainer == nil {
		r.byContainer = make(map[string]int, len(conts))
	}
	byContainer := r.byContainer
	clear(byContainer)
	for i := range conts {
		byContainer[conts[i].ID] = i
	}
	read := slices.Grow(r.read[:0], len(conts))[:len(conts)]
	clear(read)
	r.read = read
	var sets map[int]map[string]bool // by index into conts
	for i := range procs {
		p := &procs[i]
		l, ok := r.listenOf(p.PID)
		if !ok {
			continue
		}
		p.Listen = l
		ci, ok := byContainer[p.ContainerID]
		if !ok || p.ContainerID == "" {
			continue
		}
		read[ci] = true
		if len(l) == 0 {
			continue
		}
		if sets == nil {
			sets = map[int]map[string]bool{}
		}
		set := sets[ci]
		if set == nil {
			set = map[string]bool{}
			sets[ci] = set
		}
		for _, port := range l {
			set[port] = true
		}
	}
	for ci, ok := range read {
		if !ok {
			continue // no process of it was read: n/a
		}
		set := sets[ci]
		if len(set) == 0 {
			conts[ci].Listen = []string{} // read, listens on nothing
			continue
		}
		l := make([]string, 0, len(set))
		for port := range set {
			l = append(l, port)
		}
		sortPorts(l)
		conts[ci].Listen = l
	}
}

// listenOf is what a process listens on, sorted; ok is false when its
// descriptors or its namespace's tables could not be read (n/a).
func (r *Reader) listenOf(pid int) (l []string, ok bool) {
	e := r.procs[pid]
	if e == nil || !e.ok || e.ns == "" || r.nets[e.ns] == nil || !r.nets[e.ns].ok {
		return nil, false
	}
	n := r.nets[e.ns]
	l = []string{}
	for _, ino := range e.inodes {
		if port, ok := n.listen[ino]; ok && !slices.Contains(l, port) {
			l = append(l, port)
		}
	}
	sortPorts(l)
	return l, true
}

// resolve walks a namespace's processes again when it shows a listening
// socket no walked process holds and that was not already unaccounted for
// at its last rescan (a socket held only by a process of another pid
// namespace stays so).
func (r *Reader) resolve(n *portNS, idx []int, procs []model.ProcessSample, now time.Time) {
	// One set for every namespace and pass: made afresh it was the
	// collector's largest allocation per pass (0.5 MB at 500 containers).
	if r.held == nil {
		r.held = map[uint64]bool{}
	}
	held := r.held
	clear(held)
	for _, i := range idx {
		for _, ino := range r.procs[procs[i].PID].inodes {
			held[ino] = true
		}
	}
	// Listeners nobody accounts for: first look among the young
	// processes (once per listener), then, at most once per rescanGap,
	// among all.
	var fresh, stray bool
	for ino := range n.listen {
		if !held[ino] && !n.unresolved[ino] {
			stray = true
			fresh = fresh || !n.tried[ino]
		}
	}
	if !stray {
		clear(n.tried)
		return
	}
	walk := func(young bool) {
		for _, i := range idx {
			p := &procs[i]
			e := r.procs[p.PID]
			if e.walked.Equal(now) || young && now.Sub(p.StartTime) > youngAge {
				continue // walked in this pass already, or not young
			}
			if young && e.ok {
				// No descriptor opened or closed since the walk: no new
				// listener. At the bench's 2,000 containers this is a
				// stat for each of 12,000 young sleepers where each was
				// walked (an open, a listing, a readlink per descriptor,
				// a close).
				if n, ok := r.fdCount(i, p.PID); ok && n == e.fds {
					continue
				}
			}
			r.walk(p.PID, e, n.listen, now)
			for _, ino := range e.inodes {
				held[ino] = true
			}
		}
	}
	if fresh {
		walk(true) // a server binds shortly after it starts
		stray = false
		for ino := range n.listen {
			if !held[ino] && !n.unresolved[ino] {
				n.tried[ino] = true
				stray = true
			}
		}
	}
	if !stray || now.Sub(n.rescanned) < rescanGap {
		return
	}
	walk(false)
	n.rescanned = now
	clear(n.tried)
	clear(n.unresolved)
	for ino := range n.listen {
		if !held[ino] {
			n.unresolved[ino] = true
		}
	}
}

// sockCounts reads the namespace's socket counts through pid, one of its
// processes (the files stay bound to the namespace once open); ok is false
// when they cannot be read, and the tables are then read every refresh.
func (r *Reader) sockCounts(n *portNS, pid int) (c sockCounts, ok bool) {
	for f, name := range [...]string{"sockstat", "sockstat6"} {
		data, err := n.stat[f].Read(r.buf, 0, func() string {
			return r.procRoot + "/" + strconv.Itoa(pid) + "/net/" + name
		})
		if cap(data) > cap(r.buf) {
			r.buf = data[:0]
		}
		if err != nil {
			if f == 1 {
				continue // no IPv6
			}
			return c, false
		}
		// TCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1
		// UDP: inuse 1 mem 0
		// (sockstat6: TCP6: inuse 1 / UDP6: inuse 0 ...)
		for line := range bytes.SplitSeq(data, []byte{'\n'}) {
			key, rest, _ := bytes.Cut(line, []byte(": "))
			slot := -1
			switch string(key) {
			case "TCP":
				slot = 0
			case "UDP":
				slot = 1
			case "TCP6":
				slot = 2
			case "UDP6":
				slot = 3
			}
			if slot < 0 {
				continue
			}
			// "inuse N ...", read in place.
			_, num, _ := bytes.Cut(rest, []byte{' '})
			num, _, _ = bytes.Cut(num, []byte{' '})
			c[slot], _ = kernfile.ParseUint(num)
		}
	}
	return c, true
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
func (r *Reader) netns(pid int) string {
	ns, err := os.Readlink(r.procRoot + "/" + strconv.Itoa(pid) + "/ns/net")
	if err == nil {
		return ns
	}
	if pid == 1 { // the host's init: kthreadd's namespace, as hostNetNS does
		if ns, err := os.Readlink(r.procRoot + "/2/ns/net"); err == nil {
			return ns
		}
	}
	return "pid:" + strconv.Itoa(pid)
}

// walk reads the socket inodes among pid's descriptors into e, keeping
// those that listen (in listen). A process whose descriptors cannot be
// read (gone, or not ours) is left not ok: n/a. The folder is listed with
// getdents into a kept buffer and each link read relative to it: no
// os.File, no name strings, no path walk through /proc.
func (r *Reader) walk(pid int, e *portProc, listen map[uint64]string, now time.Time) {
	e.walked, e.ok, e.inodes, e.fds = now, false, e.inodes[:0], 0
	if pid == r.Self {
		e.ok = true // it listens on nothing
		return
	}
	r.walks++
	dir, err := unix.Open(r.procRoot+"/"+strconv.Itoa(pid)+"/fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(dir)
	if cap(r.buf) < 64 {
		r.buf = make([]byte, 64)
	}
	if r.dents == nil {
		r.dents = make([]byte, 16<<10)
	}
	for {
		n, err := unix.Getdents(dir, r.dents)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return
		}
		if n <= 0 {
			break
		}
		// struct linux_dirent64: ino u64, off s64, reclen u16, type u8,
		// then the NUL-terminated name: a descriptor's number.
		for b := r.dents[:n]; len(b) >= 19; {
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				break
			}
			name := b[19:reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			b = b[reclen:]
			if len(name) == 0 || name[0] < '0' || name[0] > '9' {
				continue // "." and ".."
			}
			e.fds++
			l, err := unix.Readlinkat(dir, string(name), r.buf[:cap(r.buf)])
			if err != nil || l <= 0 {
				continue // closed since the listing
			}
			if ino, ok := socketInode(r.buf[:l]); ok && listen[ino] != "" {
				e.inodes = append(e.inodes, ino)
			}
		}
		if n < len(r.dents)-64 {
			// Room was left for another entry (a descriptor's is at most
			// 40 bytes): the listing is complete, no need for the call
			// that answers 0.
			break
		}
	}
	if r.procRoot == "/proc" && pid == os.Getpid() && e.fds > 0 {
		e.fds-- // the listing showed dir, which a stat later will not count
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
func (r *Reader) readTables(pid int) (map[uint64]string, bool) {
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

func (r *Reader) readFile(path string) ([]byte, error) {
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

// Sort orders ports as every list of them is shown: "80/tcp" before
// "443/tcp" before "53/udp".
func Sort(l []string) { sortPorts(l) }

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

// The listening sockets of a namespace come from the kernel's sock_diag
// netlink interface when it answers: asked for TCP sockets in LISTEN and
// unconnected UDP sockets only, the kernel walks its listening tables
// instead of every socket of the node, which is what reading
// /proc/<pid>/net/tcp costs (2.3 ms of CPU per read of the TCP table on
// the bench machine, once per namespace and family). A netlink socket
// belongs to the namespace it was made in, so each namespace's socket is
// made once (entering the namespace on a thread of its own) and kept.

const (
	sockDiagByFamily = 20 // SOCK_DIAG_BY_FAMILY
	tcpListen        = 10 // TCP_LISTEN
	tcpClose         = 7  // TCP_CLOSE: an unconnected UDP socket
)

// diagSocket opens a sock_diag netlink socket in the namespace of pid
// (in this process's own when own is true); -1 when it cannot.
func diagSocket(procRoot string, pid int, own bool) int {
	if own {
		fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, syscall.NETLINK_INET_DIAG)
		if err != nil {
			return -1
		}
		return fd
	}
	ns, err := os.Open(procRoot + "/" + strconv.Itoa(pid) + "/ns/net")
	if err != nil {
		return -1
	}
	defer ns.Close()
	done := make(chan int)
	go func() {
		// This thread enters the namespace and is never used again: a
		// goroutine that ends locked ends its thread with it.
		runtime.LockOSThread()
		if unix.Gettid() == unix.Getpid() {
			// Never the main thread: its namespace is the one
			// /proc/<pid>/ns shows for the whole process, and Go keeps
			// that thread when its goroutine ends locked. While this
			// goroutine holds it, another one runs on some other thread.
			done <- diagSocket(procRoot, pid, own)
			runtime.UnlockOSThread()
			return
		}
		if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
			done <- -1
			return
		}
		fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, syscall.NETLINK_INET_DIAG)
		if err != nil {
			fd = -1
		}
		done <- fd
	}()
	return <-done
}

// diagListen asks the kernel through fd for the listening sockets of its
// namespace: TCP in LISTEN and unconnected UDP with a port, both families.
// ok is false when the kernel did not answer (the caller falls back to
// the /proc tables).
//
// names holds the "<port>/<proto>" strings already made, by port and
// protocol, and out is the namespace's last answer, cleared and filled
// again (nil: a new map): a namespace is dumped again whenever its socket
// counts change, every refresh on a busy node, and a string and a map per
// listener were most of the collector's allocations where the host held
// 10,006 listening sockets (0.9 MB per dump). On failure out is left
// part filled.
func diagListen(fd int, buf []byte, names map[uint32]string, out map[uint64]string) (map[uint64]string, []byte, bool) {
	if out == nil {
		out = map[uint64]string{}
	}
	clear(out)
	for _, q := range [...]struct {
		family uint8
		proto  uint8
		states uint32
		name   string
	}{
		{syscall.AF_INET, syscall.IPPROTO_TCP, 1 << tcpListen, "tcp"},
		{syscall.AF_INET6, syscall.IPPROTO_TCP, 1 << tcpListen, "tcp"},
		{syscall.AF_INET, syscall.IPPROTO_UDP, 1 << tcpClose, "udp"},
		{syscall.AF_INET6, syscall.IPPROTO_UDP, 1 << tcpClose, "udp"},
	} {
		var req [16 + 56]byte
		binary.NativeEndian.PutUint32(req[0:], uint32(len(req)))
		binary.NativeEndian.PutUint16(req[4:], sockDiagByFamily)
		binary.NativeEndian.PutUint16(req[6:], syscall.NLM_F_REQUEST|syscall.NLM_F_DUMP)
		binary.NativeEndian.PutUint32(req[8:], 1)
		req[16], req[17] = q.family, q.proto
		binary.NativeEndian.PutUint32(req[20:], q.states)
		if err := syscall.Sendto(fd, req[:], 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
			return nil, buf, false
		}
		var ok bool
		if buf, ok = diagRead(fd, buf, q.name, out, names); !ok {
			if q.family == syscall.AF_INET6 {
				continue // IPv6 may be off
			}
			return nil, buf, false
		}
	}
	return out, buf, true
}

// maxPortNames bounds the strings portName keeps: every port of both
// protocols would be 131,072.
const maxPortNames = 8192

// portName is "<port>/<proto>", made once per port and protocol.
func portName(names map[uint32]string, port uint16, proto string) string {
	key := uint32(port) << 1
	if proto == "udp" {
		key |= 1
	}
	if name, ok := names[key]; ok {
		return name
	}
	name := strconv.Itoa(int(port)) + "/" + proto
	if len(names) < maxPortNames {
		names[key] = name
	}
	return name
}

// diagRead reads one dump's answer into out.
func diagRead(fd int, buf []byte, proto string, out map[uint64]string, names map[uint32]string) ([]byte, bool) {
	if len(buf) < 32<<10 {
		buf = make([]byte, 32<<10)
	}
	for {
		n, _, err := syscall.Recvfrom(fd, buf, 0)
		if err != nil {
			if err == syscall.EINTR {
				continue
			}
			return buf, false
		}
		msgs := buf[:n]
		for len(msgs) >= 16 {
			l := int(binary.NativeEndian.Uint32(msgs[0:]))
			typ := binary.NativeEndian.Uint16(msgs[4:])
			if l < 16 || l > len(msgs) {
				return buf, false
			}
			switch typ {
			case syscall.NLMSG_DONE:
				return buf, true
			case syscall.NLMSG_ERROR:
				return buf, false
			}
			// inet_diag_msg: family, state, timer, retrans, then the
			// socket id (sport and dport big-endian first), expires,
			// rqueue, wqueue, uid, inode.
			if m := msgs[16:l]; len(m) >= 72 {
				port := binary.BigEndian.Uint16(m[4:])
				ino := uint64(binary.NativeEndian.Uint32(m[68:]))
				if port != 0 && ino != 0 {
					out[ino] = portName(names, port, proto)
				}
			}
			msgs = msgs[(l+3)&^3:]
		}
	}
}
