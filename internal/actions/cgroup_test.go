package actions

import (
	"context"
	"errors"
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

	"github.com/ctop-like/ctop-like/internal/cgrouptest"
)

func requireRoot(t *testing.T) { cgrouptest.RequireRoot(t) }

// testCgroup makes /mesos/h8-act-act-<n> in each of the given hierarchy
// mount points and removes it (killing what is left) at the end.
func testCgroup(t *testing.T, mounts ...string) string {
	t.Helper()
	return cgrouptest.Mesos(t, "h8-act-act", mounts...)
}

// startIn starts script in the cgroup rel of every mount before it runs a
// line; the returned channel closes when the process has been waited for.
func startIn(t *testing.T, rel, script string, mounts ...string) (*exec.Cmd, <-chan struct{}) {
	t.Helper()
	var dirs []string
	for _, m := range mounts {
		dirs = append(dirs, filepath.Join(m, rel))
	}
	return cgrouptest.Start(t, script, nil, dirs...)
}

func procsIn(t *testing.T, dir string) []string {
	b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	return strings.Fields(string(b))
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for i := 0; i < 250; i++ {
		if ok() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

const (
	cpuacct = "/sys/fs/cgroup/cpuacct"
	freezer = "/sys/fs/cgroup/freezer"
	pids    = "/sys/fs/cgroup/pids"
	unified = "/sys/fs/cgroup/unified"
)

func nodeCgroups(t *testing.T) Cgroups {
	t.Helper()
	c, err := Mounts("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// `:kill TERM` on a Mesos cgroup ends every one of its processes.
func TestSignalTermEndsEveryProcess(t *testing.T) {
	requireRoot(t)
	c := nodeCgroups(t)
	rel := testCgroup(t, cpuacct, pids)
	startIn(t, rel, "sleep 600 & sleep 600 & while :; do sleep 1; done", cpuacct, pids)
	waitUntil(t, "3 processes", func() bool { return len(procsIn(t, filepath.Join(pids, rel))) >= 3 })
	n := len(procsIn(t, filepath.Join(pids, rel)))

	act := c.Signal(rel, "redis", syscall.SIGTERM)
	want := fmt.Sprintf("send SIGTERM to the %d processes of redis (cgroup %s)", n, rel)
	if got := act.Describe(); got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
	if err := act.Do(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the cgroup to empty", func() bool { return len(procsIn(t, filepath.Join(pids, rel))) == 0 })
}

// :stop ends a process that ignores SIGTERM with SIGKILL after the grace.
func TestStopKillsWhatIgnoresTerm(t *testing.T) {
	requireRoot(t)
	c := nodeCgroups(t)
	rel := testCgroup(t, cpuacct, pids)
	startIn(t, rel, "trap '' TERM; while :; do sleep 1; done", cpuacct, pids)
	waitUntil(t, "2 processes", func() bool { return len(procsIn(t, filepath.Join(pids, rel))) >= 2 })
	start := time.Now()
	if err := c.Stop(rel, "stubborn", 300*time.Millisecond).Do(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the cgroup to empty", func() bool { return len(procsIn(t, filepath.Join(pids, rel))) == 0 })
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("SIGKILL came before the grace: %v", took)
	}
}

// A cgroup that vanished between the confirmation and the action: a clear
// error, and nothing is created or signalled.
func TestActionsOnAVanishedCgroup(t *testing.T) {
	requireRoot(t)
	c := nodeCgroups(t)
	rel := "/mesos/h8-act-gone-" + strconv.Itoa(rand.Int())
	for _, act := range []Deed{c.Signal(rel, "gone", syscall.SIGKILL), c.Pause(rel, "gone"), c.Resume(rel, "gone")} {
		if err := act.Do(context.Background()); !errors.Is(err, ErrGone) {
			t.Errorf("%s: %v, want ErrGone", act.Describe(), err)
		}
	}
	for _, m := range []string{cpuacct, freezer, pids, unified} {
		if _, err := os.Stat(filepath.Join(m, rel)); err == nil {
			t.Errorf("%s was created", filepath.Join(m, rel))
		}
	}
}

// cpuUsage is the cgroup's own CPU counter (cpuacct.usage, ns).
func cpuUsage(t *testing.T, rel string) int64 {
	b, err := os.ReadFile(filepath.Join(cpuacct, rel, "cpuacct.usage"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n
}

// cpuOver is the CPU the cgroup used over a window.
func cpuOver(t *testing.T, rel string, window time.Duration) time.Duration {
	a := cpuUsage(t, rel)
	time.Sleep(window)
	return time.Duration(cpuUsage(t, rel) - a)
}

func procState(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "State:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// pauseResume checks that Pause stops a busy cgroup (its cpuacct counter
// stops, /proc/<pid>/status no longer says running) and Resume restarts
// it.
func pauseResume(t *testing.T, c Cgroups, rel string, pid int) {
	t.Helper()
	const window = 500 * time.Millisecond
	if used := cpuOver(t, rel, window); used < window/20 {
		t.Fatalf("the busy loop used only %v of CPU in %v before the pause", used, window)
	}
	if err := c.Pause(rel, "busy").Do(context.Background()); err != nil {
		t.Fatal(err)
	}
	frozenState := procState(pid)
	used := cpuOver(t, rel, window)
	t.Logf("paused: State %q, CPU %v over %v", frozenState, used, window)
	if used > time.Millisecond || strings.HasPrefix(frozenState, "R") {
		t.Errorf("paused cgroup used %v of CPU in %v, state %q", used, window, frozenState)
	}
	if err := c.Resume(rel, "busy").Do(context.Background()); err != nil {
		t.Fatal(err)
	}
	used = cpuOver(t, rel, window)
	t.Logf("resumed: State %q, CPU %v over %v", procState(pid), used, window)
	if used < window/20 {
		t.Errorf("resumed cgroup used only %v of CPU in %v", used, window)
	}
}

// :pause and :unpause with the v1 freezer (freezer.state).
func TestPauseResumeV1Freezer(t *testing.T) {
	requireRoot(t)
	c := nodeCgroups(t)
	if _, ok := c.v1With("freezer"); !ok {
		t.Skip("no v1 freezer hierarchy on this node")
	}
	rel := testCgroup(t, cpuacct, freezer)
	cmd, _ := startIn(t, rel, "while :; do :; done", cpuacct, freezer)
	pauseResume(t, c, rel, cmd.Process.Pid)
	if b, _ := os.ReadFile(filepath.Join(freezer, rel, "freezer.state")); strings.TrimSpace(string(b)) != "THAWED" {
		t.Errorf("freezer.state after resume: %q", b)
	}
}

// :pause and :unpause with cgroup v2 (cgroup.freeze, cgroup.events),
// on this node's v2 tree with the v1 freezer out of the picture.
func TestPauseResumeV2Freeze(t *testing.T) {
	requireRoot(t)
	node := nodeCgroups(t)
	if node.V2 == "" {
		t.Skip("no cgroup v2 tree on this node")
	}
	c := Cgroups{V1: map[string]string{"cpuacct": cpuacct}, V2: node.V2}
	rel := testCgroup(t, cpuacct, node.V2)
	cmd, _ := startIn(t, rel, "while :; do :; done", cpuacct, node.V2)
	pauseResume(t, c, rel, cmd.Process.Pid)
}

// Where no freezer is mounted, :pause says so and the container runs on.
func TestPauseWithoutFreezer(t *testing.T) {
	requireRoot(t)
	c, err := Mounts("testdata/mountinfo_v1-no-freezer")
	if err != nil {
		t.Fatal(err)
	}
	rel := testCgroup(t, cpuacct)
	startIn(t, rel, "while :; do :; done", cpuacct)
	err = c.Pause(rel, "busy").Do(context.Background())
	if !errors.Is(err, ErrNoFreezer) || !strings.Contains(err.Error(), "freezer is not mounted") {
		t.Fatalf("err %v, want ErrNoFreezer", err)
	}
	if used := cpuOver(t, rel, 300*time.Millisecond); used < 10*time.Millisecond {
		t.Errorf("the container stopped running (%v CPU in 300 ms)", used)
	}
}

// Mounts keeps the hierarchies mounted whole, by their controllers, with
// mountinfo's escapes (\040 for a space) undone.
func TestMountsFromTable(t *testing.T) {
	table := `27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
33 31 0:30 / /mnt/my\040freezer rw,relatime - cgroup cgroup rw,nosuid,freezer
34 31 0:30 /nested /elsewhere/freezer rw,relatime - cgroup cgroup rw,freezer
35 31 0:31 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,release_agent=/x,name=systemd
36 31 0:32 / /sys/fs/cgroup/none rw,relatime - cgroup cgroup rw,xattr
41 31 0:38 / /sys/fs/cgroup/unified\040v2 rw,relatime - cgroup2 cgroup2 rw,nsdelegate
42 31 0:39 / /second/unified rw,relatime - cgroup2 cgroup2 rw
`
	path := filepath.Join(t.TempDir(), "mountinfo")
	if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Mounts(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"cpu,cpuacct":  "/sys/fs/cgroup/cpu,cpuacct",
		"freezer":      "/mnt/my freezer",
		"name=systemd": "/sys/fs/cgroup/systemd",
	}
	if fmt.Sprint(c.V1) != fmt.Sprint(want) {
		t.Errorf("V1 = %v, want %v", c.V1, want)
	}
	if c.V2 != "/sys/fs/cgroup/unified v2" {
		t.Errorf("V2 = %q, want the first cgroup2 mount, unescaped", c.V2)
	}
	if m, ok := c.v1With("freezer"); !ok || m != "/mnt/my freezer" {
		t.Errorf("v1With(freezer) = %q, %v", m, ok)
	}
}

// The confirmation sentences of :kill and :stop count the processes, or
// say that the cgroup is gone.
func TestSignalAndStopDescribe(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "mesos", "web"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "mesos", "web", "cgroup.procs"), []byte("10\n11\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := Cgroups{V2: root}
	for _, tc := range []struct {
		act  Deed
		want string
	}{
		{c.Signal("/mesos/web", "web", syscall.SIGHUP), "send SIGHUP to the 2 processes of web (cgroup /mesos/web)"},
		{c.Signal("/mesos/gone", "gone", syscall.SIGHUP), "send SIGHUP to the processes of gone (cgroup /mesos/gone), which no longer exists"},
		{c.Stop("/mesos/web", "web", 10*time.Second), "stop the 2 processes of web (cgroup /mesos/web): SIGTERM, then SIGKILL after 10s"},
		{c.Stop("/mesos/gone", "gone", time.Second), "stop the processes of gone (cgroup /mesos/gone), which no longer exists"},
	} {
		if got := tc.act.Describe(); got != tc.want {
			t.Errorf("Describe = %q, want %q", got, tc.want)
		}
	}
}
