package orchestrator

import (
	"bytes"
	"io"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

func parseFixtures(t *testing.T, mesos, marathon string) *model.Cluster {
	t.Helper()
	var m, r io.Reader // nil interfaces when not given
	if mesos != "" {
		m = bytes.NewReader(fixture(t, mesos))
	}
	if marathon != "" {
		r = bytes.NewReader(fixture(t, marathon))
	}
	c, err := ParseCluster(m, r, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ctr(id, name, runtime, cgroup string, env map[string]string) model.Container {
	return model.Container{ContainerSample: &model.ContainerSample{ID: id, Name: name, Runtime: runtime, RuntimeFields: &model.RuntimeFields{Cgroup: cgroup, Env: model.EnvOf(env)}}}
}

// TestMatchPairA: every running task id of pair A in MESOS_TASK_ID gets its
// task, framework, and (for Marathon's) app and group.
func TestMatchPairA(t *testing.T) {
	c := parseFixtures(t, "mesos/pairA_master_state_mesos-1.2.0.json", "marathon/pairA_v2_groups_embed-tasks.json")
	g := generic(t, "mesos/pairA_master_state_mesos-1.2.0.json")
	s := &model.Snapshot{}
	type want struct{ task, name, fwID, fw string }
	var wants []want
	for _, fv := range list(g["frameworks"]) {
		f := obj(fv)
		for _, tv := range list(f["tasks"]) {
			tk := obj(tv)
			s.Containers = append(s.Containers, ctr("c"+str(tk["id"]), "x", model.RuntimeDocker, "", map[string]string{"MESOS_TASK_ID": str(tk["id"])}))
			wants = append(wants, want{str(tk["id"]), str(tk["name"]), str(f["id"]), str(f["name"])})
		}
	}
	s.Containers = append(s.Containers,
		ctr("plain", "plain", model.RuntimeDocker, "/docker/plain", map[string]string{"PATH": "/bin"}),
		ctr("stray", "stray", model.RuntimeDocker, "", map[string]string{"MESOS_TASK_ID": "0"}),
		ctr("chronos", "chronos", model.RuntimeRaw, "", map[string]string{"mesos_task_id": "ct:1482190002000:0:job:"}),
	)
	Match(s, c)
	for i, w := range wants {
		got := s.Containers[i].Cluster
		if got.TaskID != w.task || got.Task != w.name || got.FrameworkID != w.fwID || got.Framework != w.fw {
			t.Errorf("container %d: %+v, want %+v", i, got, w)
		}
	}
	lg := s.Containers[1].Cluster // development_logging.b8d7…
	for _, cc := range s.Containers {
		if cc.Cluster.TaskID == "development_logging.a6f0bb45-c64b-11e6-9066-5a8a388c67a1" {
			lg = cc.Cluster
		}
	}
	if lg.App != "/development/logging" || lg.Group != "/development" {
		t.Errorf("logging: %+v", lg)
	}
	n := len(s.Containers)
	if got := s.Containers[n-3].Cluster; got != (model.ClusterFields{}) {
		t.Errorf("plain container placed: %+v", got)
	}
	if got := s.Containers[n-2].Cluster; got != (model.ClusterFields{}) {
		t.Errorf("MESOS_TASK_ID=0 placed: %+v", got)
	}
	if got := s.Containers[n-1].Cluster; got.TaskID != "ct:1482190002000:0:job:" || got.Framework != "" {
		t.Errorf("chronos env: %+v", got)
	}
}

// TestMatchContainerID: a Docker name mesos-<container-id> or
// mesos-<agent-id>.<container-id>, and a Mesos containerizer container, are
// found through statuses[].container_status.container_id.
func TestMatchContainerID(t *testing.T) {
	c := parseFixtures(t, "mesos/master_state_mesos-1.2.0_docker-container-id.json", "")
	const cid = "e7c656cc-dcaa-4b76-9860-663ad5c6358f"
	const task = "dockertest.55144aae-cd5b-11e6-b6f5-fea80569c9e0"
	var agent string
	for _, tk := range c.Tasks {
		if tk.ID == task {
			agent = tk.AgentID
		}
	}
	s := &model.Snapshot{Containers: []model.Container{
		ctr("d1", "/mesos-"+cid, model.RuntimeDocker, "/docker/d1", nil),
		ctr("d2", "mesos-"+agent+"."+cid, model.RuntimeDocker, "/docker/d2", nil),
		ctr("d3", "mesos-"+agent+"."+cid+".executor", model.RuntimeDocker, "/docker/d3", nil),
		ctr(cid, cid, model.RuntimeMesos, "/mesos/"+cid, nil),
		ctr("/mesos/"+cid, "raw", model.RuntimeRaw, "/mesos/"+cid, nil),
		ctr("plain", "plain", model.RuntimeDocker, "/docker/plain", nil),
		ctr("other", "mesos-00000000-0000-0000-0000-000000000000", model.RuntimeDocker, "", nil),
	}}
	Match(s, c)
	for i := 0; i < 5; i++ {
		got := s.Containers[i].Cluster
		if got.TaskID != task || got.Framework != "marathon" || got.Task != "dockertest" {
			t.Errorf("container %s: %+v", s.Containers[i].ID, got)
		}
	}
	for _, i := range []int{5, 6} {
		if got := s.Containers[i].Cluster; got != (model.ClusterFields{}) {
			t.Errorf("container %s placed: %+v", s.Containers[i].ID, got)
		}
	}
}

// TestMatchWithoutCluster: only the env rules apply; MARATHON_APP_ID still
// gives the app and its group.
func TestMatchWithoutCluster(t *testing.T) {
	s := &model.Snapshot{Containers: []model.Container{
		ctr("a", "a", model.RuntimeDocker, "", map[string]string{"MESOS_TASK_ID": "shop_api.123", "MARATHON_APP_ID": "/shop/api"}),
		ctr("b", "mesos-e7c656cc-dcaa-4b76-9860-663ad5c6358f", model.RuntimeDocker, "", nil),
	}}
	Match(s, nil)
	if got := s.Containers[0].Cluster; got.App != "/shop/api" || got.Group != "/shop" || got.TaskID != "shop_api.123" || got.Framework != "" {
		t.Errorf("env: %+v", got)
	}
	if got := s.Containers[1].Cluster; got != (model.ClusterFields{}) {
		t.Errorf("name without cluster: %+v", got)
	}
	// A stale Cluster without Marathon: the env still gives the app.
	c := parseFixtures(t, "mesos/pairA_master_state_mesos-1.2.0.json", "")
	s.Containers[0].Env = model.EnvOf(map[string]string{"MESOS_TASK_ID": "development_logging.a6f0bb45-c64b-11e6-9066-5a8a388c67a1", "MARATHON_APP_ID": "/development/logging"})
	Match(s, c)
	if got := s.Containers[0].Cluster; got.App != "/development/logging" || got.Group != "/development" || got.Framework != "marathon" {
		t.Errorf("mesos only: %+v", got)
	}
}

func TestParentPath(t *testing.T) {
	for in, want := range map[string]string{"/a/b/app": "/a/b", "/app": "/", "/": "", "app": "/", "/a/b/": "/a"} {
		if got := ParentPath(in); got != want {
			t.Errorf("ParentPath(%q) = %q, want %q", in, got, want)
		}
	}
}
