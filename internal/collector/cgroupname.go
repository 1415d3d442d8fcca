package collector

import (
	"path"
	"strings"

	"github.com/ctop-like/ctop-like/internal/model"
)

// cgroupShape recognises one runtime's container cgroups by the folder's
// name and its parent's; each runtime's file declares its own.
type cgroupShape struct {
	runtime string
	match   func(parent, base string) (id string, ok bool)
}

// cgroupShapes are the cgroup names every runtime makes, on cgroupfs and
// under systemd, v1 and v2 alike.
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
	return rest, isHexID(rest)
}

// mesosCgroup is the Mesos containerizer's /mesos/<id> (the agent itself
// sits in /mesos/slave).
func mesosCgroup(parent, base string) (string, bool) {
	if parent == "mesos" && base != "slave" && !strings.Contains(base, ".") {
		return base, true
	}
	return "", false
}

// podUID is the Kubernetes pod uid in a cgroup path: cgroupfs
// ".../pod<uid>/..." or systemd ".../kubepods-<qos>-pod<uid with _>.slice/...";
// "" when the path is not a pod's.
func podUID(p string) string {
	for el := range strings.SplitSeq(p, "/") {
		if uid, ok := strings.CutPrefix(el, "pod"); ok && len(uid) >= 32 && !strings.Contains(uid, ".") {
			return uid
		}
		if strings.HasPrefix(el, "kubepods-") && strings.HasSuffix(el, ".slice") {
			if i := strings.LastIndex(el, "-pod"); i >= 0 {
				uid := strings.TrimSuffix(el[i+4:], ".slice")
				if len(uid) >= 32 {
					return strings.ReplaceAll(uid, "_", "-")
				}
			}
		}
	}
	return ""
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
