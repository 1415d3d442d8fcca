package collector

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/runtime/containerd"
	"github.com/ctop-like/ctop-like/internal/model"
)

// containerdTestAddress is the containerd the tests start containers in:
// CTOP_TEST_CONTAINERD, the node's own, or the one docker.io runs.
func containerdTestAddress(t *testing.T) string {
	t.Helper()
	cands := []string{os.Getenv("CTOP_TEST_CONTAINERD"), containerd.DefaultAddress, "/run/docker/containerd/containerd.sock"}
	for _, a := range cands {
		if a == "" {
			continue
		}
		if _, err := os.Stat(a); err == nil {
			return a
		}
	}
	msg := fmt.Sprintf("no containerd socket among %v", cands[1:])
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// ctrNamespace makes a containerd namespace of the test's own holding the
// busybox image, and removes it with its containers when the test ends.
func ctrNamespace(t *testing.T, addr string) (ctr func(args ...string) string, ns string) {
	t.Helper()
	requireTool(t, "ctr", "--version")
	requireDocker(t)
	ns = fmt.Sprintf("ctop-like-test-%d", os.Getpid())
	ctr = func(args ...string) string {
		t.Helper()
		return runCLI(t, "ctr", append([]string{"--address", addr, "--namespace", ns}, args...)...)
	}
	tar := filepath.Join(t.TempDir(), "busybox.tar")
	runCLI(t, "docker", "save", "-o", tar, dockerTestImage)
	ctr("image", "import", tar)
	t.Cleanup(func() {
		base := []string{"--address", addr, "--namespace", ns}
		run := func(args ...string) { _ = exec.Command("ctr", append(base, args...)...).Run() }
		out, _ := exec.Command("ctr", append(base, "containers", "list", "-q")...).Output()
		for _, id := range strings.Fields(string(out)) {
			run("task", "kill", "-s", "SIGKILL", id)
			for i := 0; i < 50; i++ {
				if exec.Command("ctr", append(base, "task", "delete", id)...).Run() == nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			run("containers", "delete", id)
		}
		run("image", "rm", "docker.io/"+dockerTestImage)
		// The image's content is collected in the background: retry.
		for i := 0; i < 50; i++ {
			if exec.Command("ctr", "--address", addr, "namespaces", "remove", ns).Run() == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		removeNamespaceCgroups(ns)
	})
	return ctr, ns
}

// removeNamespaceCgroups removes the cgroup folder /<ns> that `ctr run`'s
// containers leave in each hierarchy, when it is empty.
func removeNamespaceCgroups(ns string) {
	dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", ns))
	dirs = append(dirs, filepath.Join("/sys/fs/cgroup", ns))
	for _, d := range dirs {
		_ = os.Remove(d)
	}
}

// Containers that `ctr run` starts in a namespace of the test's own are
// containerd's, named by their id, or — with the CRI labels — by their
// Kubernetes container name with pod and namespace; a Docker container,
// which containerd also holds in its moby namespace, is listed once, as
// Docker's.
func TestContainerdLive(t *testing.T) {
	addr := containerdTestAddress(t)
	ctr, ns := ctrNamespace(t, addr)
	image := "docker.io/" + dockerTestImage
	plain := fmt.Sprintf("plain-%d", os.Getpid())
	pod := fmt.Sprintf("kube-%d", os.Getpid())
	ctr("run", "-d", image, plain, "sleep", "3600")
	ctr("run", "-d",
		"--label", "io.kubernetes.pod.name=web-0",
		"--label", "io.kubernetes.pod.namespace=shop",
		"--label", "io.kubernetes.container.name=nginx",
		image, pod, "sleep", "3600")
	pause := fmt.Sprintf("pause-%d", os.Getpid())
	ctr("run", "-d",
		"--label", "io.kubernetes.pod.name=web-0",
		"--label", "io.kubernetes.pod.namespace=shop",
		"--label", "io.cri-containerd.kind=sandbox",
		image, pause, "sleep", "3600")
	dockerID := ""
	if _, err := exec.LookPath("docker"); err == nil {
		dockerID = dockerCLI(t, "run", "-d", "--name", fmt.Sprintf("ctop-like-test-moby-%d", os.Getpid()), dockerTestImage, "sleep", "3600")
		t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", dockerID).Run() })
	}

	l, err := NewLocal(context.Background(), Config{PodmanHost: "none", CRIOAddress: "none", ContainerdAddress: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	l.WaitReady(ctx)
	cancel()
	var s *model.Sample
	eventually(t, 10*time.Second, "both ctr containers listed", func() bool {
		s = collectOnce(t, l)
		return findContainer(s, plain) != nil && findContainer(s, pod) != nil && findContainer(s, pause) != nil
	})
	if len(s.Errors) > 0 {
		t.Errorf("errors: %v", s.Errors)
	}
	p := findContainer(s, plain)
	if p.Runtime != model.RuntimeContainerd || p.Name != plain || p.Image != image || p.Cgroup != "/"+ns+"/"+plain || p.PID == 0 {
		t.Errorf("plain container: %+v", *p)
	}
	if p.Pod != "" || p.Namespace != "" {
		t.Errorf("plain container has pod %q namespace %q", p.Pod, p.Namespace)
	}
	k := findContainer(s, pod)
	if k.Runtime != model.RuntimeContainerd || k.Name != "nginx" || k.Pod != "web-0" || k.Namespace != "shop" || k.Sandbox {
		t.Errorf("Kubernetes container: runtime %q name %q pod %q namespace %q sandbox %v", k.Runtime, k.Name, k.Pod, k.Namespace, k.Sandbox)
	}
	if b := findContainer(s, pause); !b.Sandbox || b.Pod != "web-0" || b.Name != "web-0 (sandbox)" {
		t.Errorf("the pod's pause container: sandbox %v pod %q name %q", b.Sandbox, b.Pod, b.Name)
	}
	if k.Mem.Limit == 0 || !k.Measured("memory") || k.Pids != 1 {
		t.Errorf("Kubernetes container's figures: %+v pids %d", k.Mem, k.Pids)
	}
	if dockerID != "" {
		n := 0
		for _, c := range s.Containers {
			if c.ID == dockerID {
				n++
				if c.Runtime != model.RuntimeDocker {
					t.Errorf("the Docker container is listed as %s", c.Runtime)
				}
			}
		}
		if n != 1 {
			t.Errorf("the Docker container is listed %d times", n)
		}
	}
	// A container removed is forgotten on containerd's event.
	ctr("task", "kill", "-s", "SIGKILL", plain)
	eventually(t, 10*time.Second, "the killed container leaves the list", func() bool {
		return findContainer(collectOnce(t, l), plain) == nil
	})
	// A (ListStopped) lists it again as -a does, while containerd keeps
	// its stopped task.
	l.ListStopped(true)
	if c := findContainer(collectOnce(t, l), plain); c == nil || c.State != "exited" {
		t.Errorf("ListStopped(true): the killed container %+v", c)
	}
}

// unixProxy forwards connections on a new socket at path to the socket at
// target, as a containerd that starts listening there would.
func unixProxy(t *testing.T, path, target string) {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				up, err := net.Dial("unix", target)
				if err != nil {
					return
				}
				defer up.Close()
				go func() { _, _ = io.Copy(up, c) }()
				_, _ = io.Copy(c, up)
			}()
		}
	}()
}

// A containerd that starts after ctop-like names its containers within a
// refresh interval (2 s), and its error goes away.
func TestContainerdComesBack(t *testing.T) {
	addr := containerdTestAddress(t)
	ctr, _ := ctrNamespace(t, addr)
	id := fmt.Sprintf("back-%d", os.Getpid())
	ctr("run", "-d", "docker.io/"+dockerTestImage, id, "sleep", "3600")
	late := filepath.Join(t.TempDir(), "containerd.sock")
	l, err := NewLocal(context.Background(), Config{DockerHost: "none", PodmanHost: "none", CRIOAddress: "none", ContainerdAddress: late})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := 0; i < 3; i++ {
		s := collectOnce(t, l)
		if findContainer(s, id) != nil {
			t.Fatal("named through a socket that is not there")
		}
		time.Sleep(time.Second) // let the backoff grow
	}
	unixProxy(t, late, addr)
	start := time.Now()
	eventually(t, 10*time.Second, "the ctr container named once containerd listens", func() bool {
		s := collectOnce(t, l)
		c := findContainer(s, id)
		return c != nil && c.Runtime == model.RuntimeContainerd && len(s.Errors) == 0
	})
	t.Logf("named %v after containerd began to listen", time.Since(start))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("named %v after containerd began to listen, want within one 2 s interval", d)
	}
}
