package cadvisor

import (
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/httpapi/httpapitest"
	"github.com/ctop-like/ctop-like/internal/model"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loopbackClient is an httpapi client that can only reach 127.0.0.0/8:
// any other destination fails the test (the fixtures name real addresses).
func loopbackClient(t testing.TB) *httpapi.Client {
	d := &net.Dialer{Timeout: 2 * time.Second}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
				t.Errorf("the source tried to reach %s: only loopback is allowed", addr)
				return nil, &net.OpError{Op: "dial", Net: network, Err: os.ErrPermission}
			}
			return d.DialContext(ctx, network, addr)
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := httpapi.New(httpapi.Config{Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newSource(t testing.TB, url string) *Source {
	t.Helper()
	src, err := New(url, loopbackClient(t))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func num(v any) float64        { f, _ := v.(float64); return f }

func TestAllListsRawCgroups(t *testing.T) {
	srv := olderNode(t, "dd-agent_api_v1.3_machine.json")
	srv.set(func(f *fakeCAdvisor) { f.subsAll = fixture(t, "dd-agent_api_v1.3_subcontainers.json") })
	src := newSource(t, srv.URL)
	src.All = true
	smp, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	raw := 0
	for _, c := range smp.Containers {
		if c.Runtime == model.RuntimeRaw {
			raw++
			if c.ID != c.Cgroup || c.ID == "/" {
				t.Errorf("raw %+v", c.ID)
			}
		}
	}
	if raw != 2 || len(smp.Containers) != 4 { // /system, /kubelet; the root is the machine
		t.Errorf("%d raw of %d", raw, len(smp.Containers))
	}
}

func TestFaultsKeepLastRowsStale(t *testing.T) {
	srv := realNode(t)
	u := strings.Replace(srv.URL, "http://", "http://ops:s3cret@", 1)
	src := newSource(t, u)
	src.Timeout = 300 * time.Millisecond
	if _, err := src.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"garbage": []byte("<html>bad gateway</html>"), "truncated": []byte(`[{"name":"/docker/x","stats":[`)} {
		srv.set(func(f *fakeCAdvisor) { f.broken = body })
		smp, err := src.Collect(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(smp.Containers) != 7 || len(smp.Errors) != 1 || !strings.Contains(smp.Errors[0], "stale") {
			t.Errorf("%s: %d containers, errors %v", name, len(smp.Errors), smp.Errors)
		}
		if strings.Contains(strings.Join(smp.Errors, " "), "s3cret") {
			t.Fatal("password in an error")
		}
	}
	// A node down from the start is an error naming it, without password.
	srv.Close()
	src2 := newSource(t, u)
	_, err := src2.Collect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cadvisor http://127.0.0.1") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("down node: %v", err)
	}
}

func TestHangingNodeCostsOneTimeout(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer hang.Close()
	src := newSource(t, hang.URL)
	src.Timeout = 200 * time.Millisecond
	start := time.Now()
	_, err := src.Collect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Errorf("hang: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a hanging node held Collect %v", d)
	}
}

func TestNewRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "http://", "http://u:pw@h:%zz"} {
		if _, err := New(u, nil); err == nil {
			t.Errorf("%q accepted", u)
		} else if strings.Contains(err.Error(), "pw") {
			t.Errorf("%q: password in %v", u, err)
		}
	}
}

// TestCAdvisorRedirectWithholdsCredentials: --cadvisor http://ops:PW@127.0.0.1:PORT
// whose server redirects every request to the recorded node on 127.0.0.2.
// The credentials reach 127.0.0.1 on every request and never 127.0.0.2;
// when 127.0.0.2 then asks for them, the error says they were withheld
// after a redirect; no error or sample shows the password.
func TestCAdvisorRedirectWithholdsCredentials(t *testing.T) {
	const pw = "h9-S3cret@pw"
	node := realNode(t)
	var wantAuth atomic.Bool
	other := httpapitest.NewRecorder(t, "127.0.0.2:0", func(w http.ResponseWriter, r *http.Request) {
		if wantAuth.Load() && r.Header.Get("Authorization") == "" {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		node.serve(w, r)
	})
	first := httpapitest.NewRecorder(t, "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
	u := strings.Replace(first.URL, "http://", "http://ops:"+pw+"@", 1)
	showsPassword := func(s string) bool { return strings.Contains(s, pw) || strings.Contains(s, "S3cret") }

	src := newSource(t, u)
	smp, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(smp.Containers) != 7 || showsPassword(strings.Join(smp.Errors, " ")) {
		t.Errorf("through the redirect: %d containers, errors %v", len(smp.Containers), smp.Errors)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("ops:"+pw))
	if h := first.Headers(); len(h) == 0 || h[0] != basic || h[len(h)-1] != basic {
		t.Errorf("the URL's own host got %q, want its credentials", h)
	}
	for _, h := range other.Headers() {
		if h != "" {
			t.Errorf("the redirect's host received Authorization %q", h)
		}
	}
	if len(other.Headers()) == 0 {
		t.Fatal("127.0.0.2 was never asked: the test tests nothing")
	}

	wantAuth.Store(true)
	_, err = newSource(t, u).Collect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") || !strings.Contains(err.Error(), "from "+other.URL+" after a redirect") ||
		!strings.Contains(err.Error(), "sent only to "+first.URL) || showsPassword(err.Error()) {
		t.Errorf("127.0.0.2 asking for credentials: %v", err)
	}
	smp, err = src.Collect(context.Background()) // a failed pass repeats the last rows with the error
	if err != nil {
		t.Fatal(err)
	}
	if len(smp.Errors) != 1 || !strings.Contains(smp.Errors[0], "after a redirect") || showsPassword(smp.Errors[0]) {
		t.Fatalf("stale pass: errors %q", smp.Errors)
	}
	t.Logf("error shown: %s", smp.Errors[0])
}
