// Package proc reads every process of a proc root, one pass per refresh:
// what changes (stat, io) through descriptors kept open, what lives as
// long as the process (command line, user, cgroup) once.
package proc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/ctop-like/ctop-like/internal/collector/cgroups"
	"github.com/ctop-like/ctop-like/internal/collector/kernfile"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/redact"
	"github.com/ctop-like/ctop-like/internal/termtext"
)

// maxCommand caps ProcessSample.Command: a 100 kB command line (a JVM's
// class path) is useless on a screen and costly in every snapshot.
const maxCommand = 4096

// Reader reads every process under a proc root, one pass per Read. It
// caches what does not change in a process's life (command line, user,
// cgroup, container) so that a pass costs one or two small reads per
// process. A Reader is safe for concurrent use, but passes serialise.
type Reader struct {
	procRoot   string
	clockTicks float64
	bootTime   time.Time
	pageSize   uint64

	mu    sync.Mutex
	buf   []byte
	cache map[int]*procStatic
	pass  uint64
	users map[int]string
	dir   kernfile.Dir // the proc root, listed again each pass
	pids  []kernfile.PID
	nsize int // processes in the last pass: the next pass's guess

	// cgroups holds one copy of each cached process's cgroup path, which
	// the processes of a container share (six a container at the bench's
	// 2,000: 10,000 copies of 80 bytes were 0.8 MB); rebuilt from the
	// cache when it grows past cgroupsMax.
	cgroups    map[string]string
	cgroupsMax int

	ioDenied int // processes of the last pass whose io was not ours to read
	// skipIO: passes leave /proc/<pid>/io unread (HasIO false) and
	// release its kept descriptors (SkipIO).
	skipIO bool
	// skipFigures: passes read no /proc/<pid>/stat of a process they
	// know (SkipFigures).
	skipFigures bool
}

// procStatic is what a process keeps from exec to exit.
type procStatic struct {
	startTicks  uint64
	name        string // comm, to notice an exec after a fork
	uid         int
	user        string
	command     string
	cgroup      string
	containerID string
	seen        uint64 // last pass that saw it
	// ino is the inode of its /proc/<pid> folder as the last listing
	// gave it (kernfile.PID): the same pid and inode are the same
	// process, without reading its stat.
	ino uint64
	// settled: it was read whole when at least settleAge old, past the
	// moves of a process that is being made a container's (see
	// SkipFigures).
	settled bool

	// The files read every pass, kept open for the pid (see kernfile.File):
	// they move to the new procStatic when the pid is reused.
	stat, io kernfile.File
	ioDenied bool // io is not ours to read (another user's process)
}

// fill gives p what the process keeps from exec to exit.
func (st *procStatic) fill(p *model.ProcessSample) {
	p.UID, p.User, p.Command = st.uid, st.user, st.command
	p.Cgroup, p.ContainerID = st.cgroup, st.containerID
}

func (st *procStatic) close() {
	st.stat.Close()
	st.io.Close()
}

// NewReader returns a reader of procRoot ("/proc", or a host's proc
// mounted elsewhere). clockTicks is USER_HZ (100 on Linux) and bootTime the
// node's boot time; they turn tick counts into seconds and start times.
func NewReader(procRoot string, clockTicks int, bootTime time.Time) *Reader {
	if clockTicks <= 0 {
		clockTicks = 100
	}
	return &Reader{
		procRoot:   procRoot,
		clockTicks: float64(clockTicks),
		bootTime:   bootTime,
		pageSize:   uint64(os.Getpagesize()),
		buf:        make([]byte, 0, 4096),
		cache:      make(map[int]*procStatic),
		users:      make(map[int]string),
	}
}

// Read returns one sample per process, sorted by pid. Processes that exit
// while being read are left out silently. Processes whose files cannot be
// parsed are left out too, and named in the returned error, which comes
// with the processes that could be read.
func (r *Reader) Read() ([]model.ProcessSample, error) {
	r.mu.Lock()
	defer r.mu.Unlock()

	pids, err := r.dir.PIDs(r.procRoot, r.pids[:0])
	r.pids = pids
	if err != nil {
		return nil, fmt.Errorf("processes: reading %s: %w", r.procRoot, err)
	}
	slices.SortFunc(pids, func(a, b kernfile.PID) int { return a.PID - b.PID })

	r.pass++
	out := make([]model.ProcessSample, 0, max(len(pids), r.nsize))
	var bad []error
	r.ioDenied = 0
	for _, e := range pids {
		pid := e.PID
		p, err := r.readProcess(pid, e.Ino)
		if err != nil {
			if gone(err) {
				continue
			}
			if len(bad) < 5 {
				bad = append(bad, err)
			}
			continue
		}
		if st := r.cache[pid]; st != nil && st.ioDenied {
			r.ioDenied++
		}
		out = append(out, p)
	}
	for pid, st := range r.cache {
		if st.seen != r.pass {
			st.close()
			delete(r.cache, pid)
		}
	}
	r.nsize = len(out)
	if len(bad) > 0 {
		return out, fmt.Errorf("processes: %w", errors.Join(bad...))
	}
	return out, nil
}

// IODenied returns how many processes of the last Read had a disk I/O
// file the tool may not read (another user's, when not root), and how
// many were read: their I/O shows as n/a, which the user should be told.
func (r *Reader) IODenied() (denied, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ioDenied, r.nsize
}

// Close releases the files kept open; the reader opens them again if
// used after.
func (r *Reader) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, st := range r.cache {
		st.close()
	}
	r.cache = make(map[int]*procStatic)
	r.dir.Close()
}

// gone says whether err means the process exited under our feet.
func gone(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ESRCH)
}

// readProcess reads one process: stat every time, io when readable, and the
// static files only the first time a (pid, start time, comm) is seen. stat
// and io stay open for the next pass. ino is its folder's inode in this
// pass's listing: while figures are skipped, a process known by the same
// pid and inode is not read at all (see SkipFigures).
func (r *Reader) readProcess(pid int, ino uint64) (model.ProcessSample, error) {
	st := r.cache[pid]
	if st != nil && r.skipFigures && st.settled && ino > noInode && st.ino == ino {
		st.seen = r.pass
		st.stat.Close() // for the files read every pass (kernfile's budget)
		st.io.Close()
		p := model.ProcessSample{PID: pid, Name: st.name, StartTicks: st.startTicks, StartTime: r.startTime(st.startTicks), NoFigures: true}
		st.fill(&p)
		return p, nil
	}
	if st != nil && ino > noInode && st.ino > noInode && st.ino != ino {
		// A new folder on the pid: another process, or this one's
		// folder made again. The kept files may be the old process's.
		st.close()
	}
	var fresh procStatic // the files of a pid not seen before
	statF := &fresh.stat
	if st != nil {
		statF = &st.stat
	}
	data, err := r.keptRead(statF, pid, "stat", 0)
	if err != nil {
		if st == nil {
			fresh.close()
		}
		return model.ProcessSample{}, err
	}
	prevName := ""
	if st != nil {
		prevName = st.name
	}
	p, err := parseProcStatName(data, r.pageSize, prevName)
	if err != nil {
		if st == nil {
			fresh.close()
		}
		return model.ProcessSample{}, fmt.Errorf("pid %d: %w", pid, err)
	}
	if p.PID != pid {
		if st == nil {
			fresh.close()
		}
		return model.ProcessSample{}, fmt.Errorf("pid %d: stat names pid %d", pid, p.PID)
	}
	p.UserS /= r.clockTicks
	p.SystemS /= r.clockTicks
	p.StartTime = r.startTime(p.StartTicks)

	if st == nil || st.startTicks != p.StartTicks || st.name != p.Name {
		old := st
		if old == nil {
			old = &fresh
		}
		st, err = r.readStatic(filepath.Join(r.procRoot, strconv.Itoa(pid)), p)
		if err != nil {
			old.close()
			delete(r.cache, pid)
			return model.ProcessSample{}, fmt.Errorf("pid %d: %w", pid, err)
		}
		// The descriptors name the pid, not the process: keep them (a
		// kept io of the old process fails and is reopened).
		st.stat, st.io = old.stat, old.io
		r.cache[pid] = st
	}
	st.seen = r.pass
	st.ino = ino
	st.settled = time.Since(p.StartTime) >= settleAge
	st.fill(&p)

	if r.skipIO {
		st.io.Close()
	} else if !st.ioDenied {
		if data, err := r.keptRead(&st.io, pid, "io", 0); err == nil {
			p.ReadBytes, p.WriteBytes, p.HasIO = parseProcIO(data)
		} else if gone(err) {
			return model.ProcessSample{}, err
		} else if errors.Is(err, os.ErrPermission) {
			st.ioDenied = true
		}
	}
	return p, nil
}

// noInode is the highest inode number that names no process's folder: 0
// (none given) or 1, which the kernel's listing of /proc gives where it
// could not make the folder's dentry (proc_fill_cache); a process listed
// with one is read whole.
const noInode = 1

// startTime is when a process started, from its stat's start time in
// clock ticks since boot.
func (r *Reader) startTime(ticks uint64) time.Time {
	return r.bootTime.Add(time.Duration(float64(ticks) / r.clockTicks * float64(time.Second)))
}

// keptRead reads /proc/<pid>/<name> through a kept descriptor into the
// reader's buffer (valid until the next read).
func (r *Reader) keptRead(k *kernfile.File, pid int, name string, limit int) ([]byte, error) {
	b, err := k.Read(r.buf, limit, func() string {
		return filepath.Join(r.procRoot, strconv.Itoa(pid), name)
	})
	if cap(b) > cap(r.buf) {
		r.buf = b[:0]
	}
	return b, err
}

// SkipIO says whether the next passes leave each process's io unread
// (HasIO false): nothing shows it. It is as many preads as the stat
// files, and its kept descriptors are released for other files.
func (r *Reader) SkipIO(skip bool) {
	r.mu.Lock()
	r.skipIO = skip
	r.mu.Unlock()
}

// settleAge is how old a process is once its cgroup and command are
// settled: a runtime forks a container's first process, moves it into
// the container's cgroups, and only then has it exec the container's
// command (runc, the Mesos launcher), within milliseconds to a few
// hundred; the exec is what tells the reader to read its cgroup again.
const settleAge = 10 * time.Second

// SkipFigures says whether the next passes read the figures of the
// processes they already know (/proc/<pid>/stat and io: state, CPU
// times, threads, memory, disk bytes) or only list them: nothing shows
// them (the containers view, which takes its figures from the cgroups,
// reads no process's stat). Their samples have NoFigures. A process is
// known by its pid and the inode of its /proc/<pid> folder
// (kernfile.PID), so a pid reused by a new process is read as new, with
// its own command, user and cgroup. A process younger than settleAge is
// read every pass all the same: its exec, which makes its cgroup and
// command be read again, may be yet to come. What a pass without figures
// does not notice is a later exec of an older process (same pid and
// inode, a new command): its command stays the one before until figures
// are read again. The descriptors kept for a process's stat and io are
// given back while they are not read: they go to the files read every
// pass (kernfile's budget), and each pins a page of kernel memory.
func (r *Reader) SkipFigures(skip bool) {
	r.mu.Lock()
	r.skipFigures = skip
	r.mu.Unlock()
}

// readStatic reads the files whose content lives as long as the process.
func (r *Reader) readStatic(dir string, p model.ProcessSample) (*procStatic, error) {
	st := &procStatic{startTicks: p.StartTicks, name: p.Name, uid: -1}
	data, err := r.readFile(filepath.Join(dir, "status"), 0)
	if err != nil {
		return nil, err
	}
	if uid, ok := parseStatusUID(data); ok {
		st.uid = uid
		st.user = r.userName(uid)
	}
	data, err = r.readFile(filepath.Join(dir, "cmdline"), maxCommand)
	if err != nil {
		return nil, err
	}
	st.command = formatCmdline(data, p.Name)
	data, err = r.readFile(filepath.Join(dir, "cgroup"), 0)
	if err != nil && gone(err) {
		return nil, err
	}
	st.cgroup, st.containerID = r.shareCgroup(pickCgroup(data))
	return st, nil
}

// shareCgroup is the reader's one copy of a cgroup path and of the
// container id in it.
func (r *Reader) shareCgroup(cgroup, id string) (string, string) {
	if cgroup == "" {
		return cgroup, id
	}
	if c, ok := r.cgroups[cgroup]; ok {
		cgroup = c
	} else {
		if len(r.cgroups) >= r.cgroupsMax {
			r.cgroups = make(map[string]string, len(r.cgroups))
			for _, st := range r.cache {
				r.cgroups[st.cgroup] = st.cgroup
			}
			r.cgroupsMax = 2*len(r.cgroups) + 64
		}
		r.cgroups[cgroup] = cgroup
	}
	if i := strings.Index(cgroup, id); id != "" && i >= 0 {
		id = cgroup[i : i+len(id)]
	}
	return cgroup, id
}

// readFile reads a small proc file into the reader's buffer (valid until
// the next call); limit > 0 stops reading after limit bytes.
func (r *Reader) readFile(path string, limit int) ([]byte, error) {
	b, err := kernfile.ReadFile(path, r.buf[:0], limit)
	r.buf = b[:0]
	return b, err
}

// userName maps a uid to a login name once per uid; unknown uids show as
// the number, as ps does.
func (r *Reader) userName(uid int) string {
	if name, ok := r.users[uid]; ok {
		return name
	}
	name := strconv.Itoa(uid)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	r.users[uid] = name
	return name
}

// ParseStat parses /proc/<pid>/stat. The command name sits between the
// first '(' and the LAST ')' since it may itself contain spaces and
// parentheses. CPU times are left in ticks; RSS is turned into bytes.
func ParseStat(data []byte, pageSize uint64) (model.ProcessSample, error) {
	return parseProcStatName(data, pageSize, "")
}

// parseProcStatName is ParseStat reusing prevName for the command
// name when the file says the same (it does, pass after pass), so that a
// pass does not allocate a name per process.
func parseProcStatName(data []byte, pageSize uint64, prevName string) (model.ProcessSample, error) {
	var p model.ProcessSample
	open := bytes.IndexByte(data, '(')
	closing := bytes.LastIndexByte(data, ')')
	if open < 0 || closing < open {
		return p, fmt.Errorf("stat: no (comm) in %q", truncateForError(data))
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(data[:open])))
	if err != nil {
		return p, fmt.Errorf("stat: pid: %w", err)
	}
	p.PID = pid
	if comm := data[open+1 : closing]; prevName != "" && string(comm) == prevName && printableASCII(comm) {
		p.Name = prevName
	} else {
		p.Name = cleanText(comm)
	}

	// rest[i] is field i+3 of proc(5).
	var rest [22][]byte
	n := 0
	for f := range bytes.FieldsSeq(data[closing+1:]) {
		if n == len(rest) {
			break
		}
		rest[n] = f
		n++
	}
	if n < len(rest) {
		return p, fmt.Errorf("stat: %d fields after comm, want at least %d", n, len(rest))
	}
	p.State = string(rest[0])
	var bad error
	num := func(i int) int64 {
		v, err := strconv.ParseInt(string(rest[i]), 10, 64)
		if err != nil && bad == nil {
			bad = fmt.Errorf("stat field %d: %w", i+3, err)
		}
		return v
	}
	unum := func(i int) uint64 {
		v, err := strconv.ParseUint(string(rest[i]), 10, 64)
		if err != nil && bad == nil {
			bad = fmt.Errorf("stat field %d: %w", i+3, err)
		}
		return v
	}
	p.PPID = int(num(1))
	p.UserS = float64(unum(11)) // ticks until the caller divides
	p.SystemS = float64(unum(12))
	p.Nice = int(num(16))
	p.Threads = int(num(17))
	p.StartTicks = unum(19)
	p.VSZ = unum(20)
	if rss := num(21); rss > 0 {
		p.RSS = uint64(rss) * pageSize
	}
	return p, bad
}

// printableASCII says whether cleanText would return b unchanged.
func printableASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// parseStatusUID returns the effective uid from /proc/<pid>/status (the
// "Uid:" line is real, effective, saved, fs), which is the user ps shows.
func parseStatusUID(data []byte) (int, bool) {
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		rest, ok := bytes.CutPrefix(line, []byte("Uid:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) < 2 {
			return 0, false
		}
		uid, err := strconv.Atoi(string(f[1]))
		return uid, err == nil
	}
	return 0, false
}

// parseProcIO returns read_bytes and write_bytes of /proc/<pid>/io: the
// bytes that reached the storage layer, not the page cache.
func parseProcIO(data []byte) (read, write uint64, ok bool) {
	var seen int
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		key, val, found := bytes.Cut(line, []byte{':'})
		if !found {
			continue
		}
		var dst *uint64
		switch string(key) {
		case "read_bytes":
			dst = &read
		case "write_bytes":
			dst = &write
		default:
			continue
		}
		v, err := strconv.ParseUint(string(bytes.TrimSpace(val)), 10, 64)
		if err != nil {
			return 0, 0, false
		}
		*dst = v
		seen++
	}
	return read, write, seen == 2
}

// formatCmdline joins the NUL-separated arguments with spaces; an empty
// command line (kernel threads, zombies) shows as [comm], as ps does.
func formatCmdline(data []byte, comm string) string {
	data = bytes.TrimRight(data, "\x00")
	if len(data) == 0 {
		return "[" + comm + "]"
	}
	// The tool hides its own -m password from ps, but another instance, or
	// any program, may carry secrets in its arguments, and a screen that
	// shows processes is often shared: redact's rule applies.
	return redact.Text(cleanText(data))
}

// cleanText makes kernel-supplied bytes safe to print: NULs become spaces,
// other control characters (termtext.IsControl: C0, DEL and C1, whose
// U+009B is a CSI to some terminals) '?' as ps does, invalid UTF-8 U+FFFD.
// It keeps the value one byte per byte otherwise (JSON shows it exact);
// what reaches a terminal passes termtext.Line as well.
func cleanText(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == 0:
			sb.WriteByte(' ')
		case r == utf8.RuneError && size == 1:
			if !utf8.FullRune(b) {
				// A rune cut by a length cap: drop it.
				b = nil
				continue
			}
			sb.WriteRune(utf8.RuneError)
		case termtext.IsControl(r):
			sb.WriteByte('?')
		default:
			sb.Write(b[:size])
		}
		b = b[size:]
	}
	return sb.String()
}

// cgroupPreference orders the v1 controllers whose path names a
// container; the v2 unified line ("0::") comes last.
var cgroupPreference = []string{"memory", "pids", "cpuacct", "name=systemd", ""}

// pickCgroup chooses, from /proc/<pid>/cgroup, the path that names the
// process's container: the first preferred controller whose path is a
// container, else the first preferred controller present.
func pickCgroup(data []byte) (cgroup, containerID string) {
	paths := make(map[string]string, 4)
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		// hierarchy-id:controller-list:path; the path may contain ':'.
		_, rest, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			continue
		}
		ctrls, path, ok := bytes.Cut(rest, []byte{':'})
		if !ok {
			continue
		}
		for c := range strings.SplitSeq(string(ctrls), ",") {
			if _, dup := paths[c]; !dup {
				paths[c] = string(path)
			}
		}
	}
	for _, c := range cgroupPreference {
		if p, ok := paths[c]; ok {
			if id, _, ok := cgroups.ContainerFromCgroup(p); ok {
				return p, id
			}
		}
	}
	for _, c := range cgroupPreference {
		if p, ok := paths[c]; ok {
			return p, ""
		}
	}
	return "", ""
}

func truncateForError(b []byte) []byte {
	if len(b) > 80 {
		return b[:80]
	}
	return b
}
