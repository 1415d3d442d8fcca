// Package logfeed keeps the lines of the one log the logs view shows: it
// opens the scope's log when the view first asks for it, keeps its last
// lines in a ring bounded in lines and bytes as they are written, says
// when older lines were dropped, and closes it when the view asks for
// another scope. Log lines are not part of a snapshot (they come
// between refreshes, and a snapshot is recorded and replayed): this is the
// views.LogLines the logs view reads.
package logfeed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ctop-like/ctop-like/internal/logs"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// Opener finds the log of a scope (container=, task=, pid=) in a snapshot.
type Opener func(ctx context.Context, s *model.Snapshot, sc views.Scope) (logs.Source, error)

// MinKeep is the fewest lines a feed keeps: with lines cut at
// logs.MaxLine (16 KiB), 2000 lines are at most 32 MiB, and the usual
// 100-byte line makes it 200 kB. A feed keeps max(MinKeep, tail) lines and
// at most MaxBytes of their text.
const MinKeep = 2000

// cutMark ends the text of a line of which only the start was kept; the
// feed appends it once, when the line comes, so that no refresh copies a
// 16 KiB line to mark it (the logs view appends it to a line without it).
const cutMark = " [cut]"

// settle bounds how long the first Lines of a followed scope waits for the
// log's last lines to arrive, so the first refresh shows them; quiet is the
// pause after which they are taken to be all there. A log read once (batch
// -n 1) ends by itself: the first Lines waits for its end, at most whole.
// An engine's last lines come all at once, once counted (logs.Engine):
// 10,000 lines of 16 KB took Docker 9-17 s on a loaded 2-core machine.
const (
	settle = 2 * time.Second
	quiet  = 200 * time.Millisecond
	whole  = 60 * time.Second
)

// Feed is the views.LogLines of a run: one log open at a time.
type Feed struct {
	open   Opener
	tail   int
	follow bool
	// fresh: Lines returns only the lines it has not returned before
	// (batch output, where each refresh prints the new lines, tail -f).
	fresh bool
	// MaxBytes bounds the text of the lines kept; logs.MaxHeld when zero.
	// Set it before the first Lines.
	MaxBytes int

	mu  sync.Mutex
	cur *feed
}

// New makes a Feed that opens logs with open and shows their last tail
// lines (every line when tail < 0), then, when follow is set, new ones as
// they come. fresh makes each Lines return only the lines not returned
// before (batch output); otherwise every line kept (the screen).
func New(open Opener, tail int, follow, fresh bool) *Feed {
	return &Feed{open: open, tail: tail, follow: follow, fresh: fresh}
}

// feed is one open log.
type feed struct {
	scope  views.Scope
	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex
	keep     int             // the most lines kept
	maxBytes int             // the most bytes of text kept
	ring     []views.LogLine // the kept lines, oldest first, from head
	head     int
	bytes    int    // text of the kept lines
	seq      uint64 // lines read so far, dropped ones included
	last     time.Time
	sent     uint64 // fresh: the last seq returned
	status   string
	ended    bool
	// dropped counts the lines read or left out by the source that are
	// not kept; lost those of them that Lines never returned (fresh), and
	// lostNow those lost before the lines the last Lines returned.
	dropped, lost, lostShown, lostNow uint64
}

// Lines implements views.LogLines.
func (f *Feed) Lines(s *model.Snapshot, sc views.Scope) ([]views.LogLine, string) {
	return f.feedOf(s, sc).lines(f.fresh)
}

// feedOf is the open log of sc, opened now (and any other closed) when it
// is not the one open.
func (f *Feed) feedOf(s *model.Snapshot, sc views.Scope) *feed {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cur == nil || f.cur.scope != sc {
		if f.cur != nil {
			f.cur.stop()
		}
		f.cur = f.start(s, sc)
	}
	return f.cur
}

// Status implements views.LogLines: why the scope's log cannot be read or
// ended, without taking its new lines (a batch refresh asks for the rows
// first, then for the errors: lines that came in between belong to the
// next refresh).
func (f *Feed) Status(s *model.Snapshot, sc views.Scope) string {
	cur := f.feedOf(s, sc)
	cur.mu.Lock()
	defer cur.mu.Unlock()
	return cur.statusLocked(f.fresh)
}

// Close stops the open log, if any.
func (f *Feed) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cur != nil {
		f.cur.stop()
		f.cur = nil
	}
}

// start opens the scope's log and waits (at most settle) for its last
// lines, so that the first refresh shows them.
func (f *Feed) start(s *model.Snapshot, sc views.Scope) *feed {
	keep := MinKeep
	if f.tail > keep {
		keep = f.tail
	}
	maxBytes := f.MaxBytes
	if maxBytes <= 0 {
		maxBytes = logs.MaxHeld
	}
	ctx, cancel := context.WithCancel(context.Background())
	fd := &feed{scope: sc, cancel: cancel, done: make(chan struct{}), keep: keep, maxBytes: maxBytes}
	src, err := f.open(ctx, s, sc)
	if err != nil {
		fd.status, fd.ended = err.Error(), true
		close(fd.done)
		return fd
	}
	out := make(chan logs.Line, 256)
	streamDone := make(chan error, 1)
	go func() { streamDone <- src.Stream(ctx, f.tail, f.follow, out) }()
	go fd.run(out, streamDone)
	if f.follow {
		fd.settle()
	} else {
		fd.wait()
	}
	return fd
}

// run keeps the lines that come until the stream ends.
func (fd *feed) run(out chan logs.Line, streamDone chan error) {
	defer close(fd.done)
	for {
		select {
		case l := <-out:
			fd.add(l)
		case err := <-streamDone:
		drain:
			for {
				select {
				case l := <-out:
					fd.add(l)
				default:
					break drain
				}
			}
			fd.mu.Lock()
			fd.ended = true
			fd.status = why(err)
			fd.mu.Unlock()
			return
		}
	}
}

// why says in one sentence why a log stream stopped ("" when it simply
// reached the end of what was asked, or was closed).
func why(err error) string {
	var ended *logs.EndedError
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return ""
	case errors.As(err, &ended):
		return "the log ended: " + ended.Reason
	}
	return err.Error()
}

func (fd *feed) add(l logs.Line) {
	text := l.Text
	if l.Cut {
		text += cutMark
	}
	fd.mu.Lock()
	defer fd.mu.Unlock()
	if l.Dropped > 0 {
		// Lines of the tail the source did not hold: never returned.
		n := uint64(l.Dropped)
		fd.seq += n
		fd.dropped += n
		fd.lost += n
	}
	fd.seq++
	fd.last = time.Now()
	fd.ring = append(fd.ring, views.LogLine{Seq: fd.seq, Time: l.Time, Stream: l.Stream, Text: text, Cut: l.Cut})
	fd.bytes += len(text)
	logs.Hold(len(text))
	for fd.len() > fd.keep || (fd.bytes > fd.maxBytes && fd.len() > 1) {
		fd.pop()
	}
}

func (fd *feed) len() int { return len(fd.ring) - fd.head }

// pop drops the oldest kept line. The slice is compacted once half of it
// is dropped: the feed costs the lines it keeps, not every line it read.
func (fd *feed) pop() {
	old := fd.ring[fd.head]
	fd.dropped++
	if old.Seq > fd.sent {
		fd.lost++
	}
	fd.bytes -= len(old.Text)
	logs.Hold(-len(old.Text))
	fd.ring[fd.head] = views.LogLine{}
	fd.head++
	if fd.head >= 1024 && fd.head*2 >= len(fd.ring) {
		n := copy(fd.ring, fd.ring[fd.head:])
		clear(fd.ring[n:])
		fd.ring, fd.head = fd.ring[:n], 0
	}
}

// settle waits until the stream ended, or has been quiet for a while
// after its last line, at most settle.
func (fd *feed) settle() {
	deadline := time.NewTimer(settle)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-fd.done:
			return
		case <-deadline.C:
			return
		case now := <-tick.C:
			fd.mu.Lock()
			last := fd.last
			fd.mu.Unlock()
			// Until the first line, wait the whole settle: an engine's log
			// API can take longer than quiet to send anything on a loaded
			// machine, and the first refresh then showed no line at all.
			if !last.IsZero() && now.Sub(last) >= quiet {
				return
			}
		}
	}
}

// wait waits for a log read once to end, at most whole; past that the
// refresh shows the lines read so far and says the rest did not come.
func (fd *feed) wait() {
	t := time.NewTimer(whole)
	defer t.Stop()
	select {
	case <-fd.done:
	case <-t.C:
		fd.mu.Lock()
		fd.status = fmt.Sprintf("the log's last lines did not all come within %v: %d shown", whole, fd.seq)
		fd.mu.Unlock()
	}
}

// lines copies the kept lines (fresh: those not returned before).
func (fd *feed) lines(fresh bool) ([]views.LogLine, string) {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	kept := fd.ring[fd.head:]
	if fresh {
		i := len(kept)
		for i > 0 && kept[i-1].Seq > fd.sent {
			i--
		}
		kept = kept[i:]
		fd.sent = fd.seq
		fd.lostNow, fd.lostShown = fd.lost-fd.lostShown, fd.lost
	}
	return slices.Clone(kept), fd.statusLocked(fresh)
}

// statusLocked says why the log cannot be read or ended, and which lines
// were dropped: on the screen every older line not kept; in batch output
// (fresh) the lines dropped before the last Lines could return them.
func (fd *feed) statusLocked(fresh bool) string {
	var drop string
	switch {
	case fresh && fd.lostNow > 0:
		drop = fmt.Sprintf("%d lines were dropped before they could be printed: the logs view holds at most %d lines and %s between refreshes", fd.lostNow, fd.keep, mib(fd.maxBytes))
	case !fresh && fd.dropped > 0:
		drop = fmt.Sprintf("%d older lines were dropped: the logs view holds the last %d lines and at most %s", fd.dropped, fd.keep, mib(fd.maxBytes))
	}
	switch {
	case drop == "":
		return fd.status
	case fd.status == "":
		return drop
	}
	return fd.status + "; " + drop
}

// mib writes a byte count as MiB ("128 MiB"), or KiB below one MiB.
func mib(n int) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d MiB", n>>20)
}

// stop closes the log, waits for its reader and lets its lines go.
func (fd *feed) stop() {
	fd.cancel()
	<-fd.done
	fd.mu.Lock()
	logs.Hold(-fd.bytes)
	fd.ring, fd.head, fd.bytes = nil, 0, 0
	fd.mu.Unlock()
}
