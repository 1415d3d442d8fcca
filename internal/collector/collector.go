// Package collector reads the local node into model.Sample values, one
// pass per refresh. Each source is a package below it, split by what it
// reads, as cAdvisor splits machine from container/<runtime>: machine
// (the node's /proc and /sys files), cgroups (the containers' cgroups, and
// where a cgroup's directories are), proc (every process), ports
// (listening sockets), oomkills (the kernel log) and runtime/<engine> (what
// each engine says of its containers), all reading kernel files through
// kernfile. Local is the one place that joins them: a container found by
// its cgroup is named by its runtime's handler, given its processes, its
// network and its ports.
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
