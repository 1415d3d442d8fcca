package logs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// secretText is what a root-only host file holds in these tests: it must
// never reach a log.
const secretText = "root-only secret of the host"

// hostSecret makes a root-only file (like /etc/shadow) outside every
// writer's directory and returns its path.
func hostSecret(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "shadow")
	if err := os.WriteFile(p, []byte(strings.Repeat(secretText+"\n", 3)), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// writerDir is a directory the writer owns: the user nobody's when the test
// runs as root (a Mesos task's sandbox), so that the writer cannot read the
// secret itself.
func writerDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "ctop-like-hostile-log-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(d, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func noSecret(t *testing.T, got []Line) {
	t.Helper()
	for _, l := range got {
		if strings.Contains(l.Text, secretText) {
			t.Fatalf("a host file reached the log: %q", texts(got))
		}
	}
}

// A log file whose writer renames it and leaves a symbolic link, a FIFO or
// a link to a FIFO in its place (a task owns its sandbox): the file is not
// followed there. The lines written to the old file are read, then the log
// ends with a message; it never shows the host's file nor hangs on a FIFO.
func TestFileReplacedInItsPlaceIsNotFollowed(t *testing.T) {
	secret := hostSecret(t)
	fifoElsewhere := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(fifoElsewhere, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		plant func(path string) error
		kind  string
	}{
		"link to a root-only file": {func(p string) error { return os.Symlink(secret, p) }, "symbolic link"},
		"link to a FIFO":           {func(p string) error { return os.Symlink(fifoElsewhere, p) }, "symbolic link"},
		"FIFO":                     {func(p string) error { return unix.Mkfifo(p, 0o666) }, "FIFO"},
		"link to /dev/zero":        {func(p string) error { return os.Symlink("/dev/zero", p) }, "symbolic link"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(writerDir(t), "stdout")
			writeLines(t, path, 1, 2)
			_, lines, done, _ := run(t, File{Path: path, Std: Stdout, Poll: 20 * time.Millisecond}, 10, true)
			collect(t, lines, 2, 5*time.Second)

			w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if err := os.Rename(path, path+".1"); err != nil {
				t.Fatal(err)
			}
			if err := c.plant(path); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(w, "line 3")
			got, err := drain(t, lines, done, 10*time.Second)
			noSecret(t, got)
			var ended *EndedError
			if !errors.As(err, &ended) || !strings.Contains(ended.Reason, c.kind) || !strings.Contains(ended.Reason, "not followed") {
				t.Fatalf("the log should end saying it was replaced by a %s; got %v", c.kind, err)
			}
			if len(got) != 1 || got[0].Text != "line 3" {
				t.Errorf("the old file's last line: %q", texts(got))
			}
		})
	}
}

// A log whose place holds a link from the start is not read either.
func TestFileThatIsALinkIsNotOpened(t *testing.T) {
	secret := hostSecret(t)
	path := filepath.Join(writerDir(t), "stdout")
	if err := os.Symlink(secret, path); err != nil {
		t.Fatal(err)
	}
	_, lines, done, _ := run(t, File{Path: path, Std: Stdout}, 10, false)
	got, err := drain(t, lines, done, 5*time.Second)
	noSecret(t, got)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("err %v", err)
	}
}

// startWriter starts script as the user nobody (when root) in dir, its
// stdout and stderr the file dir/out; the script waits for dir/go before
// its second part. It is killed at the end.
func startWriter(t *testing.T, dir, script string, wrap ...string) *exec.Cmd {
	t.Helper()
	out, err := os.OpenFile(filepath.Join(dir, "out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if os.Geteuid() == 0 {
		os.Chown(out.Name(), 65534, 65534)
	}
	args := append(append([]string{}, wrap...), "sh", "-c", script)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if os.Geteuid() == 0 && len(wrap) == 0 {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: 65534, Gid: 65534}
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	return cmd
}

// The log of a process (`--scope pid=`, `l` on a process row, a Mesos or
// containerd container's log) is what the process writes through its
// stdout. A task that renames its log and leaves a symbolic link to a host
// file in its place goes on being read from the file it writes to; the
// host's file never shows.
func TestProcessLogIsWhatItsDescriptorHolds(t *testing.T) {
	secret := hostSecret(t)
	dir := writerDir(t)
	cmd := startWriter(t, dir, fmt.Sprintf(`echo one; while [ ! -e go ]; do sleep 0.02; done; `+
		`mv out out.1; ln -s %s out; echo two; i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.05; done`, secret))
	waitFor(t, func() bool { b, _ := os.ReadFile(filepath.Join(dir, "out")); return len(b) > 0 })

	src, err := Process("/proc", cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	f := src.(File)
	f.Poll = 20 * time.Millisecond
	_, lines, _, _ := run(t, f, 10, true)
	if got := collect(t, lines, 1, 5*time.Second); got[0].Text != "one" {
		t.Fatalf("first line %q", got[0].Text)
	}
	os.WriteFile(filepath.Join(dir, "go"), nil, 0o644)
	waitFor(t, func() bool { _, err := os.Lstat(filepath.Join(dir, "out.1")); return err == nil })
	got := collect(t, lines, 6, 10*time.Second)
	noSecret(t, got)
	if got[0].Text != "two" || got[1].Text != "tick 1" || got[5].Text != "tick 5" {
		t.Errorf("after the swap: %q", texts(got))
	}
}

// A process in its own mount namespace (a container) renames its log and
// leaves an absolute link in its place: through /proc/PID/root such a link
// would resolve against the host's root. The log goes on from the file it
// writes to.
func TestProcessLogInAContainerIgnoresALinkToTheHost(t *testing.T) {
	requireRoot(t)
	secret := hostSecret(t)
	d := t.TempDir()
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c",
		`mount -t tmpfs h8-act-logs "$0" && cd "$0" && exec >stdout 2>&1 && echo one && `+
			`while [ ! -e go ]; do sleep 0.02; done; mv stdout stdout.1; ln -s "$1" stdout; `+
			`i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.05; done`, d, secret)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() }()
	root := fmt.Sprintf("/proc/%d/root%s", cmd.Process.Pid, d)
	waitFor(t, func() bool { b, _ := os.ReadFile(root + "/stdout"); return len(b) > 0 })

	src, err := Process("/proc", cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	f := src.(File)
	f.Poll = 20 * time.Millisecond
	_, lines, _, _ := run(t, f, 10, true)
	collect(t, lines, 1, 5*time.Second)
	// The shell is the mount namespace's only process: its root is where
	// "go" is made.
	if err := os.WriteFile(root+"/go", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got := collect(t, lines, 5, 10*time.Second)
	noSecret(t, got)
	if got[0].Text != "tick 1" || got[4].Text != "tick 5" {
		t.Errorf("after the swap: %q", texts(got))
	}
}

// A process that points its stdout at a FIFO (or a terminal) after its log
// was read ends the log with a message; the FIFO is never opened.
func TestProcessLogSwitchedToAFIFOEnds(t *testing.T) {
	dir := writerDir(t)
	cmd := startWriter(t, dir, `mkfifo fifo; echo one; while [ ! -e go ]; do sleep 0.02; done; `+
		`exec 3<>fifo; exec >&3 2>&3; echo two; sleep 600`)
	waitFor(t, func() bool { b, _ := os.ReadFile(filepath.Join(dir, "out")); return len(b) > 0 })
	src, err := Process("/proc", cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	f := src.(File)
	f.Poll = 20 * time.Millisecond
	_, lines, done, _ := run(t, f, 10, true)
	collect(t, lines, 1, 5*time.Second)
	os.WriteFile(filepath.Join(dir, "go"), nil, 0o644)
	got, err := drain(t, lines, done, 10*time.Second)
	var ended *EndedError
	if !errors.As(err, &ended) || !strings.Contains(ended.Reason, "FIFO") {
		t.Fatalf("err %v, lines %q", err, texts(got))
	}
}
