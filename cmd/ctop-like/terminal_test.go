package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/recording"
)

// Terminal robustness, driven in tmux through the pane helper of
// tmux_test.go: a resize storm, SIGTERM and SIGHUP in the middle of drawing,
// and a panic in one of our own goroutines. Each must leave a sane terminal
// (the shell prompt back, the alternate screen off), a recording with its
// end mark, and a meaningful exit status: SIGTERM and SIGHUP are a quit
// (exit 0); a panic is exit 2 with the panic and its stack on stderr.

// tmux runs a tmux command against the pane's session and returns its
// trimmed output.
func (p *pane) tmux(args ...string) string {
	p.t.Helper()
	out, err := exec.Command("tmux", args...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %v: %v %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// alternateOn reports whether the pane shows the alternate screen (a
// full-screen program holds the terminal).
func (p *pane) alternateOn() bool {
	return p.tmux("display", "-p", "-t", p.name, "#{alternate_on}") == "1"
}

// pidOf waits until exactly one process has arg in its command line and
// returns its pid.
func pidOf(t *testing.T, arg string) int {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		out, _ := exec.Command("pgrep", "-f", "--", arg).Output()
		f := strings.Fields(string(out))
		if len(f) == 1 {
			pid, err := strconv.Atoi(f[0])
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("want one process with %q in its command line, have %q", arg, f)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// alive reports whether pid still runs (and is not a zombie).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	out, _ := exec.Command("ps", "-o", "stat=", "-p", strconv.Itoa(pid)).Output()
	return len(out) > 0 && !strings.HasPrefix(strings.TrimSpace(string(out)), "Z")
}

// startScreen types the binary's command line into a new 120x40 pane,
// followed by an echo of its exit status, and waits for its first rows.
// The recording's path is unique and names the process for pgrep.
func startScreen(t *testing.T, env []string, args ...string) (p *pane, rec string, pid int) {
	t.Helper()
	return startScreenOf(t, binary, env, args...)
}

// startScreenOf is startScreen with another build of the tool.
func startScreenOf(t *testing.T, binary string, env []string, args ...string) (p *pane, rec string, pid int) {
	t.Helper()
	p = newPane(t, 120, 40, append([]string{"TERM=xterm-256color"}, env...)...)
	rec = filepath.Join(t.TempDir(), fmt.Sprintf("term-%d.rec", time.Now().UnixNano()))
	p.text(binary + " -w " + rec + " " + strings.Join(args, " ") + "; echo EXIT=$?")
	p.keys("Enter")
	p.waitFor("the first rows", has("CPU%"))
	pid = pidOf(t, rec)
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	return p, rec, pid
}

// restored waits for the shell prompt after EXIT=want and checks that the
// alternate screen is off.
func (p *pane) restored(want int) string {
	p.t.Helper()
	// The typed line holds "echo EXIT=$?" too: look for the echo's own
	// line followed by a new prompt.
	s := p.waitFor(fmt.Sprintf("EXIT=%d and the prompt", want), func(s string) bool {
		loc := exitLine.FindStringIndex(s)
		return loc != nil && strings.Contains(s[loc[1]:], "PROMPT$")
	})
	if m := exitLine.FindStringSubmatch(s); m[1] != strconv.Itoa(want) {
		p.t.Errorf("want EXIT=%d; the screen shows:\n%s", want, s)
	}
	if p.alternateOn() {
		p.t.Errorf("the pane is still on the alternate screen after exit:\n%s", s)
	}
	// The terminal is back in cooked mode: typed text echoes and a command
	// runs.
	p.text("echo SANE-$((6*7))")
	p.keys("Enter")
	p.waitFor("the shell to run a command", has("SANE-42"))
	return s
}

var exitLine = regexp.MustCompile(`(?m)^EXIT=(\d+)\s*$`)

// closedCleanly opens the recording and wants no warning (it has its end
// mark) and at least one record.
func closedCleanly(t *testing.T, path string) {
	t.Helper()
	r, err := recording.Open(path)
	if err != nil {
		t.Fatalf("recording: %v", err)
	}
	defer r.Close()
	if w := r.Warning(); w != "" {
		t.Errorf("recording not closed cleanly: %s", w)
	}
	if r.Len() == 0 {
		t.Error("recording holds no records")
	}
}

func TestResizeStorm(t *testing.T) {
	p, rec, pid := startScreen(t, nil, "-d", "200", "-a", "--docker-host", "none")
	sizes := [][2]int{{10, 5}, {120, 40}, {11, 6}, {80, 24}, {20, 5}, {200, 60}, {10, 40}, {120, 5}, {33, 7}, {60, 15}}
	for i := 0; i < 50; i++ {
		sz := sizes[i%len(sizes)]
		p.tmux("resize-window", "-t", p.name, "-x", strconv.Itoa(sz[0]), "-y", strconv.Itoa(sz[1]))
		if i%7 == 0 {
			time.Sleep(30 * time.Millisecond) // let some draws land mid-storm
		}
		if !alive(pid) {
			t.Fatalf("died during the storm at resize %d (%dx%d):\n%s", i, sz[0], sz[1], p.screen())
		}
	}
	p.tmux("resize-window", "-t", p.name, "-x", "120", "-y", "40")
	s := p.waitFor("a full redraw at 120x40", func(s string) bool {
		return strings.Contains(s, "Containers") && strings.Contains(s, "CPU%") && strings.Contains(s, "F1Help")
	})
	if !alive(pid) {
		t.Fatal("not running after the storm")
	}
	for _, bad := range []string{"panic", "goroutine ", "EXIT="} {
		if strings.Contains(s, bad) {
			t.Errorf("the pane shows %q after the storm:\n%s", bad, s)
		}
	}
	if got := p.tmux("display", "-p", "-t", p.name, "#{window_width}x#{window_height}"); got != "120x40" {
		t.Errorf("window is %s, want 120x40", got)
	}
	p.keys("q")
	p.restored(0)
	closedCleanly(t, rec)
}

// signalMidDraw sends sig while the screen redraws every 100 ms, and wants
// a quit: exit 0, terminal restored, recording closed.
func signalMidDraw(t *testing.T, sig syscall.Signal) {
	p, rec, pid := startScreen(t, nil, "-d", "100", "-a", "--docker-host", "none")
	// A few refreshes recorded, then the signal lands among draws.
	waitRecords(t, rec, 3)
	if err := syscall.Kill(pid, sig); err != nil {
		t.Fatal(err)
	}
	p.restored(0)
	if alive(pid) {
		t.Errorf("pid %d still runs after %v", pid, sig)
	}
	closedCleanly(t, rec)
}

// waitRecords waits until the recording being written holds n records.
func waitRecords(t *testing.T, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		r, err := recording.Open(path)
		got := 0
		if err == nil {
			got = r.Len()
			r.Close()
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d records after 45 s, want %d", got, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestSIGTERMMidDraw(t *testing.T) { signalMidDraw(t, syscall.SIGTERM) }

// SIGHUP is what an SSH session that drops delivers.
func TestSIGHUPMidDraw(t *testing.T) { signalMidDraw(t, syscall.SIGHUP) }

// A panic in the monitor's or the orchestrator poller's goroutine (outside
// tview, which restores the terminal itself) restores the terminal, closes
// the recording, prints the panic with its stack and exits 2. The panic is
// triggered by the test-only CTOP_LIKE_TEST_PANIC=<goroutine> plus SIGUSR1.
func TestPanicInGoroutineRestoresTerminal(t *testing.T) {
	for _, g := range []string{"monitor", "orchestrator"} {
		t.Run(g, func(t *testing.T) {
			var args []string
			if g == "orchestrator" {
				// Loopback servers that refuse: the poller runs, errors
				// and backs off; nothing leaves the machine.
				mesos, marathon := serve(t, nil), serve(t, nil)
				args = []string{"-m", mesos.URL + "," + marathon.URL}
			}
			p, rec, pid := startScreenOf(t, panicBinary(t), []string{"CTOP_LIKE_TEST_PANIC=" + g}, append([]string{"-d", "200", "--docker-host", "none"}, args...)...)
			waitRecords(t, rec, 2)
			if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
				t.Fatal(err)
			}
			s := p.restored(2)
			for _, want := range []string{"ctop-like: panic in the " + g, "test panic", "goroutine ", "crash.go"} {
				if !strings.Contains(s, want) {
					t.Errorf("the pane lacks %q:\n%s", want, s)
				}
			}
			closedCleanly(t, rec)
		})
	}
}
