package logs

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/podmantest"
	"github.com/docker/docker/client"
)

// printer writes 50 numbered lines to each stream, then idles.
const printer = `i=0; while [ $i -lt 50 ]; do i=$((i+1)); echo "out $i"; echo "err $i" >&2; done; printf 'esc \033[2J done\n'; sleep 3600`

func dockerClient(t *testing.T) *client.Client {
	t.Helper()
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// cliLogs runs `<engine> logs --tail N id` and returns its stdout and
// stderr lines.
func cliLogs(t *testing.T, engine, id string, tail int) (stdout, stderr []string) {
	t.Helper()
	var o, e bytes.Buffer
	cmd := exec.Command(engine, "logs", "--tail", fmt.Sprint(tail), id)
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s logs: %v %s", engine, err, e.String())
	}
	split := func(b bytes.Buffer) []string {
		if b.Len() == 0 {
			return nil
		}
		return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	}
	return split(o), split(e)
}

func name(what string) string { return fmt.Sprintf("h8-act-%s-%d", what, rand.Int63()) }

// matchesCLI checks that a container's last 60 lines read through the API
// are, stream by stream, what the engine's own `logs` command prints.
func matchesCLI(t *testing.T, src Engine, engine, id string) {
	t.Helper()
	waitFor(t, func() bool {
		o, e := cliLogs(t, engine, id, 200)
		return len(o) == 51 && len(e) == 50
	})
	_, lines, done, _ := run(t, src, 60, false)
	got, err := drain(t, lines, done, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	wantOut, wantErr := cliLogs(t, engine, id, 60)
	if !reflect.DeepEqual(byStream(got, Stdout), wantOut) || !reflect.DeepEqual(byStream(got, Stderr), wantErr) {
		t.Fatalf("through the API:\nstdout %q\nstderr %q\n%s logs:\nstdout %q\nstderr %q",
			byStream(got, Stdout), byStream(got, Stderr), engine, wantOut, wantErr)
	}
	if len(got) != 60 || got[0].Time.IsZero() || len(wantErr) == 0 {
		t.Errorf("%d lines (%d on stderr), first time %v: want 60 from both streams with the engine's times", len(got), len(wantErr), got[0].Time)
	}
	if so := byStream(got, Stdout); !strings.Contains(so[len(so)-1], "\x1b[2J") {
		t.Errorf("escape sequences are kept as data: %q", so[len(so)-1])
	}
}

func TestEngineDockerMatchesDockerLogs(t *testing.T) {
	dockertest.Require(t)
	id := dockertest.Run(t, []string{"--name", name("logs")}, "sh", "-c", printer)
	matchesCLI(t, Engine{API: dockerClient(t), ID: id, Runtime: "docker"}, "docker", id)
}

// A followed container that exits ends the stream with its exit code,
// after its last lines; one logging with the `none` driver says it keeps
// no logs; a TTY container's output is stdout.
func TestEngineDockerEndsAndNone(t *testing.T) {
	dockertest.Require(t)
	cli := dockerClient(t)
	id := dockertest.Run(t, []string{"--name", name("logs-exit")}, "sh", "-c", "echo first; sleep 2; echo last >&2; exit 3")
	_, lines, done, _ := run(t, Engine{API: cli, ID: id, Runtime: "docker"}, 10, true)
	got, err := drain(t, lines, done, 30*time.Second)
	var ended *EndedError
	if !errors.As(err, &ended) || ended.Reason != "the container exited with code 3" {
		t.Fatalf("err %v", err)
	}
	if !reflect.DeepEqual(texts(got), []string{"first", "last"}) || got[1].Stream != Stderr {
		t.Errorf("lines %+v", got)
	}

	none := dockertest.Run(t, []string{"--name", name("logs-none"), "--log-driver", "none"}, dockertest.Sleep...)
	_, lines, done, _ = run(t, Engine{API: cli, ID: none, Runtime: "docker"}, 10, true)
	if _, err := drain(t, lines, done, 30*time.Second); !errors.Is(err, ErrNoLogs) || !strings.Contains(err.Error(), `log driver is "none"`) {
		t.Errorf("none driver: %v", err)
	}

	tty := dockertest.Run(t, []string{"--name", name("logs-tty"), "-t"}, "sh", "-c", "echo on a tty; echo to stderr >&2; sleep 3600")
	waitFor(t, func() bool { o, _ := cliLogs(t, "docker", tty, 2); return len(o) == 2 })
	_, lines, done, _ = run(t, Engine{API: cli, ID: tty, Runtime: "docker"}, 10, false)
	got, err = drain(t, lines, done, 30*time.Second)
	if err != nil || !reflect.DeepEqual(byStream(got, Stdout), []string{"on a tty", "to stderr"}) {
		t.Errorf("tty: %+v %v", got, err)
	}
}

// The journald driver is read back through the same API, where journald
// runs.
func TestEngineDockerJournald(t *testing.T) {
	dockertest.Require(t)
	if _, err := os.Stat("/run/systemd/journal/socket"); err != nil {
		t.Skip("no journald on this machine: docker cannot start a container with --log-driver journald")
	}
	id := dockertest.Run(t, []string{"--name", name("logs-journald"), "--log-driver", "journald"}, "sh", "-c", printer)
	matchesCLI(t, Engine{API: dockerClient(t), ID: id, Runtime: "docker"}, "docker", id)
}

// podmanImage is the busybox image the Podman tests run, imported like
// scripts/test-env's Docker one (nothing can be pulled).
const podmanImage = "localhost/h8-act/busybox:test"

// requirePodman fails under CI=true, skips elsewhere, when podman is
// missing; it imports the test image and starts Podman's API service on a
// socket of its own, and returns a client of that service.
func requirePodman(t *testing.T) *client.Client {
	t.Helper()
	podmantest.Busybox(t, podmanImage)
	return podmantest.Client(t, "h8-act-podman")
}

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

// A Podman container's log through Podman's Docker-compatible API is what
// `podman logs` prints; when it exits while followed, the stream says so.
func TestEnginePodmanMatchesPodmanLogs(t *testing.T) {
	cli := requirePodman(t)
	id := podmanRun(t, "--name", name("logs"), podmanImage, "sh", "-c", printer)
	matchesCLI(t, Engine{API: cli, ID: id, Runtime: "podman"}, "podman", id)

	exits := podmanRun(t, "--name", name("logs-exit"), podmanImage, "sh", "-c", "echo bye; sleep 2; exit 4")
	_, lines, done, _ := run(t, Engine{API: cli, ID: exits, Runtime: "podman"}, 10, true)
	got, err := drain(t, lines, done, 30*time.Second)
	var ended *EndedError
	if !errors.As(err, &ended) || !strings.Contains(ended.Reason, "exited with code 4") || !reflect.DeepEqual(texts(got), []string{"bye"}) {
		t.Errorf("podman exit: %q %v", texts(got), err)
	}
}

// longLine writes four lines, one on stderr, then a line of 2 MB (Docker
// keeps it as 123 messages of 16 KiB), then, once /tmp/go exists, "after".
const longLine = `echo one; echo two >&2; echo three; echo four; head -c 2000000 /dev/zero | tr '\0' x; echo; ` +
	`while [ ! -e /tmp/go ]; do sleep 0.1; done; echo after; sleep 3600`

// --tail N counts lines, not the engine's messages: the last five lines of
// a log ending in a 2 MB line are the four before it and that line (cut),
// once each, and a followed log then goes on with the new lines. (The
// engine's tail=5 was five 16 KiB pieces of the long line, shown as one
// line: the four lines before it were not there; issue 19 saw it with a
// 10 MB line.)
func TestEngineTailCountsLines(t *testing.T) {
	dockertest.Require(t)
	cli := dockerClient(t)
	id := dockertest.Run(t, []string{"--name", name("logs-long")}, "sh", "-c", longLine)
	for end := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		out, _ := exec.Command("docker", "logs", id).Output()
		if len(out) > 2000000 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("the container logged %d bytes", len(out))
		}
	}
	check := func(what string, got []Line) {
		t.Helper()
		if len(got) != 5 {
			t.Fatalf("%s: %d lines %.40q, want 5", what, len(got), texts(got))
		}
		if !reflect.DeepEqual(texts(got[:4]), []string{"one", "two", "three", "four"}) && !reflect.DeepEqual(byStream(got[:4], Stdout), []string{"one", "three", "four"}) {
			t.Errorf("%s: the four lines before the long one: %q", what, texts(got[:4]))
		}
		if byStream(got, Stderr)[0] != "two" {
			t.Errorf("%s: stderr %q", what, byStream(got, Stderr))
		}
		long := got[4]
		if !long.Cut || long.Text != strings.Repeat("x", MaxLine-31) || long.Time.IsZero() {
			t.Errorf("%s: the long line: cut %v, %d bytes %.20q…, time %v", what, long.Cut, len(long.Text), long.Text, long.Time)
		}
	}
	src := Engine{API: cli, ID: id, Runtime: "docker"}
	_, lines, done, _ := run(t, src, 5, false)
	got, err := drain(t, lines, done, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	check("read once", got)

	_, lines, _, stop := run(t, src, 5, true)
	defer stop()
	check("followed", collect(t, lines, 5, 60*time.Second))
	dockertest.Docker(t, "exec", id, "touch", "/tmp/go")
	if l := collect(t, lines, 1, 30*time.Second); l[0].Text != "after" {
		t.Errorf("the next line followed is %.40q, want after", l[0].Text)
	}
	select {
	case l := <-lines:
		t.Errorf("a line more: %.40q", l.Text)
	case <-time.After(500 * time.Millisecond):
	}
}

// Lines written while the last lines are read are followed once each: none
// lost between the two reads, none twice. A container writes 3,000
// numbered lines, 20 every 2 ms or more, while the log is opened with
// --tail 100 and followed.
func TestEngineFollowSeamLosesNothing(t *testing.T) {
	dockertest.Require(t)
	id := dockertest.Run(t, []string{"--name", name("logs-seam")}, "sh", "-c",
		`i=0; while [ $i -lt 2000 ]; do i=$((i+1)); echo "line $i"; done; while [ ! -e /tmp/go ]; do sleep 0.05; done; `+
			`while [ $i -lt 5000 ]; do i=$((i+1)); echo "line $i"; [ $((i%20)) -eq 0 ] && usleep 2000; done; sleep 3600`)
	waitFor(t, func() bool { o, _ := cliLogs(t, "docker", id, 1); return len(o) == 1 && o[0] == "line 2000" })
	dockertest.Docker(t, "exec", id, "touch", "/tmp/go")
	_, lines, _, stop := run(t, Engine{API: dockerClient(t), ID: id, Runtime: "docker"}, 100, true)
	defer stop()
	first := collect(t, lines, 1, 30*time.Second)[0]
	var n int
	if _, err := fmt.Sscanf(first.Text, "line %d", &n); err != nil {
		t.Fatalf("first line %q", first.Text)
	}
	for want := n + 1; want <= 5000; want++ {
		l := collect(t, lines, 1, 30*time.Second)[0]
		if l.Text != fmt.Sprintf("line %d", want) {
			t.Fatalf("after line %d came %q", want-1, l.Text)
		}
	}
	if n < 1900 {
		t.Errorf("the first line shown is line %d: the last 100 lines when the log was opened start after line 1900", n)
	}
}

// The lines gathered for a tail are bounded (Hold); the first line sent
// says how many of the tail were dropped for it.
func TestEngineTailIsBounded(t *testing.T) {
	dockertest.Require(t)
	id := dockertest.Run(t, []string{"--name", name("logs-hold")}, "sh", "-c",
		`l=$(head -c 1000 /dev/zero | tr '\0' y); i=0; while [ $i -lt 50 ]; do i=$((i+1)); echo "$i $l"; done; echo done; sleep 3600`)
	waitFor(t, func() bool { o, _ := cliLogs(t, "docker", id, 1); return len(o) == 1 && o[0] == "done" })
	_, lines, done, _ := run(t, Engine{API: dockerClient(t), ID: id, Runtime: "docker", Hold: 10 << 10}, 40, false)
	got, err := drain(t, lines, done, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, l := range got {
		held += len(l.Text)
	}
	if held > 10<<10 || len(got) == 0 || got[len(got)-1].Text != "done" || got[0].Dropped != 40-len(got) {
		t.Errorf("%d lines, %d bytes, first dropped %d, last %.10q: want at most 10 KiB, the first saying how many of 40 were dropped", len(got), held, got[0].Dropped, got[len(got)-1].Text)
	}
}
