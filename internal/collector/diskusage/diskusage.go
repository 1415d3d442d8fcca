// Package diskusage measures the disk a container's files take — its
// writable layer (the overlay upperdir of its root) — at a slow cadence,
// off the refresh: the refresh asks for the last measured size and never
// waits for a walk. One goroutine walks one directory at a time and then
// rests for DutyRest times as long as the walk took, so walking costs at
// most a share 1/(1+DutyRest) of one CPU however large the trees are.
//
// A writable layer's content is the container's: a walk opens each
// directory relative to its parent with O_NOFOLLOW, never follows a
// symbolic link, never opens a file, and stays on the directory's device.
// Sizes are st_blocks (du's), a file with several links counted once.
package diskusage

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Sizer keeps the last size of each directory asked for and measures them
// again every Cadence in the background.
type Sizer struct {
	// Cadence is how old a size may get before it is measured again.
	Cadence time.Duration
	// DutyRest: after a walk of d, the walker rests DutyRest·d.
	DutyRest int
	// MaxEntries bounds one walk; a tree with more has no size (n/a)
	// rather than a part of one.
	MaxEntries int

	mu      sync.Mutex
	sizes   map[string]*entry // by directory
	queue   []string
	wake    chan struct{}
	stop    chan struct{}
	started bool
}

type entry struct {
	bytes   uint64
	ok      bool      // measured, and within MaxEntries
	at      time.Time // of the last measurement; zero while none
	queued  bool
	lastAsk time.Time
}

// New returns a Sizer with the defaults: a size at most a minute old,
// walks at most 5 % of a CPU, a million entries a tree at most.
func New() *Sizer {
	return &Sizer{Cadence: time.Minute, DutyRest: 19, MaxEntries: 1_000_000}
}

// Size returns dir's last measured size, and queues a measurement when
// there is none or it is older than Cadence. It never blocks on a walk.
func (s *Sizer) Size(dir string) (uint64, bool) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sizes == nil {
		s.sizes = map[string]*entry{}
		s.wake = make(chan struct{}, 1)
		s.stop = make(chan struct{})
	}
	e := s.sizes[dir]
	if e == nil {
		e = &entry{}
		s.sizes[dir] = e
	}
	e.lastAsk = now
	if !e.queued && (e.at.IsZero() || now.Sub(e.at) >= s.Cadence) {
		e.queued = true
		s.queue = append(s.queue, dir)
		if !s.started {
			s.started = true
			go s.run()
		}
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return e.bytes, e.ok
}

// Forget drops the directories not asked for since before: containers
// that are gone.
func (s *Sizer) Forget(before time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for d, e := range s.sizes {
		if e.lastAsk.Before(before) && !e.queued {
			delete(s.sizes, d)
		}
	}
}

// Close stops the walker.
func (s *Sizer) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		close(s.stop)
		s.started = false
	}
}

func (s *Sizer) run() {
	s.mu.Lock()
	stop, wake := s.stop, s.wake
	s.mu.Unlock()
	for {
		s.mu.Lock()
		var dir string
		if len(s.queue) > 0 {
			dir, s.queue = s.queue[0], s.queue[1:]
		}
		max := s.MaxEntries
		s.mu.Unlock()
		if dir == "" {
			select {
			case <-stop:
				return
			case <-wake:
				continue
			}
		}
		start := time.Now()
		n, err := Walk(dir, max)
		took := time.Since(start)
		s.mu.Lock()
		if e := s.sizes[dir]; e != nil {
			e.bytes, e.ok, e.at, e.queued = n, err == nil, time.Now(), false
		}
		rest := took * time.Duration(s.DutyRest)
		s.mu.Unlock()
		select {
		case <-stop:
			return
		case <-time.After(rest):
		}
	}
}

// ErrTooMany is a tree with more entries than a walk may visit.
var ErrTooMany = errors.New("too many entries")

// Walk returns the bytes (st_blocks × 512) the tree at dir takes on dir's
// device, each inode once; at most max entries (0: no bound).
func Walk(dir string, max int) (uint64, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return 0, &os.PathError{Op: "stat", Path: dir, Err: err}
	}
	w := walker{dev: st.Dev, max: max, seen: map[[2]uint64]bool{}, buf: make([]byte, 32<<10)}
	w.total = uint64(st.Blocks) * 512
	w.entries = 1
	err = w.dir(fd) // closes fd
	return w.total, err
}

type walker struct {
	dev     uint64
	max     int
	entries int
	total   uint64
	seen    map[[2]uint64]bool // inodes with several links, counted once
	buf     []byte
}

// dir adds the entries of the open directory fd, and closes it.
func (w *walker) dir(fd int) error {
	defer unix.Close(fd)
	var subdirs []string
	buf := w.buf // every entry is read before a subdirectory is walked
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n <= 0 {
			break
		}
		var names []string
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
		for _, name := range names {
			w.entries++
			if w.max > 0 && w.entries > w.max {
				return ErrTooMany
			}
			var st unix.Stat_t
			if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				continue // gone meanwhile
			}
			if st.Dev != w.dev {
				continue // a mount on top: not this tree's disk
			}
			if st.Mode&unix.S_IFMT != unix.S_IFDIR && st.Nlink > 1 {
				k := [2]uint64{st.Dev, st.Ino}
				if w.seen[k] {
					continue
				}
				w.seen[k] = true
			}
			w.total += uint64(st.Blocks) * 512
			if st.Mode&unix.S_IFMT == unix.S_IFDIR {
				subdirs = append(subdirs, name)
			}
		}
	}
	for _, name := range subdirs {
		sub, err := unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			continue // replaced by a link or gone: not walked
		}
		if err := w.dir(sub); err != nil {
			return err
		}
	}
	return nil
}

// UpperDir returns the writable layer of the root of the process whose
// /proc/<pid>/mountinfo is given: the upperdir of an overlay mounted on
// "/"; "" when its root is no overlay.
func UpperDir(mountinfo []byte) string {
	last := "" // of the "/" mounts, the last is the one on top
	for len(mountinfo) > 0 {
		var line []byte
		if i := bytes.IndexByte(mountinfo, '\n'); i >= 0 {
			line, mountinfo = mountinfo[:i], mountinfo[i+1:]
		} else {
			line, mountinfo = mountinfo, nil
		}
		f := strings.Fields(string(line))
		// id parent dev root mountpoint options [optional...] - fstype source superoptions
		if len(f) < 10 || f[4] != "/" {
			continue
		}
		last = ""
		sep := -1
		for i := 6; i < len(f); i++ {
			if f[i] == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+3 >= len(f) || f[sep+1] != "overlay" {
			continue
		}
		for _, opt := range splitOptions(f[sep+3]) {
			if v, ok := strings.CutPrefix(opt, "upperdir="); ok {
				last = unescape(v)
			}
		}
	}
	return last
}

// splitOptions splits overlay's options at commas that are not escaped
// ("\,", as the kernel shows a comma in a path).
func splitOptions(s string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == ',':
			cur.WriteByte(',')
			i++
		case s[i] == ',':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	return append(out, cur.String())
}

// unescape undoes mountinfo's octal escapes (\040 for a space).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) && isOctal(s[i+1:i+4]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '7' {
			return false
		}
	}
	return true
}
