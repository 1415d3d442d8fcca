package cgroups

import (
	"path"
	"strings"

	"github.com/ctop-like/ctop-like/internal/model"
)

// cgroupShape recognises one runtime's container cgroups by the folder's
// name and its parent's.
type cgroupShape struct {
	runtime string
	match   func(parent, base string) (id string, ok bool)
}

// cgroupShapes are the cgroup names every runtime makes, on cgroupfs and
// under systemd, v1 and v2 alike, side by side (they must not overlap): a
// runtime whose containers' cgroups have a name of their own adds its
// shape here, its handler (../runtime) names them. Mesos has no handler:
// the orchestrator places its containers.
var cgroupShapes = []cgroupShape{
	{model.RuntimeDocker, dockerCgroup},
	{model.RuntimePodman, podmanCgroup},
	{model.RuntimeCRIO, crioCgroup},
	{model.RuntimeContainerd, containerdCgroup},
	{model.RuntimeMesos, mesosCgroup},
}

// ContainerFromCgroup recognises a container from its cgroup path (relative
// to the hierarchy root, as in /proc/<pid>/cgroup): "/docker/<id>",
// "/system.slice/docker-<id>.scope", "/libpod_parent/libpod-<id>",
// "/machine.slice/libpod-<id>.scope", "/kubepods/burstable/pod<uid>/<id>",
// ".../kubepods-burstable-pod<uid>.slice/cri-containerd-<id>.scope",
// "crio-<id>.scope", "/mesos/<id>" (also nested under a slice). It returns
// the container id and runtime, or ok false. A plain id under a
// Kubernetes pod's cgroupfs folder is containerd's until Docker's handler
// says it is its own (cri-dockerd makes the same shape).
func ContainerFromCgroup(p string) (id, runtime string, ok bool) {
	// Walk from the innermost element outwards so that a process in a
	// child cgroup of a container (Docker-in-Docker, Mesos nested
	// containers, Podman's "container" leaf on v2) is still attributed to
	// the outermost container found.
	dir, base := path.Split(strings.TrimSuffix(p, "/"))
	parent := path.Base(strings.TrimSuffix(dir, "/"))
	for base != "" && base != "/" && base != "." {
		for _, s := range cgroupShapes {
			if cid, found := s.match(parent, base); found {
				id, runtime, ok = cid, s.runtime, true
				break
			}
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

// scopeID is the id in "<prefix><64 hex>.scope" (systemd) or
// "<prefix><64 hex>" (cgroupfs), or ok false.
func scopeID(base, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(base, prefix)
	if !ok {
		return "", false
	}
	rest = strings.TrimSuffix(rest, ".scope")
	return rest, IsHexID(rest)
}

// mesosCgroup is the Mesos containerizer's /mesos/<id> (the agent itself
// sits in /mesos/slave).
func mesosCgroup(parent, base string) (string, bool) {
	if parent == "mesos" && base != "slave" && !strings.Contains(base, ".") {
		return base, true
	}
	return "", false
}

// dockerCgroup is Docker's cgroup: /docker/<id> (cgroupfs) or
// docker-<id>.scope (systemd, also under a Kubernetes pod's slice).
func dockerCgroup(parent, base string) (string, bool) {
	if parent == "docker" && IsHexID(base) {
		return base, true
	}
	if strings.HasSuffix(base, ".scope") {
		return scopeID(base, "docker-")
	}
	return "", false
}

// podmanCgroup is Podman's cgroup: libpod-<id>.scope (systemd, under
// machine.slice or a user's slice) or libpod-<id> (cgroupfs, under
// /libpod_parent or a pod's folder). Its conmon's libpod-conmon-<id> is
// not the container.
func podmanCgroup(_, base string) (string, bool) {
	if !strings.HasPrefix(base, "libpod-") || strings.HasPrefix(base, "libpod-conmon-") {
		return "", false
	}
	return scopeID(base, "libpod-")
}

// crioCgroup is CRI-O's cgroup: crio-<id>.scope (systemd) or crio-<id>
// (cgroupfs, in the pod's folder). Its conmon's crio-conmon-<id> is not
// the container.
func crioCgroup(_, base string) (string, bool) {
	if !strings.HasPrefix(base, "crio-") || strings.HasPrefix(base, "crio-conmon-") {
		return "", false
	}
	return scopeID(base, "crio-")
}

// containerdCgroup is a CRI container of containerd:
// cri-containerd-<id>.scope (systemd), or a plain id in a Kubernetes pod's
// cgroupfs folder (/kubepods/burstable/pod<uid>/<id>), which cri-dockerd
// makes too: Local gives it to Docker when Docker knows the id.
func containerdCgroup(parent, base string) (string, bool) {
	if strings.HasSuffix(base, ".scope") {
		return scopeID(base, "cri-containerd-")
	}
	if strings.HasPrefix(parent, "pod") && len(parent) > 3 && IsHexID(base) {
		return base, true
	}
	return "", false
}

// IsHexID says whether s is a 64-hex-digit container id (Docker, Podman,
// containerd's CRI, CRI-O).
func IsHexID(s string) bool {
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
