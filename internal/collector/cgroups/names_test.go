package cgroups

import (
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

func TestContainerFromCgroup(t *testing.T) {
	const hex = "2cf785d7b415351a8e5c5c33ff08bcdf8bcbe118799d7428a5896fe6630009e6"
	const hex2 = "4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c"
	tests := []struct {
		path   string
		id, rt string
		ok     bool
	}{
		{"/docker/" + hex, hex, model.RuntimeDocker, true},
		{"/docker/" + hex + "/", hex, model.RuntimeDocker, true},
		{"/system.slice/docker-" + hex + ".scope", hex, model.RuntimeDocker, true},
		{"/mesos/1f3c2a4e-6b7d-4e8f-9a0b-1c2d3e4f5a6b", "1f3c2a4e-6b7d-4e8f-9a0b-1c2d3e4f5a6b", model.RuntimeMesos, true},
		{"/mesos.slice/mesos/abc", "abc", model.RuntimeMesos, true},
		// A child of a container belongs to the outermost container.
		{"/mesos/outer/mesos/inner", "outer", model.RuntimeMesos, true},
		{"/docker/" + hex + "/docker/" + hex2, hex, model.RuntimeDocker, true},
		{"/mesos/slave", "", "", false},
		{"/mesos", "", "", false},
		{"/docker", "", "", false},
		{"/docker/short", "", "", false},
		{"/docker/" + hex[:63] + "G", "", "", false},
		{"/system.slice/docker.service", "", "", false},
		{"/system.slice/docker-" + hex + ".mount", "", "", false},
		{"/", "", "", false},
		{"", "", "", false},
		// Podman: cgroupfs and systemd (root and rootless), its v2
		// "container" leaf, not its conmon.
		{"/libpod_parent/libpod-" + hex, hex, model.RuntimePodman, true},
		{"/machine.slice/libpod-" + hex + ".scope", hex, model.RuntimePodman, true},
		{"/machine.slice/libpod-" + hex + ".scope/container", hex, model.RuntimePodman, true},
		{"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + hex + ".scope", hex, model.RuntimePodman, true},
		{"/machine.slice/libpod-conmon-" + hex + ".scope", "", "", false},
		{"/libpod_parent/conmon", "", "", false},
		// Kubernetes: cgroupfs pods (containerd's unless Docker knows the
		// id), systemd pods per runtime, CRI-O's conmon left out.
		{"/kubepods/burstable/pod1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/" + hex, hex, model.RuntimeContainerd, true},
		{"/kubepods/pod1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/" + hex, hex, model.RuntimeContainerd, true},
		{"/kubepods/besteffort/pod1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/crio-" + hex, hex, model.RuntimeCRIO, true},
		{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f0e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice/cri-containerd-" + hex + ".scope", hex, model.RuntimeContainerd, true},
		{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1f0e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice/crio-" + hex + ".scope", hex, model.RuntimeCRIO, true},
		{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1f0e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice/crio-conmon-" + hex + ".scope", "", "", false},
		{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f0e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice/docker-" + hex + ".scope", hex, model.RuntimeDocker, true},
		{"/kubepods/burstable/pod1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", "", "", false},
		{"/kubepods.slice/kubepods-burstable.slice", "", "", false},
	}
	for _, tt := range tests {
		id, rt, ok := ContainerFromCgroup(tt.path)
		if id != tt.id || rt != tt.rt || ok != tt.ok {
			t.Errorf("ContainerFromCgroup(%q) = %q, %q, %v; want %q, %q, %v", tt.path, id, rt, ok, tt.id, tt.rt, tt.ok)
		}
	}
}
