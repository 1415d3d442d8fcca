package main

import (
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/dockertest"
)

// freePort is a TCP port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// hostListener starts busybox `nc -l -p port` on the host with env, in a
// test-made /mesos/<id> cgroup, and waits until it listens.
func hostListener(t *testing.T, id string, port int, env ...string) *exec.Cmd {
	t.Helper()
	nc := exec.Command("busybox", "nc", "-l", "-p", strconv.Itoa(port))
	nc.Env = append([]string{"PATH=/bin:/usr/bin"}, env...)
	if err := nc.Start(); err != nil {
		t.Fatalf("busybox nc: %v (make check installs busybox-static)", err)
	}
	kill := func() { _ = nc.Process.Kill(); _ = nc.Wait() }
	defer func() {
		if t.Failed() {
			kill()
		}
	}()
	mesosCgroup(t, id, nc.Process.Pid)
	t.Cleanup(kill) // before the cgroup's removal (cleanups run last-in first-out)
	waitListening(t, port)
	return nc
}

// waitListening waits until the kernel's tables (of the namespace the
// command runs in) show the port in LISTEN.
func waitListening(t *testing.T, port int, cmd ...string) {
	t.Helper()
	if len(cmd) == 0 {
		cmd = []string{"cat"}
	}
	want := fmt.Sprintf(":%04X ", port)
	for i := 0; i < 100; i++ {
		out, _ := exec.Command(cmd[0], append(cmd[1:], "/proc/net/tcp", "/proc/net/tcp6")...).Output()
		for _, line := range strings.Split(string(out), "\n") {
			if f := strings.Fields(line); len(f) > 3 && strings.HasSuffix(f[1], strings.TrimSpace(want)) && f[3] == "0A" {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %d", port)
}

// TestPortsInBatchJSON: busybox nc listening in a real Docker container and
// in a test-made /mesos/<id> cgroup; batch JSON shows each one's port on
// its container and on its process.
func TestPortsInBatchJSON(t *testing.T) {
	dockertest.Require(t)
	dport, mport := freePort(t), freePort(t)
	name := fmt.Sprintf("h6-failing-nc-%d", dport)
	did := dockertest.Run(t, []string{"--name", name}, "nc", "-l", "-p", strconv.Itoa(dport))
	mid := uuid(t)
	nc := hostListener(t, mid, mport)
	// The container's own namespace: its listener seen from the inside.
	waitListening(t, dport, "docker", "exec", did, "cat")

	out := runJSON(t, "-v", "containers", "-d", "500", "-n", "1")
	if d := rowByID(t, out[0], "id", did); d["ports"] != strconv.Itoa(dport)+"/tcp" {
		t.Errorf("docker container ports %v, want %d/tcp", d["ports"], dport)
	}
	if m := rowByID(t, out[0], "id", mid); m["ports"] != strconv.Itoa(mport)+"/tcp" {
		t.Errorf("mesos container ports %v, want %d/tcp", m["ports"], mport)
	}
	procs := runJSON(t, "-v", "processes", "--docker-host", "none", "--scope", "container="+mid, "-d", "500", "-n", "1")
	if len(procs[0].Rows) != 1 || num(t, procs[0].Rows[0], "pid") != float64(nc.Process.Pid) || procs[0].Rows[0]["ports"] != strconv.Itoa(mport)+"/tcp" {
		t.Errorf("the mesos container's process: %v", procs[0].Rows)
	}
}

// TestPortConflictStory is the story: a Mesos task (redis with host
// networking) holds a port; a Docker redis on host networking cannot bind
// it, exits, and batch JSON alone says who holds the port.
func TestPortConflictStory(t *testing.T) {
	dockertest.Require(t)
	port := freePort(t)
	mid := uuid(t)
	task := "redis." + mid
	holder := hostListener(t, mid, port, "MESOS_TASK_ID="+task, "MARATHON_APP_ID=/redis")

	name := fmt.Sprintf("h6-failing-redis-%d", port)
	did := dockertest.Run(t, []string{"--name", name, "--network", "host"}, "nc", "-l", "-p", strconv.Itoa(port))
	if code := dockertest.Docker(t, "wait", did); code != "1" {
		t.Fatalf("the second listener exited %s, want 1", code)
	}
	if logs, _ := exec.Command("docker", "logs", did).CombinedOutput(); !strings.Contains(string(logs), "in use") {
		t.Fatalf("the second listener's log: %q", logs)
	}

	// Who listens on the port: the Mesos task's process, in its container.
	procs := runJSON(t, "-v", "processes", "-f", "ports~"+strconv.Itoa(port), "-d", "500", "-n", "1")
	if len(procs[0].Rows) != 1 || num(t, procs[0].Rows[0], "pid") != float64(holder.Process.Pid) || procs[0].Rows[0]["container_id"] != mid {
		t.Fatalf("processes listening on %d: %v", port, procs[0].Rows)
	}
	out := runJSON(t, "-a", "-v", "containers", "-d", "500", "-n", "1")
	m := rowByID(t, out[0], "id", mid)
	if m["ports"] != strconv.Itoa(port)+"/tcp" || m["app"] != "/redis" || m["task_id"] != task {
		t.Errorf("the mesos task's container: ports %v app %v task %v", m["ports"], m["app"], m["task_id"])
	}
	// With -a, Docker's stopped containers are listed too (issue 14's
	// first part): the exited one then says why it needs a look.
	for _, r := range out[0].Rows {
		if r["id"] == did && r["attention"] != "exited 1" {
			t.Errorf("the exited container: attention %v, want exited 1", r["attention"])
		}
	}
}
