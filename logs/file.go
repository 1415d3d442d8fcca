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
		if byPath, err := os.Stat(f.Path); err == nil && cur != nil && !os.SameFile(byPath, cur) {
			// Rotated: read the old file to its end once more (its writer
			// may have written its last lines between the read above and
			// the new file appearing), then go on with the new one from its
			// start.
			if nfh, err := os.Open(f.Path); err == nil {
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
