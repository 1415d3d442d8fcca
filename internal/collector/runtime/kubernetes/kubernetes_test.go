package kubernetes

import (
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

func TestApplyKubernetes(t *testing.T) {
	pod := map[string]string{LabelPodName: "web-0", LabelPodNamespace: "shop", LabelContainerName: "nginx"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{LabelPodName: "web-0", LabelPodNamespace: "shop"}
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
		{"cri-dockerd's pause container", with(map[string]string{dockershimType: "podsandbox", LabelContainerName: "POD"}), false, "web-0 (sandbox)", true, ""},
		{"CRI-O's infra container", with(nil), true, "web-0 (sandbox)", true, ""},
		{"no labels, in a pod's cgroup", nil, false, "short", false, "1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"},
	}
	for _, tt := range tests {
		c := model.ContainerSample{Name: "short", RuntimeFields: &model.RuntimeFields{Labels: tt.labels, Cgroup: "/kubepods/besteffort/pod1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/crio-" + strings.Repeat("e4", 32)}}
		Apply(&c, tt.sandbox)
		if c.Name != tt.wantName || c.Sandbox != tt.wantBox || c.Labels[LabelPodUID] != tt.wantLabel {
			t.Errorf("%s: name %q sandbox %v uid %q", tt.name, c.Name, c.Sandbox, c.Labels[LabelPodUID])
		}
		if tt.labels != nil && (c.Pod != "web-0" || c.Namespace != "shop") {
			t.Errorf("%s: pod %q namespace %q", tt.name, c.Pod, c.Namespace)
		}
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
