package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/ctop-like/ctop-like/internal/logs"
)

// gcPercent and memoryLimit trade memory for CPU: a refresh allocates
// little that lives, so collecting when the heap has grown 5x (GOGC 400,
// not 2x) runs the collector a quarter as often; the soft limit makes it
// collect sooner once the runtime holds that much, which keeps peak RSS
// down on large nodes. GOGC and GOMEMLIMIT, when set, win.
//
// A fixed limit near what the runtime holds makes Go collect without pause
// (up to half the CPU): at 1,000 containers a fixed 24 MiB took 397-469 ms
// per refresh against 204-240 ms at 28 MiB. So the limit follows the live
// heap: never below memoryLimit, and always a quarter of the live heap
// above what the runtime holds besides it. Measured alternately against the
// fixed 28 MiB (bench/RESULTS.md): at 500 containers peak RSS 36.1-36.6
// MiB against 38.9-40.4, CPU per refresh 77.5-92.4 ms against 75.9-77.7;
// at 1,000 201-223 ms and 42.9-46.4 MiB against 210-220 ms and 42.2-43.2.
const (
	gcPercent     = 400
	memoryLimit   = 24 << 20
	limitHeadroom = 5 // in quarters of the live heap
	logHeadroom   = 16 << 20
)

// tuneGC sets GOGC and the soft memory limit for this node's refresh, and
// keeps the limit above the live heap until ctx ends.
func tuneGC(ctx context.Context) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(memoryLimit)
	go func() {
		sample := []metrics.Sample{
			{Name: "/gc/heap/live:bytes"},
			{Name: "/memory/classes/total:bytes"},
			{Name: "/memory/classes/heap/released:bytes"},
			{Name: "/memory/classes/heap/objects:bytes"},
			{Name: "/memory/classes/heap/unused:bytes"},
		}
		t := time.NewTicker(time.Second)
		defer t.Stop()
		set := int64(memoryLimit)
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			metrics.Read(sample)
			var v [5]uint64
			for i, s := range sample {
				if s.Value.Kind() != metrics.KindUint64 {
					return
				}
				v[i] = s.Value.Uint64()
			}
			// What the limit counts besides the heap's objects: stacks,
			// the runtime's own memory, free heap pages not returned.
			other := v[1] - v[2] - v[3] - v[4]
			if limit := gcLimit(v[0], other, uint64(max(logs.Held(), 0))); limit != set {
				debug.SetMemoryLimit(limit)
				set = limit
			}
		}
	}()
}

// gcLimit is the soft memory limit for a live heap of live bytes beside
// other bytes of the runtime's memory that are not heap objects. Of the
// live bytes, logText are log lines kept in memory (logs.Held): live, but
// they make no garbage, so the headroom is the rest's, and logHeadroom
// while a log is kept (the logs view rebuilds its rows four times a
// second). With 128 MiB of lines kept, a headroom of a quarter of the live
// heap made the screen peak at 1.6x their size (202-205 MiB).
func gcLimit(live, other, logText uint64) int64 {
	logText = min(logText, live)
	rest := live - logText
	limit := max(int64(memoryLimit), int64(other)+int64(rest)*limitHeadroom/4)
	if logText > 0 {
		limit = max(limit, int64(other+rest)+logHeadroom) + int64(logText)
	}
	return limit
}
