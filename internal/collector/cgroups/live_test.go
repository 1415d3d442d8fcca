package cgroups

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/model"
)

// TestContainersLiveCgroup puts a busy process into a Mesos-style cgroup
// of this machine and checks the finder sees it and its CPU time advance.
func TestContainersLiveCgroup(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create cgroups")
	}
	const root = "/sys/fs/cgroup"
	_, version, err := newFinderAt(root, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	id := newUUID(t)

	// The cgroup folders to create, parents first.
	var parents, dirs []string
	if version == 1 {
		for _, c := range []string{"cpu", "cpuacct", "memory", "pids"} {
			parents = append(parents, filepath.Join(root, c, "mesos"))
			dirs = append(dirs, filepath.Join(root, c, "mesos", id))
		}
	} else {
		parents = []string{filepath.Join(root, "mesos")}
		dirs = []string{filepath.Join(root, "mesos", id)}
	}
	for _, p := range parents {
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { rmdirRetry(t, p) })
			boostCPU(p)
		}
	}
	for _, d := range dirs {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rmdirRetry(t, d) })
		boostCPU(d)
	}

	cmd := exec.Command("sh", "-c", "while :; do :; done")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Registered last, so it runs first: the cgroups must be empty before
	// they can be removed.
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	pid := cmd.Process.Pid
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
			t.Fatalf("move pid %d to %s: %v", pid, d, err)
		}
	}

	f, _, err := newFinderAt(root, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	find := func() model.ContainerSample {
		t.Helper()
		cs, err := f.Containers()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.ID == id {
				return c
			}
		}
		t.Fatalf("container %s not found among %d", id, len(cs))
		return model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}
	}
	// The kernel's counter read just before and just after the finder's
	// pass brackets what the finder read: exact, however loaded the
	// machine is (a fixed CPU/wall ratio failed 4 of 4 runs under load).
	bracket := func() (model.ContainerSample, dockertest.CPUCounters, dockertest.CPUCounters) {
		t.Helper()
		before, err := dockertest.CgroupCPU(pid)
		if err != nil {
			t.Fatal(err)
		}
		c := find()
		after, err := dockertest.CgroupCPU(pid)
		if err != nil {
			t.Fatal(err)
		}
		if u := float64(c.CPU.UsageNs); u < before.UsageNs || u > after.UsageNs {
			t.Errorf("CPU usage read %d ns; the kernel's counter went from %.0f to %.0f ns around the read", c.CPU.UsageNs, before.UsageNs, after.UsageNs)
		}
		return c, before, after
	}
	c1, _, k1 := bracket()
	if c1.Runtime != model.RuntimeMesos || c1.Cgroup != "/mesos/"+id || c1.PID != pid || c1.Pids < 1 || c1.State != "running" {
		t.Errorf("got %+v; want runtime mesos, cgroup /mesos/%s, pid %d, pids >= 1", c1, id, pid)
	}
	time.Sleep(time.Second)
	c2, k2, _ := bracket()
	if c2.CPU.UsageNs <= c1.CPU.UsageNs || k2.UsageNs <= k1.UsageNs {
		t.Errorf("a busy loop's CPU usage did not advance in a second: %d then %d ns", c1.CPU.UsageNs, c2.CPU.UsageNs)
	}
}

// boostCPU gives a cgroup a large CPU weight, so that the busy loop gets
// about one core even when other tests load the machine. Best effort: the
// file exists only in the cpu controller.
func boostCPU(dir string) {
	_ = os.WriteFile(filepath.Join(dir, "cpu.shares"), []byte("65536"), 0o644) // v1
	_ = os.WriteFile(filepath.Join(dir, "cpu.weight"), []byte("10000"), 0o644) // v2
}

func newUUID(t *testing.T) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// rmdirRetry removes a cgroup folder; the kernel refuses (EBUSY) for a
// moment after its last process died.
func rmdirRetry(t *testing.T, dir string) {
	var err error
	for range 50 {
		if err = os.Remove(dir); err == nil || errors.Is(err, os.ErrNotExist) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("clean up %s: %v", dir, err)
}
