// Package runtime is what a container engine's handler is to the
// collector: the Handler interface, the Meta it answers with, and what the
// handlers of engines reached through a socket share (the reconnecting
// session, the socket options). Each engine's handler is a package below
// (docker, podman, containerd, crio); the collector's Local opens them
// from its factory list and never knows which engine it talks to.
package runtime

import (
	"context"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// Handler is one container engine's handler, the way cAdvisor plugs in
// container kinds: Local finds containers by their cgroups and asks the
// handler of the cgroup's runtime what they are, so that it never knows
// which engine it talks to. A handler keeps what its engine says current
// from a list at start and the engine's event stream after (or fetches a
// container once, when its cgroup first appears), so that every method is
// a map lookup that never waits on the network.
type Handler interface {
	// Name is the runtime column's value for the handler's containers
	// (model.RuntimeDocker...).
	Name() string
	// Claim recognises a cgroup that no path shape names (containerd's
	// `ctr run` makes /<namespace>/<id>) by what the engine said of its
	// containers: the container id, or ok false.
	Claim(cgroup string) (id string, ok bool)
	// Meta is what the engine says of the container with this full id
	// whose cgroup is cgroup ("" when it has none now). The cgroup tells
	// apart containers of one id in two of containerd's namespaces; the
	// other engines' ids are unique and they ignore it. Its maps and
	// slices are shared: read them, do not change them.
	Meta(id, cgroup string) (Meta, bool)
	// Stopped lists the containers the engine keeps that run no process
	// (exited, created, dead, restarting), for -a.
	Stopped() []Meta
	// Err is the handler's last error worth showing, or nil (also while
	// its engine is simply not installed on this node).
	Err() error
	// WaitReady waits until the first list is in (nil), the first attempt
	// to reach the engine failed (its error) or ctx ends, so that batch
	// mode names containers from its first line.
	WaitReady(ctx context.Context) error
	// Close stops the handler's watcher and waits for it.
	Close() error
}

// Meta is a container's static data from its runtime.
type Meta struct {
	ID string
	// Namespace is the container's containerd namespace ("" for other
	// runtimes): with ID, its key (model.ContainerKey).
	Namespace    string
	Name         string
	Image        string
	State        string
	Labels       map[string]string
	Env          model.Env
	PID          int
	NetworkMode  string
	RestartCount int
	Health       string
	Ports        []string
	Wants        []string // ports of the node it needs to bind (model.ContainerSample.Wants)
	Mounts       []string
	Created      int64 // unix seconds
	// ExitCode is the last exit code of a container that is not running
	// (nil while it runs or when the engine does not say).
	ExitCode *int
	// OOMKilled says the kernel's OOM killer ended its last run.
	OOMKilled bool
	// StateSince is when the current state began (zero: unknown).
	StateSince time.Time
	// StartedAt is when its last run began (zero: unknown).
	StartedAt time.Time
	// LogPath is the file its runtime writes its log to in the CRI's
	// format (CRI-O's log_path, containerd's CRI metadata); "" when the
	// runtime does not say.
	LogPath string
	// Sandbox says the engine knows it as a Kubernetes pod's pause
	// container (labels say so for containerd and cri-dockerd).
	Sandbox bool
}

// Runs says whether a container in this state has processes (and so a
// cgroup the finder lists).
func Runs(state string) bool { return state == "running" || state == "paused" }
