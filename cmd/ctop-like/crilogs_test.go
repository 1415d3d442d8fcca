package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/cgrouptest"
	"github.com/ctop-like/ctop-like/internal/dockertest"
)

// criLog is a Kubernetes container's log as its runtime writes it (the
// CRI's format): a line in two parts, one on stderr.
const criLog = "2026-12-07T10:00:00.000000001Z stdout F Starting nginx\n" +
	"2026-12-07T10:00:00.000000002Z stderr F bind() to 0.0.0.0:80 failed\n" +
	"2026-12-07T10:00:01.000000003Z stdout P GET / 2\n" +
	"2026-12-07T10:00:01.000000004Z stdout F 00\n"

// checkCRIRows compares a logs view's rows with criLog's lines.
func checkCRIRows(t *testing.T, rs []result) {
	t.Helper()
	if len(rs[0].Errors) != 0 {
		t.Fatalf("errors %q", rs[0].Errors)
	}
	var got []string
	for _, r := range rs[0].Rows {
		got = append(got, fmt.Sprintf("%v %v %v", r["time"], r["stream"], r["text"]))
	}
	want := []string{
		"2026-12-07T10:00:00.000Z stdout Starting nginx",
		"2026-12-07T10:00:00.000Z stderr bind() to 0.0.0.0:80 failed",
		"2026-12-07T10:00:01.000Z stdout GET / 200",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Issue 19 items 11 and 12: a CRI-O container's log is the file its
// log_path names (CRI-O's info API on the socket --crio-address names),
// in the CRI's format. No CRI-O runs here: the socket serves the answer of
// GET /containers/<id> in CRI-O's shape, and the container is a crio-<id>
// cgroup with a process in it.
func TestLogsOfACRIOContainer(t *testing.T) {
	cgrouptest.RequireRoot(t)
	id := fmt.Sprintf("%064x", rand.Uint64())
	logPath := filepath.Join(t.TempDir(), "0.log")
	if err := os.WriteFile(logPath, []byte(criLog), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "crio.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := json.Marshal(map[string]any{
		"name": "k8s_nginx_web-0_shop_1f0e2d3c_0", "pid": 0, "image": "docker.io/library/nginx:1.27",
		"created_time": time.Now().UnixNano(), "sandbox": "5a5a", "log_path": logPath,
		"labels": map[string]string{"io.kubernetes.container.name": "nginx", "io.kubernetes.pod.name": "web-0",
			"io.kubernetes.pod.namespace": "shop", "io.kubernetes.pod.uid": "1f0e2d3c"},
		"annotations": map[string]string{"io.kubernetes.cri-o.ContainerType": "container"},
	})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/containers/"+id {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(info)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	// The container: crio-<id> in a folder of the test's own, in the
	// hierarchies the finder and the log's liveness read.
	parent := fmt.Sprintf("ctop-like-test-crio-%d", rand.Int63())
	var dirs []string
	for _, c := range []string{"memory", "pids", "cpuacct", ""} {
		base := filepath.Join("/sys/fs/cgroup", c)
		if c == "" {
			if _, err := os.Stat(filepath.Join(base, "cgroup.controllers")); err != nil {
				continue // v1: no unified tree at the root
			}
		} else if _, err := os.Stat(base); err != nil {
			continue
		}
		p, d := filepath.Join(base, parent), filepath.Join(base, parent, "crio-"+id)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			for i := 0; i < 100 && os.Remove(d) != nil; i++ {
				time.Sleep(20 * time.Millisecond)
			}
			os.Remove(p)
		})
		dirs = append(dirs, d)
	}
	cgrouptest.Start(t, "exec sleep 3600", nil, dirs...)

	rs := runJSON(t, "-v", "logs", "--scope", "container="+id, "--crio-address", sock,
		"--docker-host", "none", "--podman-host", "none", "--containerd-address", "none", "-d", "500", "-n", "1")
	checkCRIRows(t, rs)
}

// Issue 19 item 11: a Kubernetes container of containerd (a `ctr run`
// container with the kubelet's labels) has its log where the kubelet has
// the runtime write it, /var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log
// (a folder of the test's own, removed after).
func TestLogsOfAContainerdKubernetesContainer(t *testing.T) {
	dockertest.Require(t)
	cgrouptest.RequireRoot(t)
	if _, err := exec.LookPath("ctr"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ctr is not installed: run scripts/test-env")
		}
		t.Skip("ctr is not installed")
	}
	run := func(name string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	addr := "/run/containerd/containerd.sock"
	if _, err := os.Stat(addr); err != nil {
		addr = "/run/docker/containerd/containerd.sock"
	}
	pid := os.Getpid()
	ns := fmt.Sprintf("ctop-like-test-crilog-%d", pid)
	base := []string{"--address", addr, "--namespace", ns}
	tar := filepath.Join(t.TempDir(), "busybox.tar")
	run("docker", "save", "-o", tar, dockertest.Image)
	run("ctr", append(base, "image", "import", tar)...)
	cid := fmt.Sprintf("kube-%d", pid)
	kns, pod, uid := fmt.Sprintf("ctop-like-test-%d", pid), "web-0", strconv.FormatInt(rand.Int63(), 16)
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
		cg, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", ns))
		for _, d := range append(cg, filepath.Join("/sys/fs/cgroup", ns)) {
			_ = os.Remove(d)
		}
	})
	run("ctr", append(base, "run", "-d",
		"--label", "io.kubernetes.pod.namespace="+kns, "--label", "io.kubernetes.pod.name="+pod,
		"--label", "io.kubernetes.pod.uid="+uid, "--label", "io.kubernetes.container.name=nginx",
		"docker.io/"+dockertest.Image, cid, "sleep", "3600")...)

	pods := "/var/log/pods"
	if _, err := os.Stat(pods); err != nil {
		if err := os.Mkdir(pods, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(pods) })
	}
	podDir := filepath.Join(pods, kns+"_"+pod+"_"+uid)
	t.Cleanup(func() { os.RemoveAll(podDir) })
	if err := os.MkdirAll(filepath.Join(podDir, "nginx"), 0o755); err != nil {
		t.Fatal(err)
	}
	// An earlier run's log, and the current one's.
	if err := os.WriteFile(filepath.Join(podDir, "nginx", "0.log"), []byte("2026-12-07T09:00:00Z stdout F the run before\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(podDir, "nginx", "1.log"), []byte(criLog), 0o644); err != nil {
		t.Fatal(err)
	}

	rs := runJSON(t, "-v", "logs", "--scope", "container="+cid, "--containerd-address", addr,
		"--docker-host", "none", "--podman-host", "none", "-d", "500", "-n", "1")
	checkCRIRows(t, rs)
}
