package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/dockertest"
)

// The redis story of issue 22, on this node: a Mesos task (busybox nc in a
// test-made /mesos/<id> cgroup, on the host's network) holds a port; the
// Docker "redis" of Marathon app /ops/redis (nc on the host's network,
// exposing that port) cannot bind it and exits 1; Marathon holds the app
// back. Mesos and Marathon answer with the fixtures' payloads
// (internal/orchestrator/testdata), their ids, times and ports set to the
// story's.

// fixtureJSON reads a fixture of internal/orchestrator/testdata.
func fixtureJSON(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "orchestrator", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// clone copies a decoded JSON value.
func clone(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// story is the cluster's side of the story.
type story struct {
	port               int
	holderTask, failed string
	failedAt           time.Time
}

// mesosState is pair A's master state (Mesos 1.2.0) with only its
// Marathon framework: the holder's task running, the redis task failed.
func (st story) mesosState(t *testing.T) []byte {
	s := fixtureJSON(t, "mesos/pairA_master_state_mesos-1.2.0.json")
	var m map[string]any
	for _, f := range s["frameworks"].([]any) {
		if f.(map[string]any)["name"] == "marathon" {
			m = f.(map[string]any)
		}
	}
	ports := fmt.Sprintf("[%d-%d]", st.port, st.port)
	run := clone(t, m["tasks"].([]any)[0])
	run["id"], run["name"], run["state"] = st.holderTask, "redis", "TASK_RUNNING"
	run["resources"].(map[string]any)["ports"] = ports
	run["statuses"] = []any{map[string]any{"state": "TASK_RUNNING", "timestamp": float64(st.failedAt.Add(-time.Hour).Unix())}}
	failed := clone(t, m["completed_tasks"].([]any)[0])
	failed["id"], failed["name"], failed["state"] = st.failed, "redis.ops", "TASK_FAILED"
	failed["resources"].(map[string]any)["ports"] = ports
	failed["statuses"] = []any{
		map[string]any{"state": "TASK_RUNNING", "timestamp": float64(st.failedAt.Unix()) - 1},
		map[string]any{"state": "TASK_FAILED", "timestamp": float64(st.failedAt.UnixNano()) / 1e9},
	}
	failed["labels"] = []any{map[string]any{"key": "DCOS_SPACE", "value": "/ops/redis"}}
	m["tasks"], m["completed_tasks"] = []any{run}, []any{failed}
	s["frameworks"], s["completed_frameworks"] = []any{m}, []any{}
	b, _ := json.Marshal(s)
	return b
}

// groups is pair A's /v2/groups answer made of its /development/logging
// app twice: /redis running the holder's task, and /ops/redis below its
// one instance, requiring the port, its last task failed.
func (st story) groups(t *testing.T) []byte {
	g := fixtureJSON(t, "marathon/pairA_v2_groups_embed-tasks.json")
	var logging map[string]any
	var walk func(g map[string]any)
	walk = func(g map[string]any) {
		for _, a := range g["apps"].([]any) {
			if a.(map[string]any)["id"] == "/development/logging" {
				logging = a.(map[string]any)
			}
		}
		for _, sub := range g["groups"].([]any) {
			walk(sub.(map[string]any))
		}
	}
	walk(g)
	holder := clone(t, logging)
	task := clone(t, holder["tasks"].([]any)[0])
	task["id"], task["appId"], task["ports"] = st.holderTask, "/redis", []any{st.port}
	delete(task, "healthCheckResults")
	holder["id"], holder["tasks"], holder["instances"] = "/redis", []any{task}, 1
	holder["tasksRunning"], holder["tasksHealthy"], holder["tasksUnhealthy"], holder["tasksStaged"] = 1, 0, 0, 0
	holder["healthChecks"] = []any{}
	delete(holder, "lastTaskFailure")
	redis := clone(t, logging)
	redis["id"], redis["tasks"], redis["instances"] = "/ops/redis", []any{}, 1
	redis["tasksRunning"], redis["tasksHealthy"], redis["tasksUnhealthy"], redis["tasksStaged"] = 0, 0, 0, 0
	redis["portDefinitions"] = []any{map[string]any{"port": st.port, "protocol": "tcp", "labels": map[string]any{}}}
	redis["requirePorts"] = true
	f := redis["lastTaskFailure"].(map[string]any)
	f["appId"], f["taskId"], f["state"] = "/ops/redis", st.failed, "TASK_FAILED"
	f["message"] = "Docker container run error: Container exited on error: exited with status 1"
	f["timestamp"] = st.failedAt.UTC().Format("2006-01-02T15:04:05.000Z")
	ops := map[string]any{"id": "/ops", "dependencies": []any{}, "version": g["version"], "apps": []any{redis}, "groups": []any{}, "pods": []any{}}
	g["apps"], g["groups"] = []any{holder}, []any{ops}
	b, _ := json.Marshal(g)
	return b
}

// queue is the Marathon docs' /v2/queue answer with /ops/redis held back
// by its backoff delay.
func (st story) queue(t *testing.T) []byte {
	q := fixtureJSON(t, "marathon/marathon-docs_v2_queue.json")
	e := clone(t, q["queue"].([]any)[0])
	e["app"].(map[string]any)["id"] = "/ops/redis"
	e["delay"] = map[string]any{"timeLeftSeconds": 245, "overdue": false}
	q["queue"] = []any{e}
	b, _ := json.Marshal(q)
	return b
}

// marathonServer answers GETs with the story and records writes.
type storyMarathon struct {
	st    story
	t     *testing.T
	mu    sync.Mutex
	calls []string
}

func (m *storyMarathon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	send := func(b []byte) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v2/groups":
		send(m.st.groups(m.t))
	case r.Method == http.MethodGet && r.URL.Path == "/v2/queue":
		send(m.st.queue(m.t))
	case r.Method == http.MethodGet && r.URL.Path == "/v2/info":
		b, _ := json.Marshal(fixtureJSON(m.t, "marathon/marathon-docs_v2_info.json"))
		send(b)
	case r.Method == http.MethodGet:
		http.NotFound(w, r)
	default:
		body, _ := io.ReadAll(r.Body)
		m.mu.Lock()
		m.calls = append(m.calls, fmt.Sprintf("%s %s %s", r.Method, r.URL.EscapedPath(), body))
		m.mu.Unlock()
		b, _ := os.ReadFile(filepath.Join("..", "..", "internal", "actions", "testdata", "marathon-docs_deployments_result.json"))
		send(b)
	}
}

// TestRedisStoryInFiveKeys is issue 22's goal at 120×40 over ssh, without
// -a, from the first frame: each fact of the story within 5 keys — the app
// below its instances and why, the failed task's message, the exited
// container's exit code and the log line naming the cause, who holds the
// port, and :scale with its confirmation. Before: 92 keys and a restart
// with -a (the exited container was not listed at all).
func TestRedisStoryInFiveKeys(t *testing.T) {
	dockertest.Require(t)
	port := freePort(t)
	mid := uuid(t)
	st := story{port: port, holderTask: "redis." + mid, failed: "ops_redis." + uuid(t), failedAt: time.Now().Add(-30 * time.Second)}
	holder := hostListener(t, mid, port, "MESOS_TASK_ID="+st.holderTask, "MARATHON_APP_ID=/redis")

	name := fmt.Sprintf("ops-redis-%d", rand.Intn(1e6))
	did := dockertest.Run(t, []string{"--name", name, "--network", "host", "--expose", strconv.Itoa(port),
		"-e", "MESOS_TASK_ID=" + st.failed, "-e", "MARATHON_APP_ID=/ops/redis"}, "nc", "-l", "-p", strconv.Itoa(port))
	if code := dockertest.Docker(t, "wait", did); code != "1" {
		t.Fatalf("the redis exited %s, want 1", code)
	}
	cause, _ := exec.Command("docker", "logs", did).CombinedOutput()
	if !strings.Contains(string(cause), "in use") {
		t.Fatalf("its log: %q", cause)
	}
	mesosState := st.mesosState(t)
	mesos := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/master/state" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(mesosState)
	}))
	t.Cleanup(mesos.Close)
	rec := &storyMarathon{st: st, t: t}
	marathon := httptest.NewServer(rec)
	t.Cleanup(marathon.Close)

	// The failed task links to its exited container, without -a: in
	// mesos-tasks' container column, and its log (l on the task) is that
	// container's, read through Docker. Before, CONTAINER was n/a and l
	// said "no such container on this node".
	ms := mesos.URL + "," + marathon.URL
	tasks := runJSON(t, "-m", ms, "-v", "mesos-tasks", "-d", "500", "-n", "1")
	if r := rowByID(t, tasks[0], "task_id", st.failed); r["container_id"] != did {
		t.Errorf("the failed task's container is %v, want %.12s", r["container_id"], did)
	}
	logged := runJSON(t, "-m", ms, "-v", "logs", "--scope", "task="+st.failed, "-d", "500", "-n", "1")
	var lines []string
	for _, r := range logged[0].Rows {
		lines = append(lines, fmt.Sprint(r["text"]))
	}
	if !strings.Contains(strings.Join(lines, "\n"), "nc: bind: Address already in use") {
		t.Errorf("the failed task's log: %q, errors %q", lines, logged[0].Errors)
	}

	p := newPane(t, 120, 40)
	p.text("env TERM=xterm-256color " + binary + " -d 500 -m " + ms + "; echo EXIT=$?")
	p.keys("Enter")
	p.waitFor("the first frame", has("F1Help"))
	p.waitFor("the header's count", has("need a look (x)"))
	keys := 0
	press := func(k string) {
		keys++
		p.keys(k)
	}
	// One key: x.
	press("x")
	// Text wrapped over lines (a long id too) reads whole without spaces.
	on := func(s string, parts ...string) bool {
		w := noSpace(s)
		for _, p := range parts {
			if !strings.Contains(w, noSpace(p)) {
				return false
			}
		}
		return true
	}
	s := p.waitFor("the story's rows with their facts", func(s string) bool {
		return on(s, "/ops/redis", "nc: bind: Address already in use", "Docker container run error", "holds on this node")
	})
	found := map[string]bool{
		// The app below its instances, and why.
		"app": on(s, "/ops/redis", "0/1 running, delayed", "last failure", "Docker container run error", "launch queue holds it back"),
		// The failed task's message.
		"task": on(s, "redis.ops", "failed", "Docker container run error: Container exited on error: exited with status 1"),
		// The exited container's exit code and the line naming the cause.
		"exit": on(s, name, "exit code 1", "nc: bind: Address already in use"),
		// Who holds the port, said by the container, and by the app that
		// requires it (portDefinitions, requirePorts).
		"holder": on(s, fmt.Sprintf("port %d/tcp held by task %s (pid %d)", port, st.holderTask, holder.Process.Pid)) &&
			on(s, fmt.Sprintf("it requires port %d/tcp, which task %s (pid %d) holds on this node", port, st.holderTask, holder.Process.Pid)),
	}
	for fact, ok := range found {
		if !ok {
			t.Errorf("after %d key(s), the %s fact is not on the screen:\n%s", keys, fact, s)
		}
	}
	t.Logf("keys to the app and why, the task's message, the exit code and its log line, the port's holder: %d each", keys)

	// :scale 2 on the app (the first row, selected), then its confirmation.
	p.text(":scale 2")
	keys++ // the command line, as one key
	press("Enter")
	// The box wraps its sentence over the table's text: its words, in
	// its lines.
	p.waitFor("the confirmation", func(s string) bool {
		return strings.Contains(s, "Marathon will scale /ops/redis") && strings.Contains(s, "2 instances?")
	})
	t.Logf("keys to :scale 2's confirmation: %d (x, :scale 2, Enter)", keys)
	if keys > 5 {
		t.Errorf("%d keys to the confirmation, want at most 5", keys)
	}
	p.keys("y")
	p.waitFor("done", has("scale: done"))
	rec.mu.Lock()
	calls := append([]string(nil), rec.calls...)
	rec.mu.Unlock()
	if len(calls) != 1 || calls[0] != `PUT /v2/apps/ops/redis {"instances":2}` {
		t.Errorf("Marathon got %q", calls)
	}
	p.keys("q")
	p.waitFor("a clean exit", has("EXIT=0"))
}

// noSpace is s without its spaces and line breaks.
func noSpace(s string) string { return strings.Join(strings.Fields(s), "") }
