package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/recording"
)

// rotating is a loopback Mesos or Marathon stand-in whose answers cycle
// through the ways a server fails (a 401, a 500 with an HTML page that
// echoes the request's Authorization header as some proxies do, a hang),
// with a good answer now and then when ok is set. It keeps every
// Authorization header it receives.
type rotating struct {
	srv  *httptest.Server
	mu   sync.Mutex
	n    int
	auth []string
}

func newRotating(t *testing.T, ok string) *rotating {
	t.Helper()
	rs := &rotating{}
	done := make(chan struct{})
	rs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.mu.Lock()
		rs.auth = append(rs.auth, r.Header.Get("Authorization"))
		n := rs.n
		rs.n++
		rs.mu.Unlock()
		modes := []string{"401", "500", "hang"}
		if ok != "" {
			modes = append(modes, "ok", "ok")
		}
		switch modes[n%len(modes)] {
		case "401":
			w.Header().Set("WWW-Authenticate", `Basic realm="mesos"`)
			w.WriteHeader(401)
			fmt.Fprintf(w, "401 Unauthorized: bad %s for %s\n", r.Header.Get("Authorization"), r.URL)
		case "500":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(500)
			fmt.Fprintf(w, "<html><body>Internal error. Request: Authorization: %s</body></html>\n", r.Header.Get("Authorization"))
		case "hang":
			select {
			case <-r.Context().Done():
			case <-done:
			}
		case "ok":
			b, err := os.ReadFile(filepath.Join("..", "..", "internal", "orchestrator", "testdata", ok))
			if err != nil {
				t.Errorf("fixture: %v", err)
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(b)
		}
	}))
	t.Cleanup(rs.srv.Close)
	t.Cleanup(func() { close(done) }) // runs first: hanging handlers return
	return rs
}

// withCreds puts user ops and password pass into a server's URL.
func withCreds(rs *rotating, pass string) string {
	return strings.Replace(rs.srv.URL, "http://", "http://ops:"+pass+"@", 1)
}

func (rs *rotating) sawAuth(want string) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, a := range rs.auth {
		if a == want {
			return true
		}
	}
	return false
}

// TestSecretsReachNoOutput plants three secrets — a container's env value,
// the password of both -m URLs and DCOS_ACS_TOKEN — and greps every output
// channel for them: batch JSON and table (containers and processes, whose
// rows include our own process), stderr, the recording (every decoded
// record and the raw bytes) and the screen, with the details panel open.
func TestSecretsReachNoOutput(t *testing.T) {
	dockertest.Require(t)
	tag := fmt.Sprintf("%08d", rand.Intn(1e8))
	envSecret := "EnvSecretValue" + tag
	password := "UrlPassword" + tag
	token := "DcosTokenValue" + tag
	secrets := map[string]string{
		"container env value":      envSecret,
		"-m password":              password,
		"-m basic-auth header":     base64.StdEncoding.EncodeToString([]byte("ops:" + password)),
		"DCOS_ACS_TOKEN":           token,
		"-m password (URL-quoted)": "ops%3A" + password,
	}
	name := "secrets-" + tag
	id := dockertest.Run(t, []string{"--name", name, "-e", "API_TOKEN=" + envSecret}, dockertest.Sleep...)

	mesos := newRotating(t, "mesos/pairA_master_state_mesos-1.2.0.json")
	marathon := newRotating(t, "")
	mArg := withCreds(mesos, password) + "," + withCreds(marathon, password)
	dir := t.TempDir()

	check := func(channel, out string) {
		t.Helper()
		for what, s := range secrets {
			if i := strings.Index(out, s); i >= 0 {
				lo, hi := max(0, i-120), min(len(out), i+len(s)+40)
				t.Errorf("%s: the %s appears: …%s…", channel, what, out[lo:hi])
			}
		}
	}
	checkRecording := func(channel, path string) {
		t.Helper()
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		check(channel+" (raw bytes)", string(raw))
		r, err := recording.Open(path)
		if err != nil {
			t.Fatalf("%s: %v", channel, err)
		}
		defer r.Close()
		if w := r.Warning(); w != "" {
			t.Errorf("%s: %s", channel, w)
		}
		if r.Len() == 0 {
			t.Errorf("%s: no records", channel)
		}
		h, _ := json.Marshal(r.Header())
		check(channel+" header", string(h))
		for i := 0; i < r.Len(); i++ {
			s, err := r.At(i)
			if err != nil {
				t.Fatalf("%s record %d: %v", channel, i, err)
			}
			b, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			check(fmt.Sprintf("%s record %d", channel, i), string(b))
		}
	}

	// Batch runs, at once: containers and processes, JSON and table.
	type run struct {
		name           string
		args           []string
		stdout, stderr string
		code           int
		err            error
	}
	runs := []*run{
		{name: "-o json containers", args: []string{"-o", "json", "-n", "3", "-w", filepath.Join(dir, "batch.rec")}},
		{name: "-o table containers", args: []string{"-o", "table", "-n", "2"}},
		{name: "-o json processes", args: []string{"-o", "json", "-v", "processes", "-n", "2"}},
		{name: "-o table processes", args: []string{"-o", "table", "-v", "processes", "-n", "2"}},
		// Marathon is asked only by a view that shows it.
		{name: "-o json marathon-apps", args: []string{"-o", "json", "-v", "marathon-apps", "-n", "2"}},
	}
	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var o, e bytes.Buffer
			cmd := exec.Command(binary, append([]string{"-m", mArg, "-d", "300", "--orchestrator-interval", "300ms"}, r.args...)...)
			cmd.Env = append(os.Environ(), "DCOS_ACS_TOKEN="+token)
			cmd.Stdout, cmd.Stderr = &o, &e
			timer := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() })
			r.err = cmd.Run()
			timer.Stop()
			r.stdout, r.stderr = o.String(), e.String()
			if ee, ok := r.err.(*exec.ExitError); ok {
				r.code, r.err = ee.ExitCode(), nil
			}
		}()
	}
	wg.Wait()
	for _, r := range runs {
		if r.err != nil || r.code != 0 && !noAnswer(r.code, r.stderr) {
			t.Errorf("%s: exit %d %v: %s", r.name, r.code, r.err, r.stderr)
		}
		check(r.name+" stdout", r.stdout)
		check(r.name+" stderr", r.stderr)
	}
	// The runs did what the test means: the container is listed, our own
	// process too (its environ holds the token), and errors were reported.
	if !strings.Contains(runs[0].stdout, id) || !strings.Contains(runs[1].stdout, name) {
		t.Errorf("the container is not listed:\n%.600s", runs[1].stdout)
	}
	if !strings.Contains(runs[3].stdout, "ctop-like") || !strings.Contains(runs[3].stdout, "sleep 3600") {
		t.Errorf("the processes view lacks our process or the container's:\n%.2000s", runs[3].stdout)
	}
	if !strings.Contains(runs[0].stdout, `"errors":[`) {
		t.Errorf("no cluster errors reported: %.600s", runs[0].stdout)
	}
	checkRecording("batch recording", filepath.Join(dir, "batch.rec"))

	// The screen, with the details panel of the container open.
	rec := filepath.Join(dir, "screen.rec")
	script := filepath.Join(dir, "run.sh")
	// A script, so the typed line on the pane holds no secret.
	cmdline := fmt.Sprintf("exec %s -m '%s' -d 300 --orchestrator-interval 300ms -w %s -f name=%s\n", binary, mArg, rec, name)
	if err := os.WriteFile(script, []byte(cmdline), 0o600); err != nil {
		t.Fatal(err)
	}
	p := newPane(t, 160, 50, "TERM=xterm-256color", "DCOS_ACS_TOKEN="+token)
	p.text("sh " + script + "; echo EXIT=$?")
	p.keys("Enter")
	s := p.waitFor("the container's row", has(id[:12]))
	check("screen", s)
	p.keys("d")
	s = p.waitFor("the details panel with env names", has("API_TOKEN"))
	check("screen with details", s)
	// Stay a few cluster polls with the panel open: errors come and go.
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		check("screen with details", p.screen())
		time.Sleep(200 * time.Millisecond)
	}
	p.escape("the details panel", lacks("API_TOKEN"))
	p.text(":processes")
	p.keys("Enter")
	s = p.waitFor("the processes view", has("COMMAND"))
	check("processes screen", s)
	p.keys("q")
	s = p.waitFor("the exit", func(s string) bool { return exitLine.MatchString(s) })
	check("screen after exit", s)
	checkRecording("screen recording", rec)

	if !mesos.sawAuth("token=" + token) {
		t.Error("the Mesos stand-in never received Authorization: token=<DCOS_ACS_TOKEN>")
	}
	if !marathon.sawAuth("token=" + token) {
		t.Error("the Marathon stand-in never received Authorization: token=<DCOS_ACS_TOKEN>")
	}
}
