package agents

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi/httpapitest"
	"github.com/ctop-like/ctop-like/internal/logs"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
)

// With --cluster, a task's log is its executor's sandbox stdout and stderr
// on its agent: the directory from the agent's real /state, the bytes from
// /files/read, with -m's credentials, which only the agents the master
// lists get.
func TestTaskLogThroughTheAgent(t *testing.T) {
	// The executor of the agent state fixture (Mesos 1.5.0).
	const container = "46b85d9f-df63-4558-82eb-eebc8e787dad"
	const dir = "/var/lib/mesos/slave/slaves/01b277a1-51e3-49f9-a7d5-04afa39b7cd2-S0/frameworks/01b277a1-51e3-49f9-a7d5-04afa39b7cd2-0001/executors/nginx.b70993db-d652-11e7-901d-70b3d5800001/runs/" + container
	files := map[string]string{
		dir + "/stdout": "Starting nginx\nready\n",
		dir + "/stderr": "bind() to 0.0.0.0:80 failed (98: Address already in use)\n",
	}
	agent := httpapitest.NewRecorder(t, "127.0.0.2:0", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/state":
			w.Write(fixture(t, "mesos/agent_state_mesos-1.5.0_docker-container-id.json"))
		case "/files/read":
			q := r.URL.Query()
			body, ok := files[q.Get("path")]
			if !ok {
				http.NotFound(w, r)
				return
			}
			off, _ := strconv.Atoi(q.Get("offset"))
			n, _ := strconv.Atoi(q.Get("length"))
			if off < 0 || off >= len(body) {
				fmt.Fprintf(w, `{"data":"","offset":%d}`, len(body))
				return
			}
			data := body[off:min(len(body), off+n)]
			b, _ := json.Marshal(data)
			fmt.Fprintf(w, `{"data":%s,"offset":%d}`, b, off)
		default:
			http.NotFound(w, r)
		}
	})
	master := httpapitest.NewRecorder(t, "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/master/slaves" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, `{"slaves":[{"id":"S0","pid":"slave(1)@%s","hostname":"agent-0"}]}`, agent.Listener.Addr())
	})
	p, err := orchestrator.NewPoller(orchestrator.Config{URLs: []string{strings.Replace(master.URL, "://", "://ops:s3cret@", 1)}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	src := New(p, Config{})
	if _, err := src.TaskLog(context.Background(), "agent-9", container, ""); err == nil || !strings.Contains(err.Error(), "not in the master's list") {
		t.Errorf("an agent the master does not list: %v", err)
	}
	log, err := src.TaskLog(context.Background(), "agent-0", container, "")
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan logs.Line, 10)
	if err := log.Stream(context.Background(), 10, false, out); err != nil {
		t.Fatal(err)
	}
	close(out)
	got := map[string][]string{}
	for l := range out {
		got[l.Stream] = append(got[l.Stream], l.Text)
	}
	if strings.Join(got[logs.Stdout], "|") != "Starting nginx|ready" || len(got[logs.Stderr]) != 1 || !strings.Contains(got[logs.Stderr][0], "Address already in use") {
		t.Errorf("lines %q", got)
	}
	for _, h := range agent.Headers() {
		if h != "Basic b3BzOnMzY3JldA==" {
			t.Errorf("a request to the agent went with %q", h)
		}
	}
	if len(agent.Headers()) < 3 {
		t.Errorf("the agent saw %d requests with credentials", len(agent.Headers()))
	}
	if _, err := src.TaskLog(context.Background(), "agent-0", "no-such-container", ""); err == nil {
		t.Error("a container the agent does not run has a log")
	}
}
