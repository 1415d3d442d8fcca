package actions

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// This test's own session: its parent, init, and its name.
func TestOwnSessionIsTheChainAbove(t *testing.T) {
	s := OwnSession()
	if s.PID != os.Getpid() {
		t.Errorf("PID %d, want %d", s.PID, os.Getpid())
	}
	has := map[int]string{}
	for _, p := range s.Session {
		has[p.PID] = p.Name
	}
	if _, ok := has[os.Getppid()]; !ok {
		t.Errorf("the parent %d is not in %v", os.Getppid(), s.Session)
	}
	if _, ok := has[1]; !ok {
		t.Errorf("init is not in %v", s.Session)
	}
	// getsid says 0 when the leader lives outside this PID namespace
	// (a CI runner's session), so there is no leader to find.
	if sid, err := unix.Getsid(0); err == nil && sid > 0 && sid != os.Getpid() {
		if _, ok := has[sid]; !ok {
			t.Errorf("the session's leader %d is not in %v", sid, s.Session)
		}
	}
}

// A process name with spaces and parentheses does not shift the fields.
func TestProcStatReadsOddNames(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "42"), 0o755)
	os.WriteFile(filepath.Join(dir, "42", "stat"), []byte("42 (my (odd) name) S 7 42 9 0 -1 4194560 0 0 0 0"), 0o644)
	if st := procStat(dir, 42); st.comm != "my (odd) name" || st.ppid != 7 || st.sid != 9 {
		t.Errorf("got %+v", st)
	}
}

// :pause, :stop and :kill of a cgroup that holds ctop-like, or a process
// it runs under, are refused with a sentence saying why; :unpause and
// SIGCONT are not; a cgroup that holds neither is acted on as before.
func TestRefuseActionsOnOwnCgroup(t *testing.T) {
	requireRoot(t)
	c := nodeCgroups(t)
	rel := testCgroup(t, cpuacct, pids, freezer)
	cmd, _ := startIn(t, rel, "exec sleep 600", cpuacct, pids, freezer)
	waitUntil(t, "the process in its cgroup", func() bool { return len(procsIn(t, filepath.Join(pids, rel))) == 1 })
	pid := cmd.Process.Pid
	asSelf := Self{PID: pid}
	asSession := Self{PID: os.Getpid(), Session: []Proc{{PID: 1, Name: "init"}, {PID: pid, Name: "sshd"}}}
	other := OwnSession()
	for _, tc := range []struct {
		self Self
		verb string
		sig  syscall.Signal
		want string // "" for no refusal
	}{
		{asSelf, "pause", 0, "holds ctop-like itself (pid " + strconv.Itoa(pid) + "): frozen, ctop-like could never thaw it"},
		{asSelf, "stop", 0, "holds ctop-like itself (pid " + strconv.Itoa(pid) + "): stop would end ctop-like"},
		{asSelf, "restart", 0, "restart would end ctop-like"},
		{asSelf, "kill", syscall.SIGKILL, "SIGKILL to its processes would end ctop-like"},
		{asSelf, "kill", syscall.SIGSTOP, "frozen, ctop-like could never thaw it"},
		{asSelf, "kill", syscall.SIGCONT, ""},
		{asSelf, "unpause", 0, ""},
		{asSession, "pause", 0, "holds sshd (pid " + strconv.Itoa(pid) + "), which ctop-like runs under: frozen, your terminal would stop answering for good"},
		{asSession, "kill", syscall.SIGTERM, "SIGTERM to its processes would end your session"},
		{other, "pause", 0, ""},
		{other, "stop", 0, ""},
	} {
		err := c.Refuse(rel, tc.verb, tc.sig, tc.self)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s %v: refused: %v", tc.verb, tc.sig, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "refused: cgroup "+rel+" holds")):
			t.Errorf("%s %v: %v, want a refusal with %q", tc.verb, tc.sig, err, tc.want)
		}
	}
}
