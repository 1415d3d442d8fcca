package logs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// File is the log a process writes to a regular file: a Mesos task's
// sandbox `stdout` or `stderr`, or any process's fd 1 or 2.
//
// The file is never opened by a path its writer controls (see open.go):
// the log of a process is read from the descriptor the process holds, and
// a log known by its path (a sandbox's stdout) is opened in its directory
// without following a link at its last element. A link, FIFO, device or
// other non-regular file found in the log's place ends the log with a
// message; the tool never switches to it.
//
// Following survives the file being rotated (renamed and a new one created:
// the rest of the old file is read, then the new one from its start; for a
// process, when it reopens its log) and truncated (reading restarts at 0).
// A truncation followed by more writes than were read before, all within
// one Poll, cannot be told from growth.
type File struct {
	// Path is the file; its directory is trusted (the sandbox its agent
	// made), its last element is not. For a process's log it only names
	// the file the process holds.
	Path string
	// Std says which it is: Stdout or Stderr.
	Std string
	// Alive, when set, is asked at every poll while following; an error
	// ends the stream, after the rest of the file is read, with an
	// *EndedError carrying its text ("process 42 exited").
	Alive func() error
	// Poll is how often a followed file is checked; 250 ms when zero.
	Poll time.Duration

	held *heldFD // the descriptor a process writes the log through
}

// heldFD is descriptor fd of process pid, read through /proc/PID/fd/N.
type heldFD struct {
	procRoot string
	pid, fd  int
}

func (h *heldFD) link() string {
	return filepath.Join(h.procRoot, strconv.Itoa(h.pid), "fd", strconv.Itoa(h.fd))
}

// place is where a followed log is found again at each poll.
type place interface {
	open() (*os.File, fs.FileInfo, error)
	// moved opens the file now in the log's place when it is another than
	// cur (rotated; a process that reopened its log): nil when it is the
	// same or when there is none for now, an error when the place holds
	// something that is not to be read.
	moved(cur fs.FileInfo) (*os.File, fs.FileInfo, error)
	close()
}

// Stream implements Source.
func (f File) Stream(ctx context.Context, tail int, follow bool, out chan<- Line) error {
	p, err := f.place()
	if err != nil {
		return fmt.Errorf("log %s: %w", f.Std, err)
	}
	defer p.close()
	fh, st, err := p.open()
	if err != nil {
		return fmt.Errorf("log %s: %w", f.Std, err)
	}
	defer func() { fh.Close() }()
	poll := f.Poll
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	t := newTailer(ctx, f.Std, f.Std, fileReader(fh), out)
	return t.stream(ctx, st.Size(), tail, follow, poll, func() error {
		var alive error
		if f.Alive != nil {
			alive = f.Alive()
		}
		cur, err := fh.Stat()
		if err == nil && cur.Size() < t.off { // truncated in place
			if err := t.restart(t.read); err != nil {
				return err
			}
		}
		if err := t.pump(ctx); err != nil {
			return err
		}
		if cur != nil {
			nfh, _, err := p.moved(cur)
			if err != nil {
				// Read what the writer put in the file it had before.
				if err := t.pump(ctx); err != nil {
					return err
				}
				if err := t.sp.flush(); err != nil {
					return err
				}
				return &EndedError{Reason: fmt.Sprintf("%s %s: %v", f.Std, f.Path, err)}
			}
			if nfh != nil {
				// Rotated: read the old file to its end once more (its
				// writer may have written its last lines between the read
				// above and the new file appearing), then go on with the
				// new one from its start.
				if err := t.pump(ctx); err != nil {
					nfh.Close()
					return err
				}
				if err := t.restart(fileReader(nfh)); err != nil {
					nfh.Close()
					return err
				}
				fh.Close()
				fh = nfh
				if err := t.pump(ctx); err != nil {
					return err
				}
			}
		}
		if alive != nil {
			if err := t.sp.flush(); err != nil {
				return err
			}
			return &EndedError{Reason: alive.Error()}
		}
		return nil
	})
}

func (f File) place() (place, error) {
	if f.held != nil {
		return heldPlace{f.held}, nil
	}
	dir, err := os.Open(filepath.Dir(f.Path))
	if err != nil {
		return nil, err
	}
	return &pathPlace{dir: dir, name: filepath.Base(f.Path)}, nil
}

// pathPlace is a log known by its name in a directory.
type pathPlace struct {
	dir  *os.File
	name string
}

func (p *pathPlace) open() (*os.File, fs.FileInfo, error) { return openIn(p.dir, p.name) }

func (p *pathPlace) moved(cur fs.FileInfo) (*os.File, fs.FileInfo, error) {
	st, err := lstatIn(p.dir, p.name)
	if err != nil || sameInode(st, cur) {
		return nil, nil, nil // gone for now (mid-rotation), or still the same
	}
	fh, info, err := openIn(p.dir, p.name)
	var nr *notRegularError
	if errors.As(err, &nr) {
		nr.replaced = true
		return nil, nil, nr
	}
	if err != nil {
		return nil, nil, err
	}
	return fh, info, nil
}

func (p *pathPlace) close() { p.dir.Close() }

// heldPlace is the log a process writes through one of its descriptors.
type heldPlace struct{ h *heldFD }

func (p heldPlace) open() (*os.File, fs.FileInfo, error) {
	return openHeld(p.h.procRoot, p.h.pid, p.h.fd)
}

func (p heldPlace) moved(cur fs.FileInfo) (*os.File, fs.FileInfo, error) {
	// stat through the magic link reads the inode the process holds
	// without opening it.
	now, err := os.Stat(p.h.link())
	if err != nil || os.SameFile(now, cur) {
		return nil, nil, nil // closed or exited (Alive says which), or the same
	}
	fh, info, err := p.open()
	var nr *notRegularError
	if errors.As(err, &nr) {
		nr.replaced = true
		return nil, nil, nr
	}
	if err != nil {
		return nil, nil, nil // it went away between the two looks
	}
	return fh, info, nil
}

func (heldPlace) close() {}

func fileReader(fh *os.File) readAtFunc {
	return func(_ context.Context, p []byte, off int64) (int, error) {
		n, err := fh.ReadAt(p, off)
		if err == io.EOF {
			err = nil
		}
		return n, err
	}
}

// quiet turns the error of a stream stopped by its context into nil.
func quiet(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
