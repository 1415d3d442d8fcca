package docker

import (
	"context"
	"crypto/rand"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/client"

	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/podmantest"
	"github.com/ctop-like/ctop-like/internal/slowproxy"
)

// heard keeps what a handler's Listen is told.
type heard struct {
	mu  sync.Mutex
	evs []model.Event
}

func (h *heard) push(e model.Event) {
	h.mu.Lock()
	h.evs = append(h.evs, e)
	h.mu.Unlock()
}

// of is the events about container id, in the order told.
func (h *heard) of(id string) []model.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []model.Event
	for _, e := range h.evs {
		if e.Container == id {
			out = append(out, e)
		}
	}
	return out
}

// kinds is evs as "started died(4) destroyed".
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

func count(evs []model.Event, kind string) (n int) {
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

// Issue 24: a container that dies while dockerd's events stream is cut
// (dockerd restarted, its socket gone) is told once the stream is back,
// with its exit code, once: the new stream asks the engine for what it
// missed since the last event seen.
func TestExitWhileTheStreamWasDownIsTold(t *testing.T) {
	dockertest.Require(t)
	p := slowproxy.Start(t, strings.TrimPrefix(DefaultHost, "unix://"), 0, nil)
	d := New(t.Context(), "unix://"+p.Path)
	t.Cleanup(func() { _ = d.Close() })
	var b [4]byte
	_, _ = rand.Read(b[:])
	exitWhileDown(t, d, p, func(args ...string) string { return dockertest.Docker(t, args...) },
		func(cmd ...string) string {
			return dockertest.Run(t, []string{"--name", fmt.Sprintf("ctop-like-down-%x", b)}, cmd...)
		})
}

// The same through Podman's Docker-compatible service, of the test's own.
func TestPodmanExitWhileTheStreamWasDownIsTold(t *testing.T) {
	const image = "localhost/ctop-like-dockergap:test"
	podmantest.Busybox(t, image)
	host := podmantest.Service(t, "ctop-like-dockergap")
	p := slowproxy.Start(t, strings.TrimPrefix(host, "unix://"), 0, nil)
	d := NewEngine(t.Context(), model.RuntimePodman, "unix://"+p.Path, false, func(*client.Client) error { return nil })
	t.Cleanup(func() { _ = d.Close() })
	podman := func(args ...string) string {
		t.Helper()
		var errb strings.Builder
		cmd := exec.Command("podman", args...)
		cmd.Stderr = &errb
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("podman %s: %v: %s", strings.Join(args, " "), err, errb.String())
		}
		return strings.TrimSpace(string(out))
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	exitWhileDown(t, d, p, podman, func(cmd ...string) string {
		id := podman(append([]string{"run", "-d", "--name", fmt.Sprintf("ctop-like-down-%x", b),
			"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096", image}, cmd...)...)
		t.Cleanup(func() { _ = exec.Command("podman", "rm", "-f", "-t", "0", id).Run() })
		return id
	})
}

// exitWhileDown runs a container that exits 4 on SIGTERM (run), cuts the
// handler's stream, signals it through the engine's CLI (cli), mends
// the stream and wants exactly one start and one death with exit code 4
// told about it.
func exitWhileDown(t *testing.T, d *Handler, p *slowproxy.Proxy, cli func(args ...string) string, run func(cmd ...string) string) {
	var got heard
	d.Listen(got.push)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := d.WaitReady(ctx); err != nil {
		t.Fatalf("%s not listed: %v (%v)", d.Name(), err, d.Err())
	}
	id := run("sh", "-c", `trap "exit 4" TERM; while :; do usleep 20000; done`)
	until := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not in 30s (events %q, handler error %v)", what, kinds(got.of(id)), d.Err())
			}
		}
	}
	until("the container listed running", func() bool {
		m, ok := d.Meta(id, "")
		return ok && m.State == "running"
	})
	until("its start told", func() bool { return count(got.of(id), "started") == 1 })
	p.Cut()
	until("the handler sees the engine gone", func() bool { return d.Err() != nil })
	cli("kill", "-s", "TERM", id)
	until("the engine says it exited 4", func() bool {
		return cli("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id) == "exited 4"
	})
	p.Mend()
	until("its exit 4 told", func() bool { return diedWith(got.of(id), 4) })
	// Its removal, on the new stream, told after: whatever the stream
	// and the catch-up were to tell about its death is told by then.
	cli("rm", id)
	until("its removal told", func() bool { return count(got.of(id), "destroyed") == 1 })
	if evs := got.of(id); count(evs, "died") != 1 || count(evs, "started") != 1 {
		t.Errorf("events %q: want one start and one death", kinds(evs))
	}
}
