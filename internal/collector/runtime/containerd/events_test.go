package containerd

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/model"
)

// testAddress is the containerd the tests start tasks in:
// CTOP_TEST_CONTAINERD, the node's own, or the one docker.io runs.
func testAddress(t *testing.T) string {
	t.Helper()
	for _, a := range append([]string{os.Getenv("CTOP_TEST_CONTAINERD")}, DefaultAddresses...) {
		if a == "" {
			continue
		}
		if _, err := os.Stat(a); err == nil {
			return a
		}
	}
	msg := fmt.Sprintf("no containerd socket among %v", DefaultAddresses)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// Ctr is `ctr` in a containerd namespace of a test's own holding the test
// image (docker.io/<dockertest.Image>); everything in it is removed when
// the test ends.
type Ctr struct {
	t        *testing.T
	Addr, NS string
}

// Image is the test image's name in containerd.
func (c Ctr) Image() string { return "docker.io/" + dockertest.Image }

// Run runs ctr with args in the namespace: its output and error.
func (c Ctr) Run(args ...string) (string, error) {
	out, err := exec.Command("ctr", append([]string{"--address", c.Addr, "--namespace", c.NS}, args...)...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// Must runs ctr and fails the test on an error.
func (c Ctr) Must(args ...string) string {
	c.t.Helper()
	out, err := c.Run(args...)
	if err != nil {
		c.t.Fatalf("ctr %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return out
}

// newCtr makes a namespace of the test's own (its name ends in a random
// suffix) and imports the image from tar (docker save).
func newCtr(t *testing.T, addr, tar string) Ctr {
	t.Helper()
	c := Ctr{t: t, Addr: addr, NS: fmt.Sprintf("ctop-like-ev-%d-%06d", os.Getpid(), rand.Intn(1e6))}
	c.Must("image", "import", tar)
	t.Cleanup(func() {
		out, _ := c.Run("containers", "list", "-q")
		for _, id := range strings.Fields(out) {
			_, _ = c.Run("task", "kill", "-s", "SIGKILL", id)
			for i := 0; i < 50; i++ {
				if _, err := c.Run("task", "delete", id); err == nil || i > 0 && isNotFound(c, id) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			_, _ = c.Run("containers", "delete", id)
		}
		_, _ = c.Run("image", "rm", c.Image())
		for i := 0; i < 50; i++ {
			if exec.Command("ctr", "--address", addr, "namespaces", "remove", c.NS).Run() == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", c.NS))
		for _, d := range append(dirs, filepath.Join("/sys/fs/cgroup", c.NS)) {
			_ = os.Remove(d)
		}
	})
	return c
}

func isNotFound(c Ctr, id string) bool {
	out, _ := c.Run("task", "ls", "-q")
	return !strings.Contains(" "+strings.Join(strings.Fields(out), " ")+" ", " "+id+" ")
}

// ctrSetup checks for ctr and the image and saves the image for import.
func ctrSetup(t *testing.T) (addr, tar string) {
	t.Helper()
	addr = testAddress(t)
	if _, err := exec.LookPath("ctr"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ctr not installed")
		}
		t.Skip("ctr not installed")
	}
	dockertest.Require(t)
	tar = filepath.Join(t.TempDir(), "image.tar")
	dockertest.Docker(t, "save", "-o", tar, dockertest.Image)
	return addr, tar
}

// heard gathers what a handler's Listen is told.
type heard struct {
	mu  sync.Mutex
	evs []model.Event
}

func (h *heard) push(e model.Event) {
	h.mu.Lock()
	h.evs = append(h.evs, e)
	h.mu.Unlock()
}

// of is the events about the container of key, in the order told.
func (h *heard) of(key string) []model.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []model.Event
	for _, e := range h.evs {
		if e.Container == key {
			out = append(out, e)
		}
	}
	return out
}

func kinds(evs []model.Event) string {
	var k []string
	for _, e := range evs {
		s := e.Kind
		if e.ExitCode != nil {
			s += fmt.Sprintf("(%d)", *e.ExitCode)
		}
		k = append(k, s)
	}
	return strings.Join(k, " ")
}

func count(evs []model.Event, kind string) int {
	n := 0
	for _, e := range evs {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func diedWith(evs []model.Event, code int) bool {
	for _, e := range evs {
		if e.Kind == "died" && e.ExitCode != nil && *e.ExitCode == code {
			return true
		}
	}
	return false
}

// runFG runs a task in the foreground (`ctr run`, no -d) and returns its
// exit status as ctr reports it.
func runFG(t *testing.T, c Ctr, args ...string) int {
	t.Helper()
	out, err := c.Run(append([]string{"run"}, args...)...)
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatalf("ctr run %v: %v: %s", args, err, out)
	return -1
}

// Issue 24 item 1: containerd's containers' events come from its event
// service, as containerd says them, keyed <namespace>/<id>: a task that
// exits 3 died with exit code 3; one the OOM killer kills under its
// memory limit had one OOM event and died with 137; pausing and
// resuming a task are events; the same id in a second namespace is
// another container, with its own events. (Before, the handler told
// nothing: only the cgroups said a container appeared or went.)
func TestEventServiceTellsWhatHappened(t *testing.T) {
	addr, tar := ctrSetup(t)
	a, b := newCtr(t, addr, tar), newCtr(t, addr, tar)

	h := New(context.Background(), addr, false)
	defer h.Close()
	var got heard
	h.Listen(got.push)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.WaitReady(ctx); err != nil {
		t.Fatalf("containerd not listed: %v (%v)", err, h.Err())
	}

	tag := rand.Intn(1e6)
	exit3 := fmt.Sprintf("exit3-%d", tag)
	if code := runFG(t, a, "--label", "team=ev", a.Image(), exit3, "sh", "-c", "exit 3"); code != 3 {
		t.Fatalf("ctr run says the task exited %d, want 3", code)
	}
	oom := fmt.Sprintf("oom-%d", tag)
	if code := runFG(t, a, "--memory-limit", "8388608", a.Image(), oom, "sh", "-c", "x=0123456789; while :; do x=$x$x; done"); code != 137 {
		t.Fatalf("ctr run says the memory hog exited %d, want 137 (OOM-killed)", code)
	}
	same := fmt.Sprintf("same-%d", tag)
	a.Must("run", "-d", a.Image(), same, "sleep", "3600")
	b.Must("run", "-d", b.Image(), same, "sleep", "3600")
	b.Must("task", "pause", same)
	b.Must("task", "resume", same)
	a.Must("task", "kill", "-s", "SIGKILL", same)

	keyExit, keyOOM := model.ContainerKey(a.NS, exit3), model.ContainerKey(a.NS, oom)
	keyA, keyB := model.ContainerKey(a.NS, same), model.ContainerKey(b.NS, same)
	done := func() bool {
		return diedWith(got.of(keyExit), 3) && diedWith(got.of(keyOOM), 137) && count(got.of(keyOOM), "oom") > 0 &&
			diedWith(got.of(keyA), 137) && count(got.of(keyB), "unpaused") > 0
	}
	for deadline := time.Now().Add(30 * time.Second); !done(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 30s containerd's events are:\n exit 3: %s\n OOM: %s\n %s: %s\n %s: %s",
				kinds(got.of(keyExit)), kinds(got.of(keyOOM)), keyA, kinds(got.of(keyA)), keyB, kinds(got.of(keyB)))
		}
	}
	for _, key := range []string{keyExit, keyOOM, keyA, keyB} {
		evs := got.of(key)
		if count(evs, "created") != 1 || count(evs, "started") != 1 {
			t.Errorf("%s: events %s: want it created and started once", key, kinds(evs))
		}
		for _, e := range evs {
			if e.Source != model.RuntimeContainerd || e.Runtime != model.RuntimeContainerd || e.ObjectKind != "container" || e.ID != key || e.Time.IsZero() {
				t.Errorf("%s: %+v", key, e)
			}
		}
	}
	if e := got.of(keyExit); e[0].Image != a.Image() {
		t.Errorf("the event names image %q, want %q", e[0].Image, a.Image())
	}
	// One OOM kill is one event, before the task's exit.
	if evs := got.of(keyOOM); count(evs, "oom") != 1 || !strings.Contains(kinds(evs), "oom died(137)") {
		t.Errorf("the OOM-killed task's events are %q: want one oom, then died(137)", kinds(evs))
	}
	// The namespaces keep their own: only b's was paused, only a's killed.
	if evs := got.of(keyB); count(evs, "paused") != 1 || count(evs, "unpaused") != 1 || count(evs, "died") != 0 {
		t.Errorf("%s: %q: want paused, unpaused and no death", keyB, kinds(evs))
	}
	if evs := got.of(keyA); count(evs, "paused") != 0 || count(evs, "died") != 1 {
		t.Errorf("%s: %q: want one death, no pause", keyA, kinds(evs))
	}
}
