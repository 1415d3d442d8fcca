package main

import (
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/views"
)

// TestSettingsFileWithAMistakeStillRuns: a bad line is one error naming
// the file and the line, on stderr; the tool runs, and -o table follows
// the columns the file has right, while -o json keeps every column.
func TestSettingsFileWithAMistakeStillRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.yaml")
	if err := os.WriteFile(path, []byte("views:\n  processes:\n    columns: [pid, command, cpu_pc]\n    sort: -pid\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runBinary(t, "--config", path, "-v", "processes", "-o", "table", "-d", "200")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := fmt.Sprintf("ctop-like: %s:3: view processes has no column \"cpu_pc\" (see ctop-like -l)\n", path)
	if stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	var head string
	for _, l := range strings.Split(stdout, "\n") {
		if strings.Contains(l, "COMMAND") {
			head = l
		}
	}
	if f := strings.Fields(head); strings.Join(f, " ") != "PID COMMAND" {
		t.Errorf("-o table shows %q, want the file's PID COMMAND:\n%s", head, stdout)
	}
	res := runJSON(t, "--config", path, "-v", "processes", "-d", "200")
	if len(res) != 1 || len(res[0].Columns) < 15 {
		t.Errorf("-o json does not have every column: %v", res)
	}
}

// TestChooserKeepsAHiddenColumnAcrossARestart: c, Space on IMAGE, Enter
// hides it and writes the settings file under $XDG_CONFIG_HOME; the next
// run starts without it, and the chooser shows it unticked.
func TestChooserKeepsAHiddenColumnAcrossARestart(t *testing.T) {
	dockertest.Require(t)
	name := fmt.Sprintf("cols-%d", rand.Intn(1e6))
	dockertest.Run(t, []string{"--name", name}, "sh", "-c", "exec sleep 3603")
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "ctop-like"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "ctop-like", "config.yaml"), []byte("interval: 700   # mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := newPane(t, 200, 40, "XDG_CONFIG_HOME="+home)
	// The first run takes the file's interval, the second -d's.
	cmd := "env TERM=xterm-256color " + binary + " -f name=" + name + "; echo EXIT=$?"
	header := func(s string) string {
		if i := lineOf(s, "CPU%"); i >= 0 {
			return strings.Split(s, "\n")[i]
		}
		return ""
	}
	p.text(cmd)
	p.keys("Enter")
	s := p.waitFor("its row and IMAGE among the titles", func(s string) bool {
		return strings.Contains(s, name) && strings.Contains(header(s), "IMAGE")
	})
	if !strings.Contains(s, "every 700ms") {
		t.Errorf("the file's interval is not the screen's:\n%s", s)
	}
	p.keys("c")
	p.waitFor("the chooser", has("Columns: Containers"))
	p.keys("Down", "Down") // id, name, image
	p.waitFor("the cursor on IMAGE", func(s string) bool { return strings.Contains(s, "[x] IMAGE") })
	p.keys("Space")
	p.waitFor("IMAGE unticked", has("[ ] IMAGE"))
	p.keys("Enter")
	s = p.waitFor("the choice kept", has("kept in "+home))
	if strings.Contains(header(s), "IMAGE") {
		t.Errorf("IMAGE still shows:\n%s", s)
	}
	p.keys("q")
	p.waitFor("exit 0", has("EXIT=0"))
	saved, err := os.ReadFile(filepath.Join(home, "ctop-like", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(saved), "containers:") || strings.Contains(string(saved), "image") || !strings.Contains(string(saved), "interval: 700 # mine") {
		t.Errorf("the settings file:\n%s", saved)
	}

	p.text("clear; " + strings.Replace(cmd, " -f ", " -d 500 -f ", 1)) // a clean pane: EXIT=0 is the first run's until it ends

	p.keys("Enter")
	s = p.waitFor("the second run's row", func(s string) bool {
		return strings.Contains(s, name) && strings.Contains(header(s), "NAME") && !strings.Contains(s, "EXIT=0")
	})
	if strings.Contains(header(s), "IMAGE") {
		t.Errorf("IMAGE is back after a restart:\n%s", s)
	}
	if !strings.Contains(s, "every 500ms") {
		t.Errorf("-d does not override the file's interval:\n%s", s)
	}
	p.keys("c")
	p.waitFor("the chooser", has("Columns: Containers"))
	p.keys("End") // hidden columns follow the shown ones
	p.waitFor("the chooser with IMAGE unticked", has("[ ] IMAGE"))
	p.escape("the chooser", lacks("Columns: Containers"))
	p.keys("q")
	p.waitFor("exit 0", has("EXIT=0"))
}

// TestSettingsGiveTheScreenItsIntervalAndViewUnlessFlagsDo: the file's
// interval and start view are the screen's unless the command line names
// them, or names a sort, filter or scope (which are the default view's).
func TestSettingsGiveTheScreenItsIntervalAndViewUnlessFlagsDo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte("interval: 3s\nview: processes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args  []string
		delay string
		view  string
	}{
		{nil, "3s", "processes"},
		{[]string{"-d", "500"}, "500ms", "processes"},
		{[]string{"-v", "machine"}, "3s", "machine"},
		{[]string{"-s", "name"}, "3s", "containers"},
		{[]string{"-o", "table"}, "2s", "containers"}, // batch: scripts see no one's settings
	} {
		o, err := parseFlags(append([]string{"--config", path}, tc.args...), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		readSettings(o, io.Discard)
		if o.delay.String() != tc.delay || o.view != tc.view {
			t.Errorf("%v: delay %v view %s, want %s %s", tc.args, o.delay, o.view, tc.delay, tc.view)
		}
	}
}

// TestCrashLoopRuleFromSettings: the file's crash_loop holds for the
// screen and for both batch outputs; a field it leaves out keeps its
// default.
func TestCrashLoopRuleFromSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.yaml")
	if err := os.WriteFile(path, []byte("crash_loop:\n  failures: 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	defer func(r views.CrashLoopRule) { views.CrashLoop = r }(views.CrashLoop)
	for _, args := range [][]string{nil, {"-o", "json"}, {"-o", "table"}} {
		views.CrashLoop = views.CrashLoopRule{Failures: 3, Window: 15 * time.Minute}
		o, err := parseFlags(append([]string{"--config", path}, args...), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		readSettings(o, io.Discard)
		if views.CrashLoop != (views.CrashLoopRule{Failures: 5, Window: 15 * time.Minute}) {
			t.Errorf("%v: %+v", args, views.CrashLoop)
		}
	}
}
