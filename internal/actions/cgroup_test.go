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
	"github.com/ctop-like/ctop-like/internal/collector/cgroups"
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
	c, err := Locate("/proc", "/sys/fs/cgroup")
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
	if _, ok := c.Controller("freezer"); !ok {
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
	if node.V2.Dir == "" {
		t.Skip("no cgroup v2 tree on this node")
	}
	c := Cgroups{cgroups.Mounts{V1: map[string]cgroups.Mount{"cpuacct": {Dir: cpuacct}}, V2: node.V2}}
	rel := testCgroup(t, cpuacct, node.V2.Dir)
	cmd, _ := startIn(t, rel, "while :; do :; done", cpuacct, node.V2.Dir)
	pauseResume(t, c, rel, cmd.Process.Pid)
}

// Where no freezer is mounted, :pause says so and the container runs on.
func TestPauseWithoutFreezer(t *testing.T) {
	requireRoot(t)
	m, err := cgroups.FromMountinfo("testdata/mountinfo_v1-no-freezer", "/sys/fs/cgroup")
	c := Cgroups{m}
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
	c := Cgroups{cgroups.Mounts{V2: cgroups.Mount{Dir: root}}}
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

// Issue 21 item 2: with the host's cgroups mounted at --cgroup-root (here
// as in a container with a cgroup namespace of its own and the host's
// /sys/fs/cgroup at /host/sys/fs/cgroup: the mount table of
// ../collector/cgroups/testdata/mountinfo/docker-v1-cgroupns-host-mounted,
// its mount points moved into a test folder), actions reach the host's
// cgroup of the container, not a cgroup of ctop-like's own view that has
// that path, or none.
func TestActionsUnderTheCgroupRoot(t *testing.T) {
	table, err := os.ReadFile("../collector/cgroups/testdata/mountinfo/docker-v1-cgroupns-host-mounted")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	host, own := filepath.Join(dir, "host"), filepath.Join(dir, "own")
	text := strings.ReplaceAll(string(table), " /host/sys/fs/cgroup", " "+host)
	text = strings.ReplaceAll(text, " /sys/fs/cgroup", " "+own)
	procRoot := filepath.Join(dir, "proc")
	if err := os.MkdirAll(filepath.Join(procRoot, "self"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(procRoot, "self", "mountinfo"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"cpu", "cpuacct", "memory", "pids", "freezer"} {
		if err := os.MkdirAll(filepath.Join(own, h), 0o755); err != nil {
			t.Fatal(err)
		}
		web := filepath.Join(host, h, "mesos", "web")
		if err := os.MkdirAll(web, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(web, "cgroup.procs"), []byte("10\n11\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Locate(procRoot, host)
	if err != nil {
		t.Fatal(err)
	}
	want := "send SIGHUP to the 2 processes of web (cgroup /mesos/web)"
	if got := c.Signal("/mesos/web", "web", syscall.SIGHUP).Describe(); got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
	if got := c.Dirs("/mesos/web"); len(got) != 5 || !strings.HasPrefix(got[0], host+"/") {
		t.Errorf("the cgroup's folders: %q, want the 5 under %s", got, host)
	}
}
