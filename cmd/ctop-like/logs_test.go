package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/podmantest"
)

// logPrinter writes numbered lines to stdout and stderr, one line with
// escape sequences (OSC 52 writes the clipboard, CSI 2J clears the screen),
// then idles.
const logPrinter = `i=0; while [ $i -lt 150 ]; do i=$((i+1)); echo "out $i"; if [ $((i%10)) -eq 0 ]; then echo "err $i" >&2; fi; done; ` +
	`printf '\033]52;c;aGk=\007\033[2Jafter escapes\n'; echo done; sleep 3600`

// streams splits the rows of a logs refresh by stream.
func streams(t *testing.T, rows []map[string]any) (stdout, stderr []string) {
	t.Helper()
	for _, r := range rows {
		text, _ := r["text"].(string)
		switch r["stream"] {
		case "stdout":
			stdout = append(stdout, text)
		case "stderr":
			stderr = append(stderr, text)
		default:
			t.Errorf("row without a stream: %v", r)
		}
		if _, ok := r["time"].(string); !ok {
			t.Errorf("an engine's line has its time: %v", r)
		}
	}
	return
}

// cliLogs is what `<engine> logs --tail N` prints, by stream.
func cliLogs(t *testing.T, engine, id string, tail int) (stdout, stderr []string) {
	t.Helper()
	cmd := exec.Command(engine, "logs", "--tail", fmt.Sprint(tail), id)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s logs: %v", engine, err)
	}
	lines := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	}
	return lines(o.String()), lines(e.String())
}

// waitLogged waits until the engine's log of id has its last line.
func waitLogged(t *testing.T, engine, id string) {
	t.Helper()
	waitLoggedLine(t, engine, id, "done")
}

// waitLoggedLine waits until the engine's log of id has the line.
func waitLoggedLine(t *testing.T, engine, id, line string) {
	t.Helper()
	var last []byte
	for end := time.Now().Add(45 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		// The whole log: `podman logs --tail 2` once answered with the
		// last two stderr lines only, while "done" was on stdout.
		last, _ = exec.Command(engine, "logs", id).CombinedOutput()
		if strings.Contains(string(last), line) {
			return
		}
	}
	if len(last) > 300 {
		last = last[len(last)-300:]
	}
	t.Fatalf("%s %s never logged its last line; the end of its log: %q", engine, id, last)
}

// The logs view of a Docker container in batch mode is `docker logs`:
// the same last lines, each marked with its stream; -o table shows the
// line with escape sequences as its text only.
func TestBatchLogsOfADockerContainerAreDockerLogs(t *testing.T) {
	dockertest.Require(t)
	name := fmt.Sprintf("h11-logs-%d", rand.Int63())
	id := dockertest.Run(t, []string{"--name", name}, "sh", "-c", logPrinter)
	waitLogged(t, "docker", id)

	for _, scope := range []string{name, id[:12]} {
		out := runJSON(t, "-v", "logs", "--scope", "container="+scope, "--tail", "40", "-d", "300", "-n", "1")
		if len(out) != 1 || len(out[0].Errors) != 0 || out[0].View != "logs" {
			t.Fatalf("container=%s: %+v", scope, out)
		}
		gotOut, gotErr := streams(t, out[0].Rows)
		wantOut, wantErr := cliLogs(t, "docker", id, 40)
		if !reflect.DeepEqual(gotOut, wantOut) || !reflect.DeepEqual(gotErr, wantErr) {
			t.Errorf("container=%s:\nstdout %q\nwant   %q\nstderr %q\nwant   %q", scope, gotOut, wantOut, gotErr, wantErr)
		}
		if !strings.Contains(strings.Join(gotOut, "\n"), "\x1b]52;c;aGk=\x07\x1b[2Jafter escapes") {
			t.Errorf("JSON keeps the line as written: %q", gotOut)
		}
	}
	if out := runJSON(t, "-v", "logs", "--scope", "container="+name, "--tail", "3", "-d", "300", "-n", "1"); len(out[0].Rows) != 3 {
		t.Errorf("--tail 3: %d rows", len(out[0].Rows))
	}

	// The whole log (167 lines): Docker copies a container's stdout and
	// stderr in two goroutines, so its file, and `docker logs --tail 5`,
	// may end with the last stderr lines, not the line with escapes.
	table, stderr, code := runBinary(t, "-v", "logs", "--scope", "container="+name, "--tail", "200", "-d", "300", "-n", "1", "-o", "table")
	if code != 0 {
		t.Fatalf("table: exit %d %s", code, stderr)
	}
	terminalSafe(t, "logs table", table)
	var shown string
	for _, l := range strings.Split(table, "\n") {
		if strings.Contains(l, "after escapes") {
			shown = l
		}
	}
	if !strings.HasSuffix(shown, "stdout  after escapes") {
		t.Errorf("the line with escape sequences shows as %q, want only its text; the table:\n%s\nstderr:\n%s", shown, table, stderr)
	}
}

// followUntil runs the binary, calls started after its first refresh, and
// stops it (SIGTERM) once done says the refreshes so far are enough, or
// after max. It returns the refreshes printed.
func followUntil(t *testing.T, max time.Duration, started func(), done func([]result) bool, args ...string) []result {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"-o", "json"}, args...)...)
	var e strings.Builder
	cmd.Stderr = &e
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := make(chan []byte)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			lines <- append([]byte(nil), sc.Bytes()...)
		}
	}()
	var rs []result
	timeout := time.After(max)
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return rs
			}
			var r result
			if err := json.Unmarshal(l, &r); err != nil {
				t.Fatalf("not JSON: %v %.200s (stderr %s)", err, l, e.String())
			}
			rs = append(rs, r)
			if len(rs) == 1 && started != nil {
				started()
			}
			if done(rs) {
				stop()
			}
		case <-timeout:
			stop()
		}
	}
}

// -n 0 follows like tail -f: the first refresh prints the last --tail
// lines, each later one only the lines written since, none twice and none
// lost; when the container exits, the refreshes say so. The container
// starts writing only once the follow has printed its first refresh, so
// that a slow start on a loaded machine loses nothing the test counts.
func TestBatchLogsFollow(t *testing.T) {
	dockertest.Require(t)
	id := dockertest.Run(t, []string{"--name", fmt.Sprintf("h11-logs-follow-%d", rand.Int63())},
		"sh", "-c", `echo ready 1; echo ready 2; while [ ! -e /tmp/go ]; do sleep 0.1; done; `+
			`i=0; while [ $i -lt 30 ]; do i=$((i+1)); echo "tick $i"; sleep 0.2; done; echo done; exit 3`)
	waitLoggedLine(t, "docker", id, "ready 2")
	exited := func(rs []result) bool {
		last := rs[len(rs)-1]
		return len(last.Errors) > 0 && strings.Contains(strings.Join(last.Errors, " "), "exited with code 3")
	}
	rs := followUntil(t, 90*time.Second, func() {
		if out, err := exec.Command("docker", "exec", id, "touch", "/tmp/go").CombinedOutput(); err != nil {
			t.Errorf("docker exec: %v %s", err, out)
		}
	}, exited, "-v", "logs", "--scope", "container="+id, "--tail", "2", "-d", "500", "-n", "0")
	if len(rs) == 0 {
		t.Fatal("no refresh")
	}
	if first, _ := streams(t, rs[0].Rows); strings.Join(first, ",") != "ready 1,ready 2" {
		t.Errorf("first refresh %q: want the last 2 lines", first)
	}
	var ticks []string
	withNew := 0
	for i, r := range rs {
		out, _ := streams(t, r.Rows)
		if i > 0 {
			ticks = append(ticks, out...)
			if len(out) > 0 {
				withNew++
			}
		}
	}
	var want []string
	for i := 1; i <= 30; i++ {
		want = append(want, fmt.Sprintf("tick %d", i))
	}
	want = append(want, "done")
	if !reflect.DeepEqual(ticks, want) {
		t.Errorf("followed lines, each once and in order:\n%q\nwant\n%q", ticks, want)
	}
	if withNew < 2 {
		t.Errorf("%d refreshes with new lines over the 6 s of ticks at -d 500", withNew)
	}
	last := rs[len(rs)-1]
	if len(last.Errors) != 1 || !strings.Contains(last.Errors[0], "exited with code 3") {
		t.Errorf("after the container exited: errors %q", last.Errors)
	}
}

// A Podman container's log through Podman's API (--podman-host) is what
// `podman logs` prints.
func TestBatchLogsOfAPodmanContainer(t *testing.T) {
	podmantest.Require(t)
	const image = "localhost/ctop-like/busybox:test"
	if err := exec.Command("podman", "image", "exists", image).Run(); err != nil {
		t.Fatalf("%s is not in podman: run scripts/test-env", image)
	}
	host := podmantest.Service(t, "h11-logs")
	name := fmt.Sprintf("h11-logs-podman-%d", rand.Int63())
	out, err := exec.Command("podman", "run", "-d", "--name", name, "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096",
		image, "sh", "-c", logPrinter).CombinedOutput()
	if err != nil {
		t.Fatalf("podman run: %v %s", err, out)
	}
	id := strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("podman", "rm", "-f", "-t", "0", id).Run() })
	waitLogged(t, "podman", id)

	rs := runJSON(t, "-v", "logs", "--docker-host", "none", "--podman-host", host, "--scope", "container="+name, "--tail", "25", "-d", "500", "-n", "1")
	if len(rs[0].Errors) != 0 {
		t.Fatalf("errors: %q", rs[0].Errors)
	}
	gotOut, gotErr := streams(t, rs[0].Rows)
	wantOut, wantErr := cliLogs(t, "podman", id, 25)
	if !reflect.DeepEqual(gotOut, wantOut) || !reflect.DeepEqual(gotErr, wantErr) {
		t.Errorf("stdout %q\nwant   %q\nstderr %q\nwant   %q", gotOut, wantOut, gotErr, wantErr)
	}
}

// startWriting starts script with its stdout and stderr going to files in
// dir, held until start is called (read go); the caller kills it.
func startWriting(t *testing.T, dir, script string, env ...string) (*exec.Cmd, func()) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", "read go; "+script)
	cmd.Env = append([]string{"PATH=/bin:/usr/bin"}, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	open := func(name string) *os.File {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	cmd.Stdout, cmd.Stderr = open("stdout"), open("stderr")
	in, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, func() { in.Write([]byte("go\n")) }
}

// A Mesos containerizer task on this node: a /mesos/<id> cgroup whose
// process writes to a sandbox's stdout and stderr. Its log is those files,
// by container id and by the task id its environment names; a process's
// log (pid=) is its own files.
func TestBatchLogsOfAMesosCgroupAndAProcess(t *testing.T) {
	id := uuid(t)
	sandbox := t.TempDir()
	cmd, start := startWriting(t, sandbox, `echo "Starting redis"; echo "bind: Address already in use" >&2; i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.2; done`,
		"MESOS_TASK_ID=h11_logs."+id)
	mesosCgroup(t, id, cmd.Process.Pid)
	// Registered after the cgroup's removal, so it runs before it.
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	start()
	time.Sleep(time.Second)

	for _, scope := range []string{"container=" + id, "task=h11_logs." + id, fmt.Sprintf("pid=%d", cmd.Process.Pid)} {
		rs := runJSON(t, "-v", "logs", "--docker-host", "none", "--podman-host", "none", "--scope", scope, "--tail", "100", "-d", "300", "-n", "1")
		if len(rs[0].Errors) != 0 {
			t.Errorf("%s: errors %q", scope, rs[0].Errors)
			continue
		}
		var out, errs []string
		for _, r := range rs[0].Rows {
			text, _ := r["text"].(string)
			if r["stream"] == "stdout" {
				out = append(out, text)
			} else {
				errs = append(errs, text)
			}
		}
		if len(out) < 3 || out[0] != "Starting redis" || out[1] != "tick 1" || !reflect.DeepEqual(errs, []string{"bind: Address already in use"}) {
			t.Errorf("%s: stdout %q stderr %q", scope, out, errs)
		}
	}

	// A process whose output is a pipe has no log: one clear error.
	pipe := exec.Command("sleep", "30")
	pipe.Stdout = new(strings.Builder)
	if err := pipe.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pipe.Process.Kill(); pipe.Wait() })
	rs := runJSON(t, "-v", "logs", "--docker-host", "none", "--podman-host", "none", "--scope", fmt.Sprintf("pid=%d", pipe.Process.Pid), "-d", "300", "-n", "1")
	if len(rs[0].Rows) != 0 || len(rs[0].Errors) != 1 || !strings.Contains(rs[0].Errors[0], "not files") {
		t.Errorf("a process writing to a pipe: rows %v errors %q", rs[0].Rows, rs[0].Errors)
	}
}

// --tail takes 0 or more lines; anything else is a usage error.
func TestTailFlag(t *testing.T) {
	for _, bad := range []string{"-1", "x", "1000001"} {
		_, stderr, code := runBinary(t, "-v", "logs", "--tail", bad, "-o", "json")
		if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "--tail") {
			t.Errorf("--tail %s: exit %d %q", bad, code, stderr)
		}
	}
	if _, stderr, code := runBinary(t, "--scope", "pid=1", "-v", "logs", "--tail", "0", "-o", "json", "-d", "200"); code != 0 {
		t.Errorf("--scope pid=1 --tail 0: exit %d %s", code, stderr)
	}
}

// In tmux, as a user: `l` on a Docker container's row shows its log, the
// OSC 52 / CSI 2J line as its text only (the screen is not cleared), new
// lines follow; Esc comes back to the containers.
func TestLogKeyInTmux(t *testing.T) {
	dockertest.Require(t)
	name := fmt.Sprintf("h11-logs-tmux-%d", rand.Int63())
	dockertest.Run(t, []string{"--name", name}, "sh", "-c",
		`echo "Starting redis"; echo "bind: Address already in use" >&2; printf '\033]52;c;aGk=\007\033[2Jafter escapes\n'; i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.5; done`)
	p := newPane(t, 120, 40, "TERM=xterm-256color")
	p.text(binary + " -d 500 -f name=" + name + "; echo EXIT=$?")
	p.keys("Enter")
	p.waitFor("the container's row", has("1/1"))
	p.keys("l")
	s := p.waitFor("its log", func(s string) bool {
		return strings.Contains(s, "Address already in use") && strings.Contains(s, "tick 3")
	})
	if !strings.Contains(s, "Containers › "+name+" › Logs") || !strings.Contains(s, "Starting redis") {
		t.Errorf("log screen:\n%s", s)
	}
	if !strings.Contains(s, "stdout  after escapes") || strings.Contains(s, "52;c") {
		t.Errorf("the escape sequences' line:\n%s", s)
	}
	p.waitFor("a later line", has("tick 6"))
	p.keys("Escape")
	p.waitFor("the containers again", func(s string) bool { return !strings.Contains(s, "› Logs") && strings.Contains(s, "CPU") })
	p.keys("q")
	p.waitFor("the shell again", has("EXIT=0"))
}

// A task run as nobody renames its log and leaves a symbolic link to a
// root-only host file in its place (issue 19): following its log with
// `--scope pid=` goes on with what it writes and never prints the host
// file.
func TestBatchLogsOfAProcessNeverFollowALink(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the writer runs as nobody and the secret is root's")
	}
	secret := filepath.Join(t.TempDir(), "shadow")
	const secretText = "root-only secret of the host"
	if err := os.WriteFile(secret, []byte(secretText+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "ctop-like-hostile-log-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	os.Chown(dir, 65534, 65534)
	out, err := os.OpenFile(filepath.Join(dir, "out"), os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	os.Chown(out.Name(), 65534, 65534)
	cmd := exec.Command("sh", "-c", `echo one; while [ ! -e go ]; do sleep 0.05; done; mv out out.1; ln -s "$0" out; `+
		`i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done`, secret)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })

	ticks := 0
	rs := followUntil(t, 60*time.Second, func() { os.WriteFile(filepath.Join(dir, "go"), nil, 0o644) },
		func(rs []result) bool {
			for _, row := range rs[len(rs)-1].Rows {
				if s, _ := row["text"].(string); strings.HasPrefix(s, "tick ") {
					ticks++
				}
			}
			return ticks >= 10
		},
		"-v", "logs", "--docker-host", "none", "--podman-host", "none", "--scope", fmt.Sprintf("pid=%d", cmd.Process.Pid), "-d", "200", "-n", "0")
	b, _ := json.Marshal(rs)
	if strings.Contains(string(b), secretText) {
		t.Fatalf("the host file was printed: %s", b)
	}
	if ticks < 10 || len(rs) == 0 || len(rs[0].Rows) == 0 || rs[0].Rows[0]["text"] != "one" {
		t.Errorf("the log should go on from the file the task writes to: %d ticks in %s", ticks, b)
	}
}

// podmanRun starts a detached Podman container of the test image and
// returns its full id; it is removed when the test ends.
func podmanRun(t *testing.T, args ...string) string {
	t.Helper()
	full := append([]string{"run", "-d", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"}, args...)
	out, err := exec.Command("podman", full...).CombinedOutput()
	if err != nil {
		t.Fatalf("podman run: %v %s", err, out)
	}
	id := strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("podman", "rm", "-f", "-t", "0", id).Run() })
	return id
}

// A Docker and a Podman container of one name: `--scope container=NAME`
// is a usage error naming both ids (it read Docker's log without a word);
// each id reads its own container's log, also when the other container is
// named after that id (ids first, as Docker resolves a name).
func TestLogScopeNamingTwoContainers(t *testing.T) {
	dockertest.Require(t)
	podmantest.Require(t)
	const image = "localhost/ctop-like/busybox:test"
	if err := exec.Command("podman", "image", "exists", image).Run(); err != nil {
		t.Fatalf("%s is not in podman: run scripts/test-env", image)
	}
	host := podmantest.Service(t, "logmem-twins")
	name := fmt.Sprintf("logmem-twin-%d", rand.Int63())
	did := dockertest.Run(t, []string{"--name", name}, "sh", "-c", "echo from docker; echo done; sleep 3600")
	pid := podmanRun(t, "--name", name, image, "sh", "-c", "echo from podman; echo done; sleep 3600")
	// A Podman container named after the Docker one's id.
	podmanRun(t, "--name", did, image, "sh", "-c", "echo impostor; echo done; sleep 3600")
	waitLogged(t, "docker", did)
	waitLogged(t, "podman", pid)

	_, stderr, code := runBinary(t, "-v", "logs", "--podman-host", host, "--scope", "container="+name, "-d", "300", "-n", "1", "-o", "json")
	if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "docker "+did) || !strings.Contains(stderr, "podman "+pid) {
		t.Errorf("--scope container=%s: exit %d, stderr %q; want 2 and a line naming both ids", name, code, stderr)
	}
	for id, want := range map[string]string{did: "from docker", pid: "from podman"} {
		rs := runJSON(t, "-v", "logs", "--podman-host", host, "--scope", "container="+id, "-d", "300", "-n", "1")
		if out, _ := streams(t, rs[0].Rows); strings.Join(out, ",") != want+",done" || len(rs[0].Errors) != 0 {
			t.Errorf("container=%.12s: %q, errors %q; want %q", id, out, rs[0].Errors, want)
		}
	}
}

// --tail 5 of a Docker log ending in a 2 MB line is the four lines before
// it and that line, cut: Docker's own tail counts its 16 KiB pieces (the
// five were pieces of the long line); followed, the lines after it come
// once each.
func TestBatchLogsTailCountsLines(t *testing.T) {
	dockertest.Require(t)
	id := dockertest.Run(t, []string{"--name", fmt.Sprintf("logmem-long-%d", rand.Int63())}, "sh", "-c",
		`echo one; echo two; echo three; echo four; head -c 2000000 /dev/zero | tr '\0' x; echo; `+
			`while [ ! -e /tmp/go ]; do sleep 0.1; done; echo five; echo done; sleep 3600`)
	for end := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if out, _ := exec.Command("docker", "logs", id).Output(); len(out) > 2000000 {
			break
		}
		if time.Now().After(end) {
			t.Fatal("the container did not log its long line")
		}
	}
	check := func(what string, rows []map[string]any) {
		t.Helper()
		out, _ := streams(t, rows)
		if len(out) != 5 || strings.Join(out[:4], ",") != "one,two,three,four" || out[4] != strings.Repeat("x", 16384-31)+" [cut]" {
			t.Errorf("%s: %d lines %.30q", what, len(out), out)
		}
	}
	rs := runJSON(t, "-v", "logs", "--scope", "container="+id, "--tail", "5", "-d", "300", "-n", "1")
	check("-n 1", rs[0].Rows)

	var after []string
	rs = followUntil(t, 60*time.Second, func() {
		if out, err := exec.Command("docker", "exec", id, "touch", "/tmp/go").CombinedOutput(); err != nil {
			t.Errorf("docker exec: %v %s", err, out)
		}
	}, func(rs []result) bool {
		if len(rs) > 1 {
			out, _ := streams(t, rs[len(rs)-1].Rows)
			after = append(after, out...)
		}
		return len(after) >= 2
	}, "-v", "logs", "--scope", "container="+id, "--tail", "5", "-d", "300", "-n", "0")
	check("-n 0, first refresh", rs[0].Rows)
	if strings.Join(after, ",") != "five,done" {
		t.Errorf("followed after the tail: %q", after)
	}
}

// Following a Docker log that writes more lines between two refreshes than
// the logs view holds (5,000 at once; it holds 2,000 with --tail 2): the
// refresh says how many it dropped, and the lines printed and the lines
// said dropped are every line written. (They were dropped without a word.)
func TestBatchLogsFollowSaysWhatItDropped(t *testing.T) {
	dockertest.Require(t)
	id := dockertest.Run(t, []string{"--name", fmt.Sprintf("logmem-burst-%d", rand.Int63())}, "sh", "-c",
		`i=0; while [ $i -lt 5000 ]; do i=$((i+1)); echo "burst $i"; done >/tmp/burst; echo ready; while [ ! -e /tmp/go ]; do sleep 0.1; done; cat /tmp/burst; `+
			`while [ ! -e /tmp/end ]; do sleep 0.1; done; echo done; sleep 3600`)
	waitLoggedLine(t, "docker", id, "ready")
	printed, dropped, sawDone := 0, 0, false
	followUntil(t, 90*time.Second, func() {
		if out, err := exec.Command("docker", "exec", id, "sh", "-c", "touch /tmp/go; sleep 3; touch /tmp/end").CombinedOutput(); err != nil {
			t.Errorf("docker exec: %v %s", err, out)
		}
	}, func(rs []result) bool {
		r := rs[len(rs)-1]
		out, _ := streams(t, r.Rows)
		for _, l := range out {
			switch {
			case strings.HasPrefix(l, "burst "):
				printed++
			case l == "done":
				sawDone = true
			}
		}
		for _, e := range r.Errors {
			var n int
			if _, err := fmt.Sscanf(e, "%d lines were dropped before they could be printed", &n); err == nil {
				dropped += n
			}
		}
		return sawDone
	}, "-v", "logs", "--scope", "container="+id, "--tail", "2", "-d", "1000", "-n", "0")
	if !sawDone || dropped == 0 || printed+dropped != 5000 {
		t.Errorf("printed %d burst lines, %d said dropped (done seen: %v): want 5000 in all, some dropped", printed, dropped, sawDone)
	}
}
