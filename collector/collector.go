// Package collector reads the local node — cgroups, /proc, machine facts and
// the container runtime — into model.Sample values, one pass per refresh.
// Each source sits behind a small interface so that tests, replay and remote
// sources plug in without the rest of the program knowing.
package collector

import (
	"github.com/ctop-like/ctop-like/model"
)

// Config says where the local collector reads from.
type Config struct {
	ProcRoot   string // default /proc
	SysRoot    string // default /sys (for /sys/class/net, /sys/block)
	CgroupRoot string // default /sys/fs/cgroup
	DockerHost string // "" = DOCKER_HOST or the local socket; "none" disables Docker
	All        bool   // also list non-container cgroups as runtime raw
}

// ContainerFinder walks the cgroup hierarchy and returns every container it
// recognises with its cgroup counters filled in (metadata comes from a
// Runtime). Implementations: cgroup v1 and cgroup v2.
type ContainerFinder interface {
	Containers() ([]model.ContainerSample, error)
}

// Runtime names containers: it keeps, for each container id it knows, the
// static metadata from the runtime's API (name, image, labels, env, state,
// pid...). Lookups are cheap and never block on the network.
type Runtime interface {
	// Meta returns what is known about the container with this full id.
	Meta(id string) (Meta, bool)
	// Err is the runtime's last connection error, or nil.
	Err() error
	Close() error
}

// Meta is a container's static data from its runtime.
type Meta struct {
	Name         string
	Image        string
	State        string
	Labels       map[string]string
	Env          map[string]string
	PID          int
	NetworkMode  string
	RestartCount int
	Health       string
	Ports        []string
	Mounts       []string
	Created      int64 // unix seconds
}
