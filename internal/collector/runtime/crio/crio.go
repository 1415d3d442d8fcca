// Package crio is CRI-O's handler: a container is asked for once, through
// the info API CRI-O serves on its socket, when its cgroup first appears.
package crio

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/model"
)

// crioDefaultAddress is where CRI-O listens; besides the CRI (gRPC) it
// answers plain HTTP on the same socket: GET /info, GET /containers/<id>
// (what `crio status` and cAdvisor read).
const crioDefaultAddress = "/var/run/crio/crio.sock"

// CallTimeout bounds one inspection.
const CallTimeout = 2 * time.Second

const (
	// crioRetry is how long a container whose inspection failed waits
	// before it is asked for again.
	crioRetry = 5 * time.Second
	// crioMaxBody bounds an answer (a container's labels and annotations
	// are a few kB).
	crioMaxBody = 1 << 20
)

// Handler is CRI-O's handler. CRI-O has no event stream on its info API,
// so a container is inspected once, in the background, when its cgroup
// first appears (Meta's first miss); a refresh never waits on it.
type Handler struct {
	address string
	quiet   bool
	http    *http.Client

	mu      sync.Mutex
	metas   map[string]runtime.Meta
	used    map[string]time.Time // when each known id was last looked up
	pruned  time.Time
	pending map[string]time.Time // ids being asked or to ask again after
	err     error
	wg      sync.WaitGroup
	closed  bool
}

var _ runtime.Handler = (*Handler)(nil)

// Open is CRI-O's factory: address (--crio-address), else the default
// socket; "none" disables it.
func Open(_ context.Context, address string) runtime.Handler {
	addr, quiet, ok := runtime.SocketAddress(address, crioDefaultAddress)
	if !ok {
		return nil
	}
	return New(addr, quiet)
}

// New returns CRI-O's handler for the socket at address; quiet says an
// absent socket is no error.
func New(address string, quiet bool) *Handler {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", address)
		},
		// One connection per inspection, which is rare: no idle
		// connection for a misbehaving server to write into.
		DisableKeepAlives: true,
	}
	return &Handler{
		address: address,
		quiet:   quiet,
		http:    &http.Client{Transport: tr, Timeout: CallTimeout},
		metas:   map[string]runtime.Meta{},
		used:    map[string]time.Time{},
		pending: map[string]time.Time{},
	}
}

// Name implements runtime.Handler.
func (c *Handler) Name() string { return model.RuntimeCRIO }

// Claim implements runtime.Handler: CRI-O's cgroups all have their shape.
func (c *Handler) Claim(string) (string, bool) { return "", false }

// Stopped implements runtime.Handler: the info API lists no containers.
func (c *Handler) Stopped() []runtime.Meta { return nil }

// WaitReady implements runtime.Handler: there is no list to wait for.
func (c *Handler) WaitReady(context.Context) error { return nil }

// Err implements runtime.Handler: the last inspection's error, or, for a socket
// the user named, that it is not there.
func (c *Handler) Err() error {
	c.mu.Lock()
	err := c.err
	c.mu.Unlock()
	if err == nil && !c.quiet && runtime.SocketMissing(c.address) {
		err = fmt.Errorf("cri-o %s: no such socket", c.address)
	}
	return err
}

// Close implements runtime.Handler: it waits for the inspections under way.
func (c *Handler) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
	c.http.CloseIdleConnections()
	return nil
}

// Meta implements runtime.Handler. A container not yet known is asked for in the
// background (once per crioRetry while asking fails).
func (c *Handler) Meta(id, _ string) (runtime.Meta, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	c.prune(now)
	if m, ok := c.metas[id]; ok {
		c.used[id] = now
		return m, true
	}
	if c.closed {
		return runtime.Meta{}, false
	}
	if next, asked := c.pending[id]; asked && time.Now().Before(next) {
		return runtime.Meta{}, false
	}
	if runtime.SocketMissing(c.address) {
		if !c.quiet {
			c.err = fmt.Errorf("cri-o %s: no such socket", c.address)
		}
		c.pending[id] = time.Now().Add(crioRetry)
		return runtime.Meta{}, false
	}
	c.pending[id] = time.Now().Add(24 * time.Hour) // until the answer
	c.wg.Add(1)
	go c.inspect(id)
	return runtime.Meta{}, false
}

// crioForget is how long a container no refresh looked up (its cgroup is
// gone) is remembered.
const crioForget = time.Minute

// prune forgets, once a minute, the containers no refresh asked for in
// the last minute and the failed ids waiting for a retry; c.mu is held.
func (c *Handler) prune(now time.Time) {
	if now.Sub(c.pruned) < crioForget {
		return
	}
	c.pruned = now
	for id, t := range c.used {
		if now.Sub(t) > crioForget {
			delete(c.used, id)
			delete(c.metas, id)
		}
	}
	for id, next := range c.pending {
		if now.After(next.Add(crioForget)) {
			delete(c.pending, id)
		}
	}
}

func (c *Handler) inspect(id string) {
	defer c.wg.Done()
	m, err := c.fetch(id)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.err = err
		c.pending[id] = time.Now().Add(crioRetry)
		return
	}
	c.err = nil
	delete(c.pending, id)
	c.metas[id] = m
	c.used[id] = time.Now()
}

// fetch asks CRI-O about one container.
func (c *Handler) fetch(id string) (runtime.Meta, error) {
	resp, err := c.http.Get("http://crio/containers/" + id)
	if err != nil {
		return runtime.Meta{}, fmt.Errorf("cri-o %s: %w", c.address, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, crioMaxBody))
	if err != nil {
		return runtime.Meta{}, fmt.Errorf("cri-o container %s (%s): %w", model.ShortID(id), c.address, err)
	}
	if resp.StatusCode != http.StatusOK {
		return runtime.Meta{}, fmt.Errorf("cri-o container %s (%s): %s", model.ShortID(id), c.address, resp.Status)
	}
	return crioMeta(id, body)
}

// crioInfo is CRI-O's answer to GET /containers/<id> (its
// types.ContainerInfo).
type crioInfo struct {
	Name        string            `json:"name"`
	Pid         int               `json:"pid"`
	Image       string            `json:"image"`
	CreatedTime int64             `json:"created_time"` // unix nanoseconds
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	Sandbox     string            `json:"sandbox"`
	LogPath     string            `json:"log_path"`
}

// crioMeta reads one container's info. A pod's infra container carries
// the annotation io.kubernetes.cri-o.ContainerType=sandbox.
func crioMeta(id string, body []byte) (runtime.Meta, error) {
	var info crioInfo
	if err := json.Unmarshal(body, &info); err != nil {
		return runtime.Meta{}, fmt.Errorf("cri-o container %s: %w", model.ShortID(id), err)
	}
	m := runtime.Meta{ID: id, Name: info.Name, Image: info.Image, PID: info.Pid, Labels: info.Labels, State: "running", LogPath: info.LogPath}
	if info.CreatedTime > 0 {
		t := time.Unix(0, info.CreatedTime)
		m.Created, m.StateSince = t.Unix(), t
	}
	m.Sandbox = info.Annotations["io.kubernetes.cri-o.ContainerType"] == "sandbox"
	return m, nil
}
