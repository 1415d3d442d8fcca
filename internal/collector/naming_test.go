package collector

import (
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/collector/runtime/kubernetes"
	"github.com/ctop-like/ctop-like/internal/model"
)

// A plain id in a Kubernetes pod's cgroupfs folder is containerd's unless
// Docker knows it (cri-dockerd makes the same shape): it is listed once,
// with the runtime that names it.
func TestPodCgroupOfDocker(t *testing.T) {
	id := strings.Repeat("c3", 32)
	d := newKnownHandler(model.RuntimeDocker, runtime.Meta{ID: id, Name: "k8s_api_api-7f9c_prod", Labels: map[string]string{
		kubernetes.LabelPodName: "api-7f9c", kubernetes.LabelPodNamespace: "prod", kubernetes.LabelContainerName: "api"}})
	l := &Local{runtimes: &runtimes{list: []runtime.Handler{d}}}
	c := model.ContainerSample{ID: id, Runtime: model.RuntimeContainerd, RuntimeFields: &model.RuntimeFields{Cgroup: "/kubepods/burstable/pod1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/" + id}}
	l.name(&c)
	if c.Runtime != model.RuntimeDocker || c.Name != "api" || c.Pod != "api-7f9c" || c.Namespace != "prod" {
		t.Errorf("cri-dockerd's container: runtime %q name %q pod %q namespace %q", c.Runtime, c.Name, c.Pod, c.Namespace)
	}
	other := model.ContainerSample{ID: strings.Repeat("97", 32), Runtime: model.RuntimeContainerd, RuntimeFields: &model.RuntimeFields{}}
	l.name(&other)
	if other.Runtime != model.RuntimeContainerd || other.Name != other.ID[:12] {
		t.Errorf("an id nobody knows: runtime %q name %q", other.Runtime, other.Name)
	}
}
