package main

import (
	"context"
	"encoding/base64"
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
	"github.com/ctop-like/ctop-like/internal/podmantest"
)

// runScreenIn starts the tool in a tmux pane with args and waits for
// its row want (the filter of args names it too).
func runScreenIn(t *testing.T, want string, args ...string) *pane {
	t.Helper()
	p := newPane(t, 160, 40, "TERM=xterm-256color")
	p.text(binary + " " + strings.Join(args, " ") + "; echo EXIT=$?")
	p.keys("Enter")
	// Once in the filter line, and in the row.
	p.waitFor(want+" in a row", func(s string) bool { return strings.Count(s, want) >= 2 })
	return p
}

// hasWords is has for a phrase that a box may have wrapped over lines
// between its borders.
func hasWords(phrase string) func(string) bool {
	return func(s string) bool {
		s = strings.Join(strings.Fields(strings.NewReplacer("│", " ", "║", " ").Replace(s)), " ")
		return strings.Contains(s, phrase)
	}
}

// command types a `:` command line and runs it.
func (p *pane) command(cmd string) {
	p.t.Helper()
	p.text(":")
	time.Sleep(200 * time.Millisecond)
	p.text(cmd)
	p.keys("Enter")
}

// `e` on a Docker container opens a shell inside it (through Docker's exec
// API: its hostname is the container's), and `exit` brings the screen back
// intact.
func TestShellInADockerContainer(t *testing.T) {
	dockertest.Require(t)
	n := rand.Intn(1e6)
	name := fmt.Sprintf("h12-act-shell-%d", n)
	host := fmt.Sprintf("h12acthost%d", n)
	dockertest.Run(t, []string{"--name", name, "--hostname", host}, dockertest.Sleep...)

	p := runScreenIn(t, name, "-d", "500", "-f", "name="+name)
	p.keys("e")
	p.waitFor("the shell's banner", has("a shell in "+name+" (docker)"))
	time.Sleep(300 * time.Millisecond)
	p.text("echo H=$(hostname)")
	p.keys("Enter")
	p.waitFor("the container's hostname", has("H="+host))
	p.text("exit")
	p.keys("Enter")
	s := p.waitFor("the screen back", func(s string) bool {
		return strings.Contains(s, "CPU%") && strings.Contains(s, name) && !strings.Contains(s, "H="+host)
	})
	if !strings.Contains(s, "shell in "+name+" ended") {
		t.Errorf("no word that the shell ended:\n%s", s)
	}
	// Keys reach the screen again.
	p.keys("?")
	p.waitFor("help", has("Help:"))
	p.escape("help", lacks("Help:"))
	p.keys("q")
	p.waitFor("a clean exit", has("EXIT=0"))
}

// mesosTask runs script in a test-made /mesos/<id> cgroup of every v1
// controller the tool and the actions use (freezer included), started
// only once it is inside, so every process it forks is there too.
func mesosTask(t *testing.T, script string) (id string, cmd *exec.Cmd, dirs []string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("cgroup tests need root")
		}
		t.Skip("cgroup tests need root")
	}
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		t.Skip("this test drives the v1 freezer; the cgroup v2 freeze is tested in actions/")
	}
	id = uuid(t)
	cmd = exec.Command("sh", "-c", "read go; "+script)
	cmd.Env = []string{"PATH=/bin:/usr/bin"}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	for _, c := range []string{"cpu", "cpuacct", "memory", "pids", "freezer"} {
		d := filepath.Join("/sys/fs/cgroup", c, "mesos", id)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
		t.Cleanup(func() {
			for i := 0; i < 50; i++ {
				if err := os.Remove(d); err == nil || os.IsNotExist(err) {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
			t.Errorf("could not remove %s", d)
		})
		if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644); err != nil {
			t.Fatalf("move into %s: %v", d, err)
		}
	}
	t.Cleanup(func() {
		// Thawed and killed whatever the test did, before the rmdirs.
		_ = os.WriteFile(filepath.Join("/sys/fs/cgroup/freezer/mesos", id, "freezer.state"), []byte("THAWED"), 0o644)
		for _, p := range procsOf(filepath.Join("/sys/fs/cgroup/cpu/mesos", id)) {
			if pid, err := strconv.Atoi(p); err == nil {
				_ = syscallKill(pid)
			}
		}
		<-done
	})
	if _, err := io.WriteString(in, "go\n"); err != nil {
		t.Fatal(err)
	}
	return id, cmd, dirs
}

func procsOf(dir string) []string {
	b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	return strings.Fields(string(b))
}

func syscallKill(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}

// `:kill TERM` on a Mesos containerizer's container signals every process
// of its cgroup, after a confirmation in words.
func TestKillTermEndsEveryProcessOfAMesosCgroup(t *testing.T) {
	id, _, dirs := mesosTask(t, "sleep 3601 & sleep 3602 & wait")
	cpu := dirs[0]
	waitProcs := func(n int) {
		deadline := time.Now().Add(10 * time.Second)
		for len(procsOf(cpu)) != n {
			if time.Now().After(deadline) {
				t.Fatalf("/mesos/%s has processes %v, want %d", id, procsOf(cpu), n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitProcs(3)

	p := runScreenIn(t, id[:12], "-d", "500", "--docker-host", "none", "-f", "id="+id)
	p.command("kill TERM")
	p.waitFor("the confirmation", hasWords("SIGTERM"))
	if n := len(procsOf(cpu)); n != 3 {
		t.Fatalf("%d processes left before the confirmation", n)
	}
	p.keys("y")
	waitProcs(0)
	p.waitFor("done", has("kill: done"))

	// A restart does not fit a cgroup-only runtime: said, nothing done.
	p.command("restart")
	p.waitFor("the refusal", has(":restart does not fit"))
	p.keys("q")
	p.waitFor("a clean exit", has("EXIT=0"))
}

func cpuacctUsage(t *testing.T, id string) int64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/sys/fs/cgroup/cpuacct/mesos", id, "cpuacct.usage"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n
}

func statusState(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "State:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// `:pause` freezes a Mesos container through the v1 freezer (its CPU
// counter stops, the kernel no longer runs its process, its row says
// paused: issue 19 item 9) and `:unpause` thaws it.
func TestPauseAndUnpauseAMesosCgroup(t *testing.T) {
	id, cmd, _ := mesosTask(t, "exec sh -c 'while :; do :; done'")
	pid := cmd.Process.Pid
	used := func() time.Duration {
		a := cpuacctUsage(t, id)
		time.Sleep(500 * time.Millisecond)
		return time.Duration(cpuacctUsage(t, id) - a)
	}
	if u := used(); u < 25*time.Millisecond {
		t.Fatalf("the busy loop used only %v of CPU in 500ms", u)
	}
	p := runScreenIn(t, id[:12], "-d", "500", "--docker-host", "none", "-f", "id="+id)
	p.command("pause")
	p.waitFor("the confirmation", hasWords("Freeze every process"))
	p.keys("y")
	p.waitFor("done", has("pause: done"))
	state := statusState(pid)
	if u := used(); u > time.Millisecond || strings.HasPrefix(state, "R") {
		t.Errorf("paused: %v of CPU in 500ms, State %q", u, state)
	}
	t.Logf("paused: State %q", state)
	if b, _ := os.ReadFile(filepath.Join("/sys/fs/cgroup/freezer/mesos", id, "freezer.state")); strings.TrimSpace(string(b)) != "FROZEN" {
		t.Errorf("freezer.state %q", b)
	}
	rowSays := func(state string) func(string) bool {
		return func(s string) bool {
			for _, l := range strings.Split(s, "\n") {
				if strings.Contains(l, id[:12]) && strings.Contains(l, state) {
					return true
				}
			}
			return false
		}
	}
	p.waitFor("the row paused", rowSays("paused"))

	p.command("unpause")
	p.waitFor("the confirmation", hasWords("Thaw the frozen processes"))
	p.keys("y")
	p.waitFor("done", has("unpause: done"))
	if u := used(); u < 25*time.Millisecond {
		t.Errorf("resumed: only %v of CPU in 500ms, State %q", u, statusState(pid))
	}
	p.waitFor("the row running", rowSays("running"))
	p.keys("q")
	p.waitFor("a clean exit", has("EXIT=0"))
}

// A Podman container's shell and stop go through Podman's own API (Docker
// is off), with Podman named in the confirmation.
func TestPodmanShellAndStopGoThroughPodman(t *testing.T) {
	if _, err := exec.LookPath("podman"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("podman is not installed: run scripts/test-env")
		}
		t.Skip("podman is not installed")
	}
	const image = "localhost/ctop-like/busybox:test"
	if exec.Command("podman", "image", "exists", image).Run() != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(image + " is missing: run scripts/test-env")
		}
		t.Skip(image + " is missing")
	}
	name := fmt.Sprintf("h12-act-pm-%d", rand.Intn(1e6))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	host := fmt.Sprintf("h12actpm%d", rand.Intn(1e6))
	out, err := exec.CommandContext(ctx, "podman", "run", "-d", "--name", name, "--hostname", host, "--ulimit", "nofile=1024:1024",
		"--ulimit", "nproc=4096:4096", image, "sleep", "3600").CombinedOutput()
	if err != nil {
		t.Fatalf("podman run: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("podman", "rm", "-f", "-t", "0", name).Run() })
	svc := podmantest.Service(t, "h12-act")

	p := runScreenIn(t, name, "-d", "500", "--docker-host", "none", "--podman-host", svc, "-f", "name="+name)
	// `e`: a shell through Podman's exec API.
	p.keys("e")
	p.waitFor("the shell's banner", has("(podman); exit to come back"))
	time.Sleep(300 * time.Millisecond)
	p.text("echo H=$(hostname)")
	p.keys("Enter")
	p.waitFor("the container's hostname", has("H="+host))
	p.text("exit")
	p.keys("Enter")
	p.waitFor("the screen back", has("ended"))

	p.command("stop")
	p.waitFor("the confirmation", hasWords("Podman will stop container "+name))
	p.keys("y")
	p.waitFor("done", has("stop: done"))
	st, err := exec.Command("podman", "inspect", "-f", "{{.State.Status}}", name).Output()
	if err != nil || strings.TrimSpace(string(st)) != "exited" {
		t.Errorf("after :stop podman says %q (%v)", st, err)
	}
	p.keys("q")
	p.waitFor("a clean exit", has("EXIT=0"))
}

// marathonRecorder is a Marathon serving the real fixtures for its state
// and recording every action request; status is the next action's answer.
type marathonRecorder struct {
	mu     sync.Mutex
	calls  []string
	auth   []string // the Authorization of each action request
	status int
}

func (m *marathonRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	file := func(path string) {
		b, err := os.ReadFile(filepath.Join("..", "..", "internal", path))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v2/groups":
		file("orchestrator/testdata/marathon/pairA_v2_groups_embed-tasks.json")
		return
	case r.Method == http.MethodGet && r.URL.Path == "/v2/info":
		file("orchestrator/testdata/marathon/marathon-docs_v2_info.json")
		return
	case r.Method == http.MethodGet:
		http.NotFound(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	m.mu.Lock()
	m.calls = append(m.calls, fmt.Sprintf("%s %s %s %s", r.Method, r.URL.EscapedPath(), r.URL.RawQuery, body))
	m.auth = append(m.auth, r.Header.Get("Authorization"))
	status := m.status
	m.mu.Unlock()
	if status == http.StatusConflict {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		b, _ := os.ReadFile(filepath.Join("..", "..", "internal", "actions", "testdata", "marathon-docs_409_deployment-locked.json"))
		w.Write(b)
		return
	}
	file("actions/testdata/marathon-docs_deployments_result.json")
}

func (m *marathonRecorder) last() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.calls) == 0 {
		return ""
	}
	return m.calls[len(m.calls)-1]
}

// `:scale 2` on a Marathon app row asks in words, then reaches Marathon as
// its API documents (PUT /v2/apps/{id} {"instances":2}); a 409 answer is
// shown; a task row's kill is DELETE …/tasks/{task}.
func TestMarathonActionsFromTheScreen(t *testing.T) {
	mesos := serve(t, map[string]string{"/master/state": "mesos/pairA_master_state_mesos-1.2.0.json"})
	rec := &marathonRecorder{}
	marathon := httptest.NewServer(rec)
	t.Cleanup(marathon.Close)

	// The user:password of -m's Marathon URL goes to that Marathon.
	withUser := strings.Replace(marathon.URL, "http://", "http://ops:s3cret@", 1)
	p := runScreenIn(t, "/development/sleep", "-m", mesos.URL+","+withUser, "--docker-host", "none",
		"-v", "marathon-apps", "-f", "app=/development/sleep", "-d", "500")
	p.command("scale 2")
	p.waitFor("the confirmation", hasWords("Marathon will scale /development/sleep from 1 to 2 instances"))
	if c := rec.last(); c != "" {
		t.Fatalf("Marathon was called before the confirmation: %s", c)
	}
	p.keys("y")
	p.waitFor("done", has("scale: done"))
	if c := rec.last(); c != `PUT /v2/apps/development/sleep  {"instances":2}` {
		t.Errorf("Marathon got %q", c)
	}
	rec.mu.Lock()
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte("ops:s3cret")); rec.auth[0] != want {
		t.Errorf("Marathon's action came with Authorization %q, want the -m URL's user", rec.auth[0])
	}
	rec.mu.Unlock()

	// A deployment in progress: Marathon's 409 is shown.
	rec.mu.Lock()
	rec.status = http.StatusConflict
	rec.mu.Unlock()
	p.command("restart")
	p.waitFor("the confirmation", hasWords("Marathon will restart the only instance of"))
	p.keys("y")
	p.waitFor("the 409", hasWords("409 Conflict"))
	if s := p.screen(); !hasWords("App is locked by one or more deployments")(s) {
		t.Errorf("Marathon's message is not shown:\n%s", s)
	}
	if c := rec.last(); c != "POST /v2/apps/development/sleep/restart  " {
		t.Errorf("Marathon got %q", c)
	}
	rec.mu.Lock()
	rec.status = 0
	rec.mu.Unlock()

	// A task of Marathon on the mesos-tasks view.
	const task = "development_logging.a6f0bb45-c64b-11e6-9066-5a8a388c67a1"
	p.escape("the filter", has("/development/logging"))
	p.command("mesos-tasks")
	p.keys(`\`)
	p.text("task_id=" + task)
	p.keys("Enter")
	// The row is on the unfiltered list too: wait for the others to go
	// (under load the next command was typed into the filter).
	p.waitFor("the filtered task row", func(s string) bool {
		return strings.Contains(s, "development_logging.a6f0") && !strings.Contains(s, "TASK_KILLED")
	})
	p.command("kill-scale")
	p.waitFor("the confirmation", hasWords("scale the app down from 2 to 1 instance"))
	p.keys("y")
	p.waitFor("done", has("kill-scale: done"))
	if c := rec.last(); c != "DELETE /v2/apps/development/logging/tasks/"+task+" scale=true " {
		t.Errorf("Marathon got %q", c)
	}
	p.keys("q")
	p.waitFor("a clean exit", has("EXIT=0"))
}

// `e` on a Mesos containerizer's container enters the namespaces of its
// first process: a UTS namespace of its own shows its hostname.
func TestShellInAMesosContainer(t *testing.T) {
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Fatal("unshare (util-linux) is needed")
	}
	host := fmt.Sprintf("h12actns%d", rand.Intn(1e6))
	id, _, _ := mesosTask(t, "exec unshare --uts sh -c 'hostname "+host+"; exec sleep 3600'")
	p := runScreenIn(t, id[:12], "-d", "500", "--docker-host", "none", "-f", "id="+id)
	p.keys("e")
	p.waitFor("the shell's banner", has("(mesos); exit to come back"))
	time.Sleep(300 * time.Millisecond)
	p.text("echo H=$(hostname)")
	p.keys("Enter")
	p.waitFor("the container's hostname", has("H="+host))
	p.text("exit")
	p.keys("Enter")
	p.waitFor("the screen back", func(s string) bool {
		return strings.Contains(s, "CPU%") && strings.Contains(s, "ended") && !strings.Contains(s, "H="+host)
	})
	p.keys("q")
	p.waitFor("a clean exit", has("EXIT=0"))
}
