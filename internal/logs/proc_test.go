package logs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/cgrouptest"
)

func requireRoot(t *testing.T) { cgrouptest.RequireRoot(t) }

// mesosCgroup makes /mesos/h8-act-logs-<random> in the cgroup v1 cpuacct
// hierarchy (or in the v2 tree when that is all there is), removed at the
// end, and returns its directory.
func mesosCgroup(t *testing.T) string {
	t.Helper()
	root := "/sys/fs/cgroup/cpuacct"
	if _, err := os.Stat(root); err != nil {
		root = "/sys/fs/cgroup"
	}
	return filepath.Join(root, cgrouptest.Mesos(t, "h8-act-logs", root))
}

// startIn starts script with stdout and stderr going to the given files,
// moves it into the cgroup dir (when set) before it runs a line, and kills
// its process group at the end.
func startIn(t *testing.T, dir, stdout, stderr, script string) *exec.Cmd {
	t.Helper()
	open := func(p string) *os.File {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	var dirs []string
	if dir != "" {
		dirs = append(dirs, dir)
	}
	cmd, _ := cgrouptest.Start(t, script, func(cmd *exec.Cmd) {
		cmd.Stdout = open(stdout)
		if stderr == stdout {
			cmd.Stderr = cmd.Stdout
		} else {
			cmd.Stderr = open(stderr)
		}
	}, dirs...)
	return cmd
}

// A Mesos containerizer task on this node: a /mesos/<id> cgroup whose
// process writes to a sandbox's stdout and stderr. Its log is found from
// the cgroup alone, follows new lines, and ends with a reason when the
// task's processes are gone.
func TestCgroupMesosSandbox(t *testing.T) {
	requireRoot(t)
	dir := mesosCgroup(t)
	sandbox := t.TempDir()
	out, errf := filepath.Join(sandbox, "stdout"), filepath.Join(sandbox, "stderr")
	cmd := startIn(t, dir, out, errf,
		`echo "Starting task redis"; echo "Address already in use" >&2; i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done`)
	waitFor(t, func() bool { b, _ := os.ReadFile(out); return len(b) > 30 })

	src, err := Cgroup("/proc", dir)
	if err != nil {
		t.Fatal(err)
	}
	_, lines, done, _ := run(t, src, 100, true)
	got := collect(t, lines, 5, 10*time.Second)
	if so := byStream(got, Stdout); so[0] != "Starting task redis" || so[1] != "tick 1" {
		t.Errorf("stdout: %q", so)
	}
	if se := byStream(got, Stderr); !reflect.DeepEqual(se, []string{"Address already in use"}) {
		t.Errorf("stderr: %q", se)
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_, err = drain(t, lines, done, 10*time.Second)
	var ended *EndedError
	if !errors.As(err, &ended) || ended.Reason != "every process of the container exited" {
		t.Fatalf("after the task ended: %v", err)
	}

	if _, err := Cgroup("/proc", filepath.Join(filepath.Dir(dir), "h8-act-no-such")); err == nil {
		t.Error("a cgroup that does not exist gave a log")
	}
}

// A process whose fd 1 and 2 are one file (2>&1) is read once; one whose
// output goes to a pipe has no log to read.
func TestProcessStdFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "app.log")
	cmd := startIn(t, "", out, out, `echo one; echo two >&2; sleep 60`)
	waitFor(t, func() bool { b, _ := os.ReadFile(out); return len(b) == 8 })
	src, err := Process("/proc", cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	_, lines, done, _ := run(t, src, 10, false)
	got, err := drain(t, lines, done, 5*time.Second)
	if err != nil || !reflect.DeepEqual(texts(got), []string{"one", "two"}) || got[1].Stream != Stdout {
		t.Fatalf("got %+v, %v", got, err)
	}

	piped := exec.Command("sleep", "60")
	piped.Stdout, piped.Stderr = &nopWriter{}, &nopWriter{} // Go makes pipes for these
	if err := piped.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { piped.Process.Kill(); piped.Wait() }()
	if _, err := Process("/proc", piped.Process.Pid); !errors.Is(err, ErrNotFiles) {
		t.Errorf("a process writing to pipes: %v, want ErrNotFiles", err)
	}
}

type nopWriter struct{}

func (*nopWriter) Write(p []byte) (int, error) { return len(p), nil }

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if ok() {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("timed out")
}

// A process in its own mount namespace writing to a file that exists only
// there (a container's filesystem) is read through /proc/<pid>/root.
func TestProcessFileInAnotherMountNamespace(t *testing.T) {
	requireRoot(t)
	d := t.TempDir()
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c",
		`mount -t tmpfs h8-act-logs "$0" && exec >"$0/stdout" 2>&1 && echo "only in the container" && exec sleep 600`, d)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	waitFor(t, func() bool {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/root%s/stdout", cmd.Process.Pid, d))
		return len(b) > 0
	})
	if _, err := os.Stat(filepath.Join(d, "stdout")); err == nil {
		t.Fatal("the file is visible on the host: the test proves nothing")
	}
	src, err := Process("/proc", cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	_, lines, done, _ := run(t, src, 10, false)
	got, err := drain(t, lines, done, 5*time.Second)
	if err != nil || !reflect.DeepEqual(texts(got), []string{"only in the container"}) {
		t.Fatalf("%q %v", texts(got), err)
	}
}
