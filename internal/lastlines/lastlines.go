// Package lastlines reads the last few lines of containers' logs, for the
// attention view's why ("exit code 1: bind: Address in use") and the
// details panel: a stopped container's log once for the state it stopped
// in, a running one's again at most every Refresh. Reads run off the
// caller (a refresh never waits on a log), a few at a time, each bounded
// in time; what they gave is kept for a while after it was last asked.
package lastlines

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctop-like/ctop-like/internal/logfeed"
	"github.com/ctop-like/ctop-like/internal/logs"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// Lines is how many last lines a read keeps; MaxLine how many bytes of
// each (a why shows one line, the details panel five).
const (
	Lines   = 5
	MaxLine = 2048
)

// How long one read may take, how soon a running container's log is read
// again, how long an entry nobody asks for is kept, and how many reads
// run at once.
const (
	readTimeout = 10 * time.Second
	Refresh     = 10 * time.Second
	keep        = 10 * time.Minute
	parallel    = 4
)

// Reader is a views.LastLines over a log opener (the logs view's).
type Reader struct {
	open logfeed.Opener
	// wait is how long Last waits for a read it starts: batch output
	// prints each refresh once, so it waits; the screen shows the lines
	// at the next refresh instead.
	wait time.Duration
	now  func() time.Time

	ctx    context.Context
	cancel context.CancelFunc
	sem    chan struct{}

	mu      sync.Mutex
	entries map[string]*entry // by container key
}

var _ views.LastLines = (*Reader)(nil)

// entry is one container's last read.
type entry struct {
	state  string // the container's state the read was made for (stateOf)
	done   chan struct{}
	lines  []views.LogLine
	status string
	at     time.Time // when the read ended
	asked  time.Time
}

// New makes a Reader that opens logs with open; Last waits up to wait for
// a read it starts.
func New(open logfeed.Opener, wait time.Duration) *Reader {
	ctx, cancel := context.WithCancel(context.Background())
	return &Reader{open: open, wait: wait, now: time.Now, ctx: ctx, cancel: cancel,
		sem: make(chan struct{}, parallel), entries: map[string]*entry{}}
}

// Close stops the reads under way.
func (r *Reader) Close() { r.cancel() }

// stateOf names a container's state for the read: a new run, a new stop
// or a restart is a new state, whose log ends differently.
func stateOf(c *model.Container) string {
	return c.State + "|" + strconv.FormatInt(c.StateSince.UnixNano(), 10) + "|" + strconv.Itoa(c.RestartCount)
}

// Last implements views.LastLines.
func (r *Reader) Last(s *model.Snapshot, c *model.Container) ([]views.LogLine, string) {
	if r == nil || r.open == nil || c == nil {
		return nil, "no log is read here"
	}
	key, state, now := c.Key(), stateOf(c), r.now()
	r.mu.Lock()
	r.expire(now)
	e := r.entries[key]
	stale := e == nil || e.state != state ||
		c.State == "running" && !e.at.IsZero() && now.Sub(e.at) >= Refresh
	var started chan struct{}
	if stale {
		select {
		case r.sem <- struct{}{}:
			old := e
			e = &entry{state: state, done: make(chan struct{})}
			if old != nil && old.state == state {
				e.lines, e.status = old.lines, old.status // shown until the new read ends
			}
			r.entries[key] = e
			started = e.done
			go r.read(s, c, e)
		default: // reads enough at once: asked again at the next refresh
		}
	}
	if e != nil {
		e.asked = now
	}
	r.mu.Unlock()
	if e == nil {
		return nil, "reading…"
	}
	if started != nil && r.wait > 0 {
		t := time.NewTimer(r.wait)
		select {
		case <-started:
		case <-t.C:
		}
		t.Stop()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.lines == nil && e.status == "" {
		return nil, "reading…"
	}
	return e.lines, e.status
}

// expire drops entries nobody asked for within keep; mu held.
func (r *Reader) expire(now time.Time) {
	for k, e := range r.entries {
		if now.Sub(e.asked) > keep && !e.at.IsZero() {
			delete(r.entries, k)
		}
	}
}

// read reads the container's last Lines lines into e.
func (r *Reader) read(s *model.Snapshot, c *model.Container, e *entry) {
	defer func() { <-r.sem }()
	ctx, cancel := context.WithTimeout(r.ctx, readTimeout)
	defer cancel()
	lines, status := r.tail(ctx, s, c.Key())
	r.mu.Lock()
	e.lines, e.status, e.at = lines, status, r.now()
	if e.lines == nil && e.status == "" {
		e.status = "its log is empty"
	}
	r.mu.Unlock()
	close(e.done)
}

// tail reads the last lines of the log of the container with this key;
// status says why there are none.
func (r *Reader) tail(ctx context.Context, s *model.Snapshot, key string) ([]views.LogLine, string) {
	src, err := r.open(ctx, s, views.Scope{Kind: "container", ID: key})
	if err != nil {
		return nil, err.Error()
	}
	out := make(chan logs.Line, 64)
	errc := make(chan error, 1)
	go func() {
		errc <- src.Stream(ctx, Lines+2, false, out)
		close(out)
	}()
	var lines []views.LogLine
	for l := range out {
		t := strings.TrimRight(l.Text, " \t\r")
		if len(t) > MaxLine {
			t = strings.ToValidUTF8(t[:MaxLine], "") + " [cut]"
		}
		lines = append(lines, views.LogLine{Time: l.Time, Stream: l.Stream, Text: t, Cut: l.Cut})
		if len(lines) > 2*Lines {
			lines = append(lines[:0], lines[len(lines)-Lines:]...)
		}
	}
	err = <-errc
	// The last lines that say something: a trailing empty line names
	// nothing.
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1].Text) == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) > Lines {
		lines = lines[len(lines)-Lines:]
	}
	if len(lines) == 0 && err != nil {
		if ctx.Err() != nil {
			return nil, "its log did not answer within " + readTimeout.String()
		}
		return nil, err.Error()
	}
	return lines, ""
}
