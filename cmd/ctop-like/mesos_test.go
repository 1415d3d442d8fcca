package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/httpapi/httpapitest"
)

// serve answers each path with a fixture file, unchanged; requests for
// other paths get 404 as the real servers give.
func serve(t *testing.T, routes map[string]string) *httptest.Server {
	return httpapitest.ServeFiles(t, filepath.Join("..", "..", "internal", "orchestrator", "testdata"), routes)
}

// TestContainersPlacedInTheCluster runs real containers carrying pair A's
// ids against fixture-backed Mesos and Marathon servers.
func TestContainersPlacedInTheCluster(t *testing.T) {
	dockertest.Require(t)
	mesos := serve(t, map[string]string{"/master/state": "mesos/pairA_master_state_mesos-1.2.0.json"})
	marathon := serve(t, map[string]string{
		"/v2/groups": "marathon/pairA_v2_groups_embed-tasks.json",
		"/v2/info":   "marathon/marathon-docs_v2_info.json",
	})
	const task = "development_logging.a6f0bb45-c64b-11e6-9066-5a8a388c67a1"
	placed := dockertest.Run(t, []string{"-e", "MESOS_TASK_ID=" + task}, dockertest.Sleep...)
	plain := dockertest.Run(t, nil, dockertest.Sleep...)

	out := runJSON(t, "-m", mesos.URL+","+marathon.URL, "-v", "containers", "-d", "500", "-n", "1")
	r := out[0]
	p := rowByID(t, r, "id", placed)
	want := map[string]string{"task_id": task, "task": "logging.development", "framework": "marathon", "app": "/development/logging", "group": "/development"}
	for col, v := range want {
		if p[col] != v {
			t.Errorf("placed container %s = %v, want %s", col, p[col], v)
		}
	}
	pl := rowByID(t, r, "id", plain)
	for col := range want {
		if v, ok := pl[col]; !ok || v != nil {
			t.Errorf("plain container %s = %v, want null", col, v)
		}
	}

	// The cluster views list what Marathon has, with this node's figures.
	groups := runJSON(t, "-m", mesos.URL+","+marathon.URL, "-v", "marathon-groups", "-d", "500", "-n", "1")
	dev := rowByID(t, groups[0], "group", "/development")
	if num(t, dev, "containers") != 1 {
		t.Errorf("/development holds our one container: %v", dev)
	}
	apps := runJSON(t, "-m", mesos.URL+","+marathon.URL, "-v", "containers", "--scope", "group=/development", "-d", "500", "-n", "1")
	if len(apps[0].Rows) != 1 || apps[0].Rows[0]["id"] != placed {
		t.Errorf("--scope group=/development: %v", apps[0].Rows)
	}
}

// TestDockerNameMatchesMesosContainerID: a container named
// mesos-<container-id> is matched through the task's container_status.
func TestDockerNameMatchesMesosContainerID(t *testing.T) {
	dockertest.Require(t)
	mesos := serve(t, map[string]string{"/master/state": "mesos/master_state_mesos-1.2.0_docker-container-id.json"})
	// A Marathon URL of our own (it answers 404) keeps the tool from
	// following the fixture's webui_url to the real cluster's address.
	noMarathon := serve(t, nil)
	name := "mesos-e7c656cc-dcaa-4b76-9860-663ad5c6358f"
	_ = exec.Command("docker", "rm", "-f", name).Run()
	id := dockertest.Run(t, []string{"--name", name}, dockertest.Sleep...)
	out := runJSON(t, "-m", mesos.URL+","+noMarathon.URL, "-v", "containers", "-d", "500", "-n", "1")
	row := rowByID(t, out[0], "id", id)
	if row["task_id"] != "dockertest.55144aae-cd5b-11e6-b6f5-fea80569c9e0" || row["task"] != "dockertest" || row["framework"] != "marathon" {
		t.Errorf("mesos-<container-id> container: task %v %v framework %v", row["task_id"], row["task"], row["framework"])
	}
}

// TestFaultyClusterNeverHoldsUpTheNode: whatever Marathon does, three
// refreshes of a view that shows Marathon (the tool asks it only then)
// come on time with a named error, and the password is nowhere in the
// output; the node's container is in the containers view all the same.
func TestFaultyClusterNeverHoldsUpTheNode(t *testing.T) {
	dockertest.Require(t)
	id := dockertest.Run(t, nil, dockertest.Sleep...)
	mesos := serve(t, map[string]string{"/master/state": "mesos/pairA_master_state_mesos-1.2.0.json"})
	faults := map[string]http.HandlerFunc{
		"hangs": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
		},
		"500": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) },
		"html": func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("<html><body>Bad gateway</body></html>"))
		},
		"truncated": func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"id":"/","apps":[{"id":"/a","tasks":[`))
		},
		"401": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Basic realm="marathon"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		},
	}
	for name, h := range faults {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			u := strings.Replace(srv.URL, "http://", "http://ops:pa55word@", 1)
			stdout, stderr, code := runBinary(t, "-m", mesos.URL+","+u, "-o", "json", "-v", "marathon-apps", "-n", "3", "-d", "500")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if strings.Contains(stdout+stderr, "pa55word") {
				t.Fatal("the password appears in the output")
			}
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			if len(lines) != 3 {
				t.Fatalf("%d refreshes, want 3", len(lines))
			}
			// One refresh every 500 ms whatever Marathon does: a refresh
			// held up by the network would leave a gap of at least the
			// request timeout (5 s) between two lines. The lines' own
			// times are compared, not the wall clock around the run,
			// which on a loaded machine includes seconds of start-up.
			var prev time.Time
			for i, l := range lines {
				var r struct{ Time time.Time }
				if err := json.Unmarshal([]byte(l), &r); err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				if gap := r.Time.Sub(prev); i > 0 && gap >= 5*time.Second {
					t.Errorf("refresh %d came %v after the one before: held up by the cluster", i+1, gap)
				}
				prev = r.Time
			}
			if !strings.Contains(lines[2], `"errors":["marathon`) && !strings.Contains(lines[2], `marathon http`) {
				t.Errorf("no named marathon error: %.300s", lines[2][strings.Index(lines[2], `"errors"`):])
			}
		})
	}
	out := runJSON(t, "-m", mesos.URL+",http://127.0.0.1:1", "-v", "containers", "-n", "1", "-d", "500")
	rowByID(t, out[0], "id", id)
}
