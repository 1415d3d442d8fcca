package logs

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// File is the log a process writes to a regular file: a Mesos task's
// sandbox `stdout` or `stderr`, or any process's fd 1 or 2.
//
// Following survives the file being rotated (renamed and a new one created:
// the rest of the old file is read, then the new one from its start) and
// truncated (reading restarts at 0). A truncation followed by more writes
// than were read before, all within one Poll, cannot be told from growth.
type File struct {
	// Path is the file, as this process can open it.
	Path string
	// Std says which it is: Stdout or Stderr.
	Std string
	// Alive, when set, is asked at every poll while following; an error
	// ends the stream, after the rest of the file is read, with an
	// *EndedError carrying its text ("process 42 exited").
	Alive func() error
	// Poll is how often a followed file is checked; 250 ms when zero.
	Poll time.Duration
}

// Stream implements Source.
func (f File) Stream(ctx context.Context, tail int, follow bool, out chan<- Line) error {
	fh, err := os.Open(f.Path)
	if err != nil {
		return fmt.Errorf("log %s: %w", f.Std, err)
	}
	defer func() { fh.Close() }()
	st, err := fh.Stat()
	if err != nil {
		return fmt.Errorf("log %s: %w", f.Std, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("log %s: %s is not a regular file", f.Std, f.Path)
	}
	read := fileReader(fh)
	start, cut, err := tailStart(ctx, read, st.Size(), tail)
	if err != nil {
		return fmt.Errorf("log %s: %w", f.Std, err)
	}
	sp := &splitter{stream: f.Std, emit: sender(ctx, out)}
	if cut {
		sp.markCut()
	}
	buf := make([]byte, chunk)
	off, err := pump(ctx, read, start, buf, sp)
	if err != nil {
		return quiet(ctx, err)
	}
	// Lines written from now on get the time they were read.
	sp.readTime = time.Now
	if !follow {
		return quiet(ctx, sp.flush())
	}
	poll := f.Poll
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		var alive error
		if f.Alive != nil {
			alive = f.Alive()
		}
		cur, err := fh.Stat()
		if err == nil && cur.Size() < off { // truncated in place
			if err := sp.flush(); err != nil {
				return quiet(ctx, err)
			}
			off = 0
		}
		if off, err = pump(ctx, read, off, buf, sp); err != nil {
			return quiet(ctx, err)
		}
		if byPath, err := os.Stat(f.Path); err == nil && cur != nil && !os.SameFile(byPath, cur) {
			// Rotated: read the old file to its end once more (its writer
			// may have written its last lines between the read above and
			// the new file appearing), then go on with the new one from its
			// start.
			if nfh, err := os.Open(f.Path); err == nil {
				if off, err = pump(ctx, read, off, buf, sp); err != nil {
					nfh.Close()
					return quiet(ctx, err)
				}
				if err := sp.flush(); err != nil {
					return quiet(ctx, err)
				}
				fh.Close()
				fh, off = nfh, 0
				read = fileReader(fh)
				if off, err = pump(ctx, read, off, buf, sp); err != nil {
					return quiet(ctx, err)
				}
			}
		}
		if alive != nil {
			if err := sp.flush(); err != nil {
				return quiet(ctx, err)
			}
			return &EndedError{Reason: alive.Error()}
		}
	}
}

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
