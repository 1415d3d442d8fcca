package logs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"
)

// readAtFunc reads up to len(p) bytes at off; it may return fewer (a Mesos
// agent answers at most 64 KiB) and returns 0, nil at the end of the data.
type readAtFunc func(ctx context.Context, p []byte, off int64) (int, error)

// chunk is how much a tail reads at once, backwards or forwards.
const chunk = 64 << 10

// tailStart finds where the last tail lines of the data [0, size) begin by
// reading backwards from size, chunk by chunk, so a gigabyte file costs a
// few reads. It never looks further back than tail lines of MaxLine bytes:
// when it stops there, the first line found begins before the part read and
// cut is set. A tail < 0 starts at 0.
func tailStart(ctx context.Context, read readAtFunc, size int64, tail int) (start int64, cut bool, err error) {
	if tail < 0 || size == 0 {
		return 0, false, nil
	}
	if tail == 0 {
		return size, false, nil
	}
	limit := int64(tail) * (MaxLine + 1)
	buf := make([]byte, chunk)
	end := size
	// A final newline ends the last line; it does not start a new one.
	var last [1]byte
	if n, err := readFull(ctx, read, last[:], size-1); err != nil {
		return 0, false, err
	} else if n == 1 && last[0] == '\n' {
		end = size - 1
	}
	found := 0
	pos := end
	for pos > 0 {
		if end-pos >= limit {
			return pos, true, nil
		}
		n := int64(len(buf))
		if pos < n {
			n = pos
		}
		got, err := readFull(ctx, read, buf[:n], pos-n)
		if err != nil {
			return 0, false, err
		}
		if int64(got) < n { // shrank under us: start over at what is there
			return 0, false, nil
		}
		b := buf[:n]
		for {
			i := bytes.LastIndexByte(b, '\n')
			if i < 0 {
				break
			}
			found++
			if found == tail {
				return pos - n + int64(i) + 1, false, nil
			}
			b = b[:i]
		}
		pos -= n
	}
	return 0, false, nil
}

// readFull reads len(p) bytes at off unless the data ends first.
func readFull(ctx context.Context, read readAtFunc, p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		m, err := read(ctx, p[n:], off+int64(n))
		n += m
		if err == io.EOF || (err == nil && m == 0) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// pump feeds the data from off up to its current end into w and returns the
// offset after the last byte read.
func pump(ctx context.Context, read readAtFunc, off int64, buf []byte, w io.Writer) (int64, error) {
	for {
		if err := ctx.Err(); err != nil {
			return off, err
		}
		n, err := read(ctx, buf, off)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return off, werr
			}
			off += int64(n)
		}
		if err == io.EOF || (err == nil && n == 0) {
			return off, nil
		}
		if err != nil {
			return off, err
		}
	}
}

// tailer reads a log through read: its last lines first, then, while
// following, what was added past off at every poll. A local file and a
// Mesos agent's /files/read differ only in read and in how a poll sees
// that the log was truncated or rotated.
type tailer struct {
	name string // the log in errors: "stdout", "stdout /sandbox/stdout"
	read readAtFunc
	sp   *splitter
	buf  []byte
	off  int64
}

func newTailer(ctx context.Context, name, std string, read readAtFunc, out chan<- Line) *tailer {
	return &tailer{name: name, read: read, sp: &splitter{stream: std, emit: sender(ctx, out)}, buf: make([]byte, chunk)}
}

// stream sends the last tail lines of the data [0, size); when following,
// it then calls poll every interval until ctx ends (nil) or poll fails
// (its error). poll reads what was added with pump.
func (t *tailer) stream(ctx context.Context, size int64, tail int, follow bool, every time.Duration, poll func() error) error {
	start, cut, err := tailStart(ctx, t.read, size, tail)
	if err != nil {
		return quiet(ctx, fmt.Errorf("log %s: %w", t.name, err))
	}
	if cut {
		t.sp.markCut()
	}
	t.off = start
	if err := t.pump(ctx); err != nil {
		return quiet(ctx, err)
	}
	// Lines written from now on get the time they were read.
	t.sp.readTime = time.Now
	if !follow {
		return quiet(ctx, t.sp.flush())
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		err := poll()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// pump reads from off to the data's current end.
func (t *tailer) pump(ctx context.Context) error {
	var err error
	t.off, err = pump(ctx, t.read, t.off, t.buf, t.sp)
	return err
}

// restart ends the line being built and goes on with read from its start:
// the log was truncated (read is the same) or rotated (read is the new
// file's).
func (t *tailer) restart(read readAtFunc) error {
	if err := t.sp.flush(); err != nil {
		return err
	}
	t.read, t.off = read, 0
	return nil
}
