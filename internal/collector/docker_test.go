package collector

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/client"

	"github.com/ctop-like/ctop-like/internal/model"
)

const dockerTestImage = "ctop-like/busybox:test"

// requireDocker skips the test when no Docker engine (or test image) is
// reachable, except under CI=true where that is a failure: a skipped
// integration test in CI proves nothing.
func requireDocker(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err == nil {
		defer cli.Close()
		if _, err = cli.Ping(ctx); err == nil {
			_, err = cli.ImageInspect(ctx, dockerTestImage)
		}
	}
	if err == nil {
		return
	}
	msg := fmt.Sprintf("docker engine or image %s unavailable: %v", dockerTestImage, err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// dockerCLI runs the docker command line, independent of the code under
// test, and returns its trimmed output.
func dockerCLI(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// eventually polls cond until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// With -a, Docker's stopped containers are listed with their exit code,
// OOM kill and state age; without it they are not. A container in a
// restart loop stays one row in every refresh, restarting or running.
func TestDockerStoppedContainers(t *testing.T) {
	requireDocker(t)
	pid := os.Getpid()
	exited := dockerCLI(t, "run", "-d", "--name", fmt.Sprintf("ctop-like-test-exit-%d", pid), dockerTestImage, "sh", "-c", "exit 1")
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", exited).Run() })
	// Allocates until its 8 MiB limit kills it. Now and then the shell
	// ends by itself instead (exit 0, not OOM-killed, as `docker inspect`
	// says too): such a run is made again, as the test is about what the
	// tool shows of an OOM kill, not about the shell.
	var oom string
	for try := 0; ; try++ {
		oom = dockerCLI(t, "run", "-d", "--name", fmt.Sprintf("ctop-like-test-oom-%d-%d", pid, try), "--memory", "8m", "--memory-swap", "8m",
			dockerTestImage, "sh", "-c", "x=a; while :; do x=$x$x; done")
		id := oom
		t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", id).Run() })
		dockerCLI(t, "wait", oom)
		if dockerCLI(t, "inspect", "-f", "{{.State.OOMKilled}}", oom) == "true" {
			break
		}
		if try == 4 {
			t.Fatal("docker never OOM-killed the allocating container in 5 runs")
		}
	}
	loop := dockerCLI(t, "run", "-d", "--name", fmt.Sprintf("ctop-like-test-loop-%d", pid), "--restart", "always",
		dockerTestImage, "sh", "-c", "sleep 0.2; exit 2")
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", loop).Run() })
	dockerCLI(t, "wait", exited)

	open := func(all bool) *Local {
		l, err := NewLocal(context.Background(), Config{PodmanHost: "none", ContainerdAddress: "none", CRIOAddress: "none", All: all})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		l.WaitReady(ctx)
		cancel()
		return l
	}
	s := collectOnce(t, open(false))
	if c := findContainer(s, exited); c != nil {
		t.Errorf("without -a the exited container is listed: %+v", *c)
	}
	l := open(true)
	s = collectOnce(t, l)
	c := findContainer(s, exited)
	if c == nil {
		t.Fatal("with -a the exited container is not listed")
	}
	if c.State != "exited" || c.ExitCode == nil || *c.ExitCode != 1 || c.OOMKilled || c.StateSince.IsZero() || c.Runtime != model.RuntimeDocker {
		t.Errorf("exited container: state %q exit %v oom %v since %v runtime %q", c.State, c.ExitCode, c.OOMKilled, c.StateSince, c.Runtime)
	}
	if c.Measured("memory") || c.PID != 0 {
		t.Errorf("a stopped container has figures: unmeasured %v pid %d", c.Unmeasured, c.PID)
	}
	if o := findContainer(s, oom); o == nil || !o.OOMKilled || o.ExitCode == nil || *o.ExitCode != 137 {
		t.Errorf("OOM-killed container: %+v", o)
	}
	// The restart loop, one refresh every 100 ms for 3 s.
	restarts, states := 0, map[string]int{}
	for i := 0; i < 30; i++ {
		c := findContainer(collectOnce(t, l), loop)
		if c == nil {
			t.Fatalf("refresh %d: the restarting container is missing", i)
		}
		states[c.State]++
		restarts = max(restarts, c.RestartCount)
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("restart loop: states %v, restarts %d", states, restarts)
	if restarts == 0 || states["restarting"] == 0 && states["exited"] == 0 {
		t.Errorf("the restart loop does not show as one: states %v, restarts %d", states, restarts)
	}
}
