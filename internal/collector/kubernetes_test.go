package collector

import (
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

func TestApplyKubernetes(t *testing.T) {
	pod := map[string]string{criPodName: "web-0", criPodNamespace: "shop", criContainerName: "nginx"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{criPodName: "web-0", criPodNamespace: "shop"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name      string
		labels    map[string]string
		sandbox   bool
		wantName  string
		wantBox   bool
		wantLabel string // io.kubernetes.pod.uid from the path
	}{
		{"app container", pod, false, "nginx", false, ""},
		{"containerd's pause container", with(map[string]string{containerdKind: "sandbox"}), false, "web-0 (sandbox)", true, ""},
		{"cri-dockerd's pause container", with(map[string]string{dockershimType: "podsandbox", criContainerName: "POD"}), false, "web-0 (sandbox)", true, ""},
		{"CRI-O's infra container", with(nil), true, "web-0 (sandbox)", true, ""},
		{"no labels, in a pod's cgroup", nil, false, "short", false, "1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"},
	}
	for _, tt := range tests {
		c := model.ContainerSample{Name: "short", Labels: tt.labels,
			Cgroup: "/kubepods/besteffort/pod1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/crio-" + strings.Repeat("e4", 32)}
		applyKubernetes(&c, tt.sandbox)
		if c.Name != tt.wantName || c.Sandbox != tt.wantBox || c.Labels[criPodUID] != tt.wantLabel {
			t.Errorf("%s: name %q sandbox %v uid %q", tt.name, c.Name, c.Sandbox, c.Labels[criPodUID])
		}
		if tt.labels != nil && (c.Pod != "web-0" || c.Namespace != "shop") {
			t.Errorf("%s: pod %q namespace %q", tt.name, c.Pod, c.Namespace)
		}
	}
}

// A plain id in a Kubernetes pod's cgroupfs folder is containerd's unless
// Docker knows it (cri-dockerd makes the same shape): it is listed once,
// with the runtime that names it.
func TestPodCgroupOfDocker(t *testing.T) {
	id := strings.Repeat("c3", 32)
	d := &Docker{runtime: model.RuntimeDocker, metas: map[string]Meta{id: {ID: id, Name: "k8s_api_api-7f9c_prod", Labels: map[string]string{
		criPodName: "api-7f9c", criPodNamespace: "prod", criContainerName: "api"}}}}
	l := &Local{runtimes: &runtimes{list: []Runtime{d}}}
	c := model.ContainerSample{ID: id, Runtime: model.RuntimeContainerd, Cgroup: "/kubepods/burstable/pod1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/" + id}
	l.name(&c)
	if c.Runtime != model.RuntimeDocker || c.Name != "api" || c.Pod != "api-7f9c" || c.Namespace != "prod" {
		t.Errorf("cri-dockerd's container: runtime %q name %q pod %q namespace %q", c.Runtime, c.Name, c.Pod, c.Namespace)
	}
	other := model.ContainerSample{ID: strings.Repeat("97", 32), Runtime: model.RuntimeContainerd}
	l.name(&other)
	if other.Runtime != model.RuntimeContainerd || other.Name != other.ID[:12] {
		t.Errorf("an id nobody knows: runtime %q name %q", other.Runtime, other.Name)
	}
}

// Issue 19 item 11: where a Kubernetes container's runtime writes its
// log: CRI-O's info API says log_path; containerd's CRI plugin keeps it in
// its record of the container (the extension
// io.cri-containerd.container.metadata, JSON of pkg/cri/store/container's
// Metadata, built here from that type: no kubelet runs here).
func TestCRILogPaths(t *testing.T) {
	m, err := crioMeta("e4", []byte(crioContainerInfo))
	if err != nil {
		t.Fatal(err)
	}
	if m.LogPath != "/var/log/pods/shop_web-0/nginx/0.log" {
		t.Errorf("CRI-O's log_path: %q", m.LogPath)
	}
	ext := `{"Version":"v1","Metadata":{"ID":"4e1b","Name":"nginx","SandboxID":"9c0d",` +
		`"Config":{"metadata":{"name":"nginx","attempt":2},"log_path":"nginx/2.log"},` +
		`"ImageRef":"sha256:0123","LogPath":"/var/log/pods/shop_web-0_1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/nginx/2.log",` +
		`"StopSignal":"SIGQUIT","ProcessLabel":""}}`
	if got := criLogPath([]byte(ext)); got != "/var/log/pods/shop_web-0_1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/nginx/2.log" {
		t.Errorf("containerd's CRI record: log path %q", got)
	}
	if got := criLogPath(nil); got != "" {
		t.Errorf("no record: %q", got)
	}
}

func TestPodUID(t *testing.T) {
	const uid = "1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
	for p, want := range map[string]string{
		"/kubepods/burstable/pod" + uid + "/abc": uid,
		"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f0e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice/crio-x.scope": uid,
		"/kubepods.slice/kubepods-pod1f0e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice/crio-x.scope":                                    uid,
		"/docker/abc": "",
		"/podman/abc": "",
	} {
		if got := podUID(p); got != want {
			t.Errorf("podUID(%q) = %q, want %q", p, got, want)
		}
	}
}
