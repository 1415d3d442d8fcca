package main

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/termtext"
)

// hostile is marker followed by everything a name can carry to act on the
// terminal that prints it: OSC 52 (write the clipboard), OSC 0 (window
// title), CSI 2J (clear the screen), the same as a C1 CSI, a bidi override
// and isolate, a carriage return and a newline that would start a fake
// row.
func hostile(marker string) string {
	return marker + "\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b]0;owned\x1b\\\x1b[2J\u009b2J\u202eevil\u2066x\u2069\rfake row\nfake row"
}

// terminalSafe fails the test when out holds anything but text and line
// ends: a control character, a bidi override or isolate, invalid UTF-8,
// or a line that a value started.
func terminalSafe(t *testing.T, what, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s: invalid UTF-8 reaches the terminal", what)
	}
	for i, r := range out {
		if (termtext.IsControl(r) && r != '\n') || termtext.IsBidi(r) {
			t.Errorf("%s: %U at byte %d: %q", what, r, i, out[max(0, i-40):min(len(out), i+40)])
			return
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "fake row") {
			t.Errorf("%s: a value started a row: %q", what, l)
		}
	}
}

// jsonInner is s as it appears between the quotes of a JSON string.
func jsonInner(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// serveAltered answers path with a fixture file whose text passes through
// alter first, so that a real payload carries hostile names; other paths
// get 404.
func serveAltered(t *testing.T, routes map[string]string, alter func(string) string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := routes[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(filepath.Join("..", "..", "internal", "orchestrator", "testdata", f))
		if err != nil {
			t.Errorf("fixture %s: %v", f, err)
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(alter(string(b))))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestHostileNamesReachTheTableAsText: Mesos framework and task names,
// Marathon group and app ids, container env and labels and a 100 kB value
// carry terminal escapes; -o table shows them as text on one line per row,
// and the 100 kB value does not pad every row.
func TestHostileNamesReachTheTableAsText(t *testing.T) {
	dockertest.Require(t)
	// A task no other test places a container in: tests of other checkouts
	// may share this Docker engine.
	const task = "mlunoe_volume-app.72a7640d-c643-11e6-9066-5a8a388c67a1"
	mesos := serveAltered(t, map[string]string{"/master/state": "mesos/pairA_master_state_mesos-1.2.0.json"}, func(s string) string {
		s = strings.ReplaceAll(s, `"name": "volume-app.mlunoe"`, `"name": "`+jsonInner(hostile("HTASK"))+`"`)
		return strings.ReplaceAll(s, `"name": "marathon"`, `"name": "`+jsonInner(hostile("HFRAMEWORK"))+`"`)
	})
	marathon := serveAltered(t, map[string]string{
		"/v2/groups": "marathon/pairA_v2_groups_embed-tasks.json",
		"/v2/info":   "marathon/marathon-docs_v2_info.json",
	}, func(s string) string {
		// The group and every app under it: ids stay consistent.
		return strings.ReplaceAll(s, `"/mlunoe`, `"/HGROUP`+jsonInner(hostile(""))+`-mlunoe`)
	})
	run := fmt.Sprintf("ctl-h1text-%d", rand.Intn(1e6))
	big := "/HBIG" + strings.Repeat("w", 100<<10)
	label := "hostile=" + hostile("HLABEL")
	placed := dockertest.Run(t, []string{"--name", run + "-placed", "-e", "MESOS_TASK_ID=" + task, "--label", label}, dockertest.Sleep...)
	envApp := dockertest.Run(t, []string{"--name", run + "-env", "-e", "MARATHON_APP_ID=/HENV" + hostile(""), "--label", label}, dockertest.Sleep...)
	bigApp := dockertest.Run(t, []string{"--name", run + "-big", "-e", "MARATHON_APP_ID=" + big, "--label", "big=" + big}, dockertest.Sleep...)
	_, _, _ = placed, envApp, bigApp

	groups := ""
	for _, view := range []string{"containers", "mesos-tasks", "mesos-frameworks", "marathon-apps", "marathon-groups"} {
		stdout, stderr, code := runBinary(t, "-m", mesos.URL+","+marathon.URL, "-v", view, "-o", "table", "-d", "500", "-n", "1")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", view, code, stderr)
		}
		if view == "marathon-groups" {
			groups = stdout
		}
		terminalSafe(t, view+" table", stdout)
		terminalSafe(t, view+" stderr", stderr)
		for _, l := range strings.Split(stdout, "\n") {
			if len(l) > 4<<10 {
				t.Errorf("%s: a %d-byte line: the 100 kB value is not cut", view, len(l))
				break
			}
		}
	}

	// The containers view, our three only: one line each, bounded.
	stdout, _, code := runBinary(t, "-m", mesos.URL+","+marathon.URL, "-v", "containers", "-f", "name~"+run, "-o", "table", "-d", "500", "-n", "1")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	terminalSafe(t, "containers table", stdout)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var rows []string
	for _, l := range lines {
		if strings.Contains(l, run) {
			rows = append(rows, l)
		}
	}
	if len(rows) != 3 || len(lines) > 3+3 { // summary, header, rows (and maybe error lines)
		t.Errorf("want our 3 containers on one line each, got %d rows in:\n%s", len(rows), stdout)
	}
	if len(stdout) > 8<<10 {
		t.Errorf("3 rows, one with a 100 kB app id, print %d bytes", len(stdout))
	}
	// The hostile values are shown, as text: Marathon's in the views
	// that show Marathon (the only ones that ask it).
	for _, want := range []string{"HTASK", "HFRAMEWOR", "/HENV?]52;c;", "/HBIGwww"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the table lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(groups, "/HGROUP?]52;c;") {
		t.Errorf("the marathon-groups table lacks %q:\n%s", "/HGROUP?]52;c;", groups)
	}
}

// TestHostileCgroupAndProcess: a Mesos-containerizer cgroup whose name
// carries escapes, with a process whose env and arguments carry them too.
func TestHostileCgroupAndProcess(t *testing.T) {
	// The kernel refuses a newline in a cgroup name, not escapes.
	id := "\x1b]0;cg\x07\u009b2J\u202eHCG-" + uuid(t)
	busy := exec.Command("sh", "-c", "while :; do sleep 1; done", hostile("HARG"))
	busy.Env = []string{"PATH=/bin:/usr/bin", "MESOS_TASK_ID=" + hostile("HTASKID") + ".x", "MARATHON_APP_ID=/HAPP" + hostile("")}
	if err := busy.Start(); err != nil {
		t.Fatal(err)
	}
	mesosCgroup(t, id, busy.Process.Pid)
	t.Cleanup(func() { _ = busy.Process.Kill(); _ = busy.Wait() })

	for _, view := range []string{"containers", "processes"} {
		stdout, stderr, code := runBinary(t, "-v", view, "--docker-host", "none", "-o", "table", "-d", "500", "-n", "1")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", view, code, stderr)
		}
		terminalSafe(t, view+" table", stdout)
		terminalSafe(t, view+" stderr", stderr)
		for _, want := range map[string][]string{"containers": {"HTASKID", "/HAPP?]52;c;", "?]0;cg?"}, "processes": {"HARG?]52;c;"}}[view] {
			if !strings.Contains(stdout, want) {
				t.Errorf("%s: the table lacks %q:\n%s", view, want, stdout)
			}
		}
	}
}

// TestHostileErrorBodies: a server's error body reaches the table's error
// lines and stderr as text.
func TestHostileErrorBodies(t *testing.T) {
	body := hostile("HBODY")
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		_, _ = w.Write([]byte(body))
	}))
	defer bad.Close()
	mesos := serve(t, map[string]string{"/master/state": "mesos/pairA_master_state_mesos-1.2.0.json"})

	stdout, stderr, code := runBinary(t, "-m", mesos.URL+","+bad.URL, "--docker-host", "none", "-v", "marathon-apps", "-o", "table", "-d", "500", "-n", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	terminalSafe(t, "table", stdout)
	terminalSafe(t, "stderr", stderr)
	if !strings.Contains(stdout, "error: marathon") || !strings.Contains(stdout, "HBODY?]52;c;") {
		t.Errorf("the error line does not quote the body as text:\n%s", stdout)
	}

	// A remote node's cAdvisor that answers with the same body.
	stdout, stderr, _ = runBinary(t, "--cadvisor", bad.URL, "-o", "table", "-d", "500", "-n", "1")
	terminalSafe(t, "cadvisor table", stdout)
	terminalSafe(t, "cadvisor stderr", stderr)
	if !strings.Contains(stdout+stderr, "HBODY?]52;c;") {
		t.Errorf("the cAdvisor error does not quote the body as text:\n%s\n%s", stdout, stderr)
	}

	// Usage errors and file names echo what was typed.
	for _, args := range [][]string{{"-v", hostile("HVIEW")}, {"-r", hostile("HFILE")}, {"-f", hostile("HFILTER")}} {
		_, stderr, code := runBinary(t, args...)
		if code == 0 {
			t.Errorf("%q: exit 0", args)
		}
		terminalSafe(t, "stderr of "+args[0], stderr)
		if n := strings.Count(stderr, "\n"); n != 1 {
			t.Errorf("%s: %d lines on stderr, want one: %q", args[0], n, stderr)
		}
	}
}
