// Package events keeps the node's timeline: what happened to its
// containers, processes and tasks and in its cluster, gathered from the
// sources that say so (the runtimes' event streams, the kernel log, the
// cgroups' own counters, Mesos and Marathon), placed in the cluster and
// kept, newest last, in a bounded ring that every snapshot carries.
package events

import (
	"sync"

	"github.com/ctop-like/ctop-like/internal/model"
)

// DefaultKeep is how many events a timeline keeps: an hour of a busy node
// (a container restarting every few seconds makes about 4 events a
// restart) at a few hundred bytes each, a couple of MB at most.
const DefaultKeep = 5000

// Log is the bounded ring of kept events. Adding never copies what is
// kept (the events are appended to an array that published slices never
// reach beyond their ends) except when the array is twice the ring, so a
// published Events stays valid and unchanged for as long as a snapshot
// holds it.
type Log struct {
	mu      sync.Mutex
	keep    int
	buf     []model.Event // buf[lo:] are kept
	lo      int
	seq     uint64
	dropped uint64
	seen    map[string]int // Dedup key -> how many kept events carry it
	pub     *model.Events  // the last published value; nil after a change
}

// NewLog makes a ring of keep events (DefaultKeep when keep <= 0).
func NewLog(keep int) *Log {
	if keep <= 0 {
		keep = DefaultKeep
	}
	return &Log{keep: keep, seen: map[string]int{}}
}

// add keeps e, numbered next, unless an event of its Dedup key is kept
// already; it reports whether it kept it. l.mu is held.
func (l *Log) add(e model.Event) bool {
	if e.Dedup != "" && l.seen[e.Dedup] > 0 {
		return false
	}
	l.seq++
	e.Seq = l.seq
	if len(l.buf) == cap(l.buf) && l.lo >= l.keep {
		// The array is full and half of it is let go: move what is kept
		// to a new one (published slices keep the old).
		n := make([]model.Event, len(l.buf)-l.lo, 2*l.keep)
		copy(n, l.buf[l.lo:])
		l.buf, l.lo = n, 0
	}
	l.buf = append(l.buf, e)
	if e.Dedup != "" {
		l.seen[e.Dedup]++
	}
	for len(l.buf)-l.lo > l.keep {
		if d := l.buf[l.lo].Dedup; d != "" {
			if l.seen[d]--; l.seen[d] <= 0 {
				delete(l.seen, d)
			}
		}
		l.lo++
		l.dropped++
	}
	l.pub = nil
	return true
}

// Add keeps one event (see add).
func (l *Log) Add(e model.Event) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.add(e)
}

// lost counts events let go before they reached the ring.
func (l *Log) lost(n uint64) {
	if n == 0 {
		return
	}
	l.mu.Lock()
	l.dropped += n
	l.pub = nil
	l.mu.Unlock()
}

// Events is what is kept now, as a snapshot carries it: the same value
// until the next change.
func (l *Log) Events() *model.Events {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pub == nil {
		kept := l.buf[l.lo:]
		l.pub = &model.Events{List: kept[:len(kept):len(kept)], Dropped: l.dropped, Keep: l.keep}
	}
	return l.pub
}
