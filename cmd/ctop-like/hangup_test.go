package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The terminal goes away under a busy screen (issue 19, item 2): an ssh
// session drops, and the tool must not outlive it. Here the test is the
// ssh server: it holds a real pty's master, runs an interactive shell as
// the session leader on the slave (as sshd runs the login shell), types
// the tool's command line into it, and then closes the master or kills
// the shell.

// ptyTerm is a terminal the test holds the master side of.
type ptyTerm struct {
	t      *testing.T
	master *os.File
	leader *exec.Cmd // the session's shell
	closed bool

	mu  sync.Mutex
	out bytes.Buffer
}

// newPtyTerm opens a w×h pty and starts an interactive sh on it as the
// session leader with the pty as its controlling terminal.
func newPtyTerm(t *testing.T, w, h int) *ptyTerm {
	t.Helper()
	// Opened non-blocking and wrapped after the ioctls: os.File.Fd would
	// put it in blocking mode, and a Read blocked in the kernel keeps the
	// master open after Close until some output arrives.
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	m := os.NewFile(uintptr(fd), "/dev/ptmx")
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: uint16(h), Col: uint16(w)}); err != nil {
		t.Fatal(err)
	}
	p := &ptyTerm{t: t, master: m}
	p.leader = exec.Command("sh", "-i")
	// GORACE: the race detector sleeps a second before a zero exit, which
	// the times logged would include.
	p.leader.Env = []string{"TERM=xterm-256color", "PS1=PROMPT$ ", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GORACE=atexit_sleep_ms=0"}
	p.leader.Stdin, p.leader.Stdout, p.leader.Stderr = s, s, s
	p.leader.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := p.leader.Start(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	leaderDone := make(chan struct{})
	go func() { _ = p.leader.Wait(); close(leaderDone) }()
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := m.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		p.hangup()
		_ = p.leader.Process.Kill()
		<-leaderDone
	})
	p.waitFor(0, "the shell's prompt", "PROMPT$")
	return p
}

// escapes are a terminal's control sequences (CSI, OSC, charset
// selections, single-character escapes): what is left is the text drawn.
var escapes = regexp.MustCompile(`\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78DEHMNOPZc])`)

// moves are the cursor positionings tcell starts each run of cells with.
var moves = regexp.MustCompile(`\x1b\[[0-9]*(;[0-9]*)?H`)

// drawn is the text of terminal output: each run of cells on a line of
// its own, without control sequences.
func drawn(out string) string {
	return escapes.ReplaceAllString(moves.ReplaceAllString(out, "\n"), "")
}

// mark is where the output is now: waitFor looks only past it.
func (p *ptyTerm) mark() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Len()
}

// waitFor waits until the text drawn after mark holds sub.
func (p *ptyTerm) waitFor(mark int, what, sub string) {
	p.t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		p.mu.Lock()
		s := drawn(string(p.out.Bytes()[mark:]))
		p.mu.Unlock()
		if strings.Contains(s, sub) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %s (%q); the terminal received:\n%s", what, sub, tail(s, 3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// typeText writes to the terminal as keys typed.
func (p *ptyTerm) typeText(s string) {
	p.t.Helper()
	if _, err := p.master.Write([]byte(s)); err != nil {
		p.t.Fatalf("type %q: %v", s, err)
	}
}

// hangup closes the master, as sshd does when the connection drops.
func (p *ptyTerm) hangup() {
	if !p.closed {
		p.closed = true
		p.master.Close()
	}
}

// startTool types the tool's command line, recording to a file of its
// own, and waits for its first rows and records; it returns the tool's pid and the
// recording's path.
func (p *ptyTerm) startTool(args ...string) (int, string) {
	p.t.Helper()
	rec := filepath.Join(p.t.TempDir(), fmt.Sprintf("hangup-%d.rec", time.Now().UnixNano()))
	m := p.mark()
	p.typeText(binary + " -w " + rec + " " + strings.Join(args, " ") + "\r")
	p.waitFor(m, "the first rows", "CPU%")
	pid := pidOf(p.t, rec)
	p.t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	waitRecords(p.t, rec, 2)
	return pid, rec
}

// children lists the processes whose parent is pid.
func children(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(s); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// gone waits until pid has ended, and says how long that took; after 45 s
// it kills pid and fails the test with what the process was doing.
//
// The recording has its end mark: the tool ended as after a quit.
func gone(t *testing.T, pid int, rec string, since time.Time, after string) {
	t.Helper()
	for alive(pid) {
		if time.Since(since) > 45*time.Second {
			stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("ctop-like (pid %d) still ran 45 s after %s; /proc/%d/stat: %s", pid, after, pid, stat)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("ctop-like ended %v after %s", time.Since(since).Round(time.Millisecond), after)
	closedCleanly(t, rec)
}

// TestTerminalLossEndsTheScreen: whatever the screen is doing when its
// terminal goes away — keys queued, an overlay open, a shell just
// returned or still open, suspended by Ctrl-Z — no ctop-like is left.
func TestTerminalLossEndsTheScreen(t *testing.T) {
	t.Run("keys queued", func(t *testing.T) {
		p := newPtyTerm(t, 160, 45)
		pid, rec := p.startTool("-d", "300", "-a", "--docker-host", "none")
		// Keys that each re-sort or move the table, more than the
		// screen's queues hold, then the connection drops at once.
		p.typeText(strings.Repeat("\x1b[B>", 300) + strings.Repeat("t", 50))
		start := time.Now()
		p.hangup()
		gone(t, pid, rec, start, "its terminal hung up with 650 keys queued")
	})
	t.Run("overlay open", func(t *testing.T) {
		p := newPtyTerm(t, 160, 45)
		pid, rec := p.startTool("-d", "300", "--docker-host", "none")
		m := p.mark()
		p.typeText("?")
		p.waitFor(m, "help", "Help:")
		start := time.Now()
		p.hangup()
		gone(t, pid, rec, start, "its terminal hung up with help open")
	})
	t.Run("suspended", func(t *testing.T) {
		p := newPtyTerm(t, 160, 45)
		pid, rec := p.startTool("-d", "300", "--docker-host", "none")
		m := p.mark()
		p.typeText("\x1a") // Ctrl-Z
		p.waitFor(m, "the shell back", "PROMPT$")
		start := time.Now()
		p.hangup()
		gone(t, pid, rec, start, "its terminal hung up while it was stopped by Ctrl-Z")
	})
	t.Run("shell just returned", func(t *testing.T) {
		p, pid, rec := shellScreen(t)
		m := p.mark()
		p.typeText("exit\r")
		p.waitFor(m, "the screen back", "ended")
		start := time.Now()
		p.hangup()
		gone(t, pid, rec, start, "its terminal hung up right after a shell returned")
	})
	t.Run("shell open, session leader killed", func(t *testing.T) {
		// The ssh server's side of the session dies first (its shell
		// killed), the connection lingers: the shell in the container
		// gets SIGHUP as the terminal's foreground group, and ctop-like,
		// in the background meanwhile, cannot take back a terminal that
		// is no longer its own.
		p, pid, rec := shellScreen(t)
		start := time.Now()
		if err := p.leader.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		gone(t, pid, rec, start, "the session's shell was killed while a shell in a container was open")
	})
}

// shellScreen starts the tool on one Mesos container of its own and opens
// a shell in it with `e`.
func shellScreen(t *testing.T) (p *ptyTerm, pid int, rec string) {
	t.Helper()
	if _, err := exec.LookPath("nsenter"); err != nil {
		t.Fatal("nsenter (util-linux) is needed")
	}
	sleeper := exec.Command("sleep", "3600")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = sleeper.Wait() }()
	id := uuid(t)
	mesosCgroup(t, id, sleeper.Process.Pid)
	// Before the cgroup is removed (cleanups run last-in first-out): the
	// container's process and what the shell left in it.
	t.Cleanup(func() {
		files, _ := filepath.Glob("/sys/fs/cgroup/*/mesos/" + id + "/cgroup.procs")
		more, _ := filepath.Glob("/sys/fs/cgroup/mesos/" + id + "/cgroup.procs")
		for _, f := range append(files, more...) {
			b, _ := os.ReadFile(f)
			for _, p := range strings.Fields(string(b)) {
				if n, err := strconv.Atoi(p); err == nil {
					_ = syscall.Kill(n, syscall.SIGKILL)
				}
			}
		}
	})
	p = newPtyTerm(t, 160, 45)
	pid, rec = p.startTool("-d", "300", "--docker-host", "none", "-f", "id="+id)
	// The row counter reads 1/1 once the container's row is there (and
	// selected).
	p.waitFor(0, "the container's row", "1/1")
	m := p.mark()
	p.typeText("e")
	p.waitFor(m, "the shell's banner", "(mesos); exit to come back")
	// The container's shell runs: ctop-like's only child is its wrapper.
	deadline := time.Now().Add(45 * time.Second)
	for len(children(pid)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no shell process under ctop-like after its banner")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return p, pid, rec
}
