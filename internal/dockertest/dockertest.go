// Package dockertest starts real containers for integration tests from the
// local busybox image that scripts/test-env builds. With CI=true a missing
// engine fails the test: a skipped test proves nothing. It also reads a
// cgroup's CPU counters from the kernel (kernelcpu.go), the yardstick for
// any CPU figure a test checks on a machine others are loading.
package dockertest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Image is the local image the tests run; scripts/test-env builds it with
// `docker import` (nothing can be pulled).
var Image = envOr("CTOP_TEST_IMAGE", "ctop-like/busybox:test")

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Require fails the test (under CI=true) or skips it when no Docker engine
// or test image is reachable.
func Require(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := exec.CommandContext(ctx, "docker", "image", "inspect", Image).Run()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("docker engine or image %s unavailable (%v): run scripts/test-env", Image, err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Docker runs the docker CLI with args and returns its trimmed output; it
// fails the test on error.
func Docker(t testing.TB, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("docker %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return strings.TrimSpace(out.String())
}

// Run starts a detached container (`docker run -d` with runArgs before the
// image and cmd after it), removes it when the test ends, and returns its
// full id.
func Run(t testing.TB, runArgs []string, cmd ...string) string {
	t.Helper()
	sweepOnce.Do(sweep)
	args := append([]string{"run", "-d", "--label", fmt.Sprintf("%s=%d", pidLabel, os.Getpid())}, runArgs...)
	args = append(args, Image)
	args = append(args, cmd...)
	id := Docker(t, args...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = exec.CommandContext(ctx, "docker", "rm", "-f", id).Run()
	})
	return id
}

// pidLabel marks the containers Run starts with the test process's pid.
const pidLabel = "ctop-like.test-pid"

var sweepOnce sync.Once

// sweep removes the containers Run started in test processes that are
// gone: `go test -timeout` kills a test binary without its cleanups, and
// what it left kept spinning (Busy) under the next runs.
func sweep() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "ps", "-a", "--filter", "label="+pidLabel,
		"--format", `{{.ID}} {{.Label "`+pidLabel+`"}}`).Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var id string
		var pid int
		if _, err := fmt.Sscanf(line, "%s %d", &id, &pid); err != nil || pid <= 0 {
			continue
		}
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			_ = exec.CommandContext(ctx, "docker", "rm", "-f", id).Run()
		}
	}
}

// Busy is a command that keeps one CPU busy.
var Busy = []string{"sh", "-c", "while :; do :; done"}

// Sleep is a command that idles.
var Sleep = []string{"sleep", "3600"}
