package recording

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// syncEvery bounds how much a power cut can lose: written records reach the
// disk at most this long after they were written.
const syncEvery = 10 * time.Second

// Writer appends snapshots to a recording. Each Write is one write(2) of
// whole frames, so a crash loses at most the record being written; a failed
// write is cut back off the file so the next one starts on a frame boundary.
type Writer struct {
	mu   sync.Mutex
	f    *os.File
	path string
	h    Header
	off  int64 // bytes known good

	seq      uint32
	key      *keyState // last record stored; nil: the next record is a keyframe
	sinceKey int
	clSeq    uint32 // last cluster frame stored, 0 for none
	clBody   []byte
	zip      compressor
	buf      bytes.Buffer

	lastSync  time.Time
	syncTimer *time.Timer
	syncErr   error
	closed    bool

	// written and lost count the records Write stored and those it could
	// not (a full disk); Close reports any loss with the first cause.
	written, lost int
	lossErr       error
}

// Create starts a new recording at path, readable by its owner only (it
// shows what ran on the node). An existing file is never overwritten: a
// recording is history, and losing one to a repeated command would be worse
// than asking for another name.
func Create(path string, h Header) (*Writer, error) {
	h.Version = Version
	if h.Start.IsZero() {
		h.Start = time.Now()
	}
	if h.KeyframeEvery <= 0 {
		h.KeyframeEvery = DefaultKeyframeEvery
	}
	head, err := encodeHeader(h)
	if err != nil {
		return nil, fmt.Errorf("recording %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("recording %s: file exists; choose another name or remove it", path)
		}
		return nil, fmt.Errorf("recording: %w", err)
	}
	if _, err := f.Write(head); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("recording %s: write header: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("recording %s: sync header: %w", path, err)
	}
	return &Writer{f: f, path: path, h: h, off: int64(len(head)), lastSync: time.Now()}, nil
}

// Write appends one snapshot as one record, preceded by a cluster frame
// when the cluster's content changed since the last one stored. It does not
// modify s. On error nothing of this record stays in the file and the
// writer remains usable: a full disk costs the records it could not hold,
// which Close counts in its error.
func (w *Writer) Write(s *model.Snapshot) error {
	if s == nil {
		return errors.New("recording: nil snapshot")
	}
	_, err := w.write(s)
	return err
}

// count adds one record to the written or lost count. Called with mu held.
func (w *Writer) count(stored bool, err error) {
	if stored {
		w.written++
		return
	}
	w.lost++
	if w.lossErr == nil {
		w.lossErr = err
	}
}

// write is Write; stored says whether the record is in the file (a sync
// error comes after the record was written).
func (w *Writer) write(s *model.Snapshot) (stored bool, err error) {
	e, err := encodeSnapshot(s)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		err = fmt.Errorf("recording %s: %w", w.path, err)
		w.count(false, err)
		return false, err
	}
	if w.closed {
		return false, fmt.Errorf("recording %s: write after close", w.path)
	}
	defer func() { w.count(stored, err) }()
	var out []byte
	newCluster := false
	seq := w.seq
	if e.ref != nil {
		if w.clSeq == 0 || !bytes.Equal(e.clusterBody, w.clBody) {
			seq++
			p, err := w.zip.compress(e.clusterBody)
			if err != nil {
				return false, fmt.Errorf("recording %s: compress cluster: %w", w.path, err)
			}
			out = appendFrame(out, frameHead{kind: kindCluster, seq: seq, time: s.Cluster.Time.UnixNano()}, p)
			e.ref.Seq = seq
			newCluster = true
		} else {
			e.ref.Seq = w.clSeq
		}
	}
	seq++
	key := w.key == nil || w.sinceKey+1 >= w.h.KeyframeEvery
	w.buf.Reset()
	kind, base, cl := kindKey, uint32(0), uint32(0)
	if e.ref != nil {
		cl = e.ref.Seq
	}
	if key {
		err = writeKey(&w.buf, e)
	} else {
		kind, base = kindDelta, w.key.seq
		err = writeDelta(&w.buf, w.key, e)
	}
	if err != nil {
		return false, fmt.Errorf("recording %s: %w", w.path, err)
	}
	p, err := w.zip.compress(w.buf.Bytes())
	if err != nil {
		return false, fmt.Errorf("recording %s: compress record: %w", w.path, err)
	}
	out = appendFrame(out, frameHead{kind: kind, seq: seq, base: base, cluster: cl, time: s.Time.UnixNano()}, p)

	n, err := w.f.Write(out)
	if err != nil {
		if n > 0 {
			// Leave no torn frame behind; if this fails too, the reader
			// resyncs on the next frame magic.
			_ = w.f.Truncate(w.off)
		}
		return false, fmt.Errorf("recording %s: write record of %s: %w", w.path, s.Time.Format(time.TimeOnly), err)
	}
	w.off += int64(n)
	w.seq = seq
	if newCluster {
		w.clSeq, w.clBody = e.ref.Seq, e.clusterBody
	}
	w.key = newKeyState(seq, e)
	if key {
		w.sinceKey = 0
	} else {
		w.sinceKey++
	}
	return true, w.maybeSync()
}

// maybeSync syncs when the last sync is syncEvery old, else makes sure one
// happens by then even if no further record comes. Called with mu held.
func (w *Writer) maybeSync() error {
	if err := w.syncErr; err != nil {
		w.syncErr = nil
		return fmt.Errorf("recording %s: sync: %w", w.path, err)
	}
	since := time.Since(w.lastSync)
	if since >= syncEvery {
		return w.syncNow()
	}
	if w.syncTimer == nil {
		w.syncTimer = time.AfterFunc(syncEvery-since, func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.syncTimer = nil
			if !w.closed {
				w.syncErr = w.f.Sync()
				w.lastSync = time.Now()
			}
		})
	}
	return nil
}

func (w *Writer) syncNow() error {
	if w.syncTimer != nil {
		w.syncTimer.Stop()
		w.syncTimer = nil
	}
	w.lastSync = time.Now()
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("recording %s: sync: %w", w.path, err)
	}
	return nil
}

// Close writes the end mark, syncs and closes the file; SIGTERM and SIGINT
// handlers call it so a stopped recording ends on a whole record and a reader
// can tell it from one cut short. When Write lost records, Close's error
// says how many, of how many, and why: the file is not the whole run.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	var err error
	end := appendFrame(nil, frameHead{kind: kindEnd, seq: w.seq + 1, time: time.Now().UnixNano()}, nil)
	if n, werr := w.f.Write(end); werr != nil {
		if n > 0 {
			_ = w.f.Truncate(w.off)
		}
		err = fmt.Errorf("recording %s: write end mark: %w", w.path, werr)
	}
	if serr := w.syncNow(); err == nil {
		err = serr
	}
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("recording %s: close: %w", w.path, cerr)
	}
	if w.lost > 0 {
		loss := &LossError{Path: w.path, Lost: w.lost, Total: w.lost + w.written, Cause: w.lossErr}
		if err != nil {
			return errors.Join(loss, err)
		}
		return loss
	}
	return err
}

// LossError is Close's error when records could not be written: the
// recording lacks Lost of the Total refreshes of the run.
type LossError struct {
	Path        string
	Lost, Total int
	Cause       error // the first failed write
}

func (e *LossError) Error() string {
	return fmt.Sprintf("recording %s: lost %d of %d records; first: %v", e.Path, e.Lost, e.Total, e.Cause)
}

func (e *LossError) Unwrap() error { return e.Cause }
