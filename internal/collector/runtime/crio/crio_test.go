package crio

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/collector/runtime/kubernetes"
)

// containerInfo is an answer of CRI-O's GET /containers/<id> for an
// app container of a pod, with the fields of CRI-O's
// types.ContainerInfo (internal/.../types.go) and the labels and
// annotations the kubelet and CRI-O put on it. No CRI-O runs here: this
// payload is built from CRI-O's type, not captured from a running CRI-O.
func containerInfo(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/container.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCRIOMeta(t *testing.T) {
	crioContainerInfo := containerInfo(t)
	if !json.Valid([]byte(crioContainerInfo)) {
		t.Fatal("fixture is not JSON")
	}
	m, err := crioMeta("e4", []byte(crioContainerInfo))
	if err != nil {
		t.Fatal(err)
	}
	if m.Image != "docker.io/library/nginx:1.27" || m.PID != 106 || m.Sandbox || m.Labels[kubernetes.LabelPodName] != "web-0" || m.Created != 1764475200 {
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

// Issue 19 item 11: where a Kubernetes container's runtime writes its
// log: CRI-O's info API says log_path (containerd's half of this test is
// in ../containerd).
func TestCRILogPaths(t *testing.T) {
	crioContainerInfo := containerInfo(t)
	m, err := crioMeta("e4", []byte(crioContainerInfo))
	if err != nil {
		t.Fatal(err)
	}
	if m.LogPath != "/var/log/pods/shop_web-0/nginx/0.log" {
		t.Errorf("CRI-O's log_path: %q", m.LogPath)
	}
}

// FuzzCRIOMeta: whatever a CRI-O socket answers decodes to an error or to
// the container asked for, never a panic.
func FuzzCRIOMeta(f *testing.F) {
	f.Add([]byte(containerInfo(f)))
	f.Add([]byte(`{"labels":null,"annotations":{"io.kubernetes.cri-o.ContainerType":"sandbox"},"created_time":-1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := crioMeta("e4", body)
		if err == nil && m.ID != "e4" {
			t.Errorf("decoded %+v for another id", m)
		}
	})
}
