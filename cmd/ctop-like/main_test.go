package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// binary is ctop-like built once for the tests that run it as a user would.
var binary string

// configHome is the tests' $XDG_CONFIG_HOME, set for every binary they
// run, tmux panes included.
var configHome string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ctop-like-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "ctop-like")
	// The binaries the tests run read and write their settings file
	// here, never the user's own (~/.config/ctop-like).
	configHome = filepath.Join(dir, "config")
	os.Setenv("XDG_CONFIG_HOME", configHome)
	out, err := exec.Command("go", "build", "-race", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	sweepPanes()
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// panicBinary builds, once, the tool with its test-only panic hook
// (crash_testpanic.go), which the release binary lacks.
var panicBinary = func() func(t *testing.T) string {
	var once sync.Once
	var path string
	var err error
	return func(t *testing.T) string {
		t.Helper()
		once.Do(func() {
			path = binary + "-testpanic"
			var out []byte
			out, err = exec.Command("go", "build", "-race", "-tags", "ctoplike_testpanic", "-o", path, ".").CombinedOutput()
			if err != nil {
				err = fmt.Errorf("%v: %s", err, out)
			}
		})
		if err != nil {
			t.Fatalf("build with the panic hook: %v", err)
		}
		return path
	}
}()

// The release binary carries no test hook: CTOP_LIKE_TEST_PANIC means
// nothing to it.
func TestReleaseBinaryHasNoPanicHook(t *testing.T) {
	b, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("CTOP_LIKE_TEST_PANIC")) {
		t.Error("the release binary contains the test-only CTOP_LIKE_TEST_PANIC hook")
	}
	if b, err := os.ReadFile(panicBinary(t)); err != nil || !bytes.Contains(b, []byte("CTOP_LIKE_TEST_PANIC")) {
		t.Errorf("the test build lacks the hook (%v): the check above proves nothing", err)
	}
}

// result is one line of -o json.
type result struct {
	Time    time.Time        `json:"time"`
	Host    string           `json:"host"`
	View    string           `json:"view"`
	Scope   map[string]any   `json:"scope"`
	Columns []string         `json:"columns"`
	Rows    []map[string]any `json:"rows"`
	Errors  []string         `json:"errors"`
}

// runJSON runs the binary in batch JSON mode and returns every printed
// refresh.
func runJSON(t *testing.T, args ...string) []result {
	t.Helper()
	stdout, stderr, code := runBinary(t, append([]string{"-o", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("ctop-like %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	var out []result
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line is not JSON: %v: %.200s", err, sc.Text())
		}
		out = append(out, r)
	}
	return out
}

func runBinary(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var o, e bytes.Buffer
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return o.String(), e.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return o.String(), e.String(), 0
}

func TestUsageErrorsExitTwoWithOneLine(t *testing.T) {
	cases := map[string][]string{
		"delay":  {"-d", "fast"},
		"view":   {"-v", "pods"},
		"output": {"-o", "xml"},
		"sort":   {"-s", "-nosuch"},
		"filter": {"-f", "cpu_pct>lots"},
		"scope":  {"--scope", "pod=x"},
		"flag":   {"--no-such-flag"},
		"color":  {"--color", "pink"},
	}
	for name, args := range cases {
		_, stderr, code := runBinary(t, args...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2", name, code)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "ctop-like: ") {
			t.Errorf("%s: want one line naming the problem, got %q", name, stderr)
		}
	}
}

func TestListViews(t *testing.T) {
	stdout, _, code := runBinary(t, "-l")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"containers (Containers), default sort cpu_pct descending", "mesos-tasks", "marathon-groups", "  net_rx_bps       B/s", "  command          text"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("-l lacks %q", want)
		}
	}
}

func TestVersion(t *testing.T) {
	stdout, _, code := runBinary(t, "--version")
	if code != 0 || !strings.HasPrefix(stdout, "ctop-like ") {
		t.Fatalf("--version: %d %q", code, stdout)
	}
}
