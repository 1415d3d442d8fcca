package shell

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

	"github.com/docker/docker/client"
)

const podmanImage = "localhost/h8-act/busybox-shell:test"

// requirePodman fails under CI=true, skips elsewhere, when podman is
// missing; it imports a busybox image (removed at the end) and starts
// Podman's Docker-compatible API service on a socket of its own.
func requirePodman(t *testing.T) *client.Client {
	t.Helper()
	if _, err := exec.LookPath("podman"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("podman is not installed")
		}
		t.Skip("podman is not installed")
	}
	if exec.Command("podman", "image", "exists", podmanImage).Run() != nil {
		root := t.TempDir()
		os.MkdirAll(filepath.Join(root, "bin"), 0o755)
		script := `cp /bin/busybox "$1/bin/busybox" && for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$1/bin/$a"; done && tar -C "$1" -c . | podman import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$2"`
		if out, err := exec.Command("sh", "-c", script, "sh", root, podmanImage).CombinedOutput(); err != nil {
			t.Fatalf("podman import: %v %s", err, out)
		}
		t.Cleanup(func() { exec.Command("podman", "rmi", "-f", podmanImage).Run() })
	}
	sock := filepath.Join(os.TempDir(), fmt.Sprintf("h8-act-shell-%d.sock", rand.Int63()))
	svc := exec.Command("podman", "system", "service", "--time=0", "unix://"+sock)
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Process.Kill(); svc.Wait(); os.Remove(sock) })
	for i := 0; i < 200; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	cli, err := client.NewClientWithOpts(client.WithHost("unix://"+sock), client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		t.Fatalf("podman service: %v", err)
	}
	return cli
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
