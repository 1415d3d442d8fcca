package orchestrator

import (
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
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

// TestAppsWithTasksMadeToSize: without Marathon's embedded tasks, each app
// gets the ids of the Marathon tasks that name it, in order, and its list
// holds no room beyond them: the shown cluster and the one assembled
// each hold 100,000 ids. (On the code before, lists grown by append: 3
// apps of 334, 333 and 333 tasks held room for 591 each.)
func TestAppsWithTasksMadeToSize(t *testing.T) {
	apps := []model.App{{ID: "/a"}, {ID: "/b/c"}, {ID: "/d"}}
	var tasks []model.Task
	want := map[string][]string{}
	for i := range 1000 {
		app := apps[i%3].ID
		id := strings.ReplaceAll(app[1:], "/", "_") + ".t" + strconv.Itoa(i)
		tasks = append(tasks, model.Task{ID: id, FrameworkID: "fw-m"})
		want[app] = append(want[app], id)
	}
	tasks = append(tasks, model.Task{ID: "a.finished", FrameworkID: "fw-m", Finished: true}, model.Task{ID: "a.other", FrameworkID: "fw-x"})
	got := appsWithTasks(apps, tasks, "fw-m", func(string) bool { return false })
	for _, a := range got {
		if !slices.Equal(a.TaskIDs, want[a.ID]) {
			t.Errorf("app %s: %d task ids, want %d", a.ID, len(a.TaskIDs), len(want[a.ID]))
		}
		if cap(a.TaskIDs) != len(a.TaskIDs) {
			t.Errorf("app %s: room for %d task ids, holds %d", a.ID, cap(a.TaskIDs), len(a.TaskIDs))
		}
	}
	if apps[0].TaskIDs != nil {
		t.Error("the answer's apps were changed")
	}
}
