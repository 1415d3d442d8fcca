// Package cgrouptest makes the cgroups of a Mesos containerizer's tasks
// (/mesos/<id>) for integration tests and starts processes in them, and
// removes both when the test ends. Making cgroups needs root: with CI=true
// a test run without it fails, since a skipped test proves nothing.
package cgrouptest

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// RequireRoot fails the test (under CI=true) or skips it when it does not
// run as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("needs root to make cgroups")
	}
	t.Skip("needs root to make cgroups")
}

// Mesos makes the cgroup /mesos/<name>-<random> in each hierarchy mounted
// at mounts (and /mesos where it is missing) and returns that path, the
// same in each. When the test ends it thaws the cgroup, kills what is left
// in it, and removes it, and /mesos where it made that.
func Mesos(t testing.TB, name string, mounts ...string) string {
	t.Helper()
	rel := fmt.Sprintf("/mesos/%s-%d", name, rand.Int63())
	for _, m := range mounts {
		parent := filepath.Join(m, "mesos")
		if _, err := os.Stat(parent); err != nil {
			if err := os.Mkdir(parent, 0o755); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Remove(parent) })
		}
		dir := filepath.Join(m, rel)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { remove(dir) })
	}
	return rel
}

// remove thaws the cgroup dir (a frozen process cannot die), kills its
// processes, and removes it once the kernel has let them go.
func remove(dir string) {
	if _, err := os.Stat(filepath.Join(dir, "freezer.state")); err == nil {
		os.WriteFile(filepath.Join(dir, "freezer.state"), []byte("THAWED"), 0)
	}
	os.WriteFile(filepath.Join(dir, "cgroup.freeze"), []byte("0"), 0)
	b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	for _, p := range strings.Fields(string(b)) {
		n, _ := strconv.Atoi(p)
		syscall.Kill(n, syscall.SIGKILL)
	}
	for i := 0; i < 150 && os.Remove(dir) != nil; i++ {
		time.Sleep(20 * time.Millisecond)
	}
}

// Start runs script with /bin/sh in a process group of its own, held
// before its first line until it is in each cgroup of dirs (cgroup
// directories; none leaves it where it is), so that everything it starts
// is in them. setup, when not nil, prepares the command before it starts
// (its output files). The returned channel closes once the shell has been
// waited for; the process group is killed when the test ends.
func Start(t testing.TB, script string, setup func(*exec.Cmd), dirs ...string) (*exec.Cmd, <-chan struct{}) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", "read go; "+script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if setup != nil {
		setup(cmd)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); <-done })
	for _, dir := range dirs {
		if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(cmd.Process.Pid)), 0); err != nil {
			t.Fatal(err)
		}
	}
	in.Write([]byte("go\n"))
	return cmd, done
}
