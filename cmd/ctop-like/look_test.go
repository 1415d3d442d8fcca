package main

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/dockertest"
)

// TestFailedContainersNeedALookWithoutAll: a container that exited
// non-zero is listed without -a, saying so, and the attention view gives
// its exit code and the last line of its log (read through Docker); one
// that exited 0 is listed only with -a. Before, neither was listed
// without -a.
func TestFailedContainersNeedALookWithoutAll(t *testing.T) {
	dockertest.Require(t)
	n := rand.Intn(1e6)
	failed := dockertest.Run(t, []string{"--name", fmt.Sprintf("look-failed-%d", n)}, "sh", "-c", "echo starting; echo 'fatal: cannot open /data: permission denied' >&2; exit 3")
	clean := dockertest.Run(t, []string{"--name", fmt.Sprintf("look-clean-%d", n)}, "sh", "-c", "exit 0")
	for _, id := range []string{failed, clean} {
		dockertest.Docker(t, "wait", id)
	}
	out := runJSON(t, "-v", "containers", "-d", "500", "-n", "1")
	if r := rowByID(t, out[0], "id", failed); r["attention"] != "exited 3" || r["state"] != "exited" || num(t, r, "exit_code") != 3 {
		t.Errorf("the failed container without -a: %v", r)
	}
	for _, r := range out[0].Rows {
		if r["id"] == clean {
			t.Errorf("a container that exited 0 is listed without -a: %v", r)
		}
	}
	look := runJSON(t, "-v", "attention", "-d", "500", "-n", "1")
	r := rowByID(t, look[0], "id", failed)
	if r["kind"] != "container" || r["attention"] != "exited 3" {
		t.Errorf("attention row %v", r)
	}
	if why, _ := r["why"].(string); !strings.HasPrefix(why, "exit code 3 ") || !strings.HasSuffix(why, ": fatal: cannot open /data: permission denied") {
		t.Errorf("why %q", r["why"])
	}
	all := runJSON(t, "-a", "-v", "containers", "-d", "500", "-n", "1")
	if r := rowByID(t, all[0], "id", clean); r["attention"] != nil || num(t, r, "exit_code") != 0 {
		t.Errorf("the clean container with -a: %v", r)
	}
}
