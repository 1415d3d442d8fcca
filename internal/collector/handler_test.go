package collector

import (
	"context"
	"sort"
	"sync"

	"github.com/ctop-like/ctop-like/internal/collector/runtime"
)

// knownHandler is a runtime's handler whose engine has already said what
// it has, as a handler's map holds it after its first list: what Local
// does with a handler's answers (naming, the stopped containers' rows) is
// tested and measured here without an engine; each handler's own tests
// reach its engine. Like the handlers, it answers from a map under a read
// lock and keeps its stopped list until the map changes.
type knownHandler struct {
	name string

	mu      sync.RWMutex
	metas   map[string]runtime.Meta
	stopped []runtime.Meta
	dirty   bool
}

func newKnownHandler(name string, metas ...runtime.Meta) *knownHandler {
	h := &knownHandler{name: name, metas: map[string]runtime.Meta{}, dirty: true}
	for _, m := range metas {
		h.metas[m.ID] = m
	}
	return h
}

func (h *knownHandler) Name() string                    { return h.name }
func (h *knownHandler) Claim(string) (string, bool)     { return "", false }
func (h *knownHandler) Err() error                      { return nil }
func (h *knownHandler) WaitReady(context.Context) error { return nil }
func (h *knownHandler) Close() error                    { return nil }
func (h *knownHandler) Meta(id, _ string) (runtime.Meta, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	m, ok := h.metas[id]
	return m, ok
}

func (h *knownHandler) Stopped() []runtime.Meta {
	h.mu.RLock()
	if !h.dirty {
		defer h.mu.RUnlock()
		return h.stopped
	}
	h.mu.RUnlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.dirty {
		h.stopped = h.stopped[:0:0]
		for _, m := range h.metas {
			if !runtime.Runs(m.State) {
				h.stopped = append(h.stopped, m)
			}
		}
		sort.Slice(h.stopped, func(i, j int) bool { return h.stopped[i].ID < h.stopped[j].ID })
		h.dirty = false
	}
	return h.stopped
}
