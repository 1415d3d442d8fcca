package orchestrator

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

// TestMatchIndexesAStateOnce: --cluster places the cluster's executors on
// every refresh against a cluster state read once a poll; at 100,000 tasks
// the maps of the state were made again on every refresh. The second
// refresh against the same state costs a small part of the first (the
// two compared, not a bound: about 1 % now, 100 % before), and places
// the same; a new state is indexed anew.
func TestMatchIndexesAStateOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 tasks")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	state := func(suffix string) *model.Cluster {
		c := &model.Cluster{HasMesos: true, MarathonFrameworkID: "fw-m", Frameworks: []model.Framework{{ID: "fw-m", Name: "marathon"}}}
		c.Tasks = make([]model.Task, 100_000)
		for i := range c.Tasks {
			c.Tasks[i] = model.Task{ID: fmt.Sprintf("app%d.%06d", i%500, i), Name: "app" + suffix, FrameworkID: "fw-m", State: "TASK_RUNNING",
				ContainerIDs: []string{fmt.Sprintf("cid-%06d", i)}}
		}
		return c
	}
	snap := func() *model.Snapshot {
		s := &model.Snapshot{}
		for i := 0; i < 100_000/manyContainers+1000; i++ {
			s.Containers = append(s.Containers, ctr(fmt.Sprintf("c%d", i), "x", model.RuntimeMesos, fmt.Sprintf("/mesos/cid-%06d", i*13), nil))
		}
		return s
	}
	c := state("a")
	// Bytes allocated, not CPU: the thread's CPU clock ticks in
	// milliseconds, about what placing these containers costs.
	cost := func(c *model.Cluster) (uint64, *model.Snapshot) {
		s := snap()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		Match(s, c)
		runtime.ReadMemStats(&m1)
		return m1.TotalAlloc - m0.TotalAlloc, s
	}
	first, s1 := cost(c)
	again, s2 := cost(c)
	t.Logf("100,000 tasks, %d containers: the first refresh allocated %d bytes, the next against the same state %d", len(s1.Containers), first, again)
	if again*5 > first {
		t.Errorf("the same state placed again allocated %d bytes against %d the first time: its maps were made again", again, first)
	}
	for i := range s1.Containers {
		if a, b := s1.Containers[i].Cluster, s2.Containers[i].Cluster; a != b || a.Task != "appa" {
			t.Errorf("container %d placed %+v, then %+v", i, a, b)
		}
	}
	_, s3 := cost(state("b"))
	if got := s3.Containers[0].Cluster.Task; got != "appb" {
		t.Errorf("against a new state: task %q, want appb", got)
	}
}
