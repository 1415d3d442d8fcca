// Package httpapitest has loopback stand-ins for the remote APIs the tool
// reads, for tests: a server on a chosen loopback address that keeps every
// Authorization header it receives (to prove where credentials went), and
// one that answers paths with fixture files, unchanged.
package httpapitest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Recorder is a server that keeps the Authorization header of every
// request, "" for none.
type Recorder struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string
}

// NewRecorder serves h on addr ("127.0.0.2:0": another loopback host) and
// closes it when the test ends.
func NewRecorder(t testing.TB, addr string, h http.HandlerFunc) *Recorder {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s: %v (loopback addresses besides 127.0.0.1 are needed)", addr, err)
	}
	r := &Recorder{}
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.auth = append(r.auth, req.Header.Get("Authorization"))
		r.mu.Unlock()
		h(w, req)
	}))
	r.Listener.Close()
	r.Listener = l
	r.Start()
	t.Cleanup(r.Close)
	return r
}

// Headers are the Authorization headers received so far, in order.
func (r *Recorder) Headers() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.auth...)
}

// ServeFiles answers each path of routes with the file dir/routes[path],
// unchanged, as JSON; other paths get 404 as the real servers give.
func ServeFiles(t testing.TB, dir string, routes map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := routes[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("fixture %s: %v", name, err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}
