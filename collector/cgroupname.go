package collector

import (
	"path"
	"strings"

	"github.com/ctop-like/ctop-like/model"
)

// ContainerFromCgroup recognises a container from its cgroup path (relative
// to the hierarchy root, as in /proc/<pid>/cgroup): "/docker/<id>",
// "/system.slice/docker-<id>.scope", "/mesos/<id>" (also nested under a
// slice). It returns the container id and runtime, or ok false.
func ContainerFromCgroup(p string) (id, runtime string, ok bool) {
	// Walk from the innermost element outwards so that a process in a
	// child cgroup of a container (Docker-in-Docker, Mesos nested
	// containers) is still attributed to the outermost container found.
	dir, base := path.Split(strings.TrimSuffix(p, "/"))
	parent := path.Base(strings.TrimSuffix(dir, "/"))
	for base != "" && base != "/" && base != "." {
		switch {
		case parent == "docker" && isHexID(base):
			id, runtime, ok = base, model.RuntimeDocker, true
		case strings.HasPrefix(base, "docker-") && strings.HasSuffix(base, ".scope") && isHexID(base[7:len(base)-6]):
			id, runtime, ok = base[7:len(base)-6], model.RuntimeDocker, true
		case parent == "mesos" && base != "slave" && !strings.Contains(base, "."):
			id, runtime, ok = base, model.RuntimeMesos, true
		}
		dir = strings.TrimSuffix(dir, "/")
		if dir == "" {
			break
		}
		dir, base = path.Split(dir)
		parent = path.Base(strings.TrimSuffix(dir, "/"))
	}
	return id, runtime, ok
}

func isHexID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
