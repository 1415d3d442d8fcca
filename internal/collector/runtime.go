package collector

import (
	"context"
	"os"
	"strings"
	"time"
)

// Runtime is one container engine's handler, the way cAdvisor plugs in
// container kinds: Local finds containers by their cgroups and asks the
// handler of the cgroup's runtime what they are, so that it never knows
// which engine it talks to. A handler keeps what its engine says current
// from a list at start and the engine's event stream after (or fetches a
// container once, when its cgroup first appears), so that every method is
// a map lookup that never waits on the network.
type Runtime interface {
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
	Env          map[string]string
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

// factory opens one runtime's handler as the configuration says; nil when
// the configuration disables it. An engine that is not on this node costs
// its handler a stat now and then, and shows no error.
type factory func(ctx context.Context, cfg Config) Runtime

// factories holds every runtime with a handler, in the order a container
// id that two of them know is offered (Docker's containers are also
// containerd's, in its moby namespace, which that handler leaves out).
var factories = []factory{openDocker, openPodman, openContainerd, openCRIO}

// runtimes is the set of handlers a Local names its containers through.
type runtimes struct {
	list []Runtime
}

func openRuntimes(ctx context.Context, cfg Config) *runtimes {
	r := &runtimes{}
	for _, open := range factories {
		if h := open(ctx, cfg); h != nil {
			r.list = append(r.list, h)
		}
	}
	return r
}

// get is the handler that names the containers of the runtime with this
// name now, nil when none does: a handler's name is what its engine says
// it is (Podman behind --docker-host names Podman's containers), and of
// two handlers of one name the first whose engine answers is taken.
func (r *runtimes) get(name string) Runtime {
	var first Runtime
	n := 0
	for _, h := range r.list {
		if h.Name() == name {
			if first == nil {
				first = h
			}
			n++
		}
	}
	if n < 2 {
		return first
	}
	for _, h := range r.list {
		if h.Name() == name && h.Err() == nil {
			if rd, ok := h.(interface{ Ready() bool }); !ok || rd.Ready() {
				return h
			}
		}
	}
	return first
}

// claim recognises a cgroup no shape names through the handlers.
func (r *runtimes) claim(cgroup string) (id, runtime string, ok bool) {
	for _, h := range r.list {
		if id, ok := h.Claim(cgroup); ok {
			return id, h.Name(), true
		}
	}
	return "", "", false
}

// waitReady waits for every handler's first list, all within ctx.
func (r *runtimes) waitReady(ctx context.Context) {
	for _, h := range r.list {
		_ = h.WaitReady(ctx)
	}
}

func (r *runtimes) close() error {
	var first error
	for _, h := range r.list {
		if err := h.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// socketAddress is the socket a runtime's address option names ("/x.sock"
// or "unix:///x.sock"; "" for def): quiet when the user named none, so
// that an engine not installed is no error; ok false for "none", which
// disables the runtime.
func socketAddress(option, def string) (addr string, quiet, ok bool) {
	switch option {
	case "none":
		return "", false, false
	case "":
		return def, true, true
	}
	return strings.TrimPrefix(option, "unix://"), false, true
}

// socketPath is the file behind a unix socket address ("unix:///x.sock"
// or "/x.sock"), "" for other addresses.
func socketPath(addr string) string {
	if p, ok := strings.CutPrefix(addr, "unix://"); ok {
		return p
	}
	if strings.HasPrefix(addr, "/") {
		return addr
	}
	return ""
}

// socketMissing says whether addr is a unix socket whose file does not
// exist: the engine is not installed or not started, which is no error
// for an engine the user did not name.
func socketMissing(addr string) bool {
	p := socketPath(addr)
	if p == "" {
		return false
	}
	_, err := os.Stat(p)
	return err != nil
}
