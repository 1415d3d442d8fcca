package docker

import (
	"context"
	"crypto/rand"
	"fmt"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/go-connections/nat"

	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/model"
)

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

func TestDockerLive(t *testing.T) {
	dockertest.Require(t)
	ctx := t.Context()
	d := New(ctx, "")
	t.Cleanup(func() { _ = d.Close() })
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.WaitReady(wctx); err != nil {
		t.Fatalf("WaitReady: %v", err)
	}
	if !d.Ready() || d.Err() != nil {
		t.Fatalf("Ready %v, Err %v", d.Ready(), d.Err())
	}

	var b [4]byte
	_, _ = rand.Read(b[:])
	name := fmt.Sprintf("ctop-like-test-%x", b)
	src := t.TempDir()
	id := dockertest.Docker(t, "run", "-d", "--name", name, "-e", "MESOS_TASK_ID=abc.123",
		"--label", "ctop-like.test=1", "-v", src+":/data", dockertest.Image, "sleep", "3600")
	t.Cleanup(func() {
		_ = exec.Command("docker", "rm", "-f", id).Run()
	})

	var m runtime.Meta
	eventually(t, 10*time.Second, "container metadata from the events stream", func() bool {
		var ok bool
		m, ok = d.Meta(id, "")
		return ok && m.Name == name && m.State == "running" && m.PID > 0
	})
	if m.Image != dockertest.Image || m.Env.Value("MESOS_TASK_ID") != "abc.123" || m.Labels["ctop-like.test"] != "1" ||
		m.NetworkMode != "default" && m.NetworkMode != "bridge" || m.Created == 0 ||
		!reflect.DeepEqual(m.Mounts, []string{src + ":/data"}) {
		t.Errorf("meta = %+v", m)
	}

	if err := d.Pause(ctx, id); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "state paused", func() bool { m, _ = d.Meta(id, ""); return m.State == "paused" })
	if err := d.Unpause(ctx, id); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "state running again", func() bool { m, _ = d.Meta(id, ""); return m.State == "running" })

	dockertest.Docker(t, "rm", "-f", id)
	eventually(t, 5*time.Second, "removed container gone or not running", func() bool {
		m, ok := d.Meta(id, "")
		return !ok || m.State != "running"
	})
	if err := d.Stop(ctx, id); err == nil || !strings.Contains(err.Error(), "docker stop "+id[:12]) {
		t.Errorf("Stop of a removed container: %v", err)
	}
}

func TestDockerUnreachable(t *testing.T) {
	start := time.Now()
	d := New(t.Context(), "unix:///nonexistent.sock")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	err := d.WaitReady(ctx)
	if err == nil || err == context.DeadlineExceeded {
		t.Fatalf("WaitReady = %v, want the connection error", err)
	}
	if got := d.Err(); got == nil || !strings.Contains(got.Error(), "docker: Cannot connect to the Docker daemon at unix:///nonexistent.sock") {
		t.Errorf("Err() = %v", got)
	}
	if d.Ready() {
		t.Error("Ready with no daemon")
	}
	if _, ok := d.Meta("x", ""); ok {
		t.Error("Meta found something")
	}
	if err := d.Kill(ctx, "0123456789abcdef", "KILL"); err == nil || !strings.Contains(err.Error(), "docker kill 0123456789ab") {
		t.Errorf("Kill = %v", err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("took %v", el)
	}
}

func TestDockerBadHost(t *testing.T) {
	d := New(t.Context(), "nonsense://")
	if err := d.WaitReady(t.Context()); err == nil {
		t.Error("WaitReady: no error for a bad host")
	}
	if d.Err() == nil {
		t.Error("Err: nil for a bad host")
	}
	if err := d.Close(); err != nil {
		t.Error(err)
	}
}

func TestMetaFromInspect(t *testing.T) {
	r := container.InspectResponse{
		ContainerJSONBase: &container.ContainerJSONBase{
			Name:         "/web",
			Created:      "2026-11-22T05:00:00.123456789Z",
			RestartCount: 2,
			State: &container.State{Status: "running", Pid: 4242,
				Health: &container.Health{Status: "healthy"}},
			HostConfig: &container.HostConfig{NetworkMode: "host"},
		},
		Config: &container.Config{
			Image:  "nginx:1",
			Labels: map[string]string{"a": "b"},
			Env:    []string{"MESOS_TASK_ID=web.1", "EMPTY=", "NOVALUE", "EQ=a=b", "MARATHON_APP_ID=/a=b", "API_TOKEN=s3cr3t"},
		},
		NetworkSettings: &container.NetworkSettings{},
		Mounts: []container.MountPoint{
			{Source: "/srv/www", Destination: "/usr/share/nginx/html"},
			{Name: "cache", Destination: "/cache"},
		},
	}
	// Ports is set apart: the struct that declares it is deprecated by name.
	r.NetworkSettings.Ports = nat.PortMap{
		"8080/tcp": {{HostIP: "0.0.0.0", HostPort: "80"}, {HostIP: "::", HostPort: "80"}},
		"53/udp":   nil,
	}
	want := runtime.Meta{
		Name: "web", Image: "nginx:1", State: "running", PID: 4242, NetworkMode: "host",
		RestartCount: 2, Health: "healthy", Created: 1795323600, // 2026-11-22T05:00:00Z
		Labels: map[string]string{"a": "b"},
		// Only the values that place the container are kept (runtime.EnvStrings).
		Env:    model.EnvOf(map[string]string{"MESOS_TASK_ID": "web.1", "EMPTY": "", "NOVALUE": "", "EQ": "", "MARATHON_APP_ID": "/a=b", "API_TOKEN": ""}),
		Ports:  []string{"53/udp", "8080/tcp->0.0.0.0:80", "8080/tcp->:::80"},
		Mounts: []string{"/srv/www:/usr/share/nginx/html", "cache:/cache"},
	}
	if got := metaFromInspect(r); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// A sparse answer (old daemon, odd container) must not panic.
	if got := metaFromInspect(container.InspectResponse{}); !reflect.DeepEqual(got, runtime.Meta{}) {
		t.Errorf("empty inspect gave %+v", got)
	}
}
