package docker

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/runtime"
)

// fakeDockerd answers the few API calls Docker makes; its events stream
// ends after a moment, as when dockerd restarts.
type fakeDockerd struct {
	mu    sync.Mutex
	ids   []string
	lists int
}

func (f *fakeDockerd) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Api-Version", "1.41")
	w.Header().Set("Content-Type", "application/json")
	p := r.URL.Path
	if i := strings.Index(p, "/containers/"); i > 0 {
		p = p[i:]
	} else if i := strings.LastIndex(p, "/"); i > 0 {
		p = p[i:]
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case p == "/_ping":
		_, _ = w.Write([]byte("OK"))
	case p == "/containers/json":
		f.lists++
		var out []map[string]any
		for _, id := range f.ids {
			out = append(out, map[string]any{"Id": id})
		}
		_ = json.NewEncoder(w).Encode(out)
	case strings.HasPrefix(p, "/containers/") && strings.HasSuffix(p, "/json"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/containers/"), "/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"Id": id, "Name": "/name-" + id,
			"State":  map[string]any{"Status": "running", "Pid": 1},
			"Config": map[string]any{"Image": "img"},
		})
	case p == "/events":
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		f.mu.Unlock()
		time.Sleep(100 * time.Millisecond) // then the stream breaks
		f.mu.Lock()
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeDockerd) set(ids ...string) {
	f.mu.Lock()
	f.ids = ids
	f.mu.Unlock()
}

// A broken events stream makes Docker reconnect and list again, which
// picks up containers it missed in between.
func TestDockerReconnectRelists(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "d.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeDockerd{}
	fake.set("aaa")
	srv := httptest.NewUnstartedServer(fake)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)

	d := New(t.Context(), "unix://"+sock)
	t.Cleanup(func() { _ = d.Close() })
	if err := d.WaitReady(t.Context()); err != nil {
		t.Fatal(err)
	}
	if m, ok := d.Meta("aaa", ""); !ok || m.Name != "name-aaa" || m.Image != "img" {
		t.Fatalf("Meta(aaa) = %+v, %v", m, ok)
	}
	fake.set("bbb") // aaa removed, bbb created, no events seen
	eventually(t, 5*time.Second, "re-list after the events stream broke", func() bool {
		_, okA := d.Meta("aaa", "")
		_, okB := d.Meta("bbb", "")
		return !okA && okB
	})
	if err := d.Err(); err != nil {
		// Between a break and the next list Err names the stream error;
		// after the list it is nil again.
		eventually(t, 5*time.Second, "Err nil after reconnecting", func() bool { return d.Err() == nil })
	}
}

// fakeDockerdStaying is fakeDockerd with an events stream that stays open,
// as a healthy dockerd's does.
type fakeDockerdStaying struct{ fakeDockerd }

func (f *fakeDockerdStaying) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/events") {
		w.Header().Set("Api-Version", "1.41")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		return
	}
	f.fakeDockerd.ServeHTTP(w, r)
}

// A dockerd that was down long enough for the reconnects to back off is
// seen within a knock of coming back, not after the backoff.
func TestDockerBackWithinAKnock(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "d.sock")
	d := New(t.Context(), "unix://"+sock)
	t.Cleanup(func() { _ = d.Close() })
	// Refused for 2.5 s: the waits between tries grow 250 ms, 500 ms,
	// 1 s, 2 s, so the next try is about 1.25 s away.
	time.Sleep(2500 * time.Millisecond)
	if d.Ready() {
		t.Fatal("ready with no daemon")
	}
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeDockerdStaying{}
	fake.set("aaa")
	srv := httptest.NewUnstartedServer(fake)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	start := time.Now()
	eventually(t, 5*time.Second, "named again", func() bool { _, ok := d.Meta("aaa", ""); return ok })
	if took := time.Since(start); took > 700*time.Millisecond {
		t.Errorf("dockerd back for %v before its containers were named; want within a knock (%v)", took, runtime.Knock)
	}
}
