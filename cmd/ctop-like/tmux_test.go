package main

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/dockertest"
)

// pane is a tmux session running a shell, driven as a user would.
type pane struct {
	t    *testing.T
	name string
}

func newPane(t *testing.T, w, h int, env ...string) *pane {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is not installed: run scripts/test-env")
		}
		t.Skip("tmux is not installed")
	}
	p := &pane{t: t, name: fmt.Sprintf("ctl-%d", rand.Intn(1e9))}
	args := []string{"new-session", "-d", "-s", p.name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h)}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	args = append(args, "env", "PS1=PROMPT$ ", "sh")
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "kill-session", "-t", p.name).Run() })
	p.waitPrompt()
	return p
}

// waitPrompt waits for the shell's first prompt. Text typed before it is
// echoed by the tty ahead of the prompt, and what the command prints later
// lands after "PROMPT$ " instead of at the start of a line (a loaded
// machine made the exit line "PROMPT$ EXIT=0").
func (p *pane) waitPrompt() {
	p.t.Helper()
	p.waitFor("the shell's prompt", has("PROMPT$"))
}

func (p *pane) keys(keys ...string) {
	p.t.Helper()
	args := append([]string{"send-keys", "-t", p.name}, keys...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		p.t.Fatalf("send-keys %v: %v %s", keys, err, out)
	}
	if keys[len(keys)-1] == "Escape" {
		// A key right after Esc reads as Alt+key to any terminal
		// program; a person's next key comes later than that.
		time.Sleep(300 * time.Millisecond)
	}
}

func (p *pane) text(s string) {
	p.t.Helper()
	if out, err := exec.Command("tmux", "send-keys", "-t", p.name, "-l", s).CombinedOutput(); err != nil {
		p.t.Fatalf("send-keys -l %q: %v %s", s, err, out)
	}
}

func (p *pane) screen() string {
	p.t.Helper()
	out, err := exec.Command("tmux", "capture-pane", "-p", "-t", p.name).Output()
	if err != nil {
		p.t.Fatalf("capture-pane: %v", err)
	}
	return string(out)
}

// waitFor polls the screen until cond holds or 15 s pass.
func (p *pane) waitFor(what string, cond func(string) bool) string {
	p.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := p.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %s; the screen shows:\n%s", what, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func has(sub string) func(string) bool {
	return func(s string) bool { return strings.Contains(s, sub) }
}

func TestScreenInTmux(t *testing.T) {
	dockertest.Require(t)
	suffix := rand.Intn(1e6)
	web, db := fmt.Sprintf("web-%d", suffix), fmt.Sprintf("db-%d", suffix)
	dockertest.Run(t, []string{"--name", web}, "sh", "-c", "exec sleep 3601")
	dockertest.Run(t, []string{"--name", db}, "sh", "-c", "exec sleep 3602")

	p := newPane(t, 120, 40, "TERM=xterm-256color")
	p.text(binary + " -d 500; echo EXIT=$?")
	p.keys("Enter")
	p.waitFor("both containers", func(s string) bool { return strings.Contains(s, web) && strings.Contains(s, db) })

	// Filter to one.
	p.keys(`\`)
	p.text("name=" + web)
	p.keys("Enter")
	s := p.waitFor("the filter to apply", func(s string) bool { return !strings.Contains(s, db) })
	if !strings.Contains(s, web) {
		t.Fatalf("filtered away both:\n%s", s)
	}

	// Drill into its processes: only its process, and the breadcrumb names it.
	p.keys("Enter")
	s = p.waitFor("its processes", has("sleep 3601"))
	if strings.Contains(s, "sleep 3602") {
		t.Errorf("the other container's process shows:\n%s", s)
	}
	if !strings.Contains(s, "Containers › "+web+" › Processes") {
		t.Errorf("breadcrumb does not name the container:\n%s", s)
	}

	// Back up.
	p.keys("BSpace")
	p.waitFor("the containers view again", func(s string) bool { return !strings.Contains(s, "sleep 3601") && strings.Contains(s, web) })

	// :processes
	p.text(":processes")
	p.keys("Enter")
	p.waitFor("the processes view", has("COMMAND"))

	// F2 menu lists the views.
	p.keys("F2")
	s = p.waitFor("the views menu", has("Machine"))
	if !strings.Contains(s, "Containers") {
		t.Errorf("views menu:\n%s", s)
	}
	p.keys("Escape")

	// ? help lists sort and filter keys.
	p.keys("?")
	s = p.waitFor("help", has("Help"))
	for _, want := range []string{"filter", "sort"} {
		if !strings.Contains(strings.ToLower(s), want) {
			t.Errorf("help lacks %q:\n%s", want, s)
		}
	}
	p.keys("Escape")

	// q exits 0 and gives the shell back.
	p.keys("q")
	s = p.waitFor("the shell again", has("EXIT=0"))
	if !strings.Contains(s, "PROMPT$") {
		t.Errorf("no shell prompt after quitting:\n%s", s)
	}
}

func TestScreenAt80x24OnVT100WithoutColour(t *testing.T) {
	p := newPane(t, 80, 24, "TERM=vt100")
	p.text(binary + " --color never -d 500; echo EXIT=$?")
	p.keys("Enter")
	s := p.waitFor("the first rows", has("CPU%"))
	for _, want := range []string{"Containers", "CPU%", "F1Help"} {
		if !strings.Contains(s, want) {
			t.Errorf("80x24 vt100 screen lacks %q:\n%s", want, s)
		}
	}
	for i, line := range strings.Split(s, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("line %d wider than 80 columns: %q", i, line)
		}
	}
	p.keys("q")
	p.waitFor("exit status 0", has("EXIT=0"))
}
