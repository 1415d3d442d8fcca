package views

import (
	"fmt"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// benchCluster is bench/cluster's shape: 5,000 agents × 20 running tasks
// and 1,000 finished ones, read whole (the master's state, as while
// mesos-tasks is shown); this node is agent 0, with its 20 tasks in
// containers.
func benchCluster() *model.Snapshot {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	c := &model.Cluster{Time: now, HasMesos: true, AgentRead: true, AgentID: "S0", MarathonFrameworkID: "fw0",
		Frameworks: []model.Framework{{ID: "fw0", Name: "marathon", Active: true}}}
	s := &model.Snapshot{Time: now, Memory: model.Memory{Total: 16 << 30}, Cluster: c}
	for a := 0; a < 5000; a++ {
		for i := 0; i < 20; i++ {
			id := fmt.Sprintf("app%d_svc%d.%08x-0000-0000-0000-000000000000", a%50, i, a*20+i)
			cid := fmt.Sprintf("c%08x-0000-0000-0000-000000000000", a*20+i)
			c.Tasks = append(c.Tasks, model.Task{ID: id, Name: "svc", FrameworkID: "fw0", State: "TASK_RUNNING",
				AgentID: fmt.Sprintf("S%d", a), AgentHost: fmt.Sprintf("node-%d", a), ContainerIDs: []string{cid}, StateSince: now.Add(-time.Hour)})
			if a == 0 {
				ct := model.Container{ContainerSample: &model.ContainerSample{ID: cid, Name: cid, Runtime: model.RuntimeMesos, State: "running",
					RuntimeFields: &model.RuntimeFields{Cgroup: "/mesos/" + cid, Env: model.EnvOf(map[string]string{"MESOS_TASK_ID": id}), Created: now.Add(-time.Hour)}}}
				ct.Cluster.TaskID = id
				s.Containers = append(s.Containers, ct)
			}
		}
	}
	for i := 0; i < 1000; i++ {
		c.Tasks = append(c.Tasks, model.Task{ID: fmt.Sprintf("app%d_svc.%08x-1111", i%50, i), Name: "svc", FrameworkID: "fw0", State: "TASK_FAILED",
			AgentID: fmt.Sprintf("S%d", i%5000), Finished: true, StateSince: now.Add(-time.Duration(i) * time.Second)})
	}
	return s
}

// BenchmarkNeedLook100k is the header's count on every refresh of a
// 100,000-task cluster (a new snapshot each time).
func BenchmarkNeedLook100k(b *testing.B) {
	snaps := refreshes()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		NeedLook(snaps[i%2])
	}
}

// BenchmarkContainersRows100k builds the containers view of that node.
func BenchmarkContainersRows100k(b *testing.B) {
	snaps := refreshes()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if t, err := Rows(snaps[i%2], Query{View: "containers"}); err != nil || len(t.Rows) != 20 {
			b.Fatal(err)
		}
	}
}

// refreshes are two snapshots of one poll: new samples, the same cluster
// (a poll every 10 s, a refresh every 2 s).
func refreshes() []*model.Snapshot {
	s := benchCluster()
	s2 := *s
	return []*model.Snapshot{s, &s2}
}

// BenchmarkContainersRowsNewPoll100k is the refresh after a poll: a new
// cluster each time.
func BenchmarkContainersRowsNewPoll100k(b *testing.B) {
	snaps := []*model.Snapshot{benchCluster(), benchCluster()}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if t, err := Rows(snaps[i%2], Query{View: "containers"}); err != nil || len(t.Rows) != 20 {
			b.Fatal(err)
		}
	}
}
