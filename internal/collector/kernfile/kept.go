// Package kernfile reads the kernel's small files (cgroup counters,
// /proc/<pid>/stat, /proc/stat) the way a refresh must: kept open between
// refreshes and read again with pread, or opened and read with raw system
// calls, and parsed in place, without the strings, maps and errors that
// os.ReadFile, strconv and fscommon allocate for each of the thousands of
// values a refresh reads.
package kernfile

import (
	"encoding/binary"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// File is a kernel file (a cgroup counter, /proc/<pid>/stat) kept open
// between refreshes and re-read with pread at offset 0, which makes the
// kernel generate fresh content: a third of the cost of opening, reading
// and closing it each time. The zero value is a closed file; fd holds the
// descriptor plus one so that the zero value needs no constructor, and
// readOnce (-1) marks a file ReadRarely has read once without keeping it.
type File struct {
	fd1 int32
}

const readOnce = -1

// fdBudget caps how many descriptors Files hold, below the process's
// limit: beyond it files are opened, read and closed as before.
var fdBudget = newFDBudget()

type budget struct {
	open atomic.Int64
	max  atomic.Int64
	// refused is set when a file read every pass (Read) found the budget
	// full: from then on the files read rarely give their descriptors
	// back, at their next read, and take none (see ReadRarely).
	refused atomic.Bool
}

// spareMargin is the share of the budget (in eighths) the files read
// rarely leave free, for the new processes and containers of the next
// passes.
const spareMargin = 1

func newFDBudget() *budget {
	b := &budget{}
	b.max.Store(1000)
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) == nil && rl.Cur > 2000 {
		// Leave room for sockets, the terminal and the odd open file;
		// Go raises the soft limit to the hard one at start.
		b.max.Store(int64(rl.Cur) - 1000)
	}
	return b
}

// SetBudget sets how many descriptors Files may hold in all, for tests
// that measure what a refresh keeps when the limit is short; it returns
// a function that restores the budget before it.
func SetBudget(max int) (restore func()) {
	was := fdBudget.max.Swap(int64(max))
	wasRefused := fdBudget.refused.Swap(false)
	return func() { fdBudget.max.Store(was); fdBudget.refused.Store(wasRefused) }
}

// Held is how many descriptors Files hold now.
func Held() int { return int(fdBudget.open.Load()) }

// opens counts the files Read, ReadRarely and ReadFile opened (not the
// opens that failed): a refresh on kept descriptors opens only the files
// of what is new since the last one.
var opens atomic.Int64

// Opens is how many files Read, ReadRarely and ReadFile have opened since
// the process started.
func Opens() int64 { return opens.Load() }

func (b *budget) take() bool {
	if b.open.Add(1) > b.max.Load() {
		b.open.Add(-1)
		return false
	}
	return true
}

// takeSpare takes a descriptor for a file read rarely: only while no file
// read every pass was ever refused one, and only from what those leave
// beyond a margin.
func (b *budget) takeSpare() bool {
	if b.refused.Load() {
		return false
	}
	limit := b.max.Load()
	limit -= limit * spareMargin / 8
	if b.open.Add(1) > limit {
		b.open.Add(-1)
		return false
	}
	return true
}

func (b *budget) give() { b.open.Add(-1) }

// Read returns the file's whole content appended to buf[:0]. A kept
// descriptor is read first; when that fails (the process exited, the
// cgroup was removed and maybe made again) it is closed and path() is
// opened afresh. Errors are *os.PathError as with os.ReadFile, so that
// errors.Is finds ENOENT, ENODEV or ESRCH in them (the cgroup or process
// went away). limit > 0 stops after limit bytes.
func (k *File) Read(buf []byte, limit int, path func() string) ([]byte, error) {
	if k.fd1 > 0 {
		b, err := preadAll(int(k.fd1-1), buf[:0], limit)
		if err == nil {
			return b, nil
		}
		k.Close()
	}
	fd, b, err := openRead(path(), buf, limit)
	if err != nil {
		return b, err
	}
	if fdBudget.take() {
		k.fd1 = int32(fd + 1)
	} else {
		fdBudget.refused.Store(true)
		unix.Close(fd)
	}
	return b, nil
}

// openRead opens path and reads it whole (up to limit bytes), keeping the
// descriptor open for the caller to keep or close.
func openRead(path string, buf []byte, limit int) (int, []byte, error) {
	fd, err := openRetry(path)
	if err != nil {
		return -1, buf[:0], &os.PathError{Op: "open", Path: path, Err: err}
	}
	b, err := preadAll(fd, buf[:0], limit)
	if err != nil {
		unix.Close(fd)
		return -1, b, &os.PathError{Op: "read", Path: path, Err: err}
	}
	return fd, b, nil
}

// ReadRarely reads a file that is read far less often than every
// refresh (a container's limits, its PSI and hugetlb figures). The
// descriptors the process may hold go to the files read every refresh
// first: the first read of a file opens, reads and closes it (the files
// read every pass take their descriptors in that pass); from the second
// on it keeps its descriptor if the budget has room to spare (takeSpare),
// and reads it again with pread, as Read does. Once a file read every
// pass has been refused a descriptor, a file read rarely gives its own
// back at its next read. (Opening costs about three preads: at 500
// containers the limits' opens every 5 s were 6 % of a refresh.)
func (k *File) ReadRarely(buf []byte, limit int, path func() string) ([]byte, error) {
	if k.fd1 > 0 {
		if !fdBudget.refused.Load() {
			b, err := preadAll(int(k.fd1-1), buf[:0], limit)
			if err == nil {
				return b, nil
			}
		}
		k.Close()
		k.fd1 = readOnce
	}
	if k.fd1 == 0 {
		k.fd1 = readOnce
		return ReadFile(path(), buf[:0], limit)
	}
	fd, b, err := openRead(path(), buf, limit)
	if err != nil {
		return b, err
	}
	if fdBudget.takeSpare() {
		k.fd1 = int32(fd + 1)
	} else {
		unix.Close(fd)
	}
	return b, nil
}

// Close releases the descriptor, if any.
func (k *File) Close() {
	if k.fd1 > 0 {
		unix.Close(int(k.fd1 - 1))
		fdBudget.give()
	}
	k.fd1 = 0
}

func openRetry(path string) (int, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			if err == nil {
				opens.Add(1)
			}
			return fd, err
		}
	}
}

// smallFile bounds what one short read may be taken to be the whole of:
// well under a page, so that a seq_file's page-sized answer (records are
// not split across reads) is never mistaken for its end.
const smallFile = 2048

// preadAll reads from offset 0 until end of file. A short read of less
// than smallFile is the end: kernel files (kernfs, sysfs, single-record
// proc files) generate their whole content in one read when it fits, which
// saves the second, empty read per file; a longer file is read until 0.
func preadAll(fd int, buf []byte, limit int) ([]byte, error) {
	if cap(buf) == 0 {
		buf = make([]byte, 0, 4096)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		space := cap(buf) - len(buf)
		n, err := unix.Pread(fd, buf[len(buf):cap(buf)], int64(len(buf)))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return buf, err
		}
		buf = buf[:len(buf)+n]
		if limit > 0 && len(buf) >= limit {
			return buf[:limit], nil
		}
		// A short read is the end of a small file (a cgroup or per-process
		// file answers whole in one read: no second pread on the hot path).
		// A seq_file (/proc/net/dev, diskstats, cgroup.procs) answers at
		// most about a page per read, records whole, so a short read past
		// smallFile may be the end of a page, not of the file: read on
		// until 0. (Taking every short read as the end dropped the
		// interfaces past the first page of /proc/net/dev: 30 of 50 on a
		// node with 45 containers.)
		if n == 0 || n < space && len(buf) < smallFile {
			return buf, nil
		}
	}
}

// Dir is a folder (the proc root) kept open and listed again each pass
// by seeking back to its start.
type Dir struct {
	fd1 int32
	buf []byte
}

// PID is a numeric entry of a proc root: a process, and the inode
// number of its /proc/<pid> folder. The inode names the process, not
// the pid: when a process is reaped the kernel drops its folder's
// dentry (proc_flush_pid), so a process that gets the pid again gets a
// new inode; the inode of a live process changes only when the kernel
// evicts its dentry (memory pressure), which reads as a new process.
type PID struct {
	PID int
	Ino uint64
}

// PIDs appends the numeric entries of the folder at path (the processes
// of a proc root) to dst, without a string per entry.
func (d *Dir) PIDs(path string, dst []PID) ([]PID, error) {
	out, err := d.list(path, dst)
	if err != nil && d.fd1 > 0 {
		d.Close() // a stale descriptor: open afresh once
		out, err = d.list(path, dst)
	}
	return out, err
}

func (d *Dir) list(path string, dst []PID) ([]PID, error) {
	if d.fd1 == 0 {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return dst, &os.PathError{Op: "open", Path: path, Err: err}
		}
		d.fd1 = int32(fd + 1)
	} else if _, err := unix.Seek(int(d.fd1-1), 0, 0); err != nil {
		return dst, &os.PathError{Op: "seek", Path: path, Err: err}
	}
	if d.buf == nil {
		d.buf = make([]byte, 32<<10)
	}
	for {
		n, err := unix.Getdents(int(d.fd1-1), d.buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return dst, &os.PathError{Op: "getdents", Path: path, Err: err}
		}
		if n <= 0 {
			return dst, nil
		}
		// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name.
		for b := d.buf[:n]; len(b) >= 19; {
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				break
			}
			name := b[19:reclen]
			pid := 0
			for i, c := range name {
				if c == 0 {
					if i == 0 {
						pid = 0
					}
					break
				}
				if c < '0' || c > '9' || pid > 1<<40 {
					pid = 0
					break
				}
				pid = pid*10 + int(c-'0')
			}
			if pid > 0 {
				dst = append(dst, PID{PID: pid, Ino: binary.NativeEndian.Uint64(b[0:8])})
			}
			b = b[reclen:]
		}
	}
}

// Close releases the folder's descriptor, if any.
func (d *Dir) Close() {
	if d.fd1 > 0 {
		unix.Close(int(d.fd1 - 1))
		d.fd1 = 0
	}
}
