package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/clustergen"
)

// `-v events` with a Marathon in -m (here the same server as the master, which answers its state) reads its /v2/events stream: a
// task's failure Marathon tells of shows as a task-failed event with its
// message, placed in its app. Marathon serves the docs' stream, its
// timestamps set to now (what happened before the run is no news).
func TestMarathonEventStreamInTheEventsView(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "internal", "orchestrator", "testdata", "marathon", "marathon-docs_v2_events.sse.txt"))
	if err != nil {
		t.Fatal(err)
	}
	state, err := os.ReadFile(filepath.Join("..", "..", "internal", "orchestrator", "testdata", "mesos", "pairA_master_state_mesos-1.2.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	stamp := regexp.MustCompile(`"timestamp":"[^"]*"`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/master/state" {
			w.Write(state)
			return
		}
		if r.URL.Path != "/v2/events" || r.Header.Get("Accept") != "text/event-stream" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		body := stamp.ReplaceAllString(string(raw), fmt.Sprintf(`"timestamp":%q`, time.Now().UTC().Format(time.RFC3339Nano)))
		w.Write([]byte(body))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	out := runJSON(t, "-v", "events", "-m", srv.URL+","+srv.URL, "-d", "500ms", "-n", "8")
	for _, r := range out {
		for _, row := range r.Rows {
			if row["kind"] == "task-failed" && row["app"] == "/foo" && row["source"] == "marathon" &&
				strings.Contains(fmt.Sprint(row["text"]), "Failed to fetch all URIs") {
				return
			}
		}
	}
	t.Fatalf("no task-failed event of /foo from Marathon's stream in %d refreshes: %+v", len(out), out)
}

// Issue 24 item 3: with --cluster the events view reads Marathon's event
// stream too, as on a node with -m. The cluster is generated in the real
// APIs' shapes (clustergen: a master, its agents, Marathon); Marathon's
// /v2/events serves the docs' stream (timestamps set to now), its other
// paths are the generated Marathon's. A task's failure Marathon tells of
// is a task-failed event of its app. (Before, --cluster never opened the
// stream: no such row in 8 refreshes.)
func TestMarathonEventStreamInTheEventsViewOfTheCluster(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "internal", "orchestrator", "testdata", "marathon", "marathon-docs_v2_events.sse.txt"))
	if err != nil {
		t.Fatal(err)
	}
	_, s := serveGenerated(t, clustergen.Spec{Agents: 4, TasksPerAgent: 2, Seed: 24}, nil)
	target, err := neturl.Parse(s.MarathonURL())
	if err != nil {
		t.Fatal(err)
	}
	generated := httputil.NewSingleHostReverseProxy(target)
	stamp := regexp.MustCompile(`"timestamp":"[^"]*"`)
	var streams atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v2/events" {
			generated.ServeHTTP(w, r)
			return
		}
		if r.Header.Get("Accept") != "text/event-stream" {
			http.Error(w, "not acceptable", http.StatusNotAcceptable)
			return
		}
		streams.Add(1)
		w.Header().Set("Content-Type", "text/event-stream")
		body := stamp.ReplaceAllString(string(raw), fmt.Sprintf(`"timestamp":%q`, time.Now().UTC().Format(time.RFC3339Nano)))
		w.Write([]byte(body))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	out := runJSON(t, "--cluster", "-v", "events", "-m", s.MasterURL()+","+srv.URL, "-d", "500ms", "-n", "8")
	for _, r := range out {
		for _, row := range r.Rows {
			if row["kind"] == "task-failed" && row["app"] == "/foo" && row["source"] == "marathon" &&
				strings.Contains(fmt.Sprint(row["text"]), "Failed to fetch all URIs") {
				return
			}
		}
	}
	t.Fatalf("--cluster: no task-failed event of /foo from Marathon's stream in %d refreshes (%d streams opened): %+v", len(out), streams.Load(), out)
}
