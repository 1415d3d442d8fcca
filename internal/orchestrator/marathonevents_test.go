package orchestrator

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// marathonDocsDeployments are the deployment events of Marathon's docs
// (docs/docs/event-bus.md), as its stream sends them.
const marathonDocsDeployments = `event: deployment_info
data: {"eventType":"deployment_info","timestamp":"2015-09-30T12:45:00.000Z","plan":{"id":"867ed450-f6a8-4d33-9b0e-e11c5513990b","steps":[{"action":"ScaleApplication","app":"/my-app"}],"version":"2014-03-01T23:24:14.846Z"},"currentStep":{"actions":[{"type":"ScaleApplication","app":"/my-app"}]}}

event: deployment_info
data: {"eventType":"deployment_info","timestamp":"2015-09-30T12:45:01.000Z","plan":{"id":"867ed450-f6a8-4d33-9b0e-e11c5513990b","steps":[{"action":"ScaleApplication","app":"/my-app"}],"version":"2014-03-01T23:24:14.846Z"},"currentStep":{"actions":[{"type":"ScaleApplication","app":"/my-app"}]}}

event: api_post_event
data: {"eventType":"api_post_event","timestamp":"2015-09-30T12:45:02.000Z","clientIp":"0:0:0:0:0:0:0:1","uri":"/v2/apps/my-app"}

event: deployment_failed
data: {"eventType":"deployment_failed","timestamp":"2015-09-30T12:45:03.000Z","id":"867ed450-f6a8-4d33-9b0e-e11c5513990b"}

`

// marathonEventServer serves /v2/events as Marathon does: only to
// Accept: text/event-stream, only the event types event_type names (all
// without it), the attach event first. Its first stream ends after its
// events; later ones stay open until the client leaves.
type marathonEventServer struct {
	mu      sync.Mutex
	streams int
	types   [][]string
	open    int
	left    chan struct{}
	body    string
}

func (m *marathonEventServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v2/events" {
		http.NotFound(w, r)
		return
	}
	if !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		http.Error(w, "Not Acceptable", http.StatusNotAcceptable)
		return
	}
	want := r.URL.Query()["event_type"]
	m.mu.Lock()
	m.streams++
	n := m.streams
	m.types = append(m.types, want)
	m.open++
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.open--
		m.mu.Unlock()
		select {
		case m.left <- struct{}{}:
		default:
		}
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	for _, ev := range strings.Split(m.body, "\n\n") {
		name, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(ev), "event: "), "\n")
		if name == "" || len(want) > 0 && !containsString(want, name) {
			continue
		}
		fmt.Fprintf(w, "%s\n\n", strings.TrimSpace(ev))
	}
	w.(http.Flusher).Flush()
	if n == 1 {
		return
	}
	<-r.Context().Done()
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// TestMarathonEventStream: while a view shows events (and only then) the
// poller reads Marathon's /v2/events as Marathon serves it: the task
// state changes with their messages, placed in their apps; a deployment
// begun once however many steps it has, and its failure, placed in the
// app it deploys; none of what was not asked for. A stream that ends is
// opened again; leaving the view closes it.
func TestMarathonEventStream(t *testing.T) {
	defer func(a, b, c time.Duration) { eventsRetryMin, eventsRetryMax, eventsCheck = a, b, c }(eventsRetryMin, eventsRetryMax, eventsCheck)
	eventsRetryMin, eventsRetryMax, eventsCheck = 10*time.Millisecond, 50*time.Millisecond, 10*time.Millisecond
	srv := &marathonEventServer{left: make(chan struct{}, 1),
		body: string(fixture(t, "marathon/marathon-docs_v2_events.sse.txt")) + "\n" + marathonDocsDeployments}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	p, err := NewPoller(Config{URLs: []string{"", ts.URL}, OnDemand: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan model.Event, 100)
	var attachMu sync.Mutex
	attaches := 0
	p.StreamEvents(ctx, func(e model.Event) { got <- e }, func(on bool) {
		if on {
			attachMu.Lock()
			attaches++
			attachMu.Unlock()
		}
	})
	// Not shown: nothing is asked. (Ten checks pass.)
	time.Sleep(10 * eventsCheck)
	srv.mu.Lock()
	if srv.streams != 0 {
		t.Fatalf("%d streams opened while no view showed events", srv.streams)
	}
	srv.mu.Unlock()
	p.Want(model.NeedMarathonEvents)
	var evs []model.Event
	for len(evs) < 10 { // two streams of 5 kept events each
		select {
		case e := <-got:
			evs = append(evs, e)
		case <-time.After(30 * time.Second):
			t.Fatalf("after 30 s, %d events: %+v", len(evs), evs)
		}
	}
	first := evs[:5]
	kinds := []string{}
	for _, e := range first {
		kinds = append(kinds, e.Kind)
	}
	if strings.Join(kinds, ",") != "task-failed,task-running,deployment-started,deployment-started,deployment-failed" {
		t.Fatalf("kinds %v", kinds)
	}
	f := first[0]
	if f.ObjectKind != "task" || f.ID != "foo.0664256e-6771-11e5-94e1-be5b2935a987" || f.Cluster.App != "/foo" ||
		f.Cluster.TaskID != f.ID || !strings.Contains(f.Text, "Failed to fetch all URIs") || f.Source != "marathon" ||
		!f.Time.Equal(time.Date(2015, 9, 30, 12, 44, 45, 681e6, time.UTC)) || f.Dedup == "" {
		t.Fatalf("the failed task: %+v", f)
	}
	d := first[2]
	if d.ObjectKind != "deployment" || d.ID != "867ed450-f6a8-4d33-9b0e-e11c5513990b" || d.Cluster.App != "/my-app" ||
		!strings.Contains(d.Text, "ScaleApplication /my-app") || d.Dedup != first[3].Dedup {
		t.Fatalf("the deployment: %+v / %+v", d, first[3])
	}
	if x := first[4]; x.ID != d.ID || x.Dedup == d.Dedup || !strings.Contains(x.Text, "failed") {
		t.Fatalf("the failure: %+v", x)
	}
	// The first stream ended: a second one was opened and attached.
	attachMu.Lock()
	if attaches < 2 {
		t.Errorf("%d attaches", attaches)
	}
	attachMu.Unlock()
	srv.mu.Lock()
	for _, ty := range srv.types {
		if !containsString(ty, "status_update_event") || !containsString(ty, "deployment_success") || containsString(ty, "api_post_event") {
			t.Errorf("event_type asked: %v", ty)
		}
	}
	srv.mu.Unlock()
	// The view is left: the stream ends.
	p.mu.Lock()
	for i := range p.wantAt {
		p.wantAt[i] = time.Now().Add(-2 * p.wantFor())
	}
	p.mu.Unlock()
	deadline := time.After(30 * time.Second)
	for {
		srv.mu.Lock()
		open := srv.open
		srv.mu.Unlock()
		if open == 0 {
			break
		}
		select {
		case <-srv.left:
		case <-deadline:
			t.Fatal("the stream stayed open after the view was left")
		}
	}
}
