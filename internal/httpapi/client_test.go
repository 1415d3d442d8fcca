package httpapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi/httpapitest"
)

func withCreds(raw, user, pass string) string {
	return strings.Replace(raw, "://", "://"+user+":"+pass+"@", 1)
}

func newClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const pw = "pa@ss:w0rd-Secret"

// TestRedirectDropsCredentials: a server on 127.0.0.1 redirects to one on
// 127.0.0.2, to another port of 127.0.0.1, and to itself. The other
// places never see an Authorization header (basic or token); the first
// sees it on every request, the same-origin redirect included; and the
// 401 of the other place says why the credentials were withheld.
func TestRedirectDropsCredentials(t *testing.T) {
	other := httpapitest.NewRecorder(t, "127.0.0.2:0", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"stolen":true}`)
	})
	otherPort := httpapitest.NewRecorder(t, "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{}`)
	})
	first := httpapitest.NewRecorder(t, "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/elsewhere":
			http.Redirect(w, r, other.URL+"/x", http.StatusTemporaryRedirect)
		case "/protocol-relative": // what a Mesos master sends
			w.Header().Set("Location", "//"+strings.TrimPrefix(other.URL, "http://")+"/x")
			w.WriteHeader(http.StatusTemporaryRedirect)
		case "/port":
			http.Redirect(w, r, otherPort.URL+"/x", http.StatusFound)
		case "/self":
			http.Redirect(w, r, "/ok", http.StatusMovedPermanently)
		default:
			fmt.Fprint(w, `{}`)
		}
	})
	c := newClient(t, Config{Timeout: 2 * time.Second})
	basic, err := Parse(withCreds(first.URL, "ops", pw))
	if err != nil {
		t.Fatal(err)
	}
	token := basic.WithToken("tok-" + pw)
	ctx := context.Background()
	for _, e := range []*Endpoint{basic, token} {
		var v map[string]any
		_, err := c.GetJSON(ctx, e, "/elsewhere", &v)
		if !IsStatus(err, http.StatusUnauthorized) || !strings.Contains(err.Error(), "from "+other.URL+" after a redirect") || !strings.Contains(err.Error(), "sent only to "+first.URL) {
			t.Errorf("%s: redirect to another host: %v", e.Credentials(), err)
		}
		if strings.Contains(fmt.Sprint(err), pw) {
			t.Errorf("the error shows the password: %v", err)
		}
		if _, err := c.GetJSON(ctx, e, "/protocol-relative", &v); !IsStatus(err, http.StatusUnauthorized) {
			t.Errorf("protocol-relative redirect: %v", err)
		}
		if final, err := c.GetJSON(ctx, e, "/port", &v); err != nil || !strings.HasPrefix(otherPort.URL, "http://"+final.Host) {
			t.Errorf("redirect to another port: %v %v", final, err)
		}
		if _, err := c.GetJSON(ctx, e, "/self", &v); err != nil {
			t.Errorf("redirect to the same origin: %v", err)
		}
	}
	for _, r := range []*httpapitest.Recorder{other, otherPort} {
		for _, h := range r.Headers() {
			if h != "" {
				t.Errorf("%s received Authorization %q", r.URL, h)
			}
		}
		if len(r.Headers()) == 0 {
			t.Errorf("%s was never asked: the test tests nothing", r.URL)
		}
	}
	wantBasic := "Basic " + base64.StdEncoding.EncodeToString([]byte("ops:"+pw))
	got := first.Headers()
	if len(got) != 8+2 { // 4 paths × 2 endpoints, plus /ok after /self twice
		t.Errorf("first server saw %d requests: %q", len(got), got)
	}
	for i, h := range got {
		want := wantBasic
		if i >= len(got)/2 {
			want = "token=tok-" + pw
		}
		if h != want {
			t.Errorf("request %d to the first server carried %q, want %q", i, h, want)
		}
	}
}

// TestNamedCarriesCredentials: an endpoint a server named (a Mesos leader
// or agent) gets the credentials, with the scheme they were given for.
func TestNamedCarriesCredentials(t *testing.T) {
	named := httpapitest.NewRecorder(t, "127.0.0.2:0", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `[]`) })
	e, _ := Parse(withCreds("http://127.0.0.1:1/mesos", "ops", pw))
	n, err := e.Named(strings.TrimPrefix(named.URL, "http://"), e.Path())
	if err != nil {
		t.Fatal(err)
	}
	var v []any
	if _, err := newClient(t, Config{}).GetJSON(context.Background(), n, "/x", &v); err != nil {
		t.Fatal(err)
	}
	if h := named.Headers(); len(h) != 1 || !strings.HasPrefix(h[0], "Basic ") {
		t.Errorf("named server got %q", h)
	}
	if n.String() != named.URL+"/mesos" || e.Bare().Credentials() != "" {
		t.Errorf("named %s, bare %q", n, e.Bare().Credentials())
	}
	if _, err := e.Named("evil:80@x:1", ""); err == nil {
		t.Error("a malformed address accepted")
	}
}

// stream writes n bytes of JSON: prefix, then fill repeated, then suffix.
func stream(w io.Writer, prefix, fill, suffix string, n int64) {
	_, _ = io.WriteString(w, prefix)
	chunk := []byte(strings.Repeat(fill, (64<<10)/len(fill)))
	for sent := int64(len(prefix)); sent < n; sent += int64(len(chunk)) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
	_, _ = io.WriteString(w, suffix)
}

// TestLimits: answers over a limit fail with an error that names it,
// whatever their shape: one long string, many small objects (which decode
// into far more memory than they weigh), or members the decoder drops.
func TestLimits(t *testing.T) {
	type task struct {
		ID, Name, State string
	}
	type state struct {
		Tasks []task `json:"tasks"`
		Name  string `json:"name"`
	}
	cases := []struct {
		name, prefix, fill, suffix string
		limit                      string
	}{
		{"long string", `{"name":"`, "a", `"}`, "1 MB limit of one answer to decode"},
		{"many objects", `{"tasks":[{}`, `,{}`, `]}`, "1 MB limit of one answer to decode"},
		{"white space", `{"tasks":[`, " ", `]}`, "1 MB limit of one answer to decode"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				stream(w, tc.prefix, tc.fill, tc.suffix, 64<<20)
			}))
			defer srv.Close()
			c := newClient(t, Config{MaxBody: 8 << 20, MaxCost: 1 << 20, Timeout: 10 * time.Second})
			e, _ := Parse(srv.URL)
			var v state
			_, err := c.GetJSON(context.Background(), e, "/", &v)
			if err == nil || !strings.Contains(err.Error(), tc.limit) || Reached(err) != true {
				t.Fatalf("error %v, want the %q", err, tc.limit)
			}
			if len(v.Tasks) > 1<<20/objectCost {
				t.Errorf("%d tasks decoded past the limit", len(v.Tasks))
			}
		})
	}
	// Under the limits the same shapes decode.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stream(w, `{"tasks":[{}`, `,{}`, `],"name":"n"}`, 64<<10)
	}))
	defer srv.Close()
	e, _ := Parse(srv.URL)
	var v state
	if _, err := newClient(t, Config{MaxCost: 4 << 20}).GetJSON(context.Background(), e, "/", &v); err != nil || v.Name != "n" || len(v.Tasks) < 20000 {
		t.Errorf("%d tasks, %v", len(v.Tasks), err)
	}
}

// skipped drops its "big" member before decoding.
type skipped struct {
	Keep string `json:"keep"`
}

func (*skipped) SkipKeys() map[string]bool { return map[string]bool{"big": true} }

// TestSkippedMembersCostNothing: a member the answer type skips may be far
// larger than the decoding limit; only the body limit bounds it.
func TestSkippedMembersCostNothing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stream(w, `{"big":[{}`, `,{"x":"yyyy"}`, `],"keep":"k"}`, 6<<20)
	}))
	defer srv.Close()
	e, _ := Parse(srv.URL)
	var v skipped
	// Sizes are a few MB, timeouts a bound for -race on a loaded machine.
	c := newClient(t, Config{MaxBody: 16 << 20, MaxCost: 1 << 20, Timeout: time.Minute})
	if _, err := c.GetJSON(context.Background(), e, "/", &v); err != nil || v.Keep != "k" {
		t.Errorf("keep %q, %v", v.Keep, err)
	}
	// The body limit still bounds the bytes read.
	c = newClient(t, Config{MaxBody: 2 << 20, MaxCost: 1 << 20, Timeout: time.Minute})
	if _, err := c.GetJSON(context.Background(), e, "/", &v); err == nil || !strings.Contains(err.Error(), "over the 2 MB limit of one answer") {
		t.Errorf("over the body limit: %v", err)
	}
}

func TestErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/500":
			http.Error(w, "boom \x1b]0;title\x07 "+r.Header.Get("Authorization"), 500)
		case "/html":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html>login</html>")
		case "/hang":
			<-r.Context().Done()
		case "/403":
			w.WriteHeader(403)
		}
	}))
	defer srv.Close()
	e, _ := Parse(withCreds(srv.URL, "ops", pw))
	c := newClient(t, Config{Timeout: 200 * time.Millisecond})
	ctx := context.Background()
	var v map[string]any
	for path, want := range map[string]string{
		"/500":  "HTTP 500 Internal Server Error: boom ?]0;title? xxx",
		"/html": "not JSON (Content-Type text/html)",
		"/hang": "timeout",
		"/403":  "HTTP 403 Forbidden (the user:password of the URL was sent; check it)",
	} {
		_, err := c.GetJSON(ctx, e, path, &v)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
	srv.Close()
	if _, err := c.GetJSON(ctx, e, "/", &v); err == nil || err.Error() != "connection refused" || Reached(err) {
		t.Errorf("closed server: %v", err)
	}
	for _, raw := range []string{"http://u:" + pw + "@host:50x0", "ftp://u:" + pw + "@host", "http://u:" + pw + "@/x", "http://u:" + pw + "@h\x7f"} {
		if _, err := Parse(raw); err == nil || strings.Contains(err.Error(), "w0rd") {
			t.Errorf("Parse(%q): %v", raw, err)
		}
	}
}

// TestHeaderTimeout: a server that never answers fails at HeaderTimeout,
// as a timeout, whatever the transport; one whose answer has begun may
// take up to Timeout to send it.
func TestHeaderTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.Write([]byte(`{"a":`))
		w.(http.Flusher).Flush()
		select { // the rest comes after HeaderTimeout has passed
		case <-release:
		case <-r.Context().Done():
		}
		w.Write([]byte(`1}`))
	}))
	defer srv.Close()
	defer close(release)
	c, err := New(Config{Timeout: time.Minute, HeaderTimeout: 100 * time.Millisecond, Transport: &http.Transport{}})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := Parse(srv.URL)
	_, err = c.GetJSON(context.Background(), e, "/hang", new(any))
	var ne *NetError
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("a server without headers: %v, want a timeout", err)
	}
	done := make(chan error, 1)
	go func() {
		var v struct{ A int }
		_, err := c.GetJSON(context.Background(), e, "/slow", &v)
		if err == nil && v.A != 1 {
			err = fmt.Errorf("decoded %+v", v)
		}
		done <- err
	}()
	// The answer's first bytes are out; HeaderTimeout passes; then the
	// rest: the request must not have ended at HeaderTimeout.
	time.Sleep(300 * time.Millisecond)
	release <- struct{}{}
	if err := <-done; err != nil {
		t.Errorf("an answer slower than HeaderTimeout to finish: %v", err)
	}
}

// An API's JSON `message` ({"message":"…"}, Marathon's every error) is
// kept whole in the status error, not cut at the body's first 120 bytes:
// Marathon's 409 (its own docs' example, 128 characters) ends with where
// to look. A credential the server echoes and control or bidi characters
// never reach it.
func TestStatusErrorKeepsTheAPIsMessage(t *testing.T) {
	locked := `App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/locked":
			w.WriteHeader(http.StatusConflict)
			fmt.Fprintf(w, "{\n \"message\":%q,\n \"deployments\":[{\"id\":\"97c136bf-5a28-4821-9d94-480d9fbb01c8\"}]\n}", locked)
		case "/echo":
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"message":"credentials %s refused\u001b[2J\u202eevil"}`, r.Header.Get("Authorization"))
		case "/plain":
			http.Error(w, "no message here", http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	e, _ := Parse(withCreds(srv.URL, "ops", pw))
	c := newClient(t, Config{})
	ctx := context.Background()

	_, err := c.Do(ctx, e, http.MethodPost, "/locked", nil, nil)
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusConflict || !strings.HasSuffix(err.Error(), ": "+locked) {
		t.Errorf("409: %v", err)
	}

	_, err = c.Do(ctx, e, http.MethodPost, "/echo", nil, nil)
	if !errors.As(err, &se) || se.Code != http.StatusUnauthorized || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("401: %v", err)
	}
	basic := base64.StdEncoding.EncodeToString([]byte("ops:" + pw))
	for _, bad := range []string{basic, pw, "\x1b", "\u202e"} {
		if strings.Contains(err.Error(), bad) {
			t.Errorf("401: the error holds %q: %q", bad, err)
		}
	}
	if !strings.Contains(err.Error(), "the user:password of the URL was sent") {
		t.Errorf("401: the hint is gone: %v", err)
	}

	_, err = c.Do(ctx, e, http.MethodGet, "/plain", nil, nil)
	if !errors.As(err, &se) || err.Error() != "HTTP 502 Bad Gateway: no message here" {
		t.Errorf("502 without JSON: %v", err)
	}
}
