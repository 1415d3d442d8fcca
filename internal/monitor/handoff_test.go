package monitor

import (
	"sync"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// Put never waits for the reader, and the reader gets the newest snapshot
// handed over, then nothing until the next.
func TestHandoffNewestWins(t *testing.T) {
	h := NewHandoff()
	t0 := time.Unix(1000, 0)
	for i := 0; i < 3; i++ {
		h.Put(&model.Snapshot{Time: t0.Add(time.Duration(i) * time.Second)})
	}
	if s := <-h; !s.Time.Equal(t0.Add(2 * time.Second)) {
		t.Errorf("reader got %v, want the newest", s.Time)
	}
	select {
	case s := <-h:
		t.Errorf("a second snapshot was waiting: %v", s.Time)
	default:
	}
}

// With a reader taking snapshots while the writer puts them, every
// snapshot the reader gets is newer than the one before, and the last one
// put is the last one got.
func TestHandoffConcurrentReaderSeesNewerOnly(t *testing.T) {
	h := NewHandoff()
	const n = 2000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i <= n; i++ {
			h.Put(&model.Snapshot{Interval: time.Duration(i)})
		}
	}()
	last := time.Duration(0)
	for last < n {
		s := <-h
		if s.Interval <= last {
			t.Fatalf("got snapshot %d after %d", s.Interval, last)
		}
		last = s.Interval
	}
	wg.Wait()
}
