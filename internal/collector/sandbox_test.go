package collector

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/diskusage"
	"github.com/ctop-like/ctop-like/internal/model"
)

// TestSandboxDisk: a Mesos task's container with no writable layer shows
// its task's sandbox size as disk_bytes — what du counts of the directory
// the agent names — once the background walker measured it; a container
// whose layer was measured keeps its layer's size, and one no task runs
// gets none.
func TestSandboxDisk(t *testing.T) {
	sandbox := filepath.Join(t.TempDir(), "runs", "c0ffee")
	if err := os.MkdirAll(filepath.Join(sandbox, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, n := range map[string]int{"stdout": 123_456, "logs/app.log": 40_000} {
		if err := os.WriteFile(filepath.Join(sandbox, name), bytes.Repeat([]byte("x"), n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command("du", "-s", "-x", "-B1", sandbox).Output()
	if err != nil {
		t.Fatal(err)
	}
	want, err := strconv.ParseUint(strings.Fields(string(out))[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	sz := diskusage.New()
	defer sz.Close()
	snap := func() *model.Snapshot {
		s := &model.Snapshot{Cluster: &model.Cluster{Tasks: []model.Task{model.Task{ID: "web.1", State: "TASK_RUNNING"}.WithDetail(model.TaskDetail{Sandbox: sandbox})}}}
		s.Containers = make([]model.Container, 3)
		for i := range s.Containers {
			s.Containers[i].ContainerSample = &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}
		}
		s.Containers[0].ID, s.Containers[0].Cluster.TaskID = "mesos-1", "web.1"
		s.Containers[1].ID, s.Containers[1].Cluster.TaskID = "docker-1", "web.1"
		s.Containers[1].MoreFigures().DiskBytes = 7
		s.Containers[1].Figures.Known |= model.KnownDisk
		s.Containers[2].ID = "raw-1"
		return s
	}
	var s *model.Snapshot
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		s = snap()
		sandboxDisk(s, sz)
		if s.Containers[0].Has(model.KnownDisk) || time.Now().After(deadline) {
			break
		}
	}
	if c := s.Containers[0]; !c.Has(model.KnownDisk) || c.Figures.DiskBytes != want {
		t.Fatalf("the task's container: %+v, du says %d", c.Figures, want)
	}
	if c := s.Containers[1]; c.Figures.DiskBytes != 7 {
		t.Errorf("a measured layer became %d", c.Figures.DiskBytes)
	}
	if s.Containers[2].Has(model.KnownDisk) {
		t.Errorf("a container no task runs got a size")
	}
}
