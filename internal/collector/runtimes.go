package collector

import (
	"context"

	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/collector/runtime/containerd"
	"github.com/ctop-like/ctop-like/internal/collector/runtime/crio"
	"github.com/ctop-like/ctop-like/internal/collector/runtime/docker"
	"github.com/ctop-like/ctop-like/internal/collector/runtime/podman"
)

// factory opens one runtime's handler with the option of the
// configuration that names its engine; nil when the option disables it
// ("none"). An engine that is not on this node costs its handler a stat
// now and then, and shows no error.
type factory func(ctx context.Context, cfg Config) runtime.Handler

// factories holds every runtime with a handler, in the order a container
// id that two of them know is offered (Docker's containers are also
// containerd's, in its moby namespace, which that handler leaves out).
// Adding a runtime is its package under runtime/ and a line here.
var factories = []factory{
	func(ctx context.Context, cfg Config) runtime.Handler {
		return docker.Open(ctx, cfg.DockerHost)
	},
	func(ctx context.Context, cfg Config) runtime.Handler {
		return podman.Open(ctx, cfg.PodmanHost)
	},
	func(ctx context.Context, cfg Config) runtime.Handler {
		return containerd.Open(ctx, cfg.ContainerdAddress)
	},
	func(ctx context.Context, cfg Config) runtime.Handler {
		return crio.Open(ctx, cfg.CRIOAddress)
	},
}

// runtimes is the set of handlers a Local names its containers through.
type runtimes struct {
	list []runtime.Handler
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
func (r *runtimes) get(name string) runtime.Handler {
	var first runtime.Handler
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
