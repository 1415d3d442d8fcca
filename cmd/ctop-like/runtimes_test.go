package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/podmantest"
)

func TestRuntimeFlags(t *testing.T) {
	o, err := parseFlags([]string{"--podman-host", "unix:///tmp/p.sock", "--containerd-address", "/tmp/c.sock", "--crio-address", "/tmp/crio.sock"}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if o.podmanHost != "unix:///tmp/p.sock" || o.containerdAddress != "/tmp/c.sock" || o.crioAddress != "/tmp/crio.sock" {
		t.Errorf("podman host %q, containerd address %q, cri-o address %q", o.podmanHost, o.containerdAddress, o.crioAddress)
	}
}

// A runtime the user named whose socket is not there is named in the
// errors and delays nothing; one disabled with none is quiet.
func TestRuntimeFlagsNamedButAbsent(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	out := runJSON(t, "-n", "1", "-d", "300", "--docker-host", "none",
		"--podman-host", "unix://"+filepath.Join(dir, "podman.sock"), "--containerd-address", filepath.Join(dir, "containerd.sock"),
		"--crio-address", filepath.Join(dir, "crio.sock"))
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("one refresh took %v", d)
	}
	errs := strings.Join(out[0].Errors, "\n")
	if !strings.Contains(errs, "podman") || !strings.Contains(errs, "containerd") || !strings.Contains(errs, "cri-o") {
		t.Errorf("errors %q do not name podman, containerd and cri-o", errs)
	}
	if strings.Contains(errs, "Docker daemon") {
		t.Errorf("errors %q call Podman the Docker daemon", errs)
	}
	out = runJSON(t, "-n", "1", "-d", "300", "--docker-host", "none", "--podman-host", "none", "--containerd-address", "none", "--crio-address", "none")
	if len(out[0].Errors) > 0 {
		t.Errorf("runtimes disabled with none report %v", out[0].Errors)
	}
}

// As a new user would: a `podman run` container and a `ctr run` container
// with CRI labels appear next to Docker's, named, with pod and namespace.
func TestRuntimesSideBySide(t *testing.T) {
	dockertest.Require(t)
	for _, tool := range []string{"podman", "ctr"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := tool + " is not installed: run scripts/test-env"
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	cli := func(name string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	pid := os.Getpid()
	tar := filepath.Join(t.TempDir(), "busybox.tar")
	cli("docker", "save", "-o", tar, dockertest.Image)

	// Podman, with its API served on a socket of the test's own.
	if exec.Command("podman", "image", "exists", "localhost/"+dockertest.Image).Run() != nil {
		cli("podman", "load", "-i", tar)
	}
	pname := fmt.Sprintf("ctop-like-test-side-%d", pid)
	pid1 := cli("podman", "run", "-d", "--name", pname, "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096",
		"localhost/"+dockertest.Image, "sleep", "3600")
	t.Cleanup(func() { _ = exec.Command("podman", "rm", "-f", "-t", "0", pid1).Run() })
	podmanHost := podmantest.Service(t, "ctop-like-test-side")

	// containerd: docker.io's, in a namespace of the test's own.
	addr := "/run/containerd/containerd.sock"
	if _, err := os.Stat(addr); err != nil {
		addr = "/run/docker/containerd/containerd.sock"
	}
	ns := fmt.Sprintf("ctop-like-test-side-%d", pid)
	ctr := func(args ...string) string {
		return cli("ctr", append([]string{"--address", addr, "--namespace", ns}, args...)...)
	}
	ctr("image", "import", tar)
	cid := fmt.Sprintf("api-%d", pid)
	ctr("run", "-d", "--label", "io.kubernetes.pod.name=api-7f9c", "--label", "io.kubernetes.pod.namespace=prod",
		"--label", "io.kubernetes.container.name=api", "docker.io/"+dockertest.Image, cid, "sleep", "3600")
	t.Cleanup(func() {
		base := []string{"--address", addr, "--namespace", ns}
		_ = exec.Command("ctr", append(base, "task", "kill", "-s", "SIGKILL", cid)...).Run()
		for i := 0; i < 50 && exec.Command("ctr", append(base, "task", "delete", cid)...).Run() != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
		_ = exec.Command("ctr", append(base, "containers", "delete", cid)...).Run()
		_ = exec.Command("ctr", append(base, "image", "rm", "docker.io/"+dockertest.Image)...).Run()
		for i := 0; i < 50 && exec.Command("ctr", "--address", addr, "namespaces", "remove", ns).Run() != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	did := dockertest.Run(t, []string{"--name", fmt.Sprintf("ctop-like-test-side-docker-%d", pid)}, dockertest.Sleep...)

	out := runJSON(t, "-n", "1", "-d", "2s", "-v", "containers", "--podman-host", podmanHost, "--containerd-address", addr)
	rows := map[string]map[string]any{}
	for _, r := range out[0].Rows {
		rows[r["id"].(string)] = r
	}
	check := func(id string, want map[string]any) {
		t.Helper()
		r := rows[id]
		if r == nil {
			t.Errorf("%s not listed; errors %v", id, out[0].Errors)
			return
		}
		for k, v := range want {
			if r[k] != v {
				t.Errorf("%s: %s = %v, want %v", id, k, r[k], v)
			}
		}
		if r["mem_bytes"] == nil || r["cpu_pct"] == nil {
			t.Errorf("%s has no figures: %v", id, r)
		}
	}
	check(pid1, map[string]any{"name": pname, "runtime": "podman", "image": "localhost/" + dockertest.Image})
	check(cid, map[string]any{"name": "api", "runtime": "containerd", "pod": "api-7f9c", "namespace": "prod"})
	check(did, map[string]any{"runtime": "docker", "pod": nil, "namespace": nil})
}

// Issue 19 items 7 and 8, as a user sees them: without
// --containerd-address, a `ctr run` container on the node's containerd (or
// dockerd's own, where the node has none) is listed as containerd's with
// its namespace, and `--scope container=<id> -v processes` lists its
// processes, each with its container_id.
func TestCtrRunContainerFoundWithoutAFlag(t *testing.T) {
	dockertest.Require(t)
	if _, err := exec.LookPath("ctr"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ctr is not installed: run scripts/test-env")
		}
		t.Skip("ctr is not installed")
	}
	cli := func(name string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	addr := "/run/containerd/containerd.sock" // the order ctop-like tries them in
	if _, err := os.Stat(addr); err != nil {
		addr = "/run/docker/containerd/containerd.sock"
	}
	pid := os.Getpid()
	ns := fmt.Sprintf("ctop-like-test-found-%d", pid)
	base := []string{"--address", addr, "--namespace", ns}
	tar := filepath.Join(t.TempDir(), "busybox.tar")
	cli("docker", "save", "-o", tar, dockertest.Image)
	cli("ctr", append(base, "image", "import", tar)...)
	cid := fmt.Sprintf("found-%d", pid)
	t.Cleanup(func() {
		_ = exec.Command("ctr", append(base, "task", "kill", "-s", "SIGKILL", cid)...).Run()
		for i := 0; i < 50 && exec.Command("ctr", append(base, "task", "delete", cid)...).Run() != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
		_ = exec.Command("ctr", append(base, "containers", "delete", cid)...).Run()
		_ = exec.Command("ctr", append(base, "image", "rm", "docker.io/"+dockertest.Image)...).Run()
		for i := 0; i < 50 && exec.Command("ctr", "--address", addr, "namespaces", "remove", ns).Run() != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
		dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", ns))
		for _, d := range append(dirs, filepath.Join("/sys/fs/cgroup", ns)) {
			_ = os.Remove(d)
		}
	})
	cli("ctr", append(base, "run", "-d", "docker.io/"+dockertest.Image, cid, "sleep", "3600")...)

	out := runJSON(t, "-n", "1", "-d", "300", "--podman-host", "none", "-f", "id="+cid)
	if len(out[0].Rows) != 1 {
		t.Fatalf("%d rows for the ctr container %s (errors %v), want 1", len(out[0].Rows), cid, out[0].Errors)
	}
	r := out[0].Rows[0]
	if r["runtime"] != "containerd" || r["containerd_namespace"] != ns || r["name"] != cid {
		t.Errorf("the ctr container: runtime %v containerd_namespace %v name %v", r["runtime"], r["containerd_namespace"], r["name"])
	}
	procs := runJSON(t, "-n", "1", "-d", "300", "--podman-host", "none", "-v", "processes", "--scope", "container="+cid)
	var sleeps int
	for _, p := range procs[0].Rows {
		if p["container_id"] != cid {
			t.Errorf("process %v (%v) in the scope has container_id %v", p["pid"], p["command"], p["container_id"])
		}
		if p["command"] == "sleep 3600" {
			sleeps++
		}
	}
	if sleeps != 1 {
		t.Errorf("--scope container=%s -v processes: %d rows, %d of them its sleep; want its sleep", cid, len(procs[0].Rows), sleeps)
	}
}
