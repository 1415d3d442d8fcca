// Package containerd is containerd's handler: every namespace's
// containers (but Docker's), named through containerd's gRPC services and
// kept current by its events.
package containerd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	containersapi "github.com/containerd/containerd/api/services/containers/v1"
	eventsapi "github.com/containerd/containerd/api/services/events/v1"
	namespacesapi "github.com/containerd/containerd/api/services/namespaces/v1"
	tasksapi "github.com/containerd/containerd/api/services/tasks/v1"
	tasktypes "github.com/containerd/containerd/api/types/task"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/grpclog"
	"google.golang.org/grpc/metadata"

	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/model"
)

func init() {
	// gRPC logs a failing connection's errors to stderr, under the
	// screen: the handler reports them in the sample's errors instead.
	grpclog.SetLoggerV2(grpclog.NewLoggerV2(io.Discard, io.Discard, io.Discard))
}

// DefaultAddress is where a node's containerd listens.
const DefaultAddress = "/run/containerd/containerd.sock"

// DefaultAddresses are where containerd is looked for when no address is
// named, in order: the node's own, then the one dockerd runs for itself
// where no system containerd is installed (Debian's docker.io).
var DefaultAddresses = []string{DefaultAddress, "/run/docker/containerd/containerd.sock"}

// containerdMobyNamespace is Docker's namespace in containerd: its
// containers are Docker's, named by Docker's handler.
const containerdMobyNamespace = "moby"

// Handler is containerd's handler: every namespace's containers (but
// Docker's moby), listed at start and again for a namespace whose
// containers or tasks an event says changed, never per refresh. Two
// namespaces may hold containers of the same id (a team's and k8s.io):
// they are kept apart by their key, model.ContainerKey(namespace, id). It speaks
// containerd's gRPC services through their generated clients (the
// containerd/api module) rather than the full containerd/v2 client, which
// would double the binary (14 -> 27 MB) for the same four calls.
type Handler struct {
	conn runtime.Reconnector // Address is containerd's socket (the one found, of candidates)
	// candidates are the sockets tried in order when none was named.
	candidates []string

	mu      sync.RWMutex
	metas   map[string]runtime.Meta // by key (<namespace>/<id>)
	byID    map[string][]string     // container id -> the keys of that id
	cgroups map[string]string       // cgroupfs path (/<ns>/<id>) -> key
	byNS    map[string][]string     // namespace -> its keys

	// heard is told each event of the subscription (Listen).
	heard atomic.Pointer[func(model.Event)]
	// lag is CatchUp's: told after each exit and list.
	lag runtime.Lag
	// sessions counts the sessions that listed (only the session loop
	// touches it).
	sessions int
}

var _ runtime.Handler = (*Handler)(nil)

// Open is containerd's factory: address (--containerd-address), or the
// first of the default sockets that answers; "none" disables it.
func Open(ctx context.Context, address string) runtime.Handler {
	addr, quiet, ok := runtime.SocketAddress(address, DefaultAddress)
	if !ok {
		return nil
	}
	if quiet {
		return newHandler(ctx, DefaultAddresses, true)
	}
	return New(ctx, addr, quiet)
}

// New watches the containerd at address in the background and returns
// at once. quiet says an absent socket is no error.
func New(ctx context.Context, address string, quiet bool) *Handler {
	return newHandler(ctx, []string{address}, quiet)
}

// newHandler watches the first of the sockets at addresses that accepts
// a connection, tried again in order whenever the session ends.
func newHandler(ctx context.Context, addresses []string, quiet bool) *Handler {
	c := &Handler{
		metas:   map[string]runtime.Meta{},
		byID:    map[string][]string{},
		cgroups: map[string]string{},
		byNS:    map[string][]string{},
	}
	c.conn.Address, c.candidates = addresses[0], addresses
	ctx = c.conn.Start(ctx, quiet)
	// containerd is dialled before each session: a gRPC session would
	// retry a refused or absent socket for its whole timeout. While it is
	// down the wait is cut short as soon as the socket accepts a
	// connection, so that a restarted containerd names its containers
	// again within a refresh.
	go c.conn.Loop(ctx, c.session, c.dial, true)
	return c
}

// Name implements runtime.Handler.
func (c *Handler) Name() string { return model.RuntimeContainerd }

// Claim implements runtime.Handler: the cgroupfs folders its containers' specs
// name (`ctr run` makes /<namespace>/<id>).
func (c *Handler) Claim(cgroup string) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	key, ok := c.cgroups[cgroup]
	if !ok {
		return "", false
	}
	return c.metas[key].ID, true
}

// containerdCRINamespace is where containerd's CRI plugin keeps the
// containers the kubelet starts.
const containerdCRINamespace = "k8s.io"

// Meta implements runtime.Handler: the container of that id whose spec names the
// cgroup; else, for a cgroup no spec names as a path (the CRI's systemd
// shapes), the id's only container, or the one of the CRI's namespace
// k8s.io, or the first by namespace.
func (c *Handler) Meta(id, cgroup string) (runtime.Meta, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if key, ok := c.cgroups[cgroup]; ok {
		if m := c.metas[key]; m.ID == id {
			return m, true
		}
	}
	keys := c.byID[id]
	if len(keys) == 0 {
		return runtime.Meta{}, false
	}
	best := keys[0]
	for _, k := range keys[1:] {
		if c.metas[best].Namespace != containerdCRINamespace && (c.metas[k].Namespace == containerdCRINamespace || k < best) {
			best = k
		}
	}
	return c.metas[best], true
}

// Stopped implements runtime.Handler: containerd keeps no history of
// stopped tasks worth listing (DESIGN: stopped containers come from Docker
// and Podman).
func (c *Handler) Stopped() []runtime.Meta { return nil }

// Err implements runtime.Handler: the last connection error, nil while
// connected.
func (c *Handler) Err() error { return c.conn.Err() }

// Ready reports whether the first full list of containers has arrived.
func (c *Handler) Ready() bool { return c.conn.Ready() }

// WaitReady implements runtime.Handler.
func (c *Handler) WaitReady(ctx context.Context) error { return c.conn.WaitReady(ctx) }

// Close implements runtime.Handler.
func (c *Handler) Close() error {
	c.conn.Stop()
	return nil
}

// containerdCallTimeout bounds one call so that a hung containerd shows
// as an error rather than a silent stall.
const containerdCallTimeout = 10 * time.Second

// dial checks that a socket accepts a connection, the candidates in
// order, and makes the first that does the address of the next session: a
// refused or absent socket costs microseconds, where a gRPC session would
// retry for its whole timeout. Its error is that of the first socket that
// exists (one that does not is no error for a containerd nobody named).
func (c *Handler) dial() error {
	var exists, missing error
	for _, a := range c.candidates {
		conn, err := net.DialTimeout("unix", a, runtime.Knock)
		if err == nil {
			c.conn.Address = a
			return conn.Close()
		}
		gone := runtime.SocketMissing(a)
		if gone && missing == nil {
			missing = fmt.Errorf("containerd %s: %w", a, err)
		}
		if !gone && exists == nil {
			c.conn.Address, exists = a, fmt.Errorf("containerd %s: %w", a, err)
		}
	}
	if exists != nil {
		return exists
	}
	c.conn.Address = c.candidates[0]
	return missing
}

// session subscribes to events, lists every namespace, then relists a
// namespace when an event says its containers or tasks changed.
func (c *Handler) session(ctx context.Context) (connected bool, err error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	conn, err := grpc.NewClient("unix://"+c.conn.Address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return false, fmt.Errorf("containerd %s: %w", c.conn.Address, err)
	}
	defer conn.Close()
	cli := containerdClients{
		namespaces: namespacesapi.NewNamespacesClient(conn),
		containers: containersapi.NewContainersClient(conn),
		tasks:      tasksapi.NewTasksClient(conn),
	}
	// Subscribe first so that nothing that happens during the list is lost.
	stream, err := eventsapi.NewEventsClient(conn).Subscribe(sctx, &eventsapi.SubscribeRequest{})
	if err != nil {
		return false, fmt.Errorf("containerd events (%s): %w", c.conn.Address, err)
	}
	type envelope struct{ ns, topic string }
	envs := make(chan envelope, 64)
	errs := make(chan error, 1)
	go func() {
		for {
			e, err := stream.Recv()
			if err != nil {
				errs <- err
				return
			}
			// Told as received, before the relist it causes.
			c.tell(e)
			select {
			case envs <- envelope{e.Namespace, e.Topic}:
			case <-sctx.Done():
				return
			}
		}
	}()
	// What ran when the last session ended, to tell the exits its
	// stream missed; nil at the first.
	var before map[string]runtime.Meta
	if c.sessions > 0 {
		before = c.running()
	}
	if err := c.listAll(sctx, cli); err != nil {
		return false, err
	}
	c.sessions++
	c.tellMissed(before)
	c.conn.Listed()
	for {
		select {
		case e := <-envs:
			switch {
			case strings.HasPrefix(e.topic, "/namespaces/"):
				err = c.listAll(sctx, cli)
			case strings.HasPrefix(e.topic, "/containers/"), strings.HasPrefix(e.topic, "/tasks/"):
				if e.ns != containerdMobyNamespace {
					err = c.listNS(sctx, cli, e.ns)
				}
			}
			if err != nil {
				return true, err
			}
		case err := <-errs:
			if err == nil {
				err = errors.New("events stream closed")
			}
			return true, fmt.Errorf("containerd events (%s): %w", c.conn.Address, err)
		}
	}
}

// containerdClients are the services the handler calls.
type containerdClients struct {
	namespaces namespacesapi.NamespacesClient
	containers containersapi.ContainersClient
	tasks      tasksapi.TasksClient
}

// inNamespace is ctx for calls about one namespace (containerd reads it
// from this gRPC header).
func inNamespace(ctx context.Context, ns string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "containerd-namespace", ns)
}

// listAll lists every namespace but Docker's.
func (c *Handler) listAll(ctx context.Context, cli containerdClients) error {
	lctx, cancel := context.WithTimeout(ctx, containerdCallTimeout)
	resp, err := cli.namespaces.List(lctx, &namespacesapi.ListNamespacesRequest{})
	cancel()
	if err != nil {
		return fmt.Errorf("containerd namespaces (%s): %w", c.conn.Address, err)
	}
	keep := map[string]bool{}
	for _, n := range resp.Namespaces {
		ns := n.Name
		if ns == containerdMobyNamespace {
			continue
		}
		keep[ns] = true
		if err := c.listNS(ctx, cli, ns); err != nil {
			return err
		}
	}
	c.mu.Lock()
	for ns := range c.byNS {
		if !keep[ns] {
			c.replace(ns, nil)
		}
	}
	c.mu.Unlock()
	return nil
}

// listNS lists one namespace's containers and tasks and replaces what was
// known of it.
func (c *Handler) listNS(ctx context.Context, cli containerdClients, ns string) error {
	nctx, cancel := context.WithTimeout(inNamespace(ctx, ns), containerdCallTimeout)
	defer cancel()
	cresp, err := cli.containers.List(nctx, &containersapi.ListContainersRequest{})
	if err != nil {
		return fmt.Errorf("containerd containers of %q (%s): %w", ns, c.conn.Address, err)
	}
	cs := cresp.Containers
	ts, err := cli.tasks.List(nctx, &tasksapi.ListTasksRequest{})
	if err != nil {
		return fmt.Errorf("containerd tasks of %q (%s): %w", ns, c.conn.Address, err)
	}
	tasks := make(map[string]*tasktypes.Process, len(ts.Tasks))
	for _, t := range ts.Tasks {
		tasks[t.ID] = t
	}
	metas := make([]runtime.Meta, 0, len(cs))
	cgroups := map[string]string{}
	for _, ct := range cs {
		m := runtime.Meta{ID: ct.ID, Namespace: ns, Name: ct.ID, Image: ct.Image, Labels: ct.Labels, State: "created"}
		if ct.CreatedAt != nil {
			t := ct.CreatedAt.AsTime()
			m.Created, m.StateSince = t.Unix(), t
		}
		m.LogPath = criLogPath(ct.Extensions[criContainerMetadata].GetValue())
		var spec ociSpec
		if ct.Spec != nil && json.Unmarshal(ct.Spec.GetValue(), &spec) == nil {
			m.Env = runtime.EnvStrings(spec.Process.Env)
			if p := spec.Linux.CgroupsPath; strings.HasPrefix(p, "/") {
				cgroups[p] = model.ContainerKey(ns, ct.ID)
			}
		}
		if t := tasks[ct.ID]; t != nil {
			m.PID = int(t.Pid)
			m.State = taskState(t.Status)
			if t.Status == tasktypes.Status_STOPPED {
				code := int(t.ExitStatus)
				m.ExitCode = &code
				if t.ExitedAt != nil {
					m.StateSince = t.ExitedAt.AsTime()
				}
			}
		}
		metas = append(metas, m)
	}
	c.mu.Lock()
	c.replace(ns, metas)
	for p, key := range cgroups {
		c.cgroups[p] = key
	}
	c.mu.Unlock()
	c.lag.Tell()
	return nil
}

// replace swaps one namespace's containers; c.mu is held.
func (c *Handler) replace(ns string, metas []runtime.Meta) {
	for _, key := range c.byNS[ns] {
		id := c.metas[key].ID
		delete(c.metas, key)
		keys := slices.DeleteFunc(c.byID[id], func(k string) bool { return k == key })
		if len(keys) == 0 {
			delete(c.byID, id)
		} else {
			c.byID[id] = keys
		}
	}
	for p, key := range c.cgroups {
		if _, ok := c.metas[key]; !ok {
			delete(c.cgroups, p)
		}
	}
	if metas == nil {
		delete(c.byNS, ns)
		return
	}
	keys := make([]string, 0, len(metas))
	for _, m := range metas {
		key := model.ContainerKey(ns, m.ID)
		c.metas[key] = m
		c.byID[m.ID] = append(c.byID[m.ID], key)
		keys = append(keys, key)
	}
	c.byNS[ns] = keys
}

// criContainerMetadata is the extension containerd's CRI plugin keeps its
// own record of a container in (pkg/cri/store/container: the kubelet's
// config, the log path...), as JSON {"Version":"v1","Metadata":{...}}.
const criContainerMetadata = "io.cri-containerd.container.metadata"

// criLogPath is the log path the CRI plugin's record of a container
// names, "" without one.
func criLogPath(ext []byte) string {
	if len(ext) == 0 {
		return ""
	}
	var md struct {
		Metadata struct {
			LogPath string
		}
	}
	if json.Unmarshal(ext, &md) != nil {
		return ""
	}
	return md.Metadata.LogPath
}

// ociSpec is the part of a container's OCI runtime spec the handler reads.
type ociSpec struct {
	Process struct {
		Env []string `json:"env"`
	} `json:"process"`
	Linux struct {
		CgroupsPath string `json:"cgroupsPath"`
	} `json:"linux"`
}

func taskState(s tasktypes.Status) string {
	switch s {
	case tasktypes.Status_RUNNING:
		return "running"
	case tasktypes.Status_PAUSED, tasktypes.Status_PAUSING:
		return "paused"
	case tasktypes.Status_STOPPED:
		return "exited"
	case tasktypes.Status_CREATED:
		return "created"
	}
	return "unknown"
}
