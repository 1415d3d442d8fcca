// Package collector reads the local node — cgroups, /proc, machine facts and
// the container runtime — into model.Sample values, one pass per refresh.
// Each source sits behind a small interface so that tests, replay and remote
// sources plug in without the rest of the program knowing.
package collector

// Config says where the local collector reads from.
type Config struct {
	ProcRoot   string // default /proc
	SysRoot    string // default /sys (for /sys/class/net, /sys/block)
	CgroupRoot string // default /sys/fs/cgroup
	DockerHost string // "" = DOCKER_HOST or the local socket; "none" disables Docker
	// PodmanHost is Podman's Docker-compatible API ("" = CONTAINER_HOST
	// or unix:///run/podman/podman.sock; "none" disables it).
	PodmanHost string
	// ContainerdAddress is containerd's socket ("" = the default path;
	// "none" disables it).
	ContainerdAddress string
	// CRIOAddress is CRI-O's socket ("" = the default path; "none"
	// disables it).
	CRIOAddress string
	// All also lists stopped containers and non-container cgroups (as
	// runtime raw).
	All bool
}
