package collector

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// crioContainerInfo is an answer of CRI-O's GET /containers/<id> for an
// app container of a pod, with the fields of CRI-O's
// types.ContainerInfo (internal/.../types.go) and the labels and
// annotations the kubelet and CRI-O put on it. No CRI-O runs here: this
// payload is built from CRI-O's type, not captured from a running CRI-O.
const crioContainerInfo = `{"name":"k8s_nginx_web-0_shop_1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b_0","pid":106,` +
	`"image":"docker.io/library/nginx:1.27","image_ref":"docker.io/library/nginx@sha256:0123",` +
	`"created_time":1764475200000000000,` +
	`"labels":{"io.kubernetes.container.name":"nginx","io.kubernetes.pod.name":"web-0",` +
	`"io.kubernetes.pod.namespace":"shop","io.kubernetes.pod.uid":"1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"},` +
	`"annotations":{"io.kubernetes.cri-o.ContainerType":"container"},"crio_annotations":{},` +
	`"log_path":"/var/log/pods/shop_web-0/nginx/0.log","root":"/var/lib/containers/storage/overlay/x/merged",` +
	`"sandbox":"5a5a","ip_addresses":["10.88.0.7"]}`

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

func TestCRIOMeta(t *testing.T) {
	if !json.Valid([]byte(crioContainerInfo)) {
		t.Fatal("fixture is not JSON")
	}
	m, err := crioMeta("e4", []byte(crioContainerInfo))
	if err != nil {
		t.Fatal(err)
	}
	if m.Image != "docker.io/library/nginx:1.27" || m.PID != 106 || m.Sandbox || m.Labels[criPodName] != "web-0" || m.Created != 1764475200 {
		t.Errorf("meta: %+v", m)
	}
	sandbox := strings.Replace(crioContainerInfo, `ContainerType":"container"`, `ContainerType":"sandbox"`, 1)
	if m, _ := crioMeta("e4", []byte(sandbox)); !m.Sandbox {
		t.Error("a pod's infra container is not marked as its sandbox")
	}
	if _, err := crioMeta("e4", []byte("<html>")); err == nil {
		t.Error("garbage decoded without an error")
	}
}

// A CRI-O container found by its crio-<id>.scope cgroup is named from
// CRI-O's info API (once, in the background), with its Kubernetes
// container name, pod and namespace; before the answer, and without the
// socket, it shows by short id with its pod's uid from the cgroup path.
func TestCRIONamedThroughItsSocket(t *testing.T) {
	id := strings.Repeat("e4", 32)
	sock, asked := crioSocket(t, id, crioContainerInfo)
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
	if c == nil || c.Name != id[:12] || c.Labels[criPodUID] != "1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b" || len(s.Errors) > 0 {
		t.Errorf("without CRI-O: %+v, errors %v", c, s.Errors)
	}
}

// FuzzCRIOMeta: whatever a CRI-O socket answers decodes to an error or to
// the container asked for, never a panic.
func FuzzCRIOMeta(f *testing.F) {
	f.Add([]byte(crioContainerInfo))
	f.Add([]byte(`{"labels":null,"annotations":{"io.kubernetes.cri-o.ContainerType":"sandbox"},"created_time":-1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := crioMeta("e4", body)
		if err == nil && m.ID != "e4" {
			t.Errorf("decoded %+v for another id", m)
		}
	})
}
