package main

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"sync/atomic"
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
// heap: never below memoryLimit, and above the live heap and what the
// runtime holds besides it (stacks, its own memory, the unused room in
// the heap's spans) by room for a refresh's garbage (headroom). A refresh
// makes about 0.6 bytes of garbage per live byte (4.2 MB for 7 MB live at
// 500 containers): half the live heap as room, up to garbageRoom, lets
// most refreshes finish without a collection in the middle. The heap's
// free pages not returned are not counted in what the runtime holds: how
// many it keeps is what the limit decides, and a limit that counts them
// rises with them (counted in, a 22 MiB floor with the whole live heap as
// room peaked at 39.0 and 42.3 MB at 500 containers).
//
// Measured with bench/run against the earlier shape (a 24 MiB floor,
// a quarter of the live heap as room; bench/RESULTS.md): at 500
// containers peak RSS 37.2 MB against 40.2 MB, CPU per refresh 0.85x
// the old's (0.65-1.04); at 1,000 0.93x (0.91-1.07), 42.2 MB against 41.0.
const (
	gcPercent   = 400
	memoryLimit = 21 << 20
	garbageRoom = 8 << 20
	// peakGarbageRoom is garbageRoom above --cluster's window peak
	// (peakRoom).
	peakGarbageRoom = 4 << 20
	logHeadroom     = 16 << 20
)

// tuneGC sets GOGC and the soft memory limit for this node's refresh, and
// keeps the limit above the live heap until ctx ends. With a window (the
// --cluster source), the limit follows the largest live heap any
// collection saw within it, not the last one: --cluster's live heap swings
// between a round's collections (124 MB at 5,000 agents x 20, the sample
// being built) and the time between rounds (62 MB). A limit that followed
// the last collection fell between rounds to a quarter above 62 MB, and
// the next round was collected without pause: 11.5-16.4 s of GC CPU in a
// run of 20 refreshes, and a refresh under 95 % of the healthy agents
// fresh in 9 of 10 runs. Following the window's peak, with peakRoom above
// it: 6.0-6.7 s of GC CPU, and (with httpapi's resets on close) every
// refresh fresh in bench/cluster's runs, peak RSS 178.1 MiB median;
// with collectBeforeSample and 4 MiB of room, 172.6 MiB (180.7-184.8 MB)
// against 181.8 (183.7-201.0 MB) beside it (bench/RESULTS.md).
func tuneGC(ctx context.Context, window time.Duration) {
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
			{Name: "/memory/classes/heap/free:bytes"},
			{Name: "/memory/classes/heap/unused:bytes"},
		}
		t := time.NewTicker(time.Second)
		defer t.Stop()
		set := int64(memoryLimit)
		room := headroom
		var peaks *livePeaks
		if window > 0 {
			room = peakRoom
			peaks = watchPeaks(ctx, window)
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			metrics.Read(sample)
			var v [6]uint64
			for i, s := range sample {
				if s.Value.Kind() != metrics.KindUint64 {
					return
				}
				v[i] = s.Value.Uint64()
			}
			// What the limit counts besides the heap's objects and its
			// free pages not returned: stacks, the runtime's own memory,
			// the unused room in the heap's spans. The free pages are left
			// out: what they may be is what the limit decides, and counted
			// in they raised it on a node where the floor should bind.
			other := v[1] - v[2] - v[3] - v[4]
			live := v[0]
			if peaks != nil {
				live = max(live, peaks.tick())
			}
			if limit := gcLimit(live, other, uint64(max(logs.Held(), 0)), room); limit != set {
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
func gcLimit(live, other, logText uint64, room func(uint64) int64) int64 {
	logText = min(logText, live)
	rest := live - logText
	limit := max(int64(memoryLimit), int64(other)+int64(rest)+room(rest))
	if logText > 0 {
		limit = max(limit, int64(other+rest)+logHeadroom) + int64(logText)
	}
	return limit
}

// headroom is how far the heap may grow above a live heap of live bytes
// before it is collected: as much again up to garbageRoom, never less
// than a quarter of it.
func headroom(live uint64) int64 {
	return int64(max(live/4, min(live/2, garbageRoom)))
}

// peakRoom is the headroom above the largest live heap of a window: that
// peak already holds a round's sample being built, so the room is for the
// garbage made between two collections only, as much again up to
// peakGarbageRoom. A quarter of the peak above it (31 MB at 5,000
// agents) reached 199-212 MiB; an eighth 192-212 MiB, for the same
// freshness. Since the heap is collected before each sample
// (collectBeforeSample), 4 MiB where it was 8: peak RSS 181.2-183.4 MB
// against 186.3-188.0 in 20-refresh runs by hand, for 1-2 s more GC CPU a
// run (10.7-11.6 s against 8.5-10.0), every refresh fresh.
func peakRoom(live uint64) int64 {
	return int64(min(live/2, peakGarbageRoom))
}

// livePeaks is the largest live heap after each collection, kept a
// second at a time for a window.
type livePeaks struct {
	now     atomic.Uint64 // the largest of the current second
	seconds []uint64      // the seconds before, a ring
	next    int
}

// watchPeaks starts recording the live heap after every collection
// until ctx ends. The runtime has no hook for the end of a collection; a
// finalizer runs after each one that found its object unreachable, and
// arms the next. Sampled once a second instead, the live heap missed a
// round's peak: collections come 5-15 times a second then.
func watchPeaks(ctx context.Context, window time.Duration) *livePeaks {
	p := &livePeaks{seconds: make([]uint64, max(1, int(window/time.Second)))}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	type sentinel struct{ _ [32]byte } // not a tiny allocation: its own finalizer
	var arm func()
	arm = func() {
		runtime.SetFinalizer(new(sentinel), func(*sentinel) {
			if ctx.Err() != nil {
				return
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				p.record(sample[0].Value.Uint64())
			}
			arm()
		})
	}
	arm()
	return p
}

func (p *livePeaks) record(live uint64) {
	for {
		old := p.now.Load()
		if live <= old || p.now.CompareAndSwap(old, live) {
			return
		}
	}
}

// tick ends the current second and returns the largest live heap of the
// window; it is called once a second, by tuneGC's loop only.
func (p *livePeaks) tick() uint64 {
	p.seconds[p.next] = p.now.Swap(0)
	p.next = (p.next + 1) % len(p.seconds)
	return slices.Max(p.seconds)
}

// collectBeforeSample runs a collection before --cluster builds a
// round's sample (agents.Config.BeforeSample), unless GOGC or GOMEMLIMIT
// is set. The sample is one allocation of 41 MB at 5,000 agents x 20
// executors; landing on a heap full of the round's garbage it took the
// heap 20-40 MB past its goal before a collection could start (gctrace:
// 113 -> 154 MB against a goal of 120), and the peak RSS with it.
// Collected first, the round's largest heap was 126-134 MB against
// 130-165, and GC CPU over 20 refreshes 8.4-10.3 s against 10.3-12.8:
// the one collection replaces several made under the limit's pressure
// (bench/RESULTS.md).
func collectBeforeSample() {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		runtime.GC()
	}
}
