package orchestrator

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

// bigCluster is a cluster of n Marathon tasks over 50 apps, each task in
// its container "cid-<i>"; the last task is listed again as finished
// (a master remembers an id twice), its live one first.
func bigCluster(n int) *model.Cluster {
	c := &model.Cluster{MarathonFrameworkID: "fw-m", Frameworks: []model.Framework{{ID: "fw-m", Name: "marathon", Active: true}}}
	c.Apps = make([]model.App, 50)
	for a := range c.Apps {
		c.Apps[a].ID = fmt.Sprintf("/shop/app%d", a)
		c.Apps[a].Group = "/shop"
	}
	c.Tasks = make([]model.Task, 0, n+1)
	for i := range n {
		a := &c.Apps[i%len(c.Apps)]
		id := fmt.Sprintf("shop_app%d.%08d", i%len(c.Apps), i)
		c.Tasks = append(c.Tasks, model.Task{ID: id, Name: "app", FrameworkID: "fw-m", State: "TASK_RUNNING", ContainerIDs: []string{fmt.Sprintf("cid-%d", i)}})
		a.TaskIDs = append(a.TaskIDs, id)
	}
	last := c.Tasks[n-1]
	last.Finished, last.State, last.ContainerIDs = true, "TASK_FAILED", []string{"cid-old"}
	c.Tasks = append(c.Tasks, last)
	return c
}

// nodeOf is a node running tasks 0-9 (named by MESOS_TASK_ID) and 10-19
// and the last one (found by their /mesos/<cid> cgroup) of a cluster of n.
func nodeOf(n int) *model.Snapshot {
	s := &model.Snapshot{}
	for i := range 10 {
		id := fmt.Sprintf("shop_app%d.%08d", i%50, i)
		s.Containers = append(s.Containers, ctr("d"+id, "x", model.RuntimeDocker, "", map[string]string{"MESOS_TASK_ID": id}))
	}
	for _, i := range []int{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, n - 1} {
		cid := fmt.Sprintf("cid-%d", i)
		s.Containers = append(s.Containers, ctr(cid, "", model.RuntimeMesos, "/mesos/"+cid, nil))
	}
	return s
}

// TestMatchCostDoesNotGrowWithTheCluster: placing a node's 21 containers
// in a cluster of 100,000 tasks allocates no more than in one of 1,000,
// and places each the same, the live task of an id listed twice too.
// (On the code before, Match indexed every task, container and app task
// id on each refresh: 222 KB at 1,000 tasks, 14.0 MB at 100,000.)
func TestMatchCostDoesNotGrowWithTheCluster(t *testing.T) {
	alloc := map[int]uint64{}
	for _, n := range []int{1000, 100000} {
		c := bigCluster(n)
		var best uint64
		for run := range 3 {
			s := nodeOf(n)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			Match(s, c)
			runtime.ReadMemStats(&after)
			if got := after.TotalAlloc - before.TotalAlloc; run == 0 || got < best {
				best = got
			}
			for i, ct := range s.Containers {
				k := i
				if i == 20 {
					k = n - 1
				}
				want := model.ClusterFields{TaskID: fmt.Sprintf("shop_app%d.%08d", k%50, k), Task: "app", FrameworkID: "fw-m", Framework: "marathon",
					App: fmt.Sprintf("/shop/app%d", k%50), Group: "/shop"}
				if ct.Cluster != want {
					t.Fatalf("%d tasks, container %d: %+v, want %+v", n, i, ct.Cluster, want)
				}
			}
		}
		alloc[n] = best
		t.Logf("%d tasks: Match allocated %d bytes", n, best)
	}
	if alloc[100000] > 2*alloc[1000]+64<<10 { // room for what another goroutine allocates meanwhile
		t.Errorf("Match allocated %d bytes on 100,000 tasks against %d on 1,000: it grows with the cluster", alloc[100000], alloc[1000])
	}
}

// BenchmarkMatch100k places a node's 21 containers in 100,000 tasks.
func BenchmarkMatch100k(b *testing.B) {
	c := bigCluster(100000)
	b.ReportAllocs()
	for b.Loop() {
		Match(nodeOf(100000), c)
	}
}
