package events

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctop-like/ctop-like/internal/model"
)

// threadCPU is the calling thread's CPU time (the test locks itself to
// its thread while it counts), from the thread's CPU clock: getrusage's
// RUSAGE_THREAD counts in scheduler ticks, and a refresh of 1,000
// containers (about 1 ms) read 0 s in one run of five, which made the
// ratio below 20,000x.
func threadCPU() time.Duration {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
	return time.Duration(ts.Nano())
}

// appearCost is the least CPU, of five tries, of the refresh in which n
// containers appear (n "started" events to place).
func appearCost(n int) time.Duration {
	cs := make([]model.Container, n)
	for i := range cs {
		cs[i] = mesosContainer(fmt.Sprintf("%08x-mesos", i), 0)
	}
	best := time.Duration(1<<63 - 1)
	for try := 0; try < 5; try++ {
		tl := New(Config{Counters: func(string) bool { return true }, CounterSource: "cgroup"})
		tl.Observe(snapshotAt(0))
		s := snapshotAt(2, cs...)
		t0 := threadCPU()
		tl.Observe(s)
		best = min(best, threadCPU()-t0)
		if len(s.Events.List) == 0 {
			panic("no events")
		}
	}
	return best
}

// TestPlacingEventsGrowsWithTheirNumber: --cluster's 100,000 executors
// appear at once (the first answers), and each event was placed by
// scanning every container of the snapshot: 100,000 x 100,000 key
// comparisons, a refresh of over a minute. 16 times the containers must
// cost at most about 16 times the CPU (the two compared, not a bound):
// 6-21x with a map (with -race too), 160-400x with the scan. Bounded at
// 64x: a loaded machine once took it past 40x (GC assists and page
// faults land on the measured thread), never near the scan's.
func TestPlacingEventsGrowsWithTheirNumber(t *testing.T) {
	if testing.Short() {
		t.Skip("17,000 containers")
	}
	runtimeLockOSThread(t)
	small, big := appearCost(1000), appearCost(16000)
	ratio := float64(big) / float64(max(small, time.Microsecond))
	t.Logf("1,000 containers appearing: %v; 16,000: %v (%.1fx)", small, big, ratio)
	if ratio > 64 {
		t.Errorf("16x the containers cost %.1fx the CPU: placing events is quadratic", ratio)
	}
}

func runtimeLockOSThread(t *testing.T) {
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
}
