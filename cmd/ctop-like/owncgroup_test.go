package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ownCgroup makes /mesos/<id> in the hierarchies the tool reads and the
// freezer (or in the unified tree on a cgroup v2 host) and returns its
// directories; at the end it thaws it, moves what is left back to the
// root cgroups and removes it.
func ownCgroup(t *testing.T, id string) []string {
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
		for _, c := range []string{"cpu", "cpuacct", "memory", "pids", "freezer"} {
			dirs = append(dirs, filepath.Join("/sys/fs/cgroup", c, "mesos", id))
		}
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, d := range dirs {
			_ = os.WriteFile(filepath.Join(d, "freezer.state"), []byte("THAWED"), 0o644)
			_ = os.WriteFile(filepath.Join(d, "cgroup.freeze"), []byte("0"), 0o644)
			for _, p := range procsOf(d) {
				_ = os.WriteFile(filepath.Join(filepath.Dir(filepath.Dir(d)), "cgroup.procs"), []byte(p), 0o644)
			}
			for i := 0; i < 50 && os.Remove(d) != nil; i++ {
				time.Sleep(100 * time.Millisecond)
			}
		}
	})
	return dirs
}

// moveTo writes pid into cgroup.procs of each directory.
func moveTo(t *testing.T, pid int, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
			t.Fatalf("move %d into %s: %v", pid, d, err)
		}
	}
}

// rootsOf are the root cgroups of the hierarchies dirs are in.
func rootsOf(dirs []string) []string {
	var out []string
	for _, d := range dirs {
		out = append(out, filepath.Dir(filepath.Dir(d)))
	}
	return out
}

// :pause, :stop and :kill on the cgroup that holds ctop-like itself, and
// then on one that holds the shell it runs under, are refused with a
// sentence saying why, and the screen goes on answering keys. Before,
// :pause asked to confirm, and froze the screen for good.
func TestActionsOnItsOwnCgroupAreRefused(t *testing.T) {
	id := uuid(t)
	dirs := ownCgroup(t, id)
	p := newPane(t, 220, 40, "TERM=xterm-256color")
	p.text(binary + " -d 500 --docker-host none -f id=" + id + "; echo EXIT=$?")
	p.keys("Enter")
	p.waitFor("the screen", has("CPU%"))
	pid := pidOf(t, "id="+id)
	shell := 0
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
		f := strings.Fields(string(b)[strings.LastIndexByte(string(b), ')')+1:])
		shell, _ = strconv.Atoi(f[1])
	}
	if shell <= 1 {
		t.Fatalf("no parent shell for pid %d", pid)
	}

	moveTo(t, pid, dirs...)
	p.waitFor("its own cgroup as a row", func(s string) bool { return strings.Count(s, id[:12]) >= 2 })
	for _, tc := range []struct{ cmd, want string }{
		{"pause", "pause: refused: cgroup /mesos/" + id + " holds ctop-like itself (pid " + strconv.Itoa(pid) + "): frozen, ctop-like could never thaw it"},
		{"stop", "stop: refused: cgroup /mesos/" + id + " holds ctop-like itself (pid " + strconv.Itoa(pid) + "): stop would end ctop-like"},
		{"kill", "kill: refused: cgroup /mesos/" + id + " holds ctop-like itself (pid " + strconv.Itoa(pid) + "): SIGKILL to its processes would end ctop-like"},
	} {
		p.command(tc.cmd)
		s := p.waitFor(":"+tc.cmd+" refused", func(s string) bool { return strings.Contains(s, tc.want) || strings.Contains(s, "Cancel") })
		if !strings.Contains(s, tc.want) {
			t.Fatalf(":%s asked for a confirmation instead of refusing:\n%s", tc.cmd, s)
		}
	}

	// The shell it runs under, alone in the cgroup.
	moveTo(t, pid, rootsOf(dirs)...)
	moveTo(t, shell, dirs...)
	p.command("pause")
	want := "pause: refused: cgroup /mesos/" + id + " holds sh (pid " + strconv.Itoa(shell) + "), which ctop-like runs under: frozen, your terminal would stop answering"
	s := p.waitFor(":pause refused", func(s string) bool { return strings.Contains(s, want) || strings.Contains(s, "Cancel") })
	if !strings.Contains(s, want) {
		t.Fatalf(":pause of its shell's cgroup asked for a confirmation instead of refusing:\n%s", s)
	}
	moveTo(t, shell, rootsOf(dirs)...)
	p.keys("?")
	p.waitFor("help: the screen still answers", has("Help: Containers"))
	p.escape("help", lacks("Help: Containers"))
	p.keys("q")
	p.waitFor("a clean exit", has("EXIT=0"))
}
