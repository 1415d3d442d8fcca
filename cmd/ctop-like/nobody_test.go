package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/dockertest"
)

// unreadableLine is the one error a run without root adds to say what it
// cannot see.
var unreadableLine = regexp.MustCompile(`^not root: disk I/O of (\d+) of (\d+) processes and network of (\d+) of (\d+) containers unreadable \(permission denied\)$`)

// TestNotRootSaysWhatItCannotSee runs the real binary as nobody: most
// processes' /proc/<pid>/io and every container's network namespace are
// closed to it. One error line says so, with counts, instead of n/a
// without a word; as root the line is absent.
func TestNotRootSaysWhatItCannotSee(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("running as nobody needs root")
		}
		t.Skip("running as nobody needs root")
	}
	dockertest.Require(t)
	dockertest.Run(t, nil, dockertest.Sleep...) // a container with a network namespace of its own
	// nobody must reach the binary.
	if err := os.Chmod(filepath.Dir(binary), 0o755); err != nil {
		t.Fatal(err)
	}
	// The processes view: a process's disk I/O is read only while a view
	// shows it (issue 27), and the containers' network always.
	cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary, "-v", "processes", "-o", "json", "-n", "2", "-d", "500")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// The node's process count is taken on both sides of the run: other
	// work on the machine may start or end processes meanwhile.
	before, _ := filepath.Glob("/proc/[0-9]*")
	if err := cmd.Run(); err != nil {
		t.Fatalf("as nobody: %v: %s", err, stderr.String())
	}
	after, _ := filepath.Glob("/proc/[0-9]*")
	fewest, most := min(len(before), len(after)), max(len(before), len(after))
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	n := 0
	for sc.Scan() {
		n++
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		var found []string
		for _, e := range r.Errors {
			if strings.HasPrefix(e, "not root:") {
				found = append(found, e)
			}
		}
		if len(found) != 1 {
			t.Fatalf("refresh %d: want one line saying what is unreadable, got %q", n, r.Errors)
		}
		m := unreadableLine.FindStringSubmatch(found[0])
		if m == nil {
			t.Fatalf("%q does not name the processes and containers it cannot read", found[0])
		}
		ioDenied, total, netDenied, conts := atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4])
		// Nobody owns almost nothing: nearly every process is closed to
		// it, and the total is the node's process count.
		if ioDenied < total*3/4 || ioDenied > total || total < fewest/2 || total > 2*most {
			t.Errorf("%q: /proc had %d processes before the run and %d after", found[0], len(before), len(after))
		}
		if netDenied < 1 || netDenied != conts {
			t.Errorf("%q: every container's network is closed to nobody", found[0])
		}
		if len(r.Rows) == 0 {
			t.Error("the containers are listed all the same (from their cgroups)")
		}
	}
	if n != 2 {
		t.Fatalf("%d refreshes", n)
	}

	for _, e := range runJSON(t, "-n", "1", "-d", "500")[0].Errors {
		if strings.HasPrefix(e, "not root") {
			t.Errorf("root is told %q", e)
		}
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
