package collector

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// crioDefaultAddress is where CRI-O listens; besides the CRI (gRPC) it
// answers plain HTTP on the same socket: GET /info, GET /containers/<id>
// (what `crio status` and cAdvisor read).
const crioDefaultAddress = "/var/run/crio/crio.sock"

const (
	// crioCallTimeout bounds one inspection.
	crioCallTimeout = 2 * time.Second
	// crioRetry is how long a container whose inspection failed waits
	// before it is asked for again.
	crioRetry = 5 * time.Second
	// crioMaxBody bounds an answer (a container's labels and annotations
	// are a few kB).
	crioMaxBody = 1 << 20
)

// CRIO is CRI-O's handler. CRI-O has no event stream on its info API, so a
// container is inspected once, in the background, when its cgroup first
// appears (Meta's first miss); a refresh never waits on it.
type CRIO struct {
	address string
	quiet   bool
	http    *http.Client

	mu      sync.Mutex
	metas   map[string]Meta
	used    map[string]time.Time // when each known id was last looked up
	pruned  time.Time
	pending map[string]time.Time // ids being asked or to ask again after
	err     error
	wg      sync.WaitGroup
	closed  bool
}

var _ Runtime = (*CRIO)(nil)

// openCRIO is CRI-O's factory.
func openCRIO(_ context.Context, cfg Config) Runtime {
	addr, quiet, ok := socketAddress(cfg.CRIOAddress, crioDefaultAddress)
	if !ok {
		return nil
	}
	return NewCRIO(addr, quiet)
}

// NewCRIO returns CRI-O's handler for the socket at address; quiet says
// an absent socket is no error.
func NewCRIO(address string, quiet bool) *CRIO {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", address)
		},
		// One connection per inspection, which is rare: no idle
		// connection for a misbehaving server to write into.
		DisableKeepAlives: true,
	}
	return &CRIO{
		address: address,
		quiet:   quiet,
		http:    &http.Client{Transport: tr, Timeout: crioCallTimeout},
		metas:   map[string]Meta{},
		used:    map[string]time.Time{},
		pending: map[string]time.Time{},
	}
}

// Name implements Runtime.
func (c *CRIO) Name() string { return model.RuntimeCRIO }

// Claim implements Runtime: CRI-O's cgroups all have their shape.
func (c *CRIO) Claim(string) (string, bool) { return "", false }

// Stopped implements Runtime: the info API lists no containers.
func (c *CRIO) Stopped() []Meta { return nil }

// WaitReady implements Runtime: there is no list to wait for.
func (c *CRIO) WaitReady(context.Context) error { return nil }

// Err implements Runtime: the last inspection's error, or, for a socket
// the user named, that it is not there.
func (c *CRIO) Err() error {
	c.mu.Lock()
	err := c.err
	c.mu.Unlock()
	if err == nil && !c.quiet && socketMissing(c.address) {
		err = fmt.Errorf("cri-o %s: no such socket", c.address)
	}
	return err
}

// Close implements Runtime: it waits for the inspections under way.
func (c *CRIO) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
	c.http.CloseIdleConnections()
	return nil
}

// Meta implements Runtime. A container not yet known is asked for in the
// background (once per crioRetry while asking fails).
func (c *CRIO) Meta(id, _ string) (Meta, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	c.prune(now)
	if m, ok := c.metas[id]; ok {
		c.used[id] = now
		return m, true
	}
	if c.closed {
		return Meta{}, false
	}
	if next, asked := c.pending[id]; asked && time.Now().Before(next) {
		return Meta{}, false
	}
	if socketMissing(c.address) {
		if !c.quiet {
			c.err = fmt.Errorf("cri-o %s: no such socket", c.address)
		}
		c.pending[id] = time.Now().Add(crioRetry)
		return Meta{}, false
	}
	c.pending[id] = time.Now().Add(24 * time.Hour) // until the answer
	c.wg.Add(1)
	go c.inspect(id)
	return Meta{}, false
}

// crioForget is how long a container no refresh looked up (its cgroup is
// gone) is remembered.
const crioForget = time.Minute

// prune forgets, once a minute, the containers no refresh asked for in
// the last minute and the failed ids waiting for a retry; c.mu is held.
func (c *CRIO) prune(now time.Time) {
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

func (c *CRIO) inspect(id string) {
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
func (c *CRIO) fetch(id string) (Meta, error) {
	resp, err := c.http.Get("http://crio/containers/" + id)
	if err != nil {
		return Meta{}, fmt.Errorf("cri-o %s: %w", c.address, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, crioMaxBody))
	if err != nil {
		return Meta{}, fmt.Errorf("cri-o container %s (%s): %w", shortID(id), c.address, err)
	}
	if resp.StatusCode != http.StatusOK {
		return Meta{}, fmt.Errorf("cri-o container %s (%s): %s", shortID(id), c.address, resp.Status)
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
func crioMeta(id string, body []byte) (Meta, error) {
	var info crioInfo
	if err := json.Unmarshal(body, &info); err != nil {
		return Meta{}, fmt.Errorf("cri-o container %s: %w", shortID(id), err)
	}
	m := Meta{ID: id, Name: info.Name, Image: info.Image, PID: info.Pid, Labels: info.Labels, State: "running", LogPath: info.LogPath}
	if info.CreatedTime > 0 {
		t := time.Unix(0, info.CreatedTime)
		m.Created, m.StateSince = t.Unix(), t
	}
	m.Sandbox = info.Annotations["io.kubernetes.cri-o.ContainerType"] == "sandbox"
	return m, nil
}
