// Package actuator carries out the views' actions on this node: each
// container's through what its runtime's handler can do (the capability
// interfaces of collector/runtime, found by assertion), else through its
// cgroup (a signal to every process, the freezer, its namespaces), and
// Marathon's apps and tasks through Marathon. No shell is involved in any
// of them; Shell opens one on purpose (`e`). It names no runtime: a new
// one acts through whatever its handler implements.
package actuator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/ctop-like/ctop-like/internal/actions"
	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/monitor"
	"github.com/ctop-like/ctop-like/internal/shell"
	"github.com/ctop-like/ctop-like/internal/termtext"
	"github.com/ctop-like/ctop-like/internal/views"
)

// Actuator implements views.Actuator and views.Sheller for this node.
type Actuator struct {
	// Runtime is the handler of a runtime by its name (collector.Local's
	// Runtime); nil for one without (Mesos, raw) or not opened.
	Runtime func(name string) runtime.Handler
	// Cluster is the orchestrator's state, nil without -m.
	Cluster monitor.ClusterSource
	// MarathonWriter is what writes to the Marathon at a shown URL (its client
	// and endpoint with credentials, orchestrator.Poller.MarathonWriter);
	// nil without -m.
	MarathonWriter func(base string) (*httpapi.Client, *httpapi.Endpoint, error)
	// Cgroups are this node's cgroup mounts (actions.Locate).
	Cgroups func() (actions.Cgroups, error)
	// Self is ctop-like and the session it runs under, which no action
	// may reach; nil: not checked.
	Self func() actions.Self
}

var (
	_ views.Actuator = (*Actuator)(nil)
	_ views.Sheller  = (*Actuator)(nil)
)

// StopTimeout is how long a container stopped through its cgroup has
// between SIGTERM and SIGKILL, as `docker stop`'s default.
const StopTimeout = 10 * time.Second

// deed is a handler's call with its sentence.
type deed struct {
	text string
	do   func(ctx context.Context) error
}

func (d deed) Describe() string             { return d.text }
func (d deed) Do(ctx context.Context) error { return d.do(ctx) }

// handler is the handler of the runtime, nil when it has none.
func (x *Actuator) handler(name string) runtime.Handler {
	if x.Runtime == nil {
		return nil
	}
	return x.Runtime(name)
}

// Container implements views.Actuator: verb through the runtime's handler
// where it can, else through the container's cgroup.
func (x *Actuator) Container(ref views.ContainerRef, verb, arg string) (actions.Deed, error) {
	if ref.Agent != "" {
		return nil, errors.New("containers of a remote source cannot be acted on from here")
	}
	name := refName(ref)
	sig := syscall.SIGKILL
	if verb == "kill" && arg != "" {
		s, ok := SignalNamed(arg)
		if !ok {
			return nil, fmt.Errorf("kill: unknown signal %q (TERM, KILL, HUP, INT, QUIT, USR1, USR2, STOP, CONT)", arg)
		}
		sig = s
	}
	if err := x.refuse(ref, verb, sig); err != nil {
		return nil, err
	}
	h := x.handler(ref.Runtime)
	if d, ok := engineDeed(h, verb, ref.ID, name, sig); ok {
		return d, nil
	}
	return x.cgroupDeed(ref, verb, name, sig)
}

// engineDeed is verb done by the handler's engine, ok false when the
// handler cannot do it.
func engineDeed(h runtime.Handler, verb, id, name string, sig syscall.Signal) (actions.Deed, bool) {
	if h == nil {
		return nil, false
	}
	engine := runtime.Title(h)
	say := func(format string) string { return fmt.Sprintf(format, engine, name) }
	switch verb {
	case "stop":
		if s, ok := h.(runtime.Stopper); ok {
			return deed{say("%s will stop container %s (TERM, then KILL after its stop timeout)"), func(ctx context.Context) error { return s.Stop(ctx, id) }}, true
		}
	case "restart":
		if r, ok := h.(runtime.Restarter); ok {
			return deed{say("%s will restart container %s"), func(ctx context.Context) error { return r.Restart(ctx, id) }}, true
		}
	case "pause":
		if p, ok := h.(runtime.Pauser); ok {
			return deed{say("%s will pause container %s (freeze all its processes)"), func(ctx context.Context) error { return p.Pause(ctx, id) }}, true
		}
	case "unpause":
		if p, ok := h.(runtime.Pauser); ok {
			return deed{say("%s will unpause container %s"), func(ctx context.Context) error { return p.Unpause(ctx, id) }}, true
		}
	case "remove":
		if r, ok := h.(runtime.Remover); ok {
			return deed{fmt.Sprintf("%s will remove stopped container %s (%s) and its log; its image and volumes stay", engine, name, id), func(ctx context.Context) error { return r.Remove(ctx, id) }}, true
		}
	case "kill":
		if k, ok := h.(runtime.Killer); ok {
			sn := "SIG" + SignalName(sig)
			return deed{fmt.Sprintf("%s will send %s to container %s", engine, sn, name), func(ctx context.Context) error { return k.Kill(ctx, id, sn) }}, true
		}
	}
	return nil, false
}

// cgroupDeed is verb done through the container's cgroup: what a runtime
// without an API ctop-like talks to offers.
func (x *Actuator) cgroupDeed(ref views.ContainerRef, verb, name string, sig syscall.Signal) (actions.Deed, error) {
	switch verb {
	case "stop", "kill", "pause", "unpause":
	case "restart", "remove":
		return nil, fmt.Errorf("a %s container cannot be %s from here: ctop-like talks to no %s API (its scheduler restarts it)", ref.Runtime, map[string]string{"restart": "restarted", "remove": "removed"}[verb], ref.Runtime)
	default:
		return nil, fmt.Errorf("%s containers have no %q action", ref.Runtime, verb)
	}
	if ref.Cgroup == "" {
		return nil, fmt.Errorf("container %s: its cgroup is unknown", name)
	}
	c, err := x.Cgroups()
	if err != nil {
		return nil, fmt.Errorf("cgroup mounts: %w", err)
	}
	switch verb {
	case "stop":
		return c.Stop(ref.Cgroup, name, StopTimeout), nil
	case "kill":
		return c.Signal(ref.Cgroup, name, sig), nil
	case "pause":
		return c.Pause(ref.Cgroup, name), nil
	}
	return c.Resume(ref.Cgroup, name), nil
}

// refuse says why verb must not be done to the container: its cgroup holds
// ctop-like or the session it runs under (actions.Cgroups.Refuse), for
// every runtime (ctop-like may run in a Docker container).
func (x *Actuator) refuse(ref views.ContainerRef, verb string, sig syscall.Signal) error {
	if ref.Cgroup == "" || x.Self == nil || x.Cgroups == nil {
		return nil
	}
	c, err := x.Cgroups()
	if err != nil {
		return nil // the action itself says the mounts cannot be read
	}
	return c.Refuse(ref.Cgroup, verb, sig, x.Self())
}

func refName(ref views.ContainerRef) string {
	if ref.Name != "" {
		return ref.Name
	}
	return ref.ID
}

// Shell implements views.Sheller: through the handler's own exec where it
// has one (Docker's, Podman's API), else by entering the namespaces of the
// container's first process. It runs on the controlling terminal while
// the screen is suspended.
func (x *Actuator) Shell(ctx context.Context, ref views.ContainerRef) error {
	if ref.Agent != "" {
		return errors.New("a shell opens only in this node's containers")
	}
	name := refName(ref)
	h := x.handler(ref.Runtime)
	if err := notRunning(h, ref, name); err != nil {
		return err
	}
	sh, engine := h.(runtime.Sheller)
	if !engine && ref.PID <= 0 {
		return fmt.Errorf("container %s: no process of it is known to enter", name)
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("no terminal: %w", err)
	}
	defer tty.Close()
	fmt.Fprintf(tty, "\r\nctop-like: a shell in %s (%s); exit to come back.\r\n", termtext.Line(name, 80), ref.Runtime)
	t := shell.Terminal{In: tty, Out: tty}
	if engine {
		_, err = sh.Shell(ctx, ref.ID, []string{"/bin/sh"}, t)
		return err
	}
	c, err := x.Cgroups()
	if err != nil {
		return fmt.Errorf("cgroup mounts: %w", err)
	}
	_, err = shell.Enter(ctx, c.Mounts, ref.PID, "/bin/sh", t)
	return err
}

// notRunning says, before any terminal is touched, that a container its
// runtime knows has stopped since the last refresh (a shell needs its
// processes), rather than the engine's 409 naming the whole id twice.
func notRunning(h runtime.Handler, ref views.ContainerRef, name string) error {
	if h == nil {
		return nil
	}
	m, ok := h.Meta(ref.ID, ref.Cgroup)
	if !ok || m.State == "" || runtime.Runs(m.State) {
		return nil
	}
	what := m.State
	if m.ExitCode != nil {
		what = fmt.Sprintf("%s (exit code %d)", m.State, *m.ExitCode)
	}
	return fmt.Errorf("container %s is %s: a shell needs a running container; l shows its log", termtext.Line(name, 80), what)
}

// Signal implements views.Actuator: a signal to a process.
func (x *Actuator) Signal(pid int, sig syscall.Signal) error {
	if err := syscall.Kill(pid, sig); err != nil {
		return fmt.Errorf("signal %v to %d: %w", sig, pid, err)
	}
	return nil
}

// Renice implements views.Actuator: a process's nice value.
func (x *Actuator) Renice(pid, nice int) error {
	if err := syscall.Setpriority(syscall.PRIO_PROCESS, pid, nice); err != nil {
		return fmt.Errorf("renice %d to %d: %w", pid, nice, err)
	}
	return nil
}
