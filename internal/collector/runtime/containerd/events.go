package containerd

import (
	"context"
	"fmt"
	"strconv"
	"time"

	ctrevents "github.com/containerd/containerd/api/events"
	ctrtypes "github.com/containerd/containerd/api/types"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/model"
)

// Listen has f told each container event containerd's event service says
// happened (created, started, died with its exit status, OOM, paused,
// resumed, deleted), as the events timeline keeps it (nil: no one); f must
// not block: it runs on the subscription's goroutine. Docker's namespace
// (moby) is Docker's handler's to tell.
func (c *Handler) Listen(f func(model.Event)) {
	if f == nil {
		c.heard.Store(nil)
		return
	}
	c.heard.Store(&f)
}

// eventTopics are the topics kept, and their kinds in the timeline.
var eventTopics = map[string]string{
	"/containers/create": "created",
	"/containers/delete": "destroyed",
	"/tasks/start":       "started",
	"/tasks/exit":        "died",
	"/tasks/oom":         "oom",
	"/tasks/paused":      "paused",
	"/tasks/resumed":     "unpaused",
}

// event is the timeline's event for one of containerd's envelopes; ok
// false for a topic not kept, a payload that does not decode, or the exit
// of a process exec'd in a container (not its task's own).
func (c *Handler) event(env *ctrtypes.Envelope) (model.Event, bool) {
	kind, ok := eventTopics[env.Topic]
	if !ok || env.Event == nil {
		return model.Event{}, false
	}
	msg, err := anypb.UnmarshalNew(env.Event, proto.UnmarshalOptions{DiscardUnknown: true})
	if err != nil {
		return model.Event{}, false
	}
	e := model.Event{Kind: kind, Source: model.RuntimeContainerd, ObjectKind: "container", Runtime: model.RuntimeContainerd}
	if ts := env.Timestamp; ts != nil {
		e.Time = ts.AsTime()
	}
	var id string
	switch m := msg.(type) {
	case *ctrevents.ContainerCreate:
		id, e.Image = m.ID, m.Image
		e.Text = "image " + m.Image
	case *ctrevents.ContainerDelete:
		id, e.Text = m.ID, "deleted"
	case *ctrevents.TaskStart:
		id, e.Text = m.ContainerID, "pid "+strconv.FormatUint(uint64(m.Pid), 10)
	case *ctrevents.TaskExit:
		if m.ID != "" && m.ID != m.ContainerID {
			return model.Event{}, false // an exec'd process
		}
		id = m.ContainerID
		code := int(m.ExitStatus)
		e.ExitCode, e.Text = &code, "exit code "+strconv.Itoa(code)
		if m.ExitedAt != nil {
			e.Time = m.ExitedAt.AsTime()
		}
	case *ctrevents.TaskOOM:
		id, e.Text = m.ContainerID, "the OOM killer killed a process in it (its memory limit)"
	case *ctrevents.TaskPaused:
		id, e.Text = m.ContainerID, "its task is frozen"
	case *ctrevents.TaskResumed:
		id, e.Text = m.ContainerID, "its task is thawed"
	default:
		return model.Event{}, false
	}
	if id == "" {
		return model.Event{}, false
	}
	e.Container = model.ContainerKey(env.Namespace, id)
	e.ID = e.Container
	c.mu.RLock()
	if m, ok := c.metas[e.Container]; ok && e.Image == "" {
		e.Image = m.Image
	}
	c.mu.RUnlock()
	at := int64(0)
	if !e.Time.IsZero() {
		at = e.Time.UnixNano()
	}
	e.Dedup = fmt.Sprintf("containerd/%s/%s/%d", e.Container, env.Topic, at)
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	return e, true
}

// tell hands an envelope's event to whoever listens. A task's exit
// makes its container exited at once, before the relist it causes, so
// that CatchUp knows the stream told it.
func (c *Handler) tell(env *ctrtypes.Envelope) {
	if env.Namespace == containerdMobyNamespace {
		return
	}
	e, ok := c.event(env)
	if !ok {
		return
	}
	if e.Kind == "died" {
		c.mu.Lock()
		if m, ok := c.metas[e.Container]; ok {
			m.State, m.ExitCode, m.StateSince = "exited", e.ExitCode, e.Time
			c.metas[e.Container] = m
		}
		c.mu.Unlock()
	}
	if f := c.heard.Load(); f != nil {
		(*f)(e)
	}
	if e.Kind == "died" {
		c.lag.Tell()
	}
}

// CatchUp implements runtime.CatchUpper: it waits for the stream to tell
// the exit of each task whose process is gone (containerd's shim reaps
// it, and `ctr task wait` returns, before the shim publishes /tasks/exit).
func (c *Handler) CatchUp(ctx context.Context, gone func(pid int) bool) error {
	if c.conn.Err() != nil || !c.conn.Ready() {
		return nil
	}
	return c.lag.CatchUp(ctx, gone, func(yield func(string, int)) {
		c.mu.RLock()
		defer c.mu.RUnlock()
		for key, m := range c.metas {
			if m.State == "running" || m.State == "paused" {
				yield(key, m.PID)
			}
		}
	})
}

// running is the containers whose task runs (or is paused), by key.
func (c *Handler) running() map[string]runtime.Meta {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := map[string]runtime.Meta{}
	for key, m := range c.metas {
		if m.State == "running" || m.State == "paused" {
			out[key] = m
		}
	}
	return out
}

// tellMissed tells the exits that happened while no stream was read: a
// container whose task ran when the last session ended (before) and that
// the new session's list finds stopped died with its exit status, as
// its /tasks/exit would have said (the same exited_at: a stream that did
// tell it is kept once); one whose task or container is gone died, its
// status unknown.
func (c *Handler) tellMissed(before map[string]runtime.Meta) {
	f := c.heard.Load()
	if f == nil || len(before) == 0 {
		return
	}
	now := c.running()
	c.mu.RLock()
	var missed []model.Event
	for key, was := range before {
		if _, runs := now[key]; runs {
			continue
		}
		e := model.Event{Kind: "died", Source: model.RuntimeContainerd, ObjectKind: "container", Runtime: model.RuntimeContainerd,
			Container: key, ID: key, Image: was.Image, Time: time.Now()}
		m, ok := c.metas[key]
		switch {
		case ok && m.ExitCode != nil:
			code := *m.ExitCode
			e.ExitCode, e.Time = &code, m.StateSince
			e.Text = "exit code " + strconv.Itoa(code) + " (told by containerd's list: its event stream was down)"
			e.Dedup = fmt.Sprintf("containerd/%s//tasks/exit/%d", key, m.StateSince.UnixNano())
		case ok:
			e.Text = "its task was deleted while containerd's event stream was down"
		default:
			e.Text = "gone while containerd's event stream was down"
		}
		missed = append(missed, e)
	}
	c.mu.RUnlock()
	for _, e := range missed {
		(*f)(e)
	}
}
