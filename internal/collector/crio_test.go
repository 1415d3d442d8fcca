package collector

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/runtime/kubernetes"
	"github.com/ctop-like/ctop-like/internal/model"
)

// crioContainerInfo is CRI-O's answer for an app container of a pod
// (runtime/crio/testdata/container.json: see its tests).
func crioContainerInfo(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("runtime/crio/testdata/container.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// crioSocket serves CRI-O's info API for one container id on a unix
// socket and counts the requests.
func crioSocket(t *testing.T, id, body string) (string, *atomic.Int32) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "crio.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path != "/containers/"+id {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sock, &n
}

// A CRI-O container found by its crio-<id>.scope cgroup is named from
// CRI-O's info API (once, in the background), with its Kubernetes
// container name, pod and namespace; before the answer, and without the
// socket, it shows by short id with its pod's uid from the cgroup path.
func TestCRIONamedThroughItsSocket(t *testing.T) {
	id := strings.Repeat("e4", 32)
	sock, asked := crioSocket(t, id, crioContainerInfo(t))
	l, err := NewLocal(context.Background(), Config{CgroupRoot: "cgroups/testdata/shapes/v2", DockerHost: "none", PodmanHost: "none", ContainerdAddress: "none", CRIOAddress: sock})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var c *model.ContainerSample
	eventually(t, 5*time.Second, "the CRI-O container is named", func() bool {
		c = findContainer(collectOnce(t, l), id)
		return c != nil && c.Name == "nginx"
	})
	if c.Runtime != model.RuntimeCRIO || c.Pod != "web-0" || c.Namespace != "shop" || c.Image != "docker.io/library/nginx:1.27" || c.Sandbox {
		t.Errorf("CRI-O container: runtime %q pod %q namespace %q image %q sandbox %v", c.Runtime, c.Pod, c.Namespace, c.Image, c.Sandbox)
	}
	before := asked.Load()
	for i := 0; i < 5; i++ {
		collectOnce(t, l)
	}
	if n := asked.Load() - before; n != 0 {
		t.Errorf("CRI-O asked %d more times after the container was named: on change only", n)
	}

	quiet, err := NewLocal(context.Background(), Config{CgroupRoot: "cgroups/testdata/shapes/v2", DockerHost: "none", PodmanHost: "none", ContainerdAddress: "none",
		CRIOAddress: ""}) // the default socket, absent here
	if err != nil {
		t.Fatal(err)
	}
	defer quiet.Close()
	s := collectOnce(t, quiet)
	c = findContainer(s, id)
	if c == nil || c.Name != id[:12] || c.Labels[kubernetes.LabelPodUID] != "1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b" || len(s.Errors) > 0 {
		t.Errorf("without CRI-O: %+v, errors %v", c, s.Errors)
	}
}
