package actuator

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// newRuntime is the handler of a runtime ctop-like did not know: it reads
// nothing, and its engine stops and restarts containers. Nothing else
// names it.
type newRuntime struct {
	mu    sync.Mutex
	calls []string
}

func (h *newRuntime) Name() string                             { return "newrt" }
func (h *newRuntime) Title() string                            { return "NewRT" }
func (h *newRuntime) Claim(string) (string, bool)              { return "", false }
func (h *newRuntime) Meta(string, string) (runtime.Meta, bool) { return runtime.Meta{}, false }
func (h *newRuntime) Stopped() []runtime.Meta                  { return nil }
func (h *newRuntime) Err() error                               { return nil }
func (h *newRuntime) WaitReady(context.Context) error          { return nil }
func (h *newRuntime) Close() error                             { return nil }
func (h *newRuntime) Stop(_ context.Context, id string) error  { return h.did("stop " + id) }
func (h *newRuntime) Restart(_ context.Context, id string) error {
	return h.did("restart " + id)
}

func (h *newRuntime) did(call string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, call)
	return nil
}

// A runtime's handler is all it takes to act on its containers: the
// actuator does what the handler can (its stop, its restart, in its
// engine's words), the rest through the container's cgroup, and the
// views learn what it can from the sample (runtime.Can), not its name.
func TestANewRuntimeActsThroughItsHandler(t *testing.T) {
	h := &newRuntime{}
	x := &Actuator{Runtime: func(name string) runtime.Handler {
		if name == h.Name() {
			return h
		}
		return nil
	}}
	ref := views.ContainerRef{ID: "c0ffee", Name: "web", Runtime: "newrt"}
	for verb, want := range map[string]string{
		"restart": "NewRT will restart container web",
		"stop":    "NewRT will stop container web (TERM, then KILL after its stop timeout)",
	} {
		d, err := x.Container(ref, verb, "")
		if err != nil {
			t.Fatalf("%s: %v", verb, err)
		}
		if d.Describe() != want {
			t.Errorf("%s: %q, want %q", verb, d.Describe(), want)
		}
		if err := d.Do(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := h.calls[len(h.calls)-1]; got != verb+" c0ffee" {
			t.Errorf("%s: the handler did %q", verb, got)
		}
	}
	// Pause is not the handler's: the cgroup's, which this row lacks.
	if _, err := x.Container(ref, "pause", ""); err == nil || !strings.Contains(err.Error(), "its cgroup is unknown") {
		t.Errorf("pause without a cgroup: %v", err)
	}
	if !runtime.Can(h).Has(model.CanRestart | model.CanStop | model.CanPause) {
		t.Errorf("the new runtime's containers can %b", runtime.Can(h))
	}

	// A runtime without a handler (Mesos, raw) is not restarted.
	ref.Runtime = model.RuntimeMesos
	if _, err := x.Container(ref, "restart", ""); err == nil || !strings.Contains(err.Error(), "cannot be restarted from here") {
		t.Errorf("restart of a mesos container: %v", err)
	}
	if runtime.Can(nil).Has(model.CanRestart) {
		t.Error("a container without a handler can restart")
	}
	if len(h.calls) != 2 {
		t.Errorf("the handler was called %d times: %v", len(h.calls), h.calls)
	}
}
