// Package docker is the handler of the engines that speak Docker's API:
// dockerd, and Podman's compatible service (../podman opens it there).
package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"

	"github.com/ctop-like/ctop-like/internal/collector/ports"
	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/model"
)

// dockerCallTimeout bounds one list or inspect call so a hung daemon
// shows up as an error instead of a silent stall.
const dockerCallTimeout = 10 * time.Second

// Handler is the handler of an engine that speaks Docker's API — dockerd,
// and Podman's compatible service: it keeps the static metadata of every
// container, fed by one list at start and the events stream after, so that
// a refresh only does map lookups and never waits on the engine.
type Handler struct {
	conn    runtime.Reconnector // Address is the daemon's host (unix:///var/run/docker.sock)
	runtime string              // model.RuntimeDocker or model.RuntimePodman, as configured
	cli     *client.Client
	// engine is what the engine said it is when a session asked (Podman
	// answers on Docker's API too, behind --docker-host): Name's answer.
	engine atomic.Pointer[string]

	// heard is told each event the engine's stream says happened to a
	// container (the events timeline's Push); nil: no one listens.
	heard atomic.Pointer[func(model.Event)]
	// lag is CatchUp's: told after each exit.
	lag runtime.Lag
	// resume is where a new session's stream starts (what it missed).
	resume resume

	mu      sync.RWMutex
	metas   map[string]runtime.Meta
	stopped []runtime.Meta // metas that run nothing, rebuilt when metas change
	dirty   bool
}

var _ runtime.Handler = (*Handler)(nil)

// DefaultHost is where Docker is looked for when neither --docker-host
// nor DOCKER_HOST names it.
var DefaultHost = client.DefaultDockerHost

// Open is Docker's factory: host (--docker-host), else DOCKER_HOST or the
// local socket; "none" disables it. A node without Docker by design
// (containerd or CRI-O only) has no socket at the default place: that is
// no error, while a named Docker that is absent is.
func Open(ctx context.Context, host string) runtime.Handler {
	if host == "none" {
		return nil
	}
	if host == "" && os.Getenv("DOCKER_HOST") == "" {
		return NewEngine(ctx, model.RuntimeDocker, DefaultHost, true, client.FromEnv)
	}
	return New(ctx, host)
}

// New connects to host ("" means DOCKER_HOST or the local socket) in the
// background and returns at once; Err tells whether it works yet. The
// watcher stops with ctx or Close.
func New(ctx context.Context, host string) *Handler {
	return NewEngine(ctx, model.RuntimeDocker, host, false, client.FromEnv)
}

// NewEngine starts the handler of a Docker-API engine named name
// (model.RuntimeDocker, model.RuntimePodman) at host; env reads the
// engine's variables (Docker's DOCKER_*), quiet says an absent socket is
// not an error.
func NewEngine(ctx context.Context, name, host string, quiet bool, env client.Opt) *Handler {
	d := &Handler{runtime: name, metas: map[string]runtime.Meta{}}
	ctx = d.conn.Start(ctx, quiet)
	opts := []client.Opt{env, client.WithAPIVersionNegotiation()}
	if host != "" {
		opts = append(opts, client.WithHost(host))
	}
	cli, err := client.NewClientWithOpts(opts...)
	if err != nil {
		d.conn.Fail(fmt.Errorf("%s %s: %w", name, host, err))
		return d
	}
	d.cli = cli
	d.conn.Address = cli.DaemonHost() // host, or what DOCKER_HOST or the default gives
	// The session dials the daemon itself and its error says why it
	// failed; a knock only cuts the backoff after it short.
	go d.conn.Loop(ctx, d.session, func() error { return knock(d.conn.Address) }, false)
	return d
}

// Name implements runtime.Handler: the runtime the engine says it is, once it
// said; until then the one it was opened as.
func (d *Handler) Name() string {
	if e := d.engine.Load(); e != nil {
		return *e
	}
	return d.runtime
}

// Claim implements runtime.Handler: the engine's cgroups all have their shape.
func (d *Handler) Claim(string) (string, bool) { return "", false }

// Stopped implements runtime.Handler.
func (d *Handler) Stopped() []runtime.Meta {
	d.mu.RLock()
	if !d.dirty {
		defer d.mu.RUnlock()
		return d.stopped
	}
	d.mu.RUnlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dirty {
		d.stopped = d.stopped[:0:0]
		for _, m := range d.metas {
			if !runtime.Runs(m.State) {
				d.stopped = append(d.stopped, m)
			}
		}
		sort.Slice(d.stopped, func(i, j int) bool { return d.stopped[i].ID < d.stopped[j].ID })
		d.dirty = false
	}
	return d.stopped
}

// Meta returns the metadata of the container with this full id (an
// engine's ids are unique: the cgroup is not needed). Its maps and slices
// are shared: read them, do not change them.
func (d *Handler) Meta(id, _ string) (runtime.Meta, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	m, ok := d.metas[id]
	return m, ok
}

// Err implements runtime.Handler: the last connection error, nil while
// connected.
func (d *Handler) Err() error { return d.conn.Err() }

// Ready reports whether the first full list of containers has arrived.
func (d *Handler) Ready() bool { return d.conn.Ready() }

// WaitReady implements runtime.Handler.
func (d *Handler) WaitReady(ctx context.Context) error { return d.conn.WaitReady(ctx) }

// Close stops the watcher and waits for it.
func (d *Handler) Close() error {
	d.conn.Stop()
	if d.cli != nil {
		return d.cli.Close()
	}
	return nil
}

// Stop stops the container (SIGTERM, then SIGKILL after its stop timeout).
func (d *Handler) Stop(ctx context.Context, id string) error {
	return d.do("stop", id, func() error { return d.cli.ContainerStop(ctx, id, container.StopOptions{}) })
}

// Restart stops and starts the container again.
func (d *Handler) Restart(ctx context.Context, id string) error {
	return d.do("restart", id, func() error { return d.cli.ContainerRestart(ctx, id, container.StopOptions{}) })
}

// Pause freezes every process of the container.
func (d *Handler) Pause(ctx context.Context, id string) error {
	return d.do("pause", id, func() error { return d.cli.ContainerPause(ctx, id) })
}

// Unpause thaws a paused container.
func (d *Handler) Unpause(ctx context.Context, id string) error {
	return d.do("unpause", id, func() error { return d.cli.ContainerUnpause(ctx, id) })
}

// Kill sends signal ("KILL", "SIGTERM", "9"...; "" is KILL) to the
// container's main process.
func (d *Handler) Kill(ctx context.Context, id, signal string) error {
	return d.do("kill", id, func() error { return d.cli.ContainerKill(ctx, id, signal) })
}

// do runs one action and names it and the container in the error.
func (d *Handler) do(verb, id string, f func() error) error {
	err := d.unreachable()
	if d.cli != nil {
		err = f()
	}
	if err != nil {
		return fmt.Errorf("%s %s %s: %w", d.Name(), verb, model.ShortID(id), d.inItsWords(err))
	}
	return nil
}

// knock checks that something listens at a daemon's address (nil): a
// bare connect, closed at once. An API Ping through the client every knock cost
// about 1 ms of CPU each (24 ms a second) for a runtime whose socket is
// not there — Podman installed without its service is the common case —
// where a refused or missing socket costs microseconds. The session that
// follows a successful knock finds out whether it is really the daemon.
func knock(host string) error {
	network, addr := "unix", strings.TrimPrefix(host, "unix://")
	if strings.HasPrefix(host, "tcp://") || strings.HasPrefix(host, "http://") || strings.HasPrefix(host, "https://") {
		u, err := url.Parse(host)
		if err != nil {
			return nil // let the session say what is wrong
		}
		network, addr = "tcp", u.Host
	} else if strings.Contains(host, "://") && !strings.HasPrefix(host, "unix://") {
		return nil // a scheme a bare connect cannot try (ssh, npipe): the session does
	}
	c, err := net.DialTimeout(network, addr, runtime.Knock)
	if err != nil {
		return err
	}
	return c.Close()
}

// session subscribes to container events, lists and inspects every
// container, then applies events until the stream breaks. connected says
// whether the list succeeded.
func (d *Handler) session(ctx context.Context) (connected bool, err error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Subscribe first so that nothing that happens during the list is
	// lost, from the last event seen so that nothing that happened while
	// no stream was read is either.
	subscribed := time.Now()
	msgs, errs := d.cli.Events(sctx, events.ListOptions{
		Since:   d.resume.since(),
		Filters: filters.NewArgs(filters.Arg("type", string(events.ContainerEventType))),
	})
	if err := d.list(sctx); err != nil {
		return false, err
	}
	d.resume.listed(subscribed)
	d.conn.Listed()
	d.identify(sctx)
	for {
		select {
		case m := <-msgs:
			d.apply(sctx, m)
		case err := <-errs:
			if err == nil {
				err = errors.New("events stream closed")
			}
			return true, d.wrap("events", err)
		}
	}
}

// podmanComponent is the name Podman gives itself among the components of
// its answer to the Docker API's GET /version.
const podmanComponent = "Podman Engine"

// identify asks an engine opened as Docker what it is (GET /version):
// Podman serves Docker's API too, and its containers are Podman's
// whichever option named its socket. It runs after the first list, which
// it does not delay (Podman's answer runs conmon and its OCI runtime for
// their versions: a second on a loaded node). An engine that does not say
// keeps the name it was opened with.
func (d *Handler) identify(ctx context.Context) {
	if d.runtime != model.RuntimeDocker {
		return
	}
	vctx, cancel := context.WithTimeout(ctx, dockerCallTimeout)
	defer cancel()
	v, err := d.cli.ServerVersion(vctx)
	if err != nil {
		return
	}
	name := model.RuntimeDocker
	for _, c := range v.Components {
		if c.Name == podmanComponent {
			name = model.RuntimePodman
		}
	}
	d.engine.Store(&name)
}

// list replaces the known containers with a fresh list and inspection.
func (d *Handler) list(ctx context.Context) error {
	lctx, cancel := context.WithTimeout(ctx, dockerCallTimeout)
	defer cancel()
	cs, err := d.cli.ContainerList(lctx, container.ListOptions{All: true})
	if err != nil {
		return d.wrap("list containers", err)
	}
	metas := make(map[string]runtime.Meta, len(cs))
	for _, c := range cs {
		m, err := d.inspect(ctx, c.ID)
		if cerrdefs.IsNotFound(err) {
			continue // removed since the list
		}
		if err != nil {
			return err
		}
		metas[c.ID] = m
	}
	d.mu.Lock()
	d.metas = metas
	d.dirty = true
	d.mu.Unlock()
	return nil
}

func (d *Handler) inspect(ctx context.Context, id string) (runtime.Meta, error) {
	ictx, cancel := context.WithTimeout(ctx, dockerCallTimeout)
	defer cancel()
	r, err := d.cli.ContainerInspect(ictx, id)
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return runtime.Meta{}, err
		}
		return runtime.Meta{}, d.wrap("inspect "+model.ShortID(id), err)
	}
	return metaFromInspect(r), nil
}

// apply updates one container after an event that may change its
// metadata.
func (d *Handler) apply(ctx context.Context, m events.Message) {
	id := m.Actor.ID
	if m.Type != events.ContainerEventType || id == "" || !d.resume.first(m) {
		return
	}
	action := string(m.Action)
	if i := strings.IndexByte(action, ':'); i >= 0 {
		action = action[:i] // "health_status: healthy"
	}
	if f := d.heard.Load(); f != nil {
		if e, ok := d.event(m, action); ok {
			(*f)(e)
		}
	}
	if kind := eventKinds[action]; kind == "died" {
		// Told: CatchUp waits no more for it, even before its inspection.
		d.mu.Lock()
		if meta, ok := d.metas[id]; ok {
			meta.State, meta.ExitCode = "exited", nil
			if c, err := strconv.Atoi(m.Actor.Attributes["exitCode"]); err == nil {
				meta.ExitCode = &c
			}
			d.metas[id], d.dirty = meta, true
		}
		d.mu.Unlock()
		d.lag.Tell()
	}
	switch events.Action(action) {
	case events.ActionDestroy, podmanRemove:
		d.mu.Lock()
		delete(d.metas, id)
		d.dirty = true
		d.mu.Unlock()
		return
	case events.ActionCreate, events.ActionStart, events.ActionDie, events.ActionRename,
		events.ActionPause, events.ActionUnPause, events.ActionHealthStatus, events.ActionRestart,
		podmanCleanup:
	default:
		return
	}
	meta, err := d.inspect(ctx, id)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dirty = true
	switch {
	case cerrdefs.IsNotFound(err):
		delete(d.metas, id)
	case err != nil:
		// Keep what we had; the next event or reconnect fixes it.
	default:
		d.metas[id] = meta
	}
}

// CatchUp implements runtime.CatchUpper: it waits for the stream to tell
// the exit of each container whose main process is gone (`docker wait`
// can return before the stream has carried its die).
func (d *Handler) CatchUp(ctx context.Context, gone func(pid int) bool) error {
	if d.cli == nil || d.conn.Err() != nil || !d.conn.Ready() {
		return nil
	}
	return d.lag.CatchUp(ctx, gone, func(yield func(string, int)) {
		d.mu.RLock()
		defer d.mu.RUnlock()
		for id, m := range d.metas {
			if m.State == "running" || m.State == "paused" {
				yield(id, m.PID)
			}
		}
	})
}

// Listen has f told each container event the engine's stream says
// happened, as the events timeline keeps it (nil: no one); f must not
// block: it runs on the stream's goroutine.
func (d *Handler) Listen(f func(model.Event)) {
	if f == nil {
		d.heard.Store(nil)
		return
	}
	d.heard.Store(&f)
}

// History is what the engine says happened to its containers between
// since and until, as the timeline keeps it: Docker and Podman keep their
// recent events. It returns what it read before an error; nothing from
// an engine not reached yet (its errors say why).
func (d *Handler) History(ctx context.Context, since, until time.Time) ([]model.Event, error) {
	if d.cli == nil || !d.conn.Ready() {
		return nil, nil
	}
	hctx, cancel := context.WithTimeout(ctx, dockerCallTimeout)
	defer cancel()
	msgs, errs := d.cli.Events(hctx, events.ListOptions{
		Since:   strconv.FormatInt(since.Unix(), 10),
		Until:   strconv.FormatInt(until.Unix()+1, 10),
		Filters: filters.NewArgs(filters.Arg("type", string(events.ContainerEventType))),
	})
	var out []model.Event
	for {
		select {
		case m := <-msgs:
			action, _, _ := strings.Cut(string(m.Action), ":")
			if e, ok := d.event(m, action); ok {
				out = append(out, e)
			}
		case err := <-errs:
			if err == nil || errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, d.wrap("events", err)
		}
	}
}

// eventKinds are the timeline's words for the engine's actions it keeps.
var eventKinds = map[string]string{
	string(events.ActionCreate):       "created",
	string(events.ActionStart):        "started",
	string(events.ActionDie):          "died",
	"died":                            "died", // Podman
	string(events.ActionOOM):          "oom",
	string(events.ActionRestart):      "restarted",
	string(events.ActionPause):        "paused",
	string(events.ActionUnPause):      "unpaused",
	string(events.ActionDestroy):      "destroyed",
	string(podmanRemove):              "destroyed",
	string(events.ActionHealthStatus): "health",
}

// event is the timeline's event for one of the engine's messages; ok
// false for those it does not keep (exec, attach, top…).
func (d *Handler) event(m events.Message, action string) (model.Event, bool) {
	kind, ok := eventKinds[action]
	if !ok {
		return model.Event{}, false
	}
	attr := m.Actor.Attributes
	e := model.Event{
		Kind: kind, Source: d.Name(), ObjectKind: "container", Object: attr["name"], ID: m.Actor.ID,
		Container: m.Actor.ID, Runtime: d.Name(), Image: attr["image"],
		Dedup: d.Name() + "/" + m.Actor.ID + "/" + string(m.Action) + "/" + fmt.Sprint(m.TimeNano),
	}
	if m.TimeNano != 0 {
		e.Time = time.Unix(0, m.TimeNano)
	} else if m.Time != 0 {
		e.Time = time.Unix(m.Time, 0)
	}
	switch kind {
	case "died":
		e.Text = "exited"
		if c, err := strconv.Atoi(attr["exitCode"]); err == nil {
			e.ExitCode = &c
			e.Text = "exit code " + attr["exitCode"]
		}
	case "oom":
		e.Text = "the OOM killer killed a process in it (its memory limit)"
	case "health":
		e.Text = strings.TrimSpace(strings.TrimPrefix(string(m.Action), action+":"))
	case "started", "created", "restarted", "destroyed":
		e.Text = "image " + attr["image"]
	default:
		e.Text = kind
	}
	return e, true
}

// Podman's events on Docker's API that Docker has not: a container that
// died is "stopped" with its exit code, and "exited" only after its
// cleanup; Podman sends "remove" where Docker sends "destroy".
const (
	podmanCleanup events.Action = "cleanup"
	podmanRemove  events.Action = "remove"
)

// wrap gives an error the context a user needs: "docker: Cannot connect
// to the Docker daemon at unix:///var/run/docker.sock..." for a dead
// daemon, "docker <what>: ..." otherwise.
func (d *Handler) wrap(what string, err error) error {
	if client.IsErrConnectionFailed(err) {
		return fmt.Errorf("%s: %w", d.Name(), d.inItsWords(err))
	}
	return fmt.Errorf("%s %s (%s): %w", d.Name(), what, d.conn.Address, d.inItsWords(err))
}

// inItsWords names the engine in the Docker client's errors, which say
// "the Docker daemon" whatever engine they come from.
func (d *Handler) inItsWords(err error) error {
	if d.Name() != model.RuntimePodman {
		return err
	}
	return podmanError{err}
}

// podmanError is an error of the Docker client about Podman, in Podman's
// words.
type podmanError struct{ err error }

func (e podmanError) Error() string { return podmanWords.Replace(e.err.Error()) }
func (e podmanError) Unwrap() error { return e.err }

var podmanWords = strings.NewReplacer(
	"Is the docker daemon running", "Is Podman's API service running (podman system service)",
	"the Docker daemon", "Podman's API service", "the docker daemon", "Podman's API service",
	"Docker daemon", "Podman's API service", "docker daemon", "Podman's API service")

// metaFromInspect keeps what the views and the cluster matching need.
func metaFromInspect(r container.InspectResponse) runtime.Meta {
	var m runtime.Meta
	if b := r.ContainerJSONBase; b != nil {
		m.ID = b.ID
		m.Name = strings.TrimPrefix(b.Name, "/")
		m.RestartCount = b.RestartCount
		if t, err := time.Parse(time.RFC3339Nano, b.Created); err == nil {
			m.Created = t.Unix()
		}
		if s := b.State; s != nil {
			m.State = string(s.Status)
			m.PID = s.Pid
			if s.Health != nil {
				m.Health = s.Health.Status
			}
			m.OOMKilled = s.OOMKilled
			since := s.StartedAt
			if t, err := time.Parse(time.RFC3339Nano, s.StartedAt); err == nil && t.Year() > 1 {
				m.StartedAt = t
			}
			switch m.State {
			case "exited", "dead", "restarting", "stopped": // Podman: stopped, not yet cleaned up
				code := s.ExitCode
				m.ExitCode = &code
				if m.State != "restarting" {
					since = s.FinishedAt
				}
			}
			if t, err := time.Parse(time.RFC3339Nano, since); err == nil && t.Year() > 1 {
				m.StateSince = t
			} else if m.State == "created" && m.Created > 0 {
				m.StateSince = time.Unix(m.Created, 0)
			}
		}
		if b.HostConfig != nil {
			m.NetworkMode = string(b.HostConfig.NetworkMode)
		}
	}
	if c := r.Config; c != nil {
		m.Image = c.Image
		m.Labels = c.Labels
		m.Env = runtime.EnvStrings(c.Env)
	}
	if ns := r.NetworkSettings; ns != nil {
		for port, bindings := range ns.Ports {
			if len(bindings) == 0 {
				m.Ports = append(m.Ports, string(port))
			}
			for _, b := range bindings {
				m.Ports = append(m.Ports, fmt.Sprintf("%s->%s:%s", port, b.HostIP, b.HostPort))
			}
		}
		sort.Strings(m.Ports)
	}
	m.Wants = wantedPorts(r)
	for _, mp := range r.Mounts {
		src := mp.Source
		if src == "" {
			src = mp.Name
		}
		m.Mounts = append(m.Mounts, src+":"+mp.Destination)
	}
	return m
}

// wantedPorts are the ports of the node a container needs to bind, from
// what it was created with (a stopped container's NetworkSettings are
// empty): on the host's network every port it exposes or publishes, on
// its own network the host ports it publishes ("6379/tcp").
func wantedPorts(r container.InspectResponse) []string {
	var out []string
	add := func(p string) {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	host := r.ContainerJSONBase != nil && r.HostConfig != nil && r.HostConfig.NetworkMode.IsHost()
	if host && r.Config != nil {
		for p := range r.Config.ExposedPorts {
			add(string(p))
		}
	}
	if r.ContainerJSONBase != nil && r.HostConfig != nil {
		for p, bindings := range r.HostConfig.PortBindings {
			if host {
				add(string(p))
				continue
			}
			for _, b := range bindings {
				if b.HostPort != "" && b.HostPort != "0" {
					add(b.HostPort + "/" + p.Proto())
				}
			}
		}
	}
	ports.Sort(out)
	return out
}
