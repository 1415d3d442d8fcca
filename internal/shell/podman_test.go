package shell

import (
	"context"
	"fmt"
	"math/rand"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/podmantest"
	"github.com/docker/docker/client"
)

const podmanImage = "localhost/h8-act/busybox-shell:test"

// requirePodman fails under CI=true, skips elsewhere, when podman is
// missing; it imports a busybox image (removed at the end) and starts
// Podman's Docker-compatible API service on a socket of its own.
func requirePodman(t *testing.T) *client.Client {
	t.Helper()
	podmantest.Busybox(t, podmanImage)
	return podmantest.Client(t, "h8-act-shell")
}

// Podman exec with a TTY through Podman's Docker-compatible API.
func TestExecPodman(t *testing.T) {
	cli := requirePodman(t)
	host := fmt.Sprintf("h8-act-pexec-%d", rand.Intn(1e6))
	out, err := exec.Command("podman", "run", "-d", "--name", host, "--hostname", host,
		"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096", podmanImage, "sleep", "3600").CombinedOutput()
	if err != nil {
		t.Fatalf("podman run: %v %s", err, out)
	}
	id := strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("podman", "rm", "-f", "-t", "0", id).Run() })

	sh := startShell(t, func(ctx context.Context, term Terminal) (int, error) {
		return Exec(ctx, cli, id, []string{"/bin/sh"}, term)
	})
	time.Sleep(500 * time.Millisecond)
	sh.master.Write([]byte("hostname; stty size; exit 6\r"))
	code, screen := sh.end(t)
	if code != 6 {
		t.Fatalf("code %d; screen %q", code, screen)
	}
	showed(t, screen, host+"\r\n", "33 101\r\n")
}
