package shell

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/cgrouptest"
	"github.com/ctop-like/ctop-like/internal/collector/cgroups"
	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/docker/docker/client"
	"golang.org/x/sys/unix"
)

// openPty gives a real terminal pair: the test types on master, the shell
// gets slave.
func openPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 33, Col: 101})
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

// screen collects what the shell writes to the terminal.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func watch(master *os.File) *screen {
	s := &screen{}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			s.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	return s
}

func waitScreen(t *testing.T, scr *screen, want string) {
	t.Helper()
	for i := 0; i < 250; i++ {
		if strings.Contains(scr.String(), want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("screen lacks %q: %q", want, scr.String())
}

func termios(t *testing.T, f *os.File) unix.Termios {
	t.Helper()
	st, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return *st
}

// session is a shell that Exec or Enter runs on a pty of its own, as the
// screen runs one, with what the pty showed.
type session struct {
	master, slave *os.File
	scr           *screen
	before        unix.Termios
	done          chan struct{}
	code          int
	err           error
}

// startShell runs run (an Exec or an Enter) on a new pty, 30 s at most.
func startShell(t *testing.T, run func(ctx context.Context, term Terminal) (int, error)) *session {
	t.Helper()
	master, slave := openPty(t)
	s := &session{master: master, slave: slave, before: termios(t, slave), scr: watch(master), done: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	go func() {
		s.code, s.err = run(ctx, Terminal{In: slave, Out: slave})
		close(s.done)
	}()
	return s
}

// end waits for the shell to end and returns its exit code and the screen.
// It fails the test when the shell fails or outlasts 20 s, and when the
// terminal's modes are not as they were before it.
func (s *session) end(t *testing.T) (int, string) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("the shell did not end; screen %q", s.scr.String())
	}
	if s.err != nil {
		t.Fatalf("code %d, err %v; screen %q", s.code, s.err, s.scr.String())
	}
	time.Sleep(50 * time.Millisecond)
	if after := termios(t, s.slave); after != s.before {
		t.Errorf("terminal modes changed in the shell (raw mode, stty -echo) were not restored")
	}
	return s.code, s.scr.String()
}

// showed fails the test for each of want that the screen out lacks.
func showed(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("screen lacks %q:\n%s", w, out)
		}
	}
}

func requireRoot(t *testing.T) { cgrouptest.RequireRoot(t) }

// target starts a process in new UTS, PID and mount namespaces (unshare)
// with hostname host, inside a test-made /mesos/h8-act-shell-<n> cgroup of
// the cpuacct hierarchy; it returns the pid of the namespaced process and
// the cgroup's path, and removes both at the end.
func target(t *testing.T, host string) (int, string) {
	t.Helper()
	const cpuacct = "/sys/fs/cgroup/cpuacct"
	rel := cgrouptest.Mesos(t, "h8-act-shell", cpuacct)
	cmd, _ := cgrouptest.Start(t, "exec unshare --uts --pid --fork --mount-proc sh -c 'hostname "+host+"; exec sleep 600'",
		nil, filepath.Join(cpuacct, rel))
	for i := 0; i < 500; i++ {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", cmd.Process.Pid, cmd.Process.Pid))
		if child, _ := strconv.Atoi(strings.TrimSpace(string(b))); child != 0 {
			if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", child)); string(b) == "sleep\n" {
				return child, rel
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("target did not set its hostname")
	return 0, ""
}

// nodeMounts is where this node's cgroup hierarchies are, as ctop-like
// finds them with its default roots.
func nodeMounts(t *testing.T) cgroups.Mounts {
	t.Helper()
	m, err := cgroups.Locate("/proc", "/sys/fs/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A shell entered with nsenter runs inside the target's namespaces and
// cgroup: `hostname` is the target's, the shell is PID-namespaced, it is
// in the target's cpuacct cgroup, its exit code comes back, and the
// terminal's modes are as they were.
func TestEnterRunsInTheContainer(t *testing.T) {
	requireRoot(t)
	host := fmt.Sprintf("h8-act-ns-%d", rand.Intn(1e6))
	pid, rel := target(t, host)
	mounts := nodeMounts(t)
	sh := startShell(t, func(ctx context.Context, term Terminal) (int, error) { return Enter(ctx, mounts, pid, "/bin/sh", term) })
	sh.master.Write([]byte("hostname; grep cpuacct /proc/self/cgroup; echo pid=$$; stty -echo; echo rc=$?; exit 7\n"))
	code, out := sh.end(t)
	// dash ends an interactive shell whose first process group lies
	// outside its PID namespace with "Cannot set tty process group" and
	// status 2 instead of 7 (it cannot hand the terminal back to a group
	// it cannot see); the screen takes the terminal back either way.
	if code != 7 && code != 2 {
		t.Fatalf("code %d; screen %q", code, out)
	}
	showed(t, out, "# "+host+"\r\n", ":cpuacct:"+rel+"\r\n")
	if strings.Contains(out, fmt.Sprintf("pid=%d", pid)) || !strings.Contains(out, "pid=") {
		t.Errorf("the shell is not in the target's PID namespace:\n%s", out)
	}
}

// Docker exec with a TTY runs `hostname` in a real container, sizes its
// terminal as ours, returns the exit code and leaves the terminal cooked.
func TestExecDocker(t *testing.T) {
	dockertest.Require(t)
	host := fmt.Sprintf("h8-act-exec-%d", rand.Intn(1e6))
	id := dockertest.Run(t, []string{"--name", host, "--hostname", host}, dockertest.Sleep...)
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	sh := startShell(t, func(ctx context.Context, term Terminal) (int, error) {
		return Exec(ctx, cli, id, []string{"/bin/sh"}, term)
	})
	time.Sleep(300 * time.Millisecond)
	sh.master.Write([]byte("hostname; stty size\r"))
	waitScreen(t, sh.scr, "33 101\r\n")
	// The operator's window changes size: SIGWINCH resizes the exec's TTY.
	unix.IoctlSetWinsize(int(sh.slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 120})
	syscall.Kill(os.Getpid(), syscall.SIGWINCH)
	time.Sleep(300 * time.Millisecond)
	sh.master.Write([]byte("stty size; exit 5\r"))
	code, out := sh.end(t)
	if code != 5 {
		t.Fatalf("code %d; screen %q", code, out)
	}
	showed(t, out, host+"\r\n", "33 101\r\n", "40 120\r\n")
}

// When the terminal is ctop-like's controlling one (the real case), the
// shell's process group gets the foreground, so Ctrl-C reaches the shell,
// and ctop-like's group gets it back when the shell ends. The test runs
// itself as a helper whose controlling terminal is a pty.
func TestEnterGivesAndTakesBackTheForeground(t *testing.T) {
	if os.Getenv("H8_ACT_ENTER_PID") != "" {
		pid, _ := strconv.Atoi(os.Getenv("H8_ACT_ENTER_PID"))
		mounts, err := cgroups.Locate("/proc", "/sys/fs/cgroup")
		if err != nil {
			fmt.Printf("HELPER locate: %v\n", err)
			os.Exit(0)
		}
		code, err := Enter(context.Background(), mounts, pid, "/bin/sh", Terminal{In: os.Stdin, Out: os.Stdout})
		fg, _ := unix.IoctlGetInt(0, unix.TIOCGPGRP)
		fmt.Printf("HELPER code=%d err=%v foreground-is-ours=%v\n", code, err, fg == unix.Getpgrp())
		os.Exit(0)
	}
	requireRoot(t)
	host := fmt.Sprintf("h8-act-fg-%d", rand.Intn(1e6))
	pid, _ := target(t, host)
	master, slave := openPty(t)
	scr := watch(master)
	helper := exec.Command(os.Args[0], "-test.run=^TestEnterGivesAndTakesBackTheForeground$")
	helper.Env = append(os.Environ(), "H8_ACT_ENTER_PID="+strconv.Itoa(pid))
	helper.Stdin, helper.Stdout, helper.Stderr = slave, slave, slave
	helper.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	defer helper.Process.Kill()
	time.Sleep(500 * time.Millisecond)
	// sleep runs in the foreground; Ctrl-C must stop it, not the helper.
	master.Write([]byte("hostname; sleep 30\n"))
	time.Sleep(500 * time.Millisecond)
	master.Write([]byte{3})
	time.Sleep(200 * time.Millisecond)
	master.Write([]byte("echo after-ctrl-c; exit 3\n"))
	waited := make(chan error, 1)
	go func() { waited <- helper.Wait() }()
	select {
	case <-waited:
	case <-time.After(20 * time.Second):
		t.Fatalf("helper did not end; screen %q", scr.String())
	}
	time.Sleep(50 * time.Millisecond)
	out := scr.String()
	for _, want := range []string{host + "\r\n", "after-ctrl-c\r\n", "err=<nil> foreground-is-ours=true"} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
}
