// Package podmantest starts Podman's Docker-compatible API service for
// integration tests, each on a socket of its own, so that no test depends
// on (or disturbs) a service of the machine's. With CI=true a missing
// podman fails the test: a skipped test proves nothing.
package podmantest

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/docker/docker/client"
)

// Require fails the test (under CI=true) or skips it when podman is not
// installed.
func Require(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("podman"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("podman is not installed")
		}
		t.Skip("podman is not installed")
	}
}

// Busybox imports this machine's busybox into Podman's store as image
// (CMD /bin/sh, PATH=/bin) unless it is there, and removes it when the
// test ends if it imported it: no image can be pulled. Each package names
// its own image, so that one's removal never pulls another's from under it.
func Busybox(t testing.TB, image string) {
	t.Helper()
	Require(t)
	if exec.Command("podman", "image", "exists", image).Run() == nil {
		return
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	script := `cp /bin/busybox "$1/bin/busybox" && for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$1/bin/$a"; done && tar -C "$1" -c . | podman import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$2"`
	if out, err := exec.Command("sh", "-c", script, "sh", root, image).CombinedOutput(); err != nil {
		t.Fatalf("podman import: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("podman", "rmi", "-f", image).Run() })
}

// Service runs `podman system service` on a socket of its own (name, made
// unique, names the socket's file), waits until it answers, stops it when
// the test ends, and returns its address (unix:///tmp/name-….sock).
func Service(t testing.TB, name string) string {
	t.Helper()
	cli, host := service(t, name)
	cli.Close()
	return host
}

// Client is a Docker API client of a new Service, closed when the test
// ends.
func Client(t testing.TB, name string) *client.Client {
	t.Helper()
	cli, _ := service(t, name)
	t.Cleanup(func() { cli.Close() })
	return cli
}

func service(t testing.TB, name string) (*client.Client, string) {
	t.Helper()
	Require(t)
	sock := filepath.Join(os.TempDir(), fmt.Sprintf("%s-%d.sock", name, rand.Int63()))
	host := "unix://" + sock
	svc := exec.Command("podman", "system", "service", "--time=0", host)
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Process.Kill(); svc.Wait(); os.Remove(sock) })
	cli, err := client.NewClientWithOpts(client.WithHost(host), client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	// The service answers within a second on an idle machine; a loaded one
	// has taken several. Until its socket is there, a ping is refused.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		_, err := cli.Ping(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			cli.Close()
			t.Fatalf("podman service at %s: %v", host, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cli, host
}
