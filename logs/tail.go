package logs

import (
	"bytes"
	"context"
	"io"
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
