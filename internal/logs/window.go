package logs

import (
	"hash/maphash"
	"io"
	"time"

	"github.com/docker/docker/pkg/stdcopy"
)

// The last N lines of a container engine's log. The engine's `tail` counts
// messages, and Docker splits a line longer than 16 KiB into messages of
// 16 KiB (each its own frame, only the last ending in a newline): `tail=5`
// of a log whose last line is 10 MB is five pieces of that line, and the
// four lines before it are not sent at all. So a window asks for N+2
// messages and keeps the last N lines; where a stream has pieces of long
// lines in it, the first line of that stream may be the end of a line that
// began before the window and is not counted, and while fewer than N lines
// are left and the log has more, the next window asks for four times as
// many messages. Without long lines the first window is `docker logs
// --tail N` exactly. Podman counts lines itself.

// maxWindow bounds the messages a window asks for beyond N+2: 32,768
// pieces of 16 KiB, half a GiB of one line. A longer line shows from
// where the window starts.
const maxWindow = 1 << 15

// held is a line of a window.
type held struct {
	Line
	// first: the first line of its stream in the window, which may be the
	// end of a line that began before it when the stream has long lines.
	first bool
}

// window gathers the last lines of one read of an engine's log, at most
// n of them (plus the uncertain ones) and hold bytes of text.
type window struct {
	n, hold int
	tty     bool

	lines []held // oldest first, from head
	head  int
	bytes int

	messages int              // frames read; lines on a TTY, whose stream has no frames
	count    int              // lines read
	seen     map[string]bool  // streams with a line
	partial  map[string]bool  // streams with a piece of a long line (a frame without a newline)
	long     bool             // a TTY line longer than one message: messages are not counted
	last     map[string]*edge // for the seam; nil when not followed
}

// edge is the newest time of a stream's lines in a window, and the lines
// with that time (by hash of stream and text: lines are not kept for it).
type edge struct {
	at    time.Time
	texts map[uint64]int
}

var seamSeed = maphash.MakeSeed()

func lineHash(l Line) uint64 {
	var h maphash.Hash
	h.SetSeed(seamSeed)
	h.WriteString(l.Stream)
	h.WriteByte(0)
	h.WriteString(l.Text)
	return h.Sum64()
}

// newWindow makes a window of the last n lines holding at most hold bytes;
// seam: it is followed by a stream attached before it (see seam).
func newWindow(n, hold int, tty, seam bool) *window {
	w := &window{n: n, hold: hold, tty: tty, seen: map[string]bool{}, partial: map[string]bool{}}
	if seam {
		w.last = map[string]*edge{}
	}
	return w
}

// uncertain says the first line of stream may have begun before the
// window.
func (w *window) uncertain(stream string) bool { return w.partial[stream] || w.long }

// certain is how many lines of the window surely began in it.
func (w *window) certain() int {
	n := w.count
	for s := range w.seen {
		if w.uncertain(s) {
			n--
		}
	}
	return n
}

// add is the splitters' emit while the window is read.
func (w *window) add(l Line) error {
	first := !w.seen[l.Stream]
	w.seen[l.Stream] = true
	w.count++
	if w.tty {
		w.messages++
		w.long = w.long || l.Cut
	}
	if w.last != nil && !l.Time.IsZero() {
		e := w.last[l.Stream]
		switch {
		case e == nil || l.Time.After(e.at):
			w.last[l.Stream] = &edge{at: l.Time, texts: map[uint64]int{lineHash(l): 1}}
		case l.Time.Equal(e.at):
			e.texts[lineHash(l)]++
		}
	}
	w.lines = append(w.lines, held{Line: l, first: first})
	w.bytes += len(l.Text)
	Hold(len(l.Text))
	for w.len() > w.n+2 || (w.bytes > w.hold && w.len() > 1) {
		w.pop()
	}
	return nil
}

func (w *window) len() int { return len(w.lines) - w.head }

// pop forgets the oldest line; the slice is compacted once half of it is
// forgotten, so a window costs its lines, not every line it saw.
func (w *window) pop() {
	w.bytes -= len(w.lines[w.head].Text)
	Hold(-len(w.lines[w.head].Text))
	w.lines[w.head] = held{}
	w.head++
	if w.head >= 1024 && w.head*2 >= len(w.lines) {
		n := copy(w.lines, w.lines[w.head:])
		clear(w.lines[n:])
		w.lines, w.head = w.lines[:n], 0
	}
}

// frames tells the window of each message frame of a multiplexed stream:
// stdcopy writes each frame with one Write.
type frames struct {
	w      io.Writer
	win    *window
	stream string
}

func (f frames) Write(p []byte) (int, error) {
	f.win.messages++
	if len(p) == 0 || p[len(p)-1] != '\n' {
		f.win.partial[f.stream] = true
	}
	return f.w.Write(p)
}

// copyLog splits an engine's log stream into lines for emit; win, when not
// nil, is told of each message frame of a multiplexed (non-TTY) stream.
func copyLog(r io.Reader, tty bool, emit func(Line) error, win *window) error {
	stdout := &splitter{stream: Stdout, stamped: true, emit: emit}
	stderr := &splitter{stream: Stderr, stamped: true, emit: emit}
	var err error
	if tty {
		// A TTY merges both streams and the engine sends them raw.
		_, err = io.Copy(stdout, r)
	} else {
		var o, e io.Writer = stdout, stderr
		if win != nil {
			o, e = frames{stdout, win, Stdout}, frames{stderr, win, Stderr}
		}
		_, err = stdcopy.StdCopy(o, e, r)
	}
	if err != nil {
		return err
	}
	if err := stdout.flush(); err != nil {
		return err
	}
	return stderr.flush()
}

// whole says the window holds the log from its first message, when k
// messages were asked for.
func (w *window) whole(k int) bool { return w.messages < k && !w.long }

// send emits the last n lines whose start was read (every line when the
// window is the whole log); the first carries how many of the n were
// dropped to hold at most hold bytes.
func (w *window) send(whole bool, emit func(Line) error) error {
	eligible := w.certain()
	if whole {
		eligible = w.count
	}
	want := min(w.n, eligible)
	keep := make([]int, 0, w.len())
	for i := w.len() - 1; i >= 0 && len(keep) < want; i-- {
		if h := w.lines[w.head+i]; whole || !h.first || !w.uncertain(h.Stream) {
			keep = append(keep, w.head+i)
		}
	}
	defer w.release()
	dropped := want - len(keep)
	for j := len(keep) - 1; j >= 0; j-- {
		l := w.lines[keep[j]].Line
		l.Dropped, dropped = dropped, 0
		if err := emit(l); err != nil {
			return err
		}
	}
	return nil
}

// release lets the window's lines go.
func (w *window) release() {
	Hold(-w.bytes)
	w.lines, w.head, w.bytes = nil, 0, 0
}

// seam wraps emit for the lines of a stream that was attached before the
// window was read: it leaves out those the window already had, that is a
// stream's lines older than its newest line in the window, and those with
// the same time and text (Podman's times are whole seconds).
func (w *window) seam(emit func(Line) error) func(Line) error {
	last := w.last
	return func(l Line) error {
		if e := last[l.Stream]; e != nil && !l.Time.IsZero() {
			if l.Time.Before(e.at) {
				return nil
			}
			if l.Time.Equal(e.at) {
				if h := lineHash(l); e.texts[h] > 0 {
					e.texts[h]--
					return nil
				}
			}
		}
		return emit(l)
	}
}
