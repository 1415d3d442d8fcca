package cgroups

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"
)

// walker lists a cgroup tree the way walkCgroups did with
// filepath.WalkDir (every folder below the root in lexical order, a
// folder's children skipped on request, folders that vanish or cannot
// be read skipped), with getdents into a kept buffer: only sub-folders'
// names are taken, in place, where os.ReadDir made a DirEntry for each
// of the thirty-odd control files of every folder it read and sorted
// them, and the paths handed to visit are built in kept buffers (valid
// until visit returns). At 500 containers the walk's allocations were
// 190 KB per pass.
type walker struct {
	dents    []byte
	names    []byte   // the names of the folders being listed, end to end
	spans    [][2]int // names' [start, end) in names, per folder in turn
	rel, dir []byte
}

// walk calls visit for every folder below root (root excluded) with its
// path relative to root ("/docker/<id>") and its path; visit returns true
// to skip the folder's children. Only root not being readable is an
// error.
func (w *walker) walk(root string, visit func(rel, dir []byte) (skip bool)) error {
	if w.dents == nil {
		w.dents = make([]byte, 16<<10)
	}
	w.rel = w.rel[:0]
	w.dir = append(w.dir[:0], filepath.Clean(root)...)
	return w.folder(visit, true)
}

// folder lists the folder at w.dir (w.rel relative to the root) and walks
// its children.
func (w *walker) folder(visit func(rel, dir []byte) bool, isRoot bool) error {
	from, spansFrom := len(w.names), len(w.spans)
	defer func() { w.names, w.spans = w.names[:from], w.spans[:spansFrom] }()
	if err := w.list(); err != nil {
		if isRoot {
			return &os.PathError{Op: "open", Path: string(w.dir), Err: err}
		}
		return nil // vanished or unreadable: not ours to report
	}
	spans := w.spans[spansFrom:]
	slices.SortFunc(spans, func(a, b [2]int) int { return bytes.Compare(w.names[a[0]:a[1]], w.names[b[0]:b[1]]) })
	relLen, dirLen := len(w.rel), len(w.dir)
	for i := spansFrom; i < len(w.spans); i++ {
		s := w.spans[i]
		w.rel = append(append(w.rel[:relLen], '/'), w.names[s[0]:s[1]]...)
		w.dir = append(append(w.dir[:dirLen], '/'), w.names[s[0]:s[1]]...)
		if !visit(w.rel, w.dir) {
			if err := w.folder(visit, false); err != nil {
				return err
			}
		}
	}
	w.rel, w.dir = w.rel[:relLen], w.dir[:dirLen]
	return nil
}

// list appends the names of the sub-folders of w.dir to w.names and
// w.spans.
func (w *walker) list() error {
	fd, err := open(string(w.dir), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	for {
		n, err := unix.Getdents(fd, w.dents)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n <= 0 {
			return nil
		}
		// struct linux_dirent64: ino u64, off s64, reclen u16, type u8,
		// name (NUL-terminated).
		for b := w.dents[:n]; len(b) >= 19; {
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				break
			}
			typ, name := b[18], b[19:reclen]
			b = b[reclen:]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if len(name) == 0 || string(name) == "." || string(name) == ".." {
				continue
			}
			if typ == unix.DT_UNKNOWN {
				var st unix.Stat_t
				if unix.Fstatat(fd, string(name), &st, unix.AT_SYMLINK_NOFOLLOW) != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
					continue
				}
			} else if typ != unix.DT_DIR {
				continue
			}
			w.spans = append(w.spans, [2]int{len(w.names), len(w.names) + len(name)})
			w.names = append(w.names, name...)
		}
	}
}

// open is unix.Open retried on EINTR.
func open(path string, mode int) (int, error) {
	for {
		fd, err := unix.Open(path, mode, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}
