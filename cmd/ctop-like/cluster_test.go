package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCadvisorRemoteNode runs the binary against a loopback cAdvisor that
// serves the recorded fixtures unchanged; it is the only address given, and
// without -m nothing else is contacted.
func TestCadvisorRemoteNode(t *testing.T) {
	dir := filepath.Join("..", "..", "internal", "cadvisor", "testdata")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := map[string]string{
			"/api/v1.3/machine":        "recorded_v0.60_api_v1.3_machine.json",
			"/api/v1.3/subcontainers/": "recorded_v0.60_api_v1.3_subcontainers_docker_mesos-env_last2.json",
		}[r.URL.Path]
		b, err := os.ReadFile(filepath.Join(dir, f))
		if f == "" || err != nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	out := runJSON(t, "--cadvisor", srv.URL, "-v", "containers", "-d", "300", "-n", "1")
	if len(out) != 1 || len(out[0].Rows) != 3 || out[0].Host != "127.0.0.1" {
		t.Fatalf("%+v", out)
	}
	for _, r := range out[0].Rows {
		if r["runtime"] != "docker" || !strings.HasPrefix(r["task"].(string), "app") || r["agent"] != nil {
			t.Errorf("row %v", r)
		}
	}
	_, stderr, code := runBinary(t, "--cluster", "-o", "json")
	if code != 2 || !strings.Contains(stderr, "--cluster: needs -m") {
		t.Errorf("--cluster without -m: exit %d %s", code, stderr)
	}
}
