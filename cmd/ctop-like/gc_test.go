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
	tuneGC(ctx)
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
