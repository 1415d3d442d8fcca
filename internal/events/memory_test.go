package events

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

func heapAfterGC() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// heldPerContainer is the heap the timeline holds, per container, for
// what it remembers of a refresh of n containers (the snapshot, its
// samples and their strings are held by the caller before and after).
func heldPerContainer(n int) float64 {
	cs := make([]model.Container, n)
	for i := range cs {
		cs[i] = mesosContainer(fmt.Sprintf("%08x-mesos", i), 0)
	}
	s := snapshotAt(0, cs...)
	tl := New(Config{Counters: func(string) bool { return true }, CounterSource: "cgroup"})
	base := heapAfterGC()
	tl.Observe(s)
	after := heapAfterGC()
	runtime.KeepAlive(s)
	runtime.KeepAlive(tl)
	return float64(int64(after)-int64(base)) / float64(n)
}

// TestRememberedBytesPerContainer: under --cluster the timeline
// remembers 100,000 executors from one refresh to the next, to tell
// which appeared, which are gone, whose OOM counter grew or whose state
// changed. A mark of 11 strings copied per container (192 bytes, each
// its own allocation in the map) was 21-42 MB of the 5,000-agent peak;
// it now holds the compared fields and refers to the container's own
// sample (held by the snapshot anyway) to place what is said of it.
func TestRememberedBytesPerContainer(t *testing.T) {
	const n = 20000
	per := heldPerContainer(n)
	t.Logf("%d containers: the timeline holds %.0f bytes per container", n, per)
	// A map slot of key (16), sample pointer, counter and flags (24),
	// with the map's spare room: about 50 bytes. The copied mark was
	// about 240.
	if per > 96 {
		t.Errorf("the timeline holds %.0f bytes per container remembered, want at most 96", per)
	}
}

// TestHandledRemembersNoSample: where no snapshot is kept once printed
// (batch output, Config.Handled), what the timeline remembers of a
// refresh must not keep its samples alive: a mark that referred to its
// container's sample kept every sample of the refresh (74 MB at
// --cluster's 100,000 executors) until the next one was collected. And
// a container gone by the next refresh is still placed from what was
// copied.
func TestHandledRemembersNoSample(t *testing.T) {
	const n = 20000
	tl := New(Config{Counters: func(string) bool { return true }, CounterSource: "cgroup", Handled: true})
	base := heapAfterGC()
	func() {
		cs := make([]model.Container, n)
		for i := range cs {
			cs[i] = mesosContainer(fmt.Sprintf("%08x-mesos", i), 0)
		}
		tl.Observe(snapshotAt(0, cs...))
	}()
	per := float64(int64(heapAfterGC())-int64(base)) / n
	t.Logf("%d containers: the timeline holds %.0f bytes per container once the snapshot is dropped", n, per)
	// A copy of the placement (160 bytes) and a slot of the map, with
	// the ids and cgroup strings the copy shares: about 300. The samples
	// kept were 744 bytes each more.
	if per > 400 {
		t.Errorf("the timeline holds %.0f bytes per container of a dropped snapshot, want at most 400", per)
	}
	s := snapshotAt(2)
	tl.Observe(s)
	var died *model.Event
	for _, e := range s.Events.List {
		if e.Kind == "died" && e.Container == fmt.Sprintf("%08x-mesos", n-1) {
			died = &e
		}
	}
	if died == nil || died.Object != "0000" || died.Cgroup != fmt.Sprintf("/mesos/%08x-mesos", n-1) || died.Cluster.Framework != "spark" || died.Runtime != model.RuntimeMesos {
		t.Errorf("a gone container's event is not placed from the copy: %+v", died)
	}
}
