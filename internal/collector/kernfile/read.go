package kernfile

import (
	"os"

	"golang.org/x/sys/unix"
)

// ReadFile appends a kernel file's content to buf with raw system
// calls: os.ReadFile's fstat, poller registration and allocations double
// the cost of reading the thousands of tiny files a refresh reads.
// limit > 0 stops after limit bytes. Errors are *os.PathError, so
// errors.Is(err, os.ErrNotExist) works.
func ReadFile(path string, buf []byte, limit int) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return buf, &os.PathError{Op: "open", Path: path, Err: err}
	}
	opens.Add(1)
	defer unix.Close(fd)
	if cap(buf) == 0 {
		buf = make([]byte, 0, 4096)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return buf, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
		if limit > 0 && len(buf) >= limit {
			return buf[:limit], nil
		}
	}
}
