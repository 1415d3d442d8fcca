package views

import (
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// containerRow is one container's row of the containers view.
func containerRow(t *testing.T, c model.Container, now time.Time) map[string]any {
	t.Helper()
	v := Get("containers")
	s := &model.Snapshot{Time: now, Containers: []model.Container{c}}
	rows := v.Build(s, Query{})
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	out := map[string]any{}
	for i, col := range v.Columns {
		out[col.ID] = rows[0].Values[i]
	}
	return out
}

// A controller a cgroup lacks gives n/a for its figures, never 0; a
// running container measured in full keeps its numbers.
func TestContainerUnmeasuredIsNA(t *testing.T) {
	now := time.Now()
	c := model.Container{ContainerSample: &model.ContainerSample{ID: "x", Runtime: model.RuntimeDocker,
		Unmeasured: []string{"memory", "pids", "io"}, CPU: model.CgroupCPU{UsageNs: 1}, RuntimeFields: &model.RuntimeFields{}}, HasRates: true, CPUPct: 12}
	r := containerRow(t, c, now)
	for _, id := range []string{"mem_bytes", "mem_limit_bytes", "mem_pct", "rss_bytes", "cache_bytes", "oom_kills", "pids", "blk_read_bps", "blk_write_ps"} {
		if r[id] != nil {
			t.Errorf("%s = %v, want n/a", id, r[id])
		}
	}
	if r["cpu_pct"] != 12.0 {
		t.Errorf("cpu_pct = %v, want 12 (cpu is measured)", r["cpu_pct"])
	}
	c.Unmeasured = nil
	c.Mem = model.CgroupMemory{Used: 0, Limit: 1 << 30}
	r = containerRow(t, c, now)
	if r["mem_bytes"] != 0.0 || r["pids"] != 0.0 || r["blk_read_bps"] != 0.0 {
		t.Errorf("a measured container's zeros: mem %v pids %v blk %v", r["mem_bytes"], r["pids"], r["blk_read_bps"])
	}
}

// A stopped container's row says why and since when; a running one has
// exit_code n/a; pod and namespace come through.
func TestContainerStoppedColumns(t *testing.T) {
	now := time.Now()
	code := 137
	c := model.Container{ContainerSample: &model.ContainerSample{ID: "y", Runtime: model.RuntimeDocker, State: "exited",
		RuntimeFields: &model.RuntimeFields{ExitCode: &code, OOMKilled: true, StateSince: now.Add(-90 * time.Second), Created: now.Add(-time.Hour), RestartCount: 4, Pod: "web-0", Namespace: "shop"},
		Unmeasured:    []string{"cpu", "memory", "pids", "io"}}, HasRates: true}
	r := containerRow(t, c, now)
	if r["exit_code"] != 137.0 || r["oom_killed"] != true || r["state_age_s"] != 90.0 || r["restarts"] != 4.0 ||
		r["pod"] != "web-0" || r["namespace"] != "shop" || r["cpu_pct"] != nil || r["state"] != "exited" {
		t.Errorf("stopped row: %v", r)
	}
	// Podman without its API: nothing said of restarts or OOM kills.
	c = model.Container{ContainerSample: &model.ContainerSample{ID: "z", Runtime: model.RuntimePodman, State: "running", RuntimeFields: &model.RuntimeFields{}}}
	r = containerRow(t, c, now)
	if r["exit_code"] != nil || r["oom_killed"] != nil || r["restarts"] != nil || r["state_age_s"] != nil || r["pod"] != nil {
		t.Errorf("an undescribed container: %v", r)
	}
	f, err := ParseFilter("oom_killed=true")
	if err != nil {
		t.Fatal(err)
	}
	v := Get("containers")
	if err := f.Check(v); err != nil {
		t.Fatal(err)
	}
	oom := model.Container{ContainerSample: &model.ContainerSample{ID: "o", Runtime: model.RuntimeDocker, RuntimeFields: &model.RuntimeFields{OOMKilled: true, Created: now}}}
	ok := model.Container{ContainerSample: &model.ContainerSample{ID: "k", Runtime: model.RuntimeDocker, RuntimeFields: &model.RuntimeFields{Created: now}}}
	rows := v.Build(&model.Snapshot{Time: now, Containers: []model.Container{oom, ok}}, Query{})
	if got := f.Apply(v, rows); len(got) != 1 || got[0].Key != "o" {
		t.Errorf("oom_killed=true keeps %v", got)
	}
}
