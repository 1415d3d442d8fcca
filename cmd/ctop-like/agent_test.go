package main

import (
	"encoding/json"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/clustergen"
)

// serveGenerated serves a generated cluster for a test of the binary.
func serveGenerated(t *testing.T, spec clustergen.Spec, prepare func(*clustergen.Cluster)) (*clustergen.Cluster, *clustergen.Server) {
	t.Helper()
	if _, err := clustergen.RaiseFileLimit(); err != nil {
		t.Fatal(err)
	}
	c := clustergen.New(spec)
	if prepare != nil {
		prepare(c)
	}
	s, err := c.Serve()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return c, s
}

// TestNodePlacedWithoutM: with no -m, this node's Mesos agent (here
// --mesos-agent, as localhost:5051 is this machine's own) places its
// container — framework, task, app and group — from the agent's state
// alone: the master's state and Marathon are never asked. The tool says
// once what it found. A view of every task reads the master it names.
func TestNodePlacedWithoutM(t *testing.T) {
	id := uuid(t)
	var task clustergen.Task
	c, s := serveGenerated(t, clustergen.Spec{Agents: 30, TasksPerAgent: 4, Seed: 21}, func(c *clustergen.Cluster) {
		c.Agents[7].Tasks[0].ContainerID = id
		task = c.Agents[7].Tasks[0]
	})
	busy := exec.Command("sh", "-c", "while :; do sleep 1; done")
	busy.Env = []string{"PATH=/bin:/usr/bin"}
	if err := busy.Start(); err != nil {
		t.Fatal(err)
	}
	mesosCgroup(t, id, busy.Process.Pid)
	t.Cleanup(func() { _ = busy.Process.Kill(); _ = busy.Wait() })

	stdout, stderr, code := runBinary(t, "--mesos-agent", s.AgentURL(7), "--docker-host", "none", "-v", "containers", "-o", "json", "-d", "500", "-n", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	out := parseLines(t, stdout)
	row := rowByID(t, out[0], "id", id)
	want := map[string]string{"task_id": task.ID, "task": task.Name, "framework": "marathon", "app": task.AppID, "group": task.AppID[:strings.LastIndexByte(task.AppID, '/')]}
	for col, v := range want {
		if row[col] != v {
			t.Errorf("%s = %v, want %s", col, row[col], v)
		}
	}
	if !strings.Contains(stderr, "found Mesos agent "+s.AgentURL(7)) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr %q: want one line saying what was found", stderr)
	}
	if n := s.MasterHits("/master/state"); n != 0 {
		t.Errorf("the node view read the master's state %d times", n)
	}
	if uris := s.MarathonURIs(); len(uris) != 0 {
		t.Errorf("the node view asked Marathon %v", uris)
	}

	// Every task of the cluster: from the master the agent follows.
	tasks := runJSON(t, "--mesos-agent", s.AgentURL(7), "--docker-host", "none", "-v", "mesos-tasks", "-d", "500", "-n", "1")
	if n := len(tasks[0].Rows); n != c.Tasks() {
		t.Errorf("mesos-tasks lists %d tasks, want %d; errors %v", n, c.Tasks(), tasks[0].Errors)
	}
	if r := rowByID(t, tasks[0], "task_id", task.ID); r["container_id"] != id {
		t.Errorf("the local task's container %v, want %s", r["container_id"], id)
	}
}

// TestNoAgentNothingSaid: a node where no Mesos agent answers (nothing at
// localhost:5051) runs as before, with nothing said of Mesos: no line on
// stderr, no error, no container placed in a framework. (Containers of
// runtime mesos may be there: other tests make /mesos cgroups at the same
// time, so the output's text alone says nothing.)
func TestNoAgentNothingSaid(t *testing.T) {
	if c, err := net.DialTimeout("tcp", "localhost:5051", time.Second); err == nil {
		c.Close()
		t.Skip("something listens at localhost:5051 on this machine")
	}
	stdout, stderr, code := runBinary(t, "--docker-host", "none", "-v", "containers", "-o", "json", "-d", "300", "-n", "1")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	out := parseLines(t, stdout)
	for _, e := range out[0].Errors {
		if strings.Contains(strings.ToLower(e), "mesos") || strings.Contains(e, "5051") {
			t.Errorf("an error about Mesos: %q", e)
		}
	}
	for _, r := range out[0].Rows {
		if f, _ := r["framework"].(string); f != "" {
			t.Errorf("container %v placed in framework %q with no agent or master", r["id"], f)
		}
	}
}

// TestAgentScope: --scope agent=HOSTNAME (or ID) with --cluster shows that
// agent's containers; one that names no agent is a usage error naming
// some that exist, and without --cluster it is one too.
func TestAgentScope(t *testing.T) {
	c, s := serveGenerated(t, clustergen.Spec{Agents: 12, TasksPerAgent: 3, Seed: 22}, nil)
	for _, sc := range []string{c.Agents[2].Hostname, c.Agents[2].ID} {
		out := runJSON(t, "-m", s.MasterURL(), "--cluster", "--scope", "agent="+sc, "-v", "containers", "-d", "500", "-n", "1")
		if n := len(out[0].Rows); n != 3 {
			t.Errorf("agent=%s: %d containers, want 3", sc, n)
		}
		for _, r := range out[0].Rows {
			if r["agent"] != c.Agents[2].Hostname {
				t.Errorf("agent=%s: a container of %v", sc, r["agent"])
			}
		}
	}
	_, stderr, code := runBinary(t, "-m", s.MasterURL(), "--cluster", "--scope", "agent=nowhere", "-o", "json", "-d", "500", "-n", "1")
	if code != 2 || !strings.Contains(stderr, "--scope agent=nowhere: no such agent; agents are "+c.Agents[0].Hostname) {
		t.Errorf("unknown agent: exit %d, %q", code, stderr)
	}
	_, stderr, code = runBinary(t, "--scope", "agent=x", "-o", "json", "-n", "1")
	if code != 2 || !strings.Contains(stderr, "--cluster") {
		t.Errorf("agent scope without --cluster: exit %d, %q", code, stderr)
	}
}

// parseLines reads batch JSON output: one refresh a line.
func parseLines(t *testing.T, stdout string) []result {
	t.Helper()
	var out []result
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var r result
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line is not JSON: %v: %.200s", err, l)
		}
		out = append(out, r)
	}
	return out
}
