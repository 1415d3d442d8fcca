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
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tuneGC(ctx, false)
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
		if got := gcLimit(c.live, c.other, c.log); got != c.want {
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
		if got := gcLimit(c.live, c.other, 0); got != c.want {
			t.Errorf("live %d MiB, other %d MiB: limit %.1f MiB, want %d", c.live/mib, c.other/mib, float64(got)/mib, c.want/mib)
		}
	}
}
