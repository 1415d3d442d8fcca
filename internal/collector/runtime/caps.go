package runtime

import (
	"context"
	"time"

	"github.com/ctop-like/ctop-like/internal/logs"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/shell"
)

// What a handler can do besides reading is each an interface of its own,
// as k9s's dao.Loggable, Restartable and Scalable are: a handler has the
// ones its engine offers, and whoever acts checks for them by assertion
// (Can, or h.(runtime.Restarter)). What no handler offers is done through
// the container's cgroup (actions.Cgroups: a signal to every process, the
// freezer; a shell entering its first process's namespaces; a log from
// the files its processes write): the way of the runtimes without an API
// ctop-like talks to — containerd, CRI-O, Mesos, raw cgroups.
//
// A new runtime with logs, a shell and actions is then its handler file:
// Handler, plus whichever of these its engine has.

// Stopper stops a container the engine's way (Docker: TERM, then KILL
// after its stop timeout).
type Stopper interface {
	Stop(ctx context.Context, id string) error
}

// Restarter restarts a container: only an engine can start it again.
type Restarter interface {
	Restart(ctx context.Context, id string) error
}

// Pauser freezes and thaws every process of a container.
type Pauser interface {
	Pause(ctx context.Context, id string) error
	Unpause(ctx context.Context, id string) error
}

// Killer sends a signal ("SIGTERM", "KILL", "9") to a container's main
// process.
type Killer interface {
	Kill(ctx context.Context, id, signal string) error
}

// Remover removes a stopped container and its log (`docker rm`); its
// image and volumes stay.
type Remover interface {
	Remove(ctx context.Context, id string) error
}

// Sheller runs a command (a shell) in a container on the terminal, as
// `docker exec -it` does, returning its exit code.
type Sheller interface {
	Shell(ctx context.Context, id string, cmd []string, t shell.Terminal) (int, error)
}

// Logger reads a container's log the engine's way (`docker logs`), a
// running or a stopped one; an error when the engine cannot be asked.
type Logger interface {
	Log(id string) (logs.Source, error)
}

// Finder finds a container the engine keeps by its full id, its name or
// an id prefix, running or not (a stopped one is listed only with -a):
// its full id and name, ok false when the engine knows none.
type Finder interface {
	Find(ctx context.Context, ref string) (id, name string, ok bool)
}

// Notifier tells f what its engine says happened to its containers
// (created, started, died with its exit code, OOM-killed…), from now on;
// a runtime without one is followed through its cgroups' counters.
type Notifier interface {
	Listen(f func(model.Event))
}

// Historian reads what its engine says happened between since and until
// (`docker events --since`), for --since.
type Historian interface {
	History(ctx context.Context, since, until time.Time) ([]model.Event, error)
}

// Titled names the engine in sentences ("Docker will stop container
// web"): "Docker", "Podman".
type Titled interface {
	Title() string
}

// Title is the handler's engine in sentences: its Title, else its Name.
func Title(h Handler) string {
	if t, ok := h.(Titled); ok {
		return t.Title()
	}
	return h.Name()
}

// Can is what can be done to a container of the handler h (nil: a
// runtime without one, Mesos or raw): each action its engine offers, and
// those its cgroup allows whatever the runtime (stop, pause, kill, a
// shell, its log). Only an engine restarts or removes a container.
func Can(h Handler) model.Caps {
	can := model.CanStop | model.CanPause | model.CanKill | model.CanShell | model.CanLog
	if _, ok := h.(Restarter); ok {
		can |= model.CanRestart
	}
	if _, ok := h.(Remover); ok {
		can |= model.CanRemove
	}
	return can
}
