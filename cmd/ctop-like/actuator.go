package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	neturl "net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/ctop-like/ctop-like/internal/actions"
	"github.com/ctop-like/ctop-like/internal/collector"
	"github.com/ctop-like/ctop-like/internal/collector/runtime/docker"
	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/monitor"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
	"github.com/ctop-like/ctop-like/internal/shell"
	"github.com/ctop-like/ctop-like/internal/termtext"
	"github.com/ctop-like/ctop-like/internal/views"
)

// actuator carries out the screen's actions in the way that fits each row:
// Docker and Podman containers through their own engine's API (the row's
// runtime picks the client), every other runtime's containers through
// their cgroup (signals to every process, the freezer), Marathon's apps and
// tasks through Marathon. No shell is involved in any of them; Shell opens
// one on purpose (`e`).
type actuator struct {
	local   *collector.Local      // this node's runtimes
	cluster monitor.ClusterSource // nil without -m
	cfg     orchestrator.Config   // Marathon's credentials and TLS
	cgroups func() (actions.Cgroups, error)
	self    func() actions.Self // ctop-like and the session it runs under; nil: not checked
}

var (
	_ views.Actuator = (*actuator)(nil)
	_ views.Sheller  = (*actuator)(nil)
)

// newActuator makes the screen's actuator for the node; nil when nothing
// may be acted on: --read-only, a replay, and a remote source (--cluster,
// --cadvisor), whose rows are not this node's to act on.
func newActuator(o *options, nd *node) views.Actuator {
	if o.readOnly || o.read != "" || nd == nil || nd.local == nil {
		return nil
	}
	x := &actuator{local: nd.local, cluster: nd.cluster,
		cgroups: func() (actions.Cgroups, error) { return actions.Locate(o.procRoot, o.cgroupRoot) },
		self:    actions.OwnSession}
	if p, ok := nd.cluster.(*orchestrator.Poller); ok {
		x.cfg = p.Config()
	}
	return x
}

// deed is an engine API call with its sentence.
type deed struct {
	text string
	do   func(ctx context.Context) error
}

func (d deed) Describe() string             { return d.text }
func (d deed) Do(ctx context.Context) error { return d.do(ctx) }

// engine is the Docker-API handler of a Docker or Podman row.
func (x *actuator) engine(runtime string) (*docker.Handler, error) {
	d, _ := x.local.Runtime(runtime).(*docker.Handler)
	if d == nil || d.ExecClient() == nil {
		return nil, fmt.Errorf("%s is not reachable from ctop-like (--%s-host)", runtime, runtime)
	}
	return d, nil
}

// Container implements views.Actuator.
func (x *actuator) Container(ref views.ContainerRef, verb, arg string) (actions.Deed, error) {
	if ref.Agent != "" {
		return nil, errors.New("containers of a remote source cannot be acted on from here")
	}
	name := ref.Name
	if name == "" {
		name = ref.ID
	}
	sig := syscall.SIGKILL
	if verb == "kill" && arg != "" {
		s, ok := signalNamed(arg)
		if !ok {
			return nil, fmt.Errorf("kill: unknown signal %q (TERM, KILL, HUP, INT, QUIT, USR1, USR2, STOP, CONT)", arg)
		}
		sig = s
	}
	if err := x.refuse(ref, verb, sig); err != nil {
		return nil, err
	}
	if views.HasAPI(ref.Runtime) {
		d, err := x.engine(ref.Runtime)
		if err != nil {
			return nil, err
		}
		engine := map[string]string{model.RuntimeDocker: "Docker", model.RuntimePodman: "Podman"}[ref.Runtime]
		id := ref.ID
		switch verb {
		case "stop":
			return deed{fmt.Sprintf("%s will stop container %s (TERM, then KILL after its stop timeout)", engine, name), func(ctx context.Context) error { return d.Stop(ctx, id) }}, nil
		case "restart":
			return deed{fmt.Sprintf("%s will restart container %s", engine, name), func(ctx context.Context) error { return d.Restart(ctx, id) }}, nil
		case "pause":
			return deed{fmt.Sprintf("%s will pause container %s (freeze all its processes)", engine, name), func(ctx context.Context) error { return d.Pause(ctx, id) }}, nil
		case "unpause":
			return deed{fmt.Sprintf("%s will unpause container %s", engine, name), func(ctx context.Context) error { return d.Unpause(ctx, id) }}, nil
		case "kill":
			sn := "SIG" + sigName(sig)
			return deed{fmt.Sprintf("%s will send %s to container %s", engine, sn, name), func(ctx context.Context) error { return d.Kill(ctx, id, sn) }}, nil
		case "remove":
			return deed{fmt.Sprintf("%s will remove stopped container %s (%s) and its log; its image and volumes stay", engine, name, id), func(ctx context.Context) error {
				return d.Client().ContainerRemove(ctx, id, container.RemoveOptions{})
			}}, nil
		}
		return nil, fmt.Errorf("%s containers have no %q action", engine, verb)
	}
	if ref.Cgroup == "" {
		return nil, fmt.Errorf("container %s: its cgroup is unknown", name)
	}
	c, err := x.cgroups()
	if err != nil {
		return nil, fmt.Errorf("cgroup mounts: %w", err)
	}
	switch verb {
	case "stop":
		return c.Stop(ref.Cgroup, name, 10*time.Second), nil
	case "kill":
		return c.Signal(ref.Cgroup, name, sig), nil
	case "pause":
		return c.Pause(ref.Cgroup, name), nil
	case "unpause":
		return c.Resume(ref.Cgroup, name), nil
	case "restart":
		return nil, fmt.Errorf("a %s container cannot be restarted from here: ctop-like talks to no %s API (its scheduler restarts it)", ref.Runtime, ref.Runtime)
	}
	return nil, fmt.Errorf("%s containers have no %q action", ref.Runtime, verb)
}

// refuse says why verb must not be done to the container: its cgroup holds
// ctop-like or the session it runs under (actions.Cgroups.Refuse), for
// every runtime (ctop-like may run in a Docker container).
func (x *actuator) refuse(ref views.ContainerRef, verb string, sig syscall.Signal) error {
	if ref.Cgroup == "" || x.self == nil {
		return nil
	}
	c, err := x.cgroups()
	if err != nil {
		return nil // the action itself says the mounts cannot be read
	}
	return c.Refuse(ref.Cgroup, verb, sig, x.self())
}

// Marathon implements views.Actuator: the Marathon the cluster state came
// from, with the credentials given for it and nowhere else.
func (x *actuator) Marathon(ref views.MarathonRef, verb string, n int) (actions.Deed, error) {
	// Refused before a confirmation is asked: ids a proxy would resolve
	// to another app's path.
	if ref.Task != "" {
		if err := actions.CheckTaskID(ref.Task); err != nil {
			return nil, err
		}
	} else if err := actions.CheckAppID(ref.App); err != nil {
		return nil, err
	}
	var c *model.Cluster
	if x.cluster != nil {
		c = x.cluster.Latest()
	}
	if c == nil || !c.HasMarathon || c.Marathon == "" {
		return nil, errors.New("Marathon has not answered: no Marathon to act through (-m)")
	}
	m, err := x.marathon(c.Marathon)
	if err != nil {
		return nil, err
	}
	app := actions.App{ID: ref.App, Instances: ref.Instances}
	if ref.Task != "" {
		for _, a := range c.Apps {
			for _, t := range a.TaskIDs {
				if t == ref.Task {
					app.ID = a.ID
				}
			}
		}
		if app.ID == "" {
			return nil, fmt.Errorf("task %s belongs to no Marathon app that Marathon listed", ref.Task)
		}
	}
	if app.Instances < 0 {
		for _, a := range c.Apps {
			if a.ID == app.ID {
				app.Instances = a.Instances
			}
		}
	}
	if err := actions.CheckAppID(app.ID); err != nil {
		return nil, err // the app a task id was found under
	}
	switch verb {
	case "restart":
		return m.Restart(app), nil
	case "scale":
		return m.Scale(app, n), nil
	case "suspend":
		return m.Suspend(app), nil
	case "kill":
		return m.KillTask(app, ref.Task, false), nil
	case "kill-scale":
		return m.KillTask(app, ref.Task, true), nil
	}
	return nil, fmt.Errorf("Marathon has no %q action", verb)
}

// marathon is the client of the Marathon at base: the user:password of the
// -m URL that names it (DCOS_ACS_TOKEN instead when set); one discovered
// from Mesos gets no credentials, as the poller gives it none.
func (x *actuator) marathon(base string) (*actions.Marathon, error) {
	tlsCfg, err := httpapi.TLSConfig(x.cfg.Insecure, x.cfg.CACert)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsCfg
	m := &actions.Marathon{URL: base, Client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
	for i, raw := range x.cfg.URLs {
		if i == 0 {
			continue
		}
		u, err := neturl.Parse(withScheme(strings.TrimSpace(raw)))
		if err != nil || u.User == nil {
			if err == nil && sameBase(u, base) {
				m.Token = x.cfg.Token
			}
			continue
		}
		if !sameBase(u, base) {
			continue
		}
		m.User = u.User.Username()
		m.Password, _ = u.User.Password()
		if _, has := u.User.Password(); !has {
			m.Password = x.cfg.Password
		}
		m.Token = x.cfg.Token
	}
	return m, nil
}

func withScheme(raw string) string {
	if !strings.Contains(raw, "://") {
		return "http://" + raw
	}
	return raw
}

// sameBase says whether a -m URL names the Marathon at base (the shown URL
// the poller reports: no user, no trailing slash).
func sameBase(u *neturl.URL, base string) bool {
	c := *u
	c.User = nil
	c.RawQuery, c.Fragment = "", ""
	c.Path = strings.TrimSuffix(c.Path, "/")
	c.RawPath = ""
	return c.String() == strings.TrimSuffix(base, "/")
}

// Shell implements views.Sheller: Docker and Podman through their exec
// API, every other runtime by entering the namespaces of the container's
// first process. It runs on the controlling terminal while the screen is
// suspended.
func (x *actuator) Shell(ctx context.Context, ref views.ContainerRef) error {
	if ref.Agent != "" {
		return errors.New("a shell opens only in this node's containers")
	}
	name := ref.Name
	if name == "" {
		name = ref.ID
	}
	var d *docker.Handler
	if views.HasAPI(ref.Runtime) {
		var err error
		if d, err = x.engine(ref.Runtime); err != nil {
			return err
		}
		// Stopped since the last refresh: said plainly, rather than as
		// the engine's 409 that names the whole id twice.
		if info, err := d.ExecClient().ContainerInspect(ctx, ref.ID); err == nil && info.ContainerJSONBase != nil && info.State != nil && !info.State.Running {
			return fmt.Errorf("container %s is %s (exit code %d): a shell needs a running container; l shows its log",
				termtext.Line(name, 80), info.State.Status, info.State.ExitCode)
		}
	} else if ref.PID <= 0 {
		return fmt.Errorf("container %s: no process of it is known to enter", name)
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("no terminal: %w", err)
	}
	defer tty.Close()
	fmt.Fprintf(tty, "\r\nctop-like: a shell in %s (%s); exit to come back.\r\n", termtext.Line(name, 80), ref.Runtime)
	t := shell.Terminal{In: tty, Out: tty}
	if d != nil {
		_, err = shell.Exec(ctx, d.ExecClient(), ref.ID, []string{"/bin/sh"}, t)
		return err
	}
	c, err := x.cgroups()
	if err != nil {
		return fmt.Errorf("cgroup mounts: %w", err)
	}
	_, err = shell.Enter(ctx, c.Mounts, ref.PID, "/bin/sh", t)
	return err
}

// Signal sends a signal to a process.
func (x *actuator) Signal(pid int, sig syscall.Signal) error {
	if err := syscall.Kill(pid, sig); err != nil {
		return fmt.Errorf("signal %v to %d: %w", sig, pid, err)
	}
	return nil
}

// Renice sets a process's nice value.
func (x *actuator) Renice(pid, nice int) error {
	if err := syscall.Setpriority(syscall.PRIO_PROCESS, pid, nice); err != nil {
		return fmt.Errorf("renice %d to %d: %w", pid, nice, err)
	}
	return nil
}

// signals are the names `:kill SIGNAL` takes, with or without SIG.
var signals = map[string]syscall.Signal{
	"TERM": syscall.SIGTERM, "KILL": syscall.SIGKILL, "HUP": syscall.SIGHUP, "INT": syscall.SIGINT,
	"QUIT": syscall.SIGQUIT, "USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2, "STOP": syscall.SIGSTOP,
	"CONT": syscall.SIGCONT,
}

func signalNamed(s string) (syscall.Signal, bool) {
	sig, ok := signals[strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "SIG")]
	return sig, ok
}

func sigName(sig syscall.Signal) string {
	for n, s := range signals {
		if s == sig {
			return n
		}
	}
	return fmt.Sprint(int(sig))
}
