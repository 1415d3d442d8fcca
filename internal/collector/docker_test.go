package collector

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
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
	clean := dockerCLI(t, "run", "-d", "--name", fmt.Sprintf("ctop-like-test-clean-%d", pid), dockerTestImage, "sh", "-c", "exit 0")
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", clean).Run() })
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
	dockerCLI(t, "wait", clean)

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
	// Without -a: the one that failed within the hour needs a look and is
	// listed (issue 22), the one that exited 0 is not, until ListStopped
	// (the screen's A) lists every stopped one.
	without := open(false)
	s := collectOnce(t, without)
	if c := findContainer(s, exited); c == nil || c.State != "exited" {
		t.Errorf("without -a the container that exited 1 is not listed: %+v", c)
	}
	if c := findContainer(s, clean); c != nil {
		t.Errorf("without -a the container that exited 0 is listed: %+v", *c)
	}
	without.ListStopped(true)
	if c := findContainer(collectOnce(t, without), clean); c == nil {
		t.Error("ListStopped(true) does not list the container that exited 0")
	}
	without.ListStopped(false)
	if c := findContainer(collectOnce(t, without), clean); c != nil {
		t.Error("ListStopped(false) still lists the container that exited 0")
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
	if !c.Can.Has(model.CanRestart) {
		t.Errorf("Docker's exited container cannot be restarted: %07b", c.Can)
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

// TestDockerWantedPorts: what a container needs of the node's ports, from
// what it was created with: on the host's network what it exposes and
// publishes; on its own network the host ports it publishes.
func TestDockerWantedPorts(t *testing.T) {
	requireDocker(t)
	pid := os.Getpid()
	host := dockerCLI(t, "create", "--name", fmt.Sprintf("ctop-like-test-wants-host-%d", pid), "--network", "host",
		"--expose", "6379", "--expose", "8125/udp", dockerTestImage, "true")
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", host).Run() })
	bridge := dockerCLI(t, "create", "--name", fmt.Sprintf("ctop-like-test-wants-bridge-%d", pid),
		"-p", "127.0.0.1:18080:80", "-p", "19090:90/udp", "--expose", "7000", dockerTestImage, "true")
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", bridge).Run() })
	l, err := NewLocal(context.Background(), Config{PodmanHost: "none", ContainerdAddress: "none", CRIOAddress: "none", All: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	l.WaitReady(ctx)
	cancel()
	s := collectOnce(t, l)
	for id, want := range map[string][]string{host: {"6379/tcp", "8125/udp"}, bridge: {"18080/tcp", "19090/udp"}} {
		c := findContainer(s, id)
		if c == nil {
			t.Fatalf("container %.12s not listed with -a", id)
		}
		if !slices.Equal(c.Wants, want) {
			t.Errorf("%s wants %v, want %v", c.Name, c.Wants, want)
		}
	}
}
