package orchestrator

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

const password = "s3cr3t-Pa55"

// noSecret fails when the password shows anywhere the user can see.
func noSecret(t *testing.T, p *Poller) {
	t.Helper()
	var all []string
	all = append(all, p.Errors()...)
	if c := p.Latest(); c != nil {
		all = append(all, c.Errors...)
		all = append(all, c.Leader, c.Marathon)
		for _, f := range c.Frameworks {
			all = append(all, f.WebUIURL)
		}
	}
	for _, s := range all {
		if strings.Contains(s, password) {
			t.Errorf("password in %q", s)
		}
	}
}

func withAuth(raw, user, pass string) string {
	return strings.Replace(raw, "://", "://"+user+":"+pass+"@", 1)
}

// marathonFault runs one poll against pair A's Mesos and a faulty Marathon
// and returns the poller.
func marathonFault(t *testing.T, h http.HandlerFunc) *Poller {
	t.Helper()
	ms, _ := pairA(t)
	bad := httptest.NewServer(h)
	t.Cleanup(bad.Close)
	p, err := NewPoller(Config{URLs: []string{withAuth(ms.URL, "u", password), withAuth(bad.URL, "admin", password)}, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p.skipAgent = true
	p.Refresh(context.Background())
	noSecret(t, p)
	return p
}

func wantError(t *testing.T, p *Poller, parts ...string) {
	t.Helper()
	errs := strings.Join(p.Errors(), " | ")
	t.Log(errs)
	for _, part := range parts {
		if !strings.Contains(errs, part) {
			t.Errorf("errors %q lack %q", errs, part)
		}
	}
}

func TestMarathonHangs(t *testing.T) {
	release := make(chan struct{})
	ms, _ := pairA(t)
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer bad.Close()
	defer close(release)
	// The timeout must outlast a good poll of pair A's Mesos under -race on
	// a loaded machine; only the hanging Marathon should reach it.
	p, err := NewPoller(Config{URLs: []string{ms.URL, bad.URL}, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { p.Refresh(context.Background()); close(done) }()
	// While the poll hangs, Latest answers at once.
	start := time.Now()
	for i := 0; i < 100; i++ {
		_ = p.Latest()
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("Latest blocked %v", d)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Refresh did not return within its timeouts")
	}
	c := p.Latest()
	if c == nil || !c.HasMesos || c.HasMarathon || !c.Stale {
		t.Fatalf("cluster %+v; errors %q", c, p.Errors())
	}
	wantError(t, p, "marathon "+bad.URL, "timeout", "no data yet")
}

func TestMarathon500(t *testing.T) {
	p := marathonFault(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	wantError(t, p, "marathon http://127.0.0.1:", "HTTP 500", "boom")
}

func TestMarathonHTML(t *testing.T) {
	p := marathonFault(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>Login</body></html>")
	})
	wantError(t, p, "not JSON", "text/html")
}

func TestMarathonTruncated(t *testing.T) {
	body := fixture(t, "marathon/pairA_v2_groups_embed-tasks.json")
	p := marathonFault(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write(body[:len(body)/2])
	})
	wantError(t, p, "truncated JSON")
}

func TestMarathonWrongType(t *testing.T) {
	p := marathonFault(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"id":"/","apps":[{"id":"/a","instances":"many"}]}`)
	})
	wantError(t, p, "unexpected JSON")
}

func TestMarathon401(t *testing.T) {
	var sawAuth string
	p := marathonFault(t, func(w http.ResponseWriter, r *http.Request) {
		u, pw, ok := r.BasicAuth()
		sawAuth = u + ":" + pw
		if !ok || pw != "right" {
			w.Header().Set("WWW-Authenticate", `Basic realm="marathon"`)
			http.Error(w, "invalid credentials "+u+":"+pw, http.StatusUnauthorized)
			return
		}
	})
	if sawAuth != "admin:"+password {
		t.Errorf("basic auth sent %q", sawAuth)
	}
	wantError(t, p, "HTTP 401")
}

func TestToken(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
		http.Error(w, "no", http.StatusForbidden)
	}))
	defer srv.Close()
	p, _ := NewPoller(Config{URLs: []string{"", srv.URL}, Token: "tok-" + password, Timeout: time.Second})
	p.Refresh(context.Background())
	if got != "token=tok-"+password {
		t.Errorf("Authorization %q", got)
	}
	noSecret(t, p)
	wantError(t, p, "HTTP 403")
}

func TestMesosDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	p, _ := NewPoller(Config{URLs: []string{withAuth(url, "u", password)}, Timeout: time.Second})
	p.Refresh(context.Background())
	if p.Latest() != nil {
		t.Error("a cluster without any answer")
	}
	noSecret(t, p)
	wantError(t, p, "mesos "+url, "connection refused", "no data yet")
}

func TestStandbyFollowed(t *testing.T) {
	leader, _ := pairA(t)
	host := strings.TrimPrefix(leader.URL, "http://")
	var leaderAuth string
	leader.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, leaderAuth, _ = r.BasicAuth()
		w.Write(fixture(t, "mesos/pairA_master_state_mesos-1.2.0.json"))
	})
	standby := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// What a non-leading master of the 0.2x era answers.
		fmt.Fprintf(w, `{"version":"0.27.0","pid":"master@127.0.0.1:1","leader":"master@%s","frameworks":[],"slaves":[]}`, host)
	}))
	defer standby.Close()
	p, _ := NewPoller(Config{URLs: []string{withAuth(standby.URL, "u", password), "http://127.0.0.1:1"}, Timeout: time.Second})
	p.Refresh(context.Background())
	c := p.Latest()
	if c == nil || c.Leader != leader.URL || len(c.Frameworks) != 3 {
		t.Fatalf("cluster %+v errors %v", c, p.Errors())
	}
	if leaderAuth != password {
		t.Error("credentials not carried to the leader")
	}
	noSecret(t, p)
}

func TestRedirectFollowed(t *testing.T) {
	leader, _ := pairA(t)
	host := strings.TrimPrefix(leader.URL, "http://")
	standby := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Mesos answers a protocol-relative Location.
		w.Header().Set("Location", "//"+host+r.URL.Path)
		w.WriteHeader(http.StatusTemporaryRedirect)
	}))
	defer standby.Close()
	p, _ := NewPoller(Config{URLs: []string{standby.URL, "http://127.0.0.1:1"}, Timeout: time.Second})
	p.Refresh(context.Background())
	c := p.Latest()
	if c == nil || c.Leader != leader.URL {
		t.Fatalf("cluster %+v errors %v", c, p.Errors())
	}
}

func TestRedirectLoop(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	p, _ := NewPoller(Config{URLs: []string{withAuth(srv.URL, "u", password)}, Timeout: 2 * time.Second})
	start := time.Now()
	p.Refresh(context.Background())
	if d := time.Since(start); d > time.Second {
		t.Errorf("redirect loop took %v", d)
	}
	wantError(t, p, "redirect loop")
	noSecret(t, p)
}

func TestStandbyLoop(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"pid":"master@0.0.0.0:1","leader":"master@%s","frameworks":[]}`, strings.TrimPrefix(srv.URL, "http://"))
	}))
	defer srv.Close()
	p, _ := NewPoller(Config{URLs: []string{srv.URL}, Timeout: time.Second})
	p.Refresh(context.Background())
	wantError(t, p, "standby")
}

// TestStaleAfterFailure: after a good poll, a failure keeps the old data,
// marked stale with the error and its age.
func TestStaleAfterFailure(t *testing.T) {
	ms, mar := pairA(t)
	// A refused connection fails at once; the timeout only bounds the good
	// first poll, which under -race on a loaded machine took over 300 ms.
	p, _ := NewPoller(Config{URLs: []string{ms.URL, withAuth(mar.URL, "u", password)}, Timeout: 10 * time.Second})
	p.skipAgent = true
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return now }
	p.Refresh(context.Background())
	good := p.Latest()
	if good == nil || good.Stale || !good.HasMarathon || len(good.Apps) != 8 {
		t.Fatalf("first poll %+v", good)
	}
	mar.Close()
	now = now.Add(20 * time.Second)
	p.Refresh(context.Background())
	now = now.Add(14 * time.Second)
	c := p.Latest()
	if c == nil || !c.Stale || len(c.Apps) != 8 || !c.HasMarathon || len(c.Frameworks) != 3 {
		t.Fatalf("after failure %+v", c)
	}
	want := "marathon " + mar.URL + ": connection refused (stale 34 s)"
	if len(c.Errors) != 1 || c.Errors[0] != want {
		t.Errorf("errors %q, want %q", c.Errors, want)
	}
	noSecret(t, p)
	if good.Stale || len(good.Errors) != 0 {
		t.Error("an earlier Latest() value changed")
	}
	if b := backoff(time.Second, p.failures); b != 2*time.Second {
		t.Errorf("backoff %v after one failure", b)
	}
}

func TestRunStops(t *testing.T) {
	ms, mar := pairA(t)
	p, _ := NewPoller(Config{URLs: []string{ms.URL, mar.URL}, Interval: 20 * time.Millisecond, Timeout: time.Second})
	p.skipAgent = true
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	deadline := time.Now().Add(20 * time.Second)
	// Mesos and Marathon are read side by side: a state can be published
	// with Mesos's answer while Marathon's is still on its way, so wait
	// for both before stopping (a cancel lands on a read in flight).
	for (p.Latest() == nil || !p.Latest().HasMarathon) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if c := p.Latest(); c == nil || !c.HasMarathon {
		t.Fatalf("cluster %+v", c)
	}
}

func TestNewPollerErrors(t *testing.T) {
	for _, raw := range []string{"http://u:" + password + "@host:50x0", "ftp://u:" + password + "@host", "http://u:" + password + "@/x"} {
		_, err := NewPoller(Config{URLs: []string{raw}})
		if err == nil {
			t.Errorf("%s: no error", raw)
			continue
		}
		if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), "\n") {
			t.Errorf("error %q", err)
		}
	}
	if _, err := NewPoller(Config{}); err == nil {
		t.Error("no URL accepted")
	}
	if _, err := NewPoller(Config{URLs: []string{"http://m:5050"}, CACert: "testdata/none.pem"}); err == nil {
		t.Error("missing CA file accepted")
	}
}

// TestRecoveryWithinOneInterval: after Marathon was down long enough for
// the poller to back off, its return is seen within about one interval,
// not after the backoff.
func TestRecoveryWithinOneInterval(t *testing.T) {
	ms, mar := pairA(t)
	addr := mar.Listener.Addr().String()
	// What is asserted is the shape, not a speed: after a few failures the
	// next full poll is a whole backoff (8 intervals) away, yet a Marathon
	// that returns is seen in well under half of it. Waits are for
	// conditions, never fixed sleeps: under -race on a loaded machine a poll
	// of pair A takes hundreds of milliseconds.
	const interval = 250 * time.Millisecond
	p, err := NewPoller(Config{URLs: []string{ms.URL, mar.URL}, Interval: interval, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p.skipAgent = true
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.Run(ctx)
	waitCluster := func(what string, ok func(*model.Cluster) bool, within time.Duration) time.Duration {
		t.Helper()
		start := time.Now()
		for time.Since(start) < within {
			if c := p.Latest(); ok(c) {
				return time.Since(start)
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("%s: not within %v (errors %v)", what, within, p.Errors())
		return 0
	}
	waitCluster("first answer", func(c *model.Cluster) bool { return c != nil && !c.Stale && c.HasMarathon }, 5*time.Second)

	// Down: connections refused, several failed polls, the wait grows.
	mar.Listener.Close()
	mar.CloseClientConnections()
	waitCluster("stale", func(c *model.Cluster) bool { return c != nil && c.Stale }, 5*time.Second)
	var failures int
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		p.mu.Lock()
		failures = p.failures
		p.mu.Unlock()
		if backoff(interval, failures) >= 8*interval {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the poller did not back off (%d failures in 20 s)", failures)
		}
	}

	// Back on the same address, just after a failed poll: the next full
	// poll is a whole backoff away.
	for f := failures; f == failures; {
		time.Sleep(time.Millisecond)
		p.mu.Lock()
		f = p.failures
		p.mu.Unlock()
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	srv := &http.Server{Handler: mar.Config.Handler}
	go srv.Serve(l)
	defer srv.Close()
	took := waitCluster("recovery", func(c *model.Cluster) bool { return c != nil && !c.Stale }, 10*time.Second)
	t.Logf("recovered %v after Marathon returned (interval %v, backoff %v)", took, interval, backoff(interval, failures))
	if took >= backoff(interval, failures)/2 {
		t.Errorf("recovered %v after Marathon returned: it waited for the backoff (%v) instead of about one interval (%v)", took, backoff(interval, failures), interval)
	}
}
