// Package ctrtest runs tasks in a real containerd for tests, through
// `ctr`, each test in a namespace of its own holding the test image
// (dockertest's, imported from `docker save`): containerd's own tests and
// the binary's share it.
package ctrtest

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/dockertest"
)

// defaultAddresses are where containerd is looked for: the node's own,
// then dockerd's (Debian's docker.io).
var defaultAddresses = []string{"/run/containerd/containerd.sock", "/run/docker/containerd/containerd.sock"}

// Address is the containerd the tests start tasks in:
// CTOP_TEST_CONTAINERD, the node's own, or the one docker.io runs.
func Address(t *testing.T) string {
	t.Helper()
	for _, a := range append([]string{os.Getenv("CTOP_TEST_CONTAINERD")}, defaultAddresses...) {
		if a == "" {
			continue
		}
		if _, err := os.Stat(a); err == nil {
			return a
		}
	}
	msg := fmt.Sprintf("no containerd socket among %v", defaultAddresses)
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

// New makes a namespace of the test's own (its name ends in a random
// suffix) and imports the image from tar (docker save).
func New(t *testing.T, addr, tar string) Ctr {
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

// Setup checks for ctr and the image and saves the image for import.
func Setup(t *testing.T) (addr, tar string) {
	t.Helper()
	addr = Address(t)
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

// Foreground runs a task in the foreground (`ctr run`, no -d) and
// returns its exit status as ctr reports it.
func (c Ctr) Foreground(args ...string) int {
	c.t.Helper()
	out, err := c.Run(append([]string{"run"}, args...)...)
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	c.t.Fatalf("ctr run %v: %v: %s", args, err, out)
	return -1
}
