package collector

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/collector/runtime/docker"
	"github.com/ctop-like/ctop-like/internal/model"
)

// openReady opens a Local with cfg and waits for its runtimes' first lists.
func openReady(t *testing.T, cfg Config) *Local {
	t.Helper()
	l, err := NewLocal(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	l.WaitReady(ctx)
	cancel()
	return l
}

// Issue 19 item 10: a Podman container killed while ctop-like watches ends
// exited with its exit code (Podman sends kill, die, then cleanup, and
// says "stopped" without the code until the cleanup), and one the kernel
// OOM-killed says so, where Podman's own answer is false.
func TestPodmanKilledAndOOMKilled(t *testing.T) {
	requirePodman(t)
	// conmon, started by the service, leaves a file "oom" in its working
	// directory when the kernel OOM-kills a container: not in the source.
	t.Chdir(t.TempDir())
	sock := podmanService(t)
	l := openReady(t, Config{DockerHost: "none", ContainerdAddress: "none", CRIOAddress: "none", PodmanHost: sock, All: true})
	suffix := fmt.Sprintf("%d-%d", os.Getpid(), rand.Intn(1e6))

	killed := podmanRun(t, "ctop-like-test-killed-"+suffix, "sleep", "3600")
	eventually(t, 10*time.Second, "the container listed running", func() bool {
		c := findContainer(collectOnce(t, l), killed)
		return c != nil && c.State == "running"
	})
	runCLI(t, "podman", "kill", killed)
	var c *model.ContainerSample
	eventually(t, 10*time.Second, "the killed container exited with code 137", func() bool {
		c = findContainer(collectOnce(t, l), killed)
		return c != nil && c.State == "exited" && c.ExitCode != nil && *c.ExitCode == 137
	})
	if c.OOMKilled {
		t.Errorf("a container killed with SIGKILL is said to be OOM-killed")
	}

	args := []string{"run", "-d", "--name", "ctop-like-test-oom-" + suffix, "--memory", "16m", "--memory-swap", "16m",
		"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096", podmanTestImage, "tail", "/dev/zero"}
	oom := runCLI(t, "podman", args...)
	t.Cleanup(func() { _ = exec.Command("podman", "rm", "-f", "-t", "0", oom).Run() })
	runCLI(t, "podman", "wait", oom)
	said := runCLI(t, "podman", "inspect", "--format", "{{.State.OOMKilled}}", oom)
	eventually(t, 10*time.Second, "the OOM-killed container listed as exited", func() bool {
		c = findContainer(collectOnce(t, l), oom)
		return c != nil && c.State == "exited"
	})
	if !c.OOMKilled || c.ExitCode == nil || *c.ExitCode != 137 {
		t.Errorf("OOM-killed container: oom_killed %v exit code %s (Podman says OOMKilled %s)", c.OOMKilled, exitText(c.ExitCode), said)
	}
	t.Logf("Podman's own answer: OOMKilled %s", said)
}

func exitText(code *int) string {
	if code == nil {
		return "none"
	}
	return fmt.Sprint(*code)
}

// Issue 19 item 10: Podman's API reached through --docker-host names its
// containers as Podman's (the engine says what it is in GET /version):
// running and, with -a, stopped ones.
func TestPodmanBehindDockerHost(t *testing.T) {
	requirePodman(t)
	sock := podmanService(t)
	suffix := fmt.Sprintf("%d-%d", os.Getpid(), rand.Intn(1e6))
	name := "ctop-like-test-behind-" + suffix
	id := podmanRun(t, name, "sleep", "3600")
	ename := "ctop-like-test-behind-exit-" + suffix
	eid := podmanRun(t, ename, "sh", "-c", "exit 4")
	runCLI(t, "podman", "wait", eid)
	l := openReady(t, Config{DockerHost: sock, PodmanHost: "none", ContainerdAddress: "none", CRIOAddress: "none", All: true})
	var s *model.Sample
	eventually(t, 10*time.Second, "the running container named", func() bool {
		s = collectOnce(t, l)
		c := findContainer(s, id)
		return c != nil && c.Name == name
	})
	if c := findContainer(s, id); c.Runtime != model.RuntimePodman {
		t.Errorf("running container through --docker-host: runtime %q, want podman", c.Runtime)
	}
	if c := findContainer(s, eid); c == nil || c.Runtime != model.RuntimePodman || c.Name != ename {
		t.Errorf("exited container through --docker-host: %+v", c)
	}
	if _, ok := l.Runtime(model.RuntimePodman).(runtime.Restarter); !ok {
		t.Errorf("Runtime(podman) = %v: actions on Podman's rows would find no engine", l.Runtime(model.RuntimePodman))
	}
	if c := findContainer(s, eid); c == nil || !c.Can.Has(model.CanRestart|model.CanRemove) {
		t.Errorf("Podman's exited container cannot be restarted or removed: %+v", c)
	}
	if len(s.Errors) > 0 {
		t.Errorf("errors: %v", s.Errors)
	}
}

// Issue 19 item 10: an error about Podman names Podman, not "the Docker
// daemon" of the Docker client's messages.
func TestPodmanErrorsNamePodman(t *testing.T) {
	l := openReady(t, Config{DockerHost: "none", ContainerdAddress: "none", CRIOAddress: "none",
		PodmanHost: "unix://" + filepath.Join(t.TempDir(), "podman.sock")})
	var errs string
	eventually(t, 10*time.Second, "the absent Podman named in the errors", func() bool {
		errs = strings.Join(collectOnce(t, l).Errors, "\n")
		return errs != ""
	})
	if !strings.Contains(errs, "Podman's API service") || strings.Contains(strings.ToLower(errs), "docker") {
		t.Errorf("errors: %q", errs)
	}
}

// Issue 19 item 12: on a node without Docker by design (no --docker-host,
// no DOCKER_HOST, nothing at Docker's socket) no refresh names Docker in
// its errors; a Docker the user named that is not there still is.
func TestDockerAbsentByDesignIsQuiet(t *testing.T) {
	old := docker.DefaultHost
	docker.DefaultHost = "unix://" + filepath.Join(t.TempDir(), "docker.sock")
	t.Cleanup(func() { docker.DefaultHost = old })
	t.Setenv("DOCKER_HOST", "")
	none := Config{PodmanHost: "none", ContainerdAddress: "none", CRIOAddress: "none"}
	l := openReady(t, none)
	for i := 0; i < 5; i++ {
		if errs := collectOnce(t, l).Errors; len(errs) > 0 {
			t.Fatalf("refresh %d without Docker by design: errors %q", i, errs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	named := none
	named.DockerHost = docker.DefaultHost
	l = openReady(t, named)
	eventually(t, 10*time.Second, "the named Docker's absence in the errors", func() bool {
		return strings.Contains(strings.Join(collectOnce(t, l).Errors, "\n"), "docker")
	})
}
