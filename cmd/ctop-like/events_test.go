package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/cgrouptest"
	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/podmantest"
)

// streamJSON starts the binary printing -o json -n 0 with args and
// returns a function that gives every line printed so far.
func streamJSON(t *testing.T, args ...string) func() []result {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"-o", "json", "-n", "0"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("stderr: %s", stderr.String())
		}
	})
	var mu sync.Mutex
	var lines []result
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			var r result
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				r.Errors = append(r.Errors, "not JSON: "+err.Error())
			}
			mu.Lock()
			lines = append(lines, r)
			mu.Unlock()
		}
	}()
	return func() []result {
		mu.Lock()
		defer mu.Unlock()
		return append([]result(nil), lines...)
	}
}

// A container that exits 3 and one the OOM killer kills under a small
// memory limit show in `-o json -n 0 -v events` as Docker says: died with
// exit code 3; oom, then died with 137, and the kernel log's kill of its
// shell (as root); each event printed once, in the order the timeline
// kept them. (Before the events view, -v events was a
// usage error.)
func TestDockerEventsStreamExitCodeAndOOM(t *testing.T) {
	dockertest.Require(t)
	lines := streamJSON(t, "-d", "500ms", "-v", "events")
	for try := 0; len(lines()) == 0; try++ {
		if try == 600 {
			t.Fatal("no refresh printed in 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// As root the kernel log says which process the OOM killer killed.
	f, err := os.Open("/dev/kmsg")
	kmsg := err == nil
	if kmsg {
		f.Close()
	}
	tag := rand.Intn(1e6)
	exit3 := dockertest.Run(t, []string{"--name", fmt.Sprintf("ctl-ev-exit-%d", tag)}, "sh", "-c", "exit 3")
	oom := runOOMKilled(t, fmt.Sprintf("ctl-ev-oom-%d", tag))
	if got := dockertest.Docker(t, "wait", exit3); got != "3" {
		t.Fatalf("docker wait %s = %s, want 3", exit3, got)
	}
	find := func(id string) []evSeen { // oldest first, by the events' numbers
		var out []evSeen
		for _, l := range lines() {
			for _, r := range l.Rows {
				if r["container"] == id {
					out = append(out, evSeen{r["kind"].(string), r["exit_code"], r["object"], r["seq"].(float64), r["pid"]})
				}
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
		return out
	}
	for try := 0; ; try++ {
		e, o := find(exit3), find(oom)
		if hasDied(e, 3) && hasKind(o, "oom") && hasDied(o, 137) && (!kmsg || hasKind(o, "oom-kill")) {
			for _, s := range o {
				if name, _ := s.name.(string); s.kind == "oom-kill" && (s.pid == nil || !strings.HasPrefix(name, "sh (pid ")) {
					t.Errorf("the kernel's kill names %v, pid %v: want the shell it killed", s.name, s.pid)
				}
			}
			if e[0].name != fmt.Sprintf("ctl-ev-exit-%d", tag) {
				t.Errorf("the event names %v, want the container's name", e[0].name)
			}
			var order []string
			for _, s := range o {
				order = append(order, s.kind)
			}
			// The kernel's oom-kill may come between (it is read as
			// the kernel writes it).
			if oomAt, diedAt := slices.Index(order, "oom"), slices.Index(order, "died"); oomAt < 0 || diedAt < oomAt {
				t.Errorf("the OOM-killed container's events are %q: want oom, then died", strings.Join(order, " "))
			}
			break
		}
		if try == 300 {
			t.Fatalf("after 30s the events of the container that exited 3 are %v and of the OOM-killed one %v", e, o)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Each event once: a line prints only events kept after those of
	// the lines before.
	printed := 0.0
	for _, l := range lines() {
		newest := printed
		for _, r := range l.Rows {
			n := r["seq"].(float64)
			if n <= printed {
				t.Errorf("event %v (%v) printed again after event %v", n, r["kind"], printed)
			}
			newest = max(newest, n)
		}
		printed = newest
	}
}

// runOOMKilled runs a container the OOM killer kills under an 8 MiB
// limit and returns its id once Docker has recorded the kill. dockerd
// sometimes records the exit 137 without the kill (State.OOMKilled
// false; seen once in CI on a loaded machine): then Docker has no OOM
// for ctop-like to show, so a fresh container is tried, up to three.
func runOOMKilled(t *testing.T, name string) string {
	t.Helper()
	for try := 1; ; try++ {
		id := dockertest.Run(t, []string{"--name", fmt.Sprintf("%s-%d", name, try), "--memory", "8m", "--memory-swap", "8m"},
			"sh", "-c", "x=0123456789; while :; do x=$x$x; done")
		if got := dockertest.Docker(t, "wait", id); got != "137" {
			t.Fatalf("docker wait %s = %s, want 137 (OOM-killed)", id, got)
		}
		ok := dockertest.Docker(t, "inspect", "-f", "{{.State.OOMKilled}}", id)
		if ok == "true" {
			return id
		}
		if try == 3 {
			t.Fatalf("Docker did not record the OOM kill of any of 3 containers (State.OOMKilled %s)", ok)
		}
		t.Logf("try %d: exit 137 but State.OOMKilled %s; Docker lost the OOM event, trying a new container", try, ok)
	}
}

// evSeen is an event a test saw printed.
type evSeen struct {
	kind       string
	exit, name any
	seq        float64
	pid        any
}

func hasKind(l []evSeen, kind string) bool {
	for _, s := range l {
		if s.kind == kind {
			return true
		}
	}
	return false
}

func hasDied(l []evSeen, code float64) bool {
	for _, s := range l {
		if s.kind == "died" && s.exit == code {
			return true
		}
	}
	return false
}

// The goal: an OOM kill in a Mesos-containerizer task — a
// test-made /mesos/<id> cgroup with a 16 MiB limit, its task placed by
// the master's state — shows as events naming the task: its cgroup's OOM
// counter grew, and (the kernel log, as root) which process was killed.
func TestMesosTaskOOMKillIsAnEventNamingTaskAndProcess(t *testing.T) {
	id := uuid(t)
	st := story{port: freePort(t), holderTask: "redis." + id, failed: "ops_redis." + uuid(t), failedAt: time.Now().Add(-30 * time.Second)}
	env := []string{"PATH=/bin:/usr/bin", "MESOS_TASK_ID=" + st.holderTask, "MARATHON_APP_ID=/redis"}
	sleeper := exec.Command("sleep", "3600")
	sleeper.Env = env
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	mesosCgroup(t, id, sleeper.Process.Pid)
	t.Cleanup(func() { _ = sleeper.Process.Kill(); _ = sleeper.Wait() })
	var dirs []string
	limit := map[string]string{}
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		d := "/sys/fs/cgroup/mesos/" + id
		dirs, limit[d+"/memory.max"], limit[d+"/memory.swap.max"] = []string{d}, "16777216", "0"
	} else {
		for _, c := range []string{"cpu", "cpuacct", "memory", "pids"} {
			dirs = append(dirs, "/sys/fs/cgroup/"+c+"/mesos/"+id)
		}
		m := "/sys/fs/cgroup/memory/mesos/" + id
		limit[m+"/memory.limit_in_bytes"], limit[m+"/memory.memsw.limit_in_bytes"] = "16777216", "16777216"
	}
	for _, f := range []string{"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.max", "memory.swap.max"} {
		for p, v := range limit {
			if strings.HasSuffix(p, "/"+f) {
				if err := os.WriteFile(p, []byte(v), 0); err != nil && !os.IsNotExist(err) {
					t.Fatalf("%s: %v", p, err)
				}
			}
		}
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
	marathon := httptest.NewServer(&storyMarathon{st: st, t: t})
	t.Cleanup(marathon.Close)

	lines := streamJSON(t, "-m", mesos.URL+","+marathon.URL, "--docker-host", "none", "-d", "500ms", "-v", "events")
	// Two refreshes: the task's container is known before the kill.
	for try := 0; len(lines()) < 2; try++ {
		if try == 600 {
			t.Fatal("no two refreshes printed in 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, done := cgrouptest.Start(t, "x=0123456789; while :; do x=$x$x; done", func(c *exec.Cmd) { c.Env = env }, dirs...)
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the shell that fills its memory was not killed in 60s")
	}
	_, kmsgErr := os.Stat("/dev/kmsg")
	for try := 0; ; try++ {
		var counter, kill map[string]any
		for _, l := range lines() {
			for _, r := range l.Rows {
				if r["task"] != "redis" {
					continue
				}
				switch r["kind"] {
				case "oom":
					counter = r
				case "oom-kill":
					kill = r
				}
			}
		}
		if counter != nil && (kill != nil || kmsgErr != nil) {
			if counter["framework"] != "marathon" || counter["app"] != "/redis" {
				t.Errorf("the OOM event is placed in %v %v, want marathon's /redis", counter["framework"], counter["app"])
			}
			if kill != nil {
				if name, _ := kill["object"].(string); !strings.HasPrefix(name, "sh (pid ") || kill["pid"] == nil {
					t.Errorf("the kernel's kill names %v: want the shell it killed", kill["object"])
				}
			}
			break
		}
		if try == 300 {
			t.Fatalf("30s after the kill: the OOM counter's event %v, the kernel's %v", counter, kill)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// --since: a container that exited before the run shows with its exit
// code, from Docker's own history; without it, the run's events start
// with the run. --since is the events view's only.
func TestSinceShowsDockersPastEvents(t *testing.T) {
	dockertest.Require(t)
	id := dockertest.Run(t, []string{"--name", fmt.Sprintf("ctl-ev-past-%d", rand.Intn(1e6))}, "sh", "-c", "exit 4")
	if got := dockertest.Docker(t, "wait", id); got != "4" {
		t.Fatalf("docker wait = %s, want 4", got)
	}
	died := func(r result) bool {
		for _, row := range r.Rows {
			if row["container"] == id && row["kind"] == "died" && row["exit_code"] == 4.0 {
				return true
			}
		}
		return false
	}
	if out := runJSON(t, "-v", "events", "--since", "10m", "-d", "500ms", "-n", "1"); !died(out[0]) {
		t.Errorf("--since 10m lacks the container that exited 4: %v", out[0].Rows)
	}
	if out := runJSON(t, "-v", "events", "-d", "500ms", "-n", "1"); died(out[0]) {
		t.Errorf("without --since, an exit before the run is an event: %v", out[0].Rows)
	}
	for _, args := range [][]string{{"--since", "1h"}, {"-v", "events", "--since", "-1h"}, {"-v", "events", "--since", "soon"}} {
		if _, stderr, code := runBinary(t, append([]string{"-o", "json"}, args...)...); code != 2 || !strings.Contains(stderr, "--since") {
			t.Errorf("%v: exit %d, %q: want a usage error naming --since", args, code, stderr)
		}
	}
}

// Podman, through its Docker-compatible service: a container that exits
// 3 is a died event with its exit code and runtime podman, as Docker's.
func TestPodmanEventsExitCode(t *testing.T) {
	image := fmt.Sprintf("ctop-like-events-busybox-%d", rand.Intn(1e6))
	podmantest.Busybox(t, image)
	host := podmantest.Service(t, "ctop-like-test-events")
	lines := streamJSON(t, "--podman-host", host, "--docker-host", "none", "-d", "500ms", "-v", "events")
	for try := 0; len(lines()) == 0; try++ {
		if try == 600 {
			t.Fatal("no refresh printed in 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	name := fmt.Sprintf("ctl-ev-podman-%d", rand.Intn(1e6))
	out, err := exec.Command("podman", "run", "--name", name, "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096", image, "sh", "-c", "exit 3").CombinedOutput()
	t.Cleanup(func() { _ = exec.Command("podman", "rm", "-f", "-t", "0", name).Run() })
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
		t.Fatalf("podman run: %v %s, want exit 3", err, out)
	}
	for try := 0; ; try++ {
		for _, l := range lines() {
			for _, r := range l.Rows {
				if r["object"] == name && r["kind"] == "died" && r["exit_code"] == 3.0 {
					if r["runtime"] != "podman" {
						t.Errorf("runtime %v, want podman", r["runtime"])
					}
					return
				}
			}
		}
		if try == 300 {
			var got []string
			for _, l := range lines() {
				for _, r := range l.Rows {
					got = append(got, fmt.Sprint(r["kind"], " ", r["object"], " ", r["exit_code"]))
				}
			}
			t.Fatalf("after 30s no died event with exit code 3 for %s: %v", name, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
