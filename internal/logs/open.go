package logs

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// A log's writer owns the place it writes to: it can rename its file and
// leave a symbolic link, a FIFO or a device node in its place, and the root
// tool that opens that path by name would read whatever the writer chose
// (/etc/shadow, or block forever on a FIFO). So a log is never opened by a
// path its writer controls. Each open first pins the inode with O_PATH —
// which reads nothing, never blocks and has no side effect on a device —
// checks that it is a regular file, and only then opens that very inode for
// reading through /proc/self/fd.

// openHeld opens for reading the file that descriptor fd of pid names
// (/proc/PID/fd/N, a magic link to the inode the process holds, whatever
// has since happened to its path). A process can only hand over a file it
// has open itself.
func openHeld(procRoot string, pid, fd int) (*os.File, fs.FileInfo, error) {
	link := filepath.Join(procRoot, strconv.Itoa(pid), "fd", strconv.Itoa(fd))
	pin, err := unix.Open(link, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, &os.PathError{Op: "open", Path: link, Err: err}
	}
	return reopenRegular(pin, link)
}

// openIn opens for reading the regular file name in the directory dir. name
// is one path element; a symbolic link there is refused, not followed, and
// so is anything on another device than dir (a mount on top of the name).
func openIn(dir *os.File, name string) (*os.File, fs.FileInfo, error) {
	path := filepath.Join(dir.Name(), name)
	if name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/') {
		return nil, nil, fmt.Errorf("%s: not a file name", path)
	}
	pin, err := unix.Openat(int(dir.Fd()), name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	var st, dst unix.Stat_t
	if err := unix.Fstat(pin, &st); err != nil {
		unix.Close(pin)
		return nil, nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if err := unix.Fstat(int(dir.Fd()), &dst); err != nil {
		unix.Close(pin)
		return nil, nil, &os.PathError{Op: "stat", Path: dir.Name(), Err: err}
	}
	if st.Dev != dst.Dev && st.Mode&unix.S_IFMT == unix.S_IFREG {
		unix.Close(pin)
		return nil, nil, fmt.Errorf("%s is on another device than its directory: not read", path)
	}
	return reopenRegular(pin, path)
}

// reopenRegular opens the inode an O_PATH descriptor pins for reading when
// it is a regular file, and closes pin in every case. name is for errors.
func reopenRegular(pin int, name string) (*os.File, fs.FileInfo, error) {
	defer unix.Close(pin)
	var st unix.Stat_t
	if err := unix.Fstat(pin, &st); err != nil {
		return nil, nil, &os.PathError{Op: "stat", Path: name, Err: err}
	}
	if kind := fileKind(st.Mode); kind != "" {
		return nil, nil, &notRegularError{name: name, kind: kind}
	}
	// O_NONBLOCK and O_NOCTTY only in case the pinned inode could change
	// kind, which it cannot: it is checked above and held by pin.
	fd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(pin), unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	fh := os.NewFile(uintptr(fd), name)
	info, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, nil, err
	}
	if !info.Mode().IsRegular() || info.Sys().(*syscall.Stat_t).Ino != st.Ino {
		fh.Close()
		return nil, nil, fmt.Errorf("%s changed while it was opened: not read", name)
	}
	return fh, info, nil
}

// notRegularError says a log's place holds something other than a regular
// file: a link, a FIFO, a device, a socket or a directory.
type notRegularError struct {
	name, kind string
	replaced   bool // found in place of the file that was read
}

func (e *notRegularError) Error() string {
	if e.replaced {
		return fmt.Sprintf("the file was replaced by %s: not followed", e.kind)
	}
	return fmt.Sprintf("%s is %s, not a regular file: not read", e.name, e.kind)
}

// fileKind names what a stat mode is when it is not a regular file, "" for
// a regular file.
func fileKind(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return ""
	case unix.S_IFLNK:
		return "a symbolic link"
	case unix.S_IFIFO:
		return "a FIFO"
	case unix.S_IFCHR, unix.S_IFBLK:
		return "a device"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFDIR:
		return "a directory"
	}
	return "not a file"
}

// lstatIn is what name in dir is now, its last element not followed.
func lstatIn(dir *os.File, name string) (unix.Stat_t, error) {
	var st unix.Stat_t
	err := unix.Fstatat(int(dir.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW)
	return st, err
}

// sameInode says whether a stat result is the file info's inode.
func sameInode(st unix.Stat_t, info fs.FileInfo) bool {
	s, ok := info.Sys().(*syscall.Stat_t)
	return ok && s.Dev == st.Dev && s.Ino == st.Ino
}
