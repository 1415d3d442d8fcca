package monitor

import "github.com/ctop-like/ctop-like/internal/model"

// Handoff passes snapshots from one writer to one reader, the newest
// winning: a snapshot the reader has not taken yet is replaced by the next
// one, so a slow reader (the screen, a recorder) misses old snapshots and
// never blocks the writer (the refresh loop, a replay). The live monitor,
// a replay and a recording's tee publish through one each.
type Handoff chan *model.Snapshot

// NewHandoff makes an empty hand-off.
func NewHandoff() Handoff { return make(Handoff, 1) }

// Put hands s over, replacing a snapshot not yet taken; it never blocks.
func (h Handoff) Put(s *model.Snapshot) {
	for {
		select {
		case h <- s:
			return
		default:
		}
		select {
		case <-h: // the reader has not taken the previous one: drop it
		default:
		}
	}
}
