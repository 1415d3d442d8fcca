package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/events"
	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
)

// marathonEventTypes are the events of Marathon's stream the timeline
// keeps; Marathon (1.3.7 and later) sends only those when asked with
// event_type, an older one sends everything and the rest is skipped.
var marathonEventTypes = []string{
	"event_stream_attached",
	"status_update_event",
	"deployment_info",
	"deployment_success",
	"deployment_failed",
	"unhealthy_task_kill_event",
	"unhealthy_instance_kill_event",
}

// marathonEventsPath is /v2/events asking for marathonEventTypes.
func marathonEventsPath() string {
	var b strings.Builder
	b.WriteString("/v2/events")
	for i, t := range marathonEventTypes {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString("event_type=" + t)
	}
	return b.String()
}

// Backoff of the event stream's reconnections: after a stream that ended
// or failed, wait eventsRetryMin, doubled each time up to eventsRetryMax;
// a stream that delivered its attach resets it.
var (
	eventsRetryMin = time.Second
	eventsRetryMax = time.Minute
	// eventsCheck is how often the reader looks whether a view still
	// shows events (or shows them again).
	eventsCheck = time.Second
)

// StreamEvents reads Marathon's event stream (/v2/events) in its own
// goroutine while a view wants model.NeedMarathonEvents (Want), and hands
// each task state change, deployment and unhealthy kill to push as an
// event; attached says whether the stream is read now (deployments then
// come from it rather than from comparing polls). A stream that ends or
// fails is opened again with backoff; nothing here ever waits on a
// refresh or holds one up. It returns at once; the goroutine ends with
// ctx.
func (p *Poller) StreamEvents(ctx context.Context, push func(model.Event), attached func(bool)) {
	if attached == nil {
		attached = func(bool) {}
	}
	go p.streamEvents(ctx, push, attached, eventsRetryMin, eventsRetryMax, eventsCheck)
}

func (p *Poller) streamEvents(ctx context.Context, push func(model.Event), attached func(bool), retryMin, retryMax, check time.Duration) {
	wait := time.Duration(0)
	next := 0 // the -m Marathon URL to try next
	for {
		if wait > 0 || !p.wantsEvents() {
			t := time.NewTimer(max(wait, check))
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if !p.wantsEvents() {
				wait = 0
				continue
			}
		}
		var e *httpapi.Endpoint
		if len(p.marathon) > 0 {
			e = p.marathon[next%len(p.marathon)]
		} else {
			e = p.discoverMarathon(ctx)
		}
		if e == nil { // the master names no Marathon yet
			wait = min(max(2*wait, retryMin), retryMax)
			continue
		}
		sctx, cancel := context.WithCancel(ctx)
		go func() { // the view was left: the stream ends
			for sctx.Err() == nil {
				t := time.NewTimer(check)
				select {
				case <-sctx.Done():
					t.Stop()
					return
				case <-t.C:
				}
				if !p.wantsEvents() {
					cancel()
				}
			}
		}()
		on := false
		_, err := p.api.GetEvents(sctx, e, marathonEventsPath(), func(ev string, data []byte) error {
			if !on {
				on = true
				wait = 0
				attached(true)
			}
			if me, ok := marathonEvent(ev, data); ok {
				push(me)
			}
			return nil
		})
		left := sctx.Err() != nil
		cancel()
		if on {
			attached(false)
		}
		switch {
		case ctx.Err() != nil:
			return
		case left && !p.wantsEvents():
			wait = 0
		case on:
			wait = retryMin
		default:
			wait = min(max(2*wait, retryMin), retryMax)
			var se *httpapi.StatusError
			if errors.As(err, &se) || len(p.marathon) > 1 {
				next++
			}
		}
	}
}

// wantsEvents says whether a view shows events now.
func (p *Poller) wantsEvents() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.needs()&model.NeedMarathonEvents != 0
}

// marathonStreamEvent is what the kept events of Marathon's stream say
// (docs/docs/event-bus.md; core/event/Events.scala).
type marathonStreamEvent struct {
	Timestamp  string `json:"timestamp"`
	TaskID     string `json:"taskId"`
	TaskStatus string `json:"taskStatus"`
	Message    string `json:"message"`
	Reason     string `json:"reason"`
	AppID      string `json:"appId"`
	Host       string `json:"host"`
	ID         string `json:"id"`
	Plan       *struct {
		ID    string `json:"id"`
		Steps []struct {
			Actions []marathonAction `json:"actions"`
			// Marathon before 1.4 names one action per step.
			marathonAction
		} `json:"steps"`
	} `json:"plan"`
	CurrentStep *struct {
		Actions []marathonAction `json:"actions"`
	} `json:"currentStep"`
}

type marathonAction struct {
	Action string `json:"action"`
	Type   string `json:"type"`
	App    string `json:"app"`
	Pod    string `json:"pod"`
}

func (a marathonAction) what() (action, app string) {
	action = a.Action
	if action == "" {
		action = a.Type
	}
	app = a.App
	if app == "" {
		app = a.Pod
	}
	return action, app
}

// marathonEvent is the timeline's event for one event of the stream;
// false for one it does not keep.
func marathonEvent(name string, data []byte) (model.Event, bool) {
	var m marathonStreamEvent
	if json.Unmarshal(data, &m) != nil {
		return model.Event{}, false
	}
	at, _ := time.Parse(time.RFC3339Nano, m.Timestamp)
	e := model.Event{Time: at, Source: "marathon"}
	switch name {
	case "status_update_event":
		if m.TaskID == "" || m.TaskStatus == "" {
			return e, false
		}
		e.Kind, e.ObjectKind, e.Object, e.ID = events.TaskKind(m.TaskStatus), "task", m.TaskID, m.TaskID
		e.Text = m.TaskStatus
		if m.Host != "" {
			e.Text += " on " + m.Host
		}
		if m.Message != "" {
			e.Text += ": " + m.Message
		}
		e.Dedup = events.TaskDedup(m.TaskID, m.TaskStatus)
		e.Cluster = model.ClusterFields{TaskID: m.TaskID, App: m.AppID}
	case "unhealthy_task_kill_event", "unhealthy_instance_kill_event":
		if m.TaskID == "" {
			return e, false
		}
		e.Kind, e.ObjectKind, e.Object, e.ID = "unhealthy-kill", "task", m.TaskID, m.TaskID
		e.Text = "killed by Marathon as unhealthy"
		if m.Reason != "" {
			e.Text += ": " + m.Reason
		}
		e.Dedup = "unhealthy-kill/" + m.TaskID
		e.Cluster = model.ClusterFields{TaskID: m.TaskID, App: m.AppID}
	case "deployment_info", "deployment_success", "deployment_failed":
		return deploymentStreamEvent(name, &m, e)
	default:
		return e, false
	}
	return e, true
}

// deploymentStreamEvent says a deployment began (its first
// deployment_info: one is sent as each step starts), succeeded or failed,
// placed in its app when it deploys one.
func deploymentStreamEvent(name string, m *marathonStreamEvent, e model.Event) (model.Event, bool) {
	id := m.ID
	var acts []string
	n := 0
	apps := map[string]bool{}
	app := ""
	if m.Plan != nil {
		if id == "" {
			id = m.Plan.ID
		}
		for _, st := range m.Plan.Steps {
			for _, a := range append(st.Actions, st.marathonAction) {
				action, ap := a.what()
				if ap == "" {
					continue
				}
				if !apps[ap] {
					apps[ap], app = true, ap
				}
				if n++; len(acts) < 3 {
					acts = append(acts, action+" "+ap)
				}
			}
		}
	}
	if id == "" {
		return e, false
	}
	e.ObjectKind, e.ID, e.Object = "deployment", id, id
	if len(apps) == 1 {
		e.Cluster.App, e.Object = app, app
	}
	switch name {
	case "deployment_info":
		e.Kind, e.Text = "deployment-started", "deployment "+id+" began"
	case "deployment_success":
		e.Kind, e.Text = "deployment-finished", "deployment "+id+" succeeded"
	default:
		e.Kind, e.Text = "deployment-failed", "deployment "+id+" failed"
		if m.Reason != "" {
			e.Text += ": " + m.Reason
		}
	}
	if len(acts) > 0 {
		e.Text += " (" + strings.Join(acts, ", ")
		if n > len(acts) {
			e.Text += ", …"
		}
		e.Text += ")"
	}
	e.Dedup = e.Kind + "/" + id
	return e, true
}
