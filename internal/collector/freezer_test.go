package collector

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/cgrouptest"
	"github.com/ctop-like/ctop-like/internal/collector/cgroups"
	"github.com/ctop-like/ctop-like/internal/model"
)

// Issue 19 item 9: a container frozen through its cgroup (what `:pause`
// does to a Mesos, containerd, CRI-O or raw container, whose runtime
// never hears of it) is paused in its row, and running again once thawed:
// v1's freezer.state, v2's cgroup.events "frozen 1".
func TestFrozenCgroupIsPaused(t *testing.T) {
	cgrouptest.RequireRoot(t)
	const root = "/sys/fs/cgroup"
	m, err := cgroups.Locate("/proc", root)
	if err != nil {
		t.Fatal(err)
	}
	_, version, err := cgroups.NewFinder(m, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	var mounts []string
	var freeze func(on bool)
	var rel string
	if version == 1 {
		mounts = []string{filepath.Join(root, "memory"), filepath.Join(root, "freezer")}
		rel = cgrouptest.Mesos(t, "freeze", mounts...)
		state := filepath.Join(root, "freezer", rel, "freezer.state")
		freeze = func(on bool) {
			want := map[bool]string{true: "FROZEN", false: "THAWED"}[on]
			if err := os.WriteFile(state, []byte(want), 0); err != nil {
				t.Fatal(err)
			}
			waitFile(t, state, want)
		}
	} else {
		mounts = []string{root}
		rel = cgrouptest.Mesos(t, "freeze", mounts...)
		dir := filepath.Join(root, rel)
		freeze = func(on bool) {
			v := map[bool]string{true: "1", false: "0"}[on]
			if err := os.WriteFile(filepath.Join(dir, "cgroup.freeze"), []byte(v), 0); err != nil {
				t.Fatal(err)
			}
			waitFile(t, filepath.Join(dir, "cgroup.events"), "frozen "+v)
		}
	}
	var dirs []string
	for _, m := range mounts {
		dirs = append(dirs, filepath.Join(m, rel))
	}
	cgrouptest.Start(t, "exec sleep 3600", nil, dirs...)
	id := filepath.Base(rel)

	l, err := NewLocal(context.Background(), Config{DockerHost: "none", PodmanHost: "none", ContainerdAddress: "none", CRIOAddress: "none"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	state := func() string {
		c := findContainer(collectOnce(t, l), id)
		if c == nil {
			t.Fatalf("the container of cgroup %s is not listed", rel)
		}
		if c.Runtime != model.RuntimeMesos {
			t.Fatalf("runtime %s", c.Runtime)
		}
		// Through its cgroup: paused, stopped, signalled; never restarted.
		if !c.Can.Has(model.CanPause|model.CanStop|model.CanKill) || c.Can.Has(model.CanRestart) {
			t.Errorf("a Mesos container can %07b", c.Can)
		}
		return c.State
	}
	if s := state(); s != "running" {
		t.Fatalf("state %q before the freeze, want running", s)
	}
	freeze(true)
	if s := state(); s != "paused" {
		t.Errorf("state %q once frozen, want paused", s)
	}
	freeze(false)
	if s := state(); s != "running" {
		t.Errorf("state %q once thawed, want running", s)
	}
}

// waitFile waits until a cgroup file has a line want (the kernel finishes a
// freeze in its own time).
func waitFile(t *testing.T, path, want string) {
	t.Helper()
	eventually(t, 10*time.Second, path+" says "+want, func() bool {
		b, _ := os.ReadFile(path)
		for _, l := range strings.Split(string(b), "\n") {
			if strings.TrimSpace(l) == want {
				return true
			}
		}
		return false
	})
}
