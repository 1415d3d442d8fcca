package shell

import (
	"context"
	"fmt"
	"math/rand"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/podmantest"
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

	master, slave := openPty(t)
	before := termios(t, slave)
	scr := watch(master)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan struct{})
	var code int
	go func() {
		code, err = Exec(ctx, cli, id, []string{"/bin/sh"}, Terminal{In: slave, Out: slave})
		close(done)
	}()
	time.Sleep(500 * time.Millisecond)
	master.Write([]byte("hostname; stty size; exit 6\r"))
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("exec did not end; screen %q", scr.String())
	}
	if err != nil || code != 6 {
		t.Fatalf("code %d, err %v; screen %q", code, err, scr.String())
	}
	time.Sleep(50 * time.Millisecond)
	for _, want := range []string{host + "\r\n", "33 101\r\n"} {
		if !strings.Contains(scr.String(), want) {
			t.Errorf("screen lacks %q: %q", want, scr.String())
		}
	}
	if after := termios(t, slave); after != before {
		t.Errorf("raw mode was not undone")
	}
}
