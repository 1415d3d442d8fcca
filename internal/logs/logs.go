// Package logs reads the output of a container, a Mesos task or a process
// as lines: the last N lines first, then new ones as they are written. One
// Source per place a log lives (a container engine's API, the files a
// process writes to, a Mesos agent's /files/read), so the logs view never
// knows which runtime it reads.
//
// Lines are untrusted: their text is kept as data (invalid UTF-8 replaced,
// nothing else changed) and must go through the terminal-safe text package
// before it reaches a screen.
package logs

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Stream names, as the logs view's `stream` column shows them.
const (
	Stdout = "stdout"
	Stderr = "stderr"
)

// MaxLine is the most bytes of one line that are kept: the rest of a longer
// line is dropped as it is read (never held whole) and the line is marked
// Cut. 16 KiB is the size at which Docker itself splits a log message.
const MaxLine = 16 << 10

// MaxHeld bounds the text of one log's lines held in memory: by an
// engine's source while it gathers the last lines asked for, and by the
// logs view's feed. The last 100,000 lines of 16 KiB are 1.6 GB; lines
// past the bound are dropped, oldest first, and the reader says so.
const MaxHeld = 128 << 20

// held is the text of the log lines kept in memory, in bytes.
var heldBytes atomic.Int64

// Held is how many bytes of log text are kept in memory, by the sources
// gathering a tail and by the logs view's feed: live memory that makes no
// garbage, which the GC's headroom need not grow with.
func Held() int64 { return heldBytes.Load() }

// Hold counts n more bytes of log text kept in memory (fewer when n < 0).
func Hold(n int) { heldBytes.Add(int64(n)) }

// Line is one line of a log.
type Line struct {
	// Time is when the engine received the line (Docker, Podman), or when
	// ctop-like read it from a file; zero for lines that were in a file
	// before the reader opened it (a file keeps no times).
	Time time.Time
	// Stream is Stdout or Stderr.
	Stream string
	// Text is the line without its newline, as written, with each run of
	// invalid UTF-8 replaced by one U+FFFD; escape sequences are still in it.
	Text string
	// Cut says the line was longer than MaxLine (or began before the part
	// of the file that was read) and only part of it is in Text.
	Cut bool
	// Dropped counts the lines of the asked tail just before this one that
	// the source left out to hold at most MaxHeld bytes of them.
	Dropped int
}

// Source is one log: Stream sends its last tail lines (every line when tail
// < 0) to out, then, when follow is set, every new line until ctx ends or
// the log does.
//
// Stream returns nil when it stopped because ctx ended or, without follow,
// after the last line; an *EndedError when the container or process ended
// while it was followed (the lines sent so far stay valid); any other error
// when the log cannot be read at all (ErrNoLogs among them).
type Source interface {
	Stream(ctx context.Context, tail int, follow bool, out chan<- Line) error
}

// ErrNoLogs says the container's log driver keeps no logs (Docker's and
// Podman's `none`): there is nothing to read, now or later.
var ErrNoLogs = errors.New("the log driver keeps no logs")

// EndedError says a followed log ended because its container or process
// did; Reason says how ("container exited with code 1").
type EndedError struct {
	Reason string
}

func (e *EndedError) Error() string { return "log ended: " + e.Reason }

// Merge is one Source made of several (a task's stdout and stderr files).
// Each part sends its own last tail lines, then its new lines in order;
// lines of different parts interleave as they are read. Stream returns the
// first error a part returned: a failing part stops the others, but a part
// whose log ended (*EndedError) lets the others read to their own end.
func Merge(parts ...Source) Source { return merged(parts) }

type merged []Source

func (m merged) Stream(ctx context.Context, tail int, follow bool, out chan<- Line) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for _, s := range m {
		wg.Add(1)
		go func(s Source) {
			defer wg.Done()
			if err := s.Stream(ctx, tail, follow, out); err != nil {
				var ended *EndedError
				once.Do(func() { first = err })
				if !errors.As(err, &ended) {
					cancel()
				}
			}
		}(s)
	}
	wg.Wait()
	return first
}

// splitter cuts written bytes into Lines of at most MaxLine bytes; a line
// longer than that keeps its first MaxLine bytes and drops the rest as it
// arrives, so memory stays bounded whatever the input.
type splitter struct {
	stream string
	// stamped: each line starts with an RFC 3339 time and a space (the
	// Docker API with timestamps=true).
	stamped bool
	// readTime gives the time of a line without a stamp; nil leaves it zero.
	readTime func() time.Time
	emit     func(Line) error
	buf      []byte
	cut      bool
	pending  bool // buf or cut holds the start of a line
}

func (s *splitter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		s.add(chunk)
		if i < 0 {
			break
		}
		if err := s.flush(); err != nil {
			return 0, err
		}
		p = p[i+1:]
	}
	return n, nil
}

func (s *splitter) add(chunk []byte) {
	s.pending = true
	room := MaxLine - len(s.buf)
	if len(chunk) > room {
		s.buf = append(s.buf, chunk[:room]...)
		s.cut = true
		return
	}
	s.buf = append(s.buf, chunk...)
}

// markCut says the line being built lost its beginning.
func (s *splitter) markCut() { s.cut, s.pending = true, true }

// flush emits the line being built, if any.
func (s *splitter) flush() error {
	if !s.pending {
		return nil
	}
	b := bytes.TrimSuffix(s.buf, []byte{'\r'})
	l := Line{Stream: s.stream, Cut: s.cut}
	if s.stamped {
		if sp := bytes.IndexByte(b, ' '); sp > 0 {
			if t, err := time.Parse(time.RFC3339Nano, string(b[:sp])); err == nil {
				l.Time, b = t, b[sp+1:]
			}
		}
	} else if s.readTime != nil {
		l.Time = s.readTime()
	}
	l.Text = strings.ToValidUTF8(string(b), "\uFFFD")
	s.buf, s.cut, s.pending = s.buf[:0], false, false
	return s.emit(l)
}

// sender is an emit function that sends to out until ctx ends.
func sender(ctx context.Context, out chan<- Line) func(Line) error {
	return func(l Line) error {
		select {
		case out <- l:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
