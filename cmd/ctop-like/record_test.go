package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/recording"
)

// TestRecordThenReplayPrintsTheSameRefreshes: what -r prints is byte for
// byte what the live run printed while it recorded.
func TestRecordThenReplayPrintsTheSameRefreshes(t *testing.T) {
	dockertest.Require(t)
	id := dockertest.Run(t, []string{"-e", "API_TOKEN=tok-5ecret-value"}, dockertest.Busy...)
	rec := filepath.Join(t.TempDir(), "node.rec")
	for _, view := range []string{"containers"} {
		live, stderr, code := runBinary(t, "-w", rec, "-o", "json", "-v", view, "-n", "3", "-d", "500")
		if code != 0 {
			t.Fatalf("record: exit %d: %s", code, stderr)
		}
		if !strings.Contains(live, id) {
			t.Fatal("the busy container is not in the live output")
		}
		replayed, stderr, code := runBinary(t, "-r", rec, "-o", "json", "-v", view)
		if code != 0 || stderr != "" {
			t.Fatalf("replay: exit %d: %s", code, stderr)
		}
		if live != replayed {
			t.Errorf("replay differs from the live run:\nlive:   %.400s\nreplay: %.400s", live, replayed)
		}
	}
	st, err := os.Stat(rec)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("recording mode %v, want 0600", st.Mode().Perm())
	}
	// Another view of the same recording works too: the processes of the
	// recorded container.
	procs := runJSON(t, "-r", rec, "-v", "processes", "--scope", "container="+id, "-n", "1")
	if len(procs) != 1 || len(procs[0].Rows) != 1 {
		t.Errorf("replayed processes of the container: %+v", procs)
	}
	// The env value never reaches the file.
	if raw := decompressedRecording(t, rec); bytes.Contains(raw, []byte("tok-5ecret-value")) {
		t.Error("an env value is in the recording")
	}
}

// decompressedRecording returns every record of a recording as JSON.
func decompressedRecording(t *testing.T, path string) []byte {
	t.Helper()
	r, err := recording.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var all bytes.Buffer
	for i := 0; i < r.Len(); i++ {
		s, err := r.At(i)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range s.Containers {
			for k, v := range c.Env.Map() {
				all.WriteString(k + "=" + v + "\n")
			}
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	all.Write(raw)
	return all.Bytes()
}

// TestSigtermClosesTheRecording: an unattended recorder (-n 0) stopped by
// SIGTERM leaves a file that ends cleanly, with every refresh in it.
func TestSigtermClosesTheRecording(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "node.rec")
	cmd := exec.Command(binary, "-w", rec, "-o", "json", "-n", "0", "-d", "300", "--docker-host", "none")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Stop it in the middle of its work, after a few refreshes.
	printed := 0
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for printed < 3 && sc.Scan() {
		printed++
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
		printed++
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("SIGTERM: %v (want exit 0)", err)
	}
	r, err := recording.Open(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if w := r.Warning(); w != "" {
		t.Errorf("the file did not end cleanly: %s", w)
	}
	if r.Len() != printed || printed < 3 {
		t.Errorf("%d records for %d printed refreshes", r.Len(), printed)
	}
}

// TestRecordingOntoAFullDiskFails: when the file cannot grow (the kernel
// refuses writes past RLIMIT_FSIZE, as it refuses them on a full disk),
// the run goes on printing, says once why the file stopped growing, says
// at exit how many records the file lacks and exits non-zero.
func TestRecordingOntoAFullDiskFails(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "full.rec")
	// The fixture node of the collector's proc and cgroups testdata:
	// records of a steady, small size (a 2.4 kB start, then about 200
	// bytes each), however many processes this machine runs.
	collector := filepath.Join("..", "..", "internal", "collector")
	cmd := exec.Command("prlimit", "--fsize=3200", "--", binary, "-w", rec, "-o", "json",
		"--proc-root", filepath.Join(collector, "proc", "testdata", "proc"), "--cgroup-root", filepath.Join(collector, "cgroups", "testdata", "cgroupv2"), "--docker-host", "none", "-n", "20", "-d", "100")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stdout.String(), "\n"); n != 20 {
		t.Errorf("printed %d refreshes, want all 20", n)
	}
	if code == 0 {
		t.Errorf("exit 0 after losing records; stderr: %s", stderr.String())
	}
	if _, err := os.Stat(rec); err != nil {
		t.Fatalf("no recording (exit %d): %s", code, stderr.String())
	}
	kept := len(runJSON(t, "-r", rec))
	if kept == 0 || kept == 20 {
		t.Fatalf("the file holds %d records: the limit does not cut the run (stderr %s)", kept, stderr.String())
	}
	t.Logf("%d of 20 records fit; stderr:\n%s", kept, stderr.String())
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	want := fmt.Sprintf("lost %d of 20 records", 20-kept)
	if len(lines) != 2 || !strings.Contains(lines[0], "file too large") || !strings.Contains(lines[1], want) {
		t.Errorf("stderr should name the first failure, then %q:\n%s", want, stderr.String())
	}
}
