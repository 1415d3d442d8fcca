package main

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// The soft memory limit follows a live heap that outgrows it, so that a
// large node's refresh is not collected without pause (at 1,000
// containers a fixed limit doubled the CPU per refresh).
func TestGCLimitFollowsTheLiveHeap(t *testing.T) {
	tunedGC(t, 0)
	if got := debug.SetMemoryLimit(-1); got != memoryLimit {
		t.Fatalf("limit %d at start, want %d", got, memoryLimit)
	}
	live := make([][]byte, 48)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	runtime.GC()
	deadline := time.Now().Add(20 * time.Second)
	for debug.SetMemoryLimit(-1) < 48<<20*5/4 {
		if time.Now().After(deadline) {
			t.Fatalf("limit %d MiB with 48 MiB live", debug.SetMemoryLimit(-1)>>20)
		}
		time.Sleep(50 * time.Millisecond)
	}
	runtime.KeepAlive(live)
}

// tunedGC runs tuneGC with window for the test, with GOGC and GOMEMLIMIT
// unset; the collector's settings are restored at its end.
func tunedGC(t *testing.T, window time.Duration) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	percent := debug.SetGCPercent(100)
	limit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	tuneGC(ctx, window)
}

// Log lines kept in memory (the logs view's) get no headroom of their
// own: with 127 MiB of them in a live heap of 139 MiB the limit is the
// rest's (at least 16 MiB above it) plus the lines, not a quarter of the
// whole heap above it; without a log nothing changes.
func TestGCLimitLeavesOutKeptLogLines(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, other, log uint64
		want             int64
	}{
		{139 * mib, 9 * mib, 127 * mib, (127 + 9 + 12 + 16) * mib},
		{139 * mib, 9 * mib, 0, 9*mib + 139*mib*5/4},
		{8 * mib, 6 * mib, 0, memoryLimit},
		{40 * mib, 10 * mib, 200 * mib, (40 + 10 + 16) * mib}, // counted while it was read: never more than the live heap
	} {
		if got := gcLimit(c.live, c.other, c.log, headroom); got != c.want {
			t.Errorf("live %d MiB, other %d MiB, log %d MiB: limit %d MiB, want %d", c.live/mib, c.other/mib, c.log/mib, got/mib, c.want/mib)
		}
	}
}

// The limit leaves a refresh's garbage room to be made without a
// collection in the middle of it, where the live heap is small enough to
// afford it: a refresh makes about 0.6 bytes of garbage per live byte
// (4.2 MB against 7 MB live at 500 containers, bench/RESULTS.md), so half
// the live heap above it, up to 8 MiB. Where that fits under the floor,
// the floor holds: the 500-container node's figures (7 MiB live, 7 MiB
// of stacks, runtime memory and unused span room) are held at 21 MiB,
// not 24, which is what kept its peak RSS above 40 MB.
func TestGCLimitLeavesRoomForARefreshsGarbage(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, other uint64
		want        int64
	}{
		{7 * mib, 7 * mib, 21 * mib},               // 500 containers: the floor
		{12 * mib, 9 * mib, (9 + 12 + 6) * mib},    // 1,000: half the live heap above it
		{20 * mib, 12 * mib, (12 + 20 + 8) * mib},  // 2,000: 8 MiB above it
		{64 * mib, 12 * mib, (12 + 64 + 16) * mib}, // a quarter, where that is more
	} {
		if got := gcLimit(c.live, c.other, 0, headroom); got != c.want {
			t.Errorf("live %d MiB, other %d MiB: limit %.1f MiB, want %d", c.live/mib, c.other/mib, float64(got)/mib, c.want/mib)
		}
	}
	// Above a window's peak (--cluster) the room is for the garbage
	// between two collections only: the peak holds the round's sample.
	if got, want := gcLimit(124*mib, 20*mib, 0, peakRoom), int64(20+124+4)*mib; got != want {
		t.Errorf("--cluster, 124 MiB peak: limit %d MiB, want %d", got/mib, want/mib)
	}
}

// --cluster's limit holds a round's peak between rounds: its live heap
// falls to half between them, and a limit that fell with it had the next
// round collected without pause (11.5-16.4 s of GC CPU in 20 refreshes
// at 5,000 agents, and healthy agents late). After 48 MiB live falls to
// almost nothing, the limit stays above 48 MiB while the window lasts.
func TestGCLimitHoldsTheWindowsPeak(t *testing.T) {
	tunedGC(t, time.Minute)
	live := make([][]byte, 48)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	runtime.GC()
	deadline := time.Now().Add(20 * time.Second)
	for debug.SetMemoryLimit(-1) < 48<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("limit %d MiB with 48 MiB live", debug.SetMemoryLimit(-1)>>20)
		}
		time.Sleep(50 * time.Millisecond)
	}
	runtime.KeepAlive(live)
	live = nil
	for end := time.Now().Add(2500 * time.Millisecond); time.Now().Before(end); {
		runtime.GC()
		if got := debug.SetMemoryLimit(-1); got < 48<<20 {
			t.Fatalf("limit fell to %d MiB within the window, with the peak of 48 MiB live in it", got>>20)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The window's peak is the largest live heap of its seconds, and a peak
// leaves it once the window has passed.
func TestLivePeaksForgetAfterTheWindow(t *testing.T) {
	p := &livePeaks{seconds: make([]uint64, 3)}
	p.record(100)
	p.record(40)
	if got := p.tick(); got != 100 {
		t.Fatalf("peak %d after recording 100 and 40, want 100", got)
	}
	p.record(10)
	for i, want := range []uint64{100, 100, 10, 0} {
		if got := p.tick(); got != want {
			t.Fatalf("tick %d after the peak: %d, want %d", i+1, got, want)
		}
	}
}

// Every collection's live heap is recorded, not one a second: 48 MiB
// live at a collection is in the current second's peak.
func TestWatchPeaksSeesEachCollection(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := watchPeaks(ctx, 10*time.Second)
	live := make([][]byte, 48)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	deadline := time.Now().Add(10 * time.Second)
	for p.now.Load() < 48<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("peak %d MiB after collections with 48 MiB live", p.now.Load()>>20)
		}
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	runtime.KeepAlive(live)
}
