package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/dockertest"
)

func uuid(t *testing.T) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// mesosCgroup makes /mesos/<id> in each controller the tool reads (or in
// the unified tree on a cgroup v2 host), moves pid into it, and removes it
// all when the test ends.
func mesosCgroup(t *testing.T, id string, pid int) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("cgroup tests need root")
		}
		t.Skip("cgroup tests need root")
	}
	var dirs []string
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		dirs = []string{"/sys/fs/cgroup/mesos/" + id}
	} else {
		for _, c := range []string{"cpu", "cpuacct", "memory", "pids"} {
			dirs = append(dirs, filepath.Join("/sys/fs/cgroup", c, "mesos", id))
		}
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			// The process is gone by now (cleanups run last-in first-out).
			for i := 0; i < 50; i++ {
				if err := os.Remove(d); err == nil || os.IsNotExist(err) {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
			t.Errorf("could not remove %s", d)
		})
		if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
			t.Fatalf("move %d into %s: %v", pid, d, err)
		}
	}
}

func TestMesosContainerizerCgroup(t *testing.T) {
	id := uuid(t)
	busy := exec.Command("sh", "-c", "while :; do :; done")
	busy.Env = []string{"PATH=/bin:/usr/bin", "MESOS_TASK_ID=e2e_app." + id, "MARATHON_APP_ID=/e2e/app"}
	if err := busy.Start(); err != nil {
		t.Fatal(err)
	}
	mesosCgroup(t, id, busy.Process.Pid)
	t.Cleanup(func() { _ = busy.Process.Kill(); _ = busy.Wait() })

	kernel := dockertest.WatchCPU(t, busy.Process.Pid)
	out := runJSON(t, "-v", "containers", "--docker-host", "none", "-d", "1000", "-n", "2")
	row := rowByID(t, out[1], "id", id)
	if row["runtime"] != "mesos" {
		t.Errorf("runtime %v, want mesos", row["runtime"])
	}
	// Compared with the kernel's counter over the same window: on a
	// loaded machine the loop gets what the scheduler gives it.
	kCPU, _ := kernel.Pct(out[0].Time, out[1].Time)
	if cpu := num(t, row, "cpu_pct"); !nearKernel(cpu, kCPU) || cpu <= 0 {
		t.Errorf("busy process in /mesos/%s reads %.1f%% CPU, the kernel's counter %.1f%% over the same window", id, cpu, kCPU)
	}
	if p := num(t, row, "pids"); p != 1 {
		t.Errorf("pids %v, want 1", p)
	}
	// Pages charged before the move stay with the old cgroup on v1, so
	// the figure may be 0; it must be a figure all the same.
	num(t, row, "mem_bytes")
	if row["cgroup"] != "/mesos/"+id {
		t.Errorf("cgroup %v", row["cgroup"])
	}
	// Without -m, the env of its first process still names the app.
	if row["app"] != "/e2e/app" || row["group"] != "/e2e" || row["task_id"] != "e2e_app."+id {
		t.Errorf("env of /proc/<pid>/environ: app %v group %v task_id %v", row["app"], row["group"], row["task_id"])
	}

	// Its process carries the container id.
	procs := runJSON(t, "-v", "processes", "--docker-host", "none", "--scope", "container="+id, "-d", "500", "-n", "1")
	if len(procs[0].Rows) != 1 || num(t, procs[0].Rows[0], "pid") != float64(busy.Process.Pid) {
		t.Errorf("processes of the mesos container: %v", procs[0].Rows)
	}
}

func TestWithoutDockerTheToolRunsAndSaysWhy(t *testing.T) {
	out := runJSON(t, "-v", "containers", "--docker-host", "unix:///nonexistent/docker.sock", "-d", "500", "-n", "1")
	if len(out) != 1 {
		t.Fatalf("%d refreshes", len(out))
	}
	found := false
	for _, e := range out[0].Errors {
		if strings.Contains(e, "docker") && strings.Contains(e, "nonexistent") {
			found = true
		}
	}
	if !found {
		t.Errorf("errors do not name the Docker problem: %v", out[0].Errors)
	}
}
