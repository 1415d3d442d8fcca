package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"
)

// oneLine fails unless stderr is exactly one "ctop-like: " line holding
// every want.
func oneLine(t *testing.T, name, stderr string, want ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "ctop-like: ") {
		t.Errorf("%s: want one line naming the problem, got %q", name, stderr)
		return
	}
	for _, w := range want {
		if !strings.Contains(lines[0], w) {
			t.Errorf("%s: %q does not say %q", name, lines[0], w)
		}
	}
}

func TestBadFlagValuesExitTwoWithOneLine(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-ca.pem")
	cases := []struct {
		name string
		args []string
		says []string
	}{
		{"delay 0", []string{"-d", "0"}, []string{"--delay", "100 ms"}},
		{"delay negative", []string{"-d", "-5"}, []string{"--delay", `"-5"`}},
		{"delay overflowing", []string{"-d", "1e300"}, []string{"--delay", "at most"}},
		{"iterations negative", []string{"-n", "-1"}, []string{"--iterations"}},
		{"iterations too big", []string{"-n", "99999999999999999999"}, []string{"--iterations"}},
		{"orchestrator interval", []string{"--orchestrator-interval", "x"}, []string{"--orchestrator-interval"}},
		{"malformed -m", []string{"-m", "http://[::1", "-o", "json"}, []string{"--mesos-api", "malformed"}},
		{"-m scheme", []string{"-m", "ftp://127.0.0.1:5050", "-o", "json"}, []string{"--mesos-api", "ftp"}},
		{"-m empty in list", []string{"-m", "http://127.0.0.1:1,", "-o", "json"}, []string{"--mesos-api", "empty"}},
		{"malformed -m keeps the password", []string{"-m", "http://user:hunter2@[::1", "-o", "json"}, []string{"--mesos-api"}},
		{"ca-cert missing", []string{"--ca-cert", missing, "-m", "http://127.0.0.1:1", "-o", "json"}, []string{"--ca-cert", missing}},
		{"scope without =", []string{"--scope", "app"}, []string{"--scope", "KIND=ID"}},
		{"scope kind", []string{"--scope", "pod=x"}, []string{"--scope"}},
		{"unknown view", []string{"-v", "nosuch"}, []string{"--view", "nosuch"}},
		{"cadvisor URL", []string{"--cadvisor", "://bad", "-o", "json"}, []string{"--cadvisor"}},
		{"read and write", []string{"-r", "a", "-w", "b"}, []string{"-r"}},
	}
	for _, c := range cases {
		_, stderr, code := runBinary(t, c.args...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2 (%q)", c.name, code, stderr)
		}
		oneLine(t, c.name, stderr, c.says...)
		if strings.Contains(stderr, "hunter2") {
			t.Errorf("%s: the password is in the message: %q", c.name, stderr)
		}
	}
}

func TestMissingRootsFailWithOneLine(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, flag string }{{"proc root", "--proc-root"}, {"cgroup root", "--cgroup-root"}} {
		missing := filepath.Join(dir, "nothing-here")
		_, stderr, code := runBinary(t, c.flag, missing, "-o", "json", "--docker-host", "none")
		if code == 0 {
			t.Errorf("%s: exit 0 for a missing folder", c.name)
		}
		oneLine(t, c.name, stderr, missing)
	}
}

// Without a terminal the screen says so and exits 1; it used to panic in
// tcell (SetScreen ignores a failed Init).
func TestScreenWithoutTerminalSaysSo(t *testing.T) {
	cmd := exec.Command(binary, "--docker-host", "none")
	cmd.Stdin = nil
	// setsid: no controlling terminal, whatever runs the tests.
	cmd.SysProcAttr = noCtty()
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1: %s", err, out)
	}
	oneLine(t, "no terminal", string(out), "no terminal", "-o table")
}

// A process whose name is not UTF-8 (and holds an escape sequence) and
// whose command line is 100 kB shows as clean text in batch output.
func TestOddProcessesPrintCleanly(t *testing.T) {
	dir := t.TempDir()
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep")
	}
	odd := filepath.Join(dir, "bad\xff\x1b[31mname")
	if err := os.Symlink(sleep, odd); err != nil {
		t.Fatal(err)
	}
	// sleep sums its arguments: 30 and 51,200 zeros make 100 kB.
	args := append([]string{"30"}, strings.Fields(strings.Repeat("0 ", 50<<10))...)
	cmd := exec.Command(odd, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	pid := strconv.Itoa(cmd.Process.Pid)
	out := runJSON(t, "-v", "processes", "-f", "pid="+pid, "-d", "300", "-n", "1", "--docker-host", "none")
	if len(out) != 1 || len(out[0].Rows) != 1 {
		t.Fatalf("pid %s not listed once: %+v", pid, out)
	}
	row := out[0].Rows[0]
	for _, col := range []string{"command", "user", "state"} {
		s, _ := row[col].(string)
		if !utf8.ValidString(s) || strings.ContainsAny(s, "\x1b\x00") {
			t.Errorf("%s %.80q is not clean text", col, s)
		}
	}
	if cmdl, _ := row["command"].(string); !strings.Contains(cmdl, strings.Repeat(" 0", 1000)) || !strings.Contains(cmdl, "?[31mname") {
		t.Errorf("command %.120q lacks the long argument or the cleaned name", cmdl)
	}
}

func noCtty() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
