package collector

import (
	"testing"

	"github.com/ctop-like/ctop-like/model"
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
	}
	for _, tt := range tests {
		id, rt, ok := ContainerFromCgroup(tt.path)
		if id != tt.id || rt != tt.rt || ok != tt.ok {
			t.Errorf("ContainerFromCgroup(%q) = %q, %q, %v; want %q, %q, %v", tt.path, id, rt, ok, tt.id, tt.rt, tt.ok)
		}
	}
}
