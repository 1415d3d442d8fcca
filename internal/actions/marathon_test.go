package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"strings"
	"sync"
	"testing"

	"github.com/ctop-like/ctop-like/internal/httpapi"
)

// seen is one request the test Marathon received.
type seen struct {
	method, path, query, body, contentType, auth string
}

// fakeMarathon answers as the REST API docs say, with the docs' own example
// payloads: 200 with a deployment for restart, scale and kill-and-scale,
// 200 with the task for a plain kill, 409 for /locked (a deployment in
// progress), 401 without the right credentials, 404 for an unknown app.
type fakeMarathon struct {
	t    *testing.T
	mu   sync.Mutex
	reqs []seen
	auth string // the Authorization value it accepts; "" accepts any
}

func fixture(t *testing.T, name string) []byte {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fakeMarathon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, seen{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, string(b), r.Header.Get("Content-Type"), r.Header.Get("Authorization")})
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	answer := func(code int, file string) {
		if code == http.StatusOK && file == "marathon-docs_deployments_result.json" {
			w.Header().Set("Marathon-Deployment-Id", "5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43")
		}
		w.WriteHeader(code)
		w.Write(fixture(f.t, file))
	}
	p := r.URL.EscapedPath()
	switch {
	case f.auth != "" && r.Header.Get("Authorization") != f.auth:
		answer(http.StatusUnauthorized, "marathon-docs_401.json")
	case strings.HasPrefix(p, "/v2/apps/locked"):
		answer(http.StatusConflict, "marathon-docs_409_deployment-locked.json")
	case strings.HasPrefix(p, "/v2/apps/not_existent"):
		answer(http.StatusNotFound, "marathon-docs_404_app.json")
	case strings.HasPrefix(p, "/v2/apps/evil"):
		w.WriteHeader(http.StatusConflict)
		w.Write([]byte(`{"message":"locked\u001b[2J\u001b]0;owned\u0007 by me"}`))
	case r.Method == http.MethodPost && strings.HasSuffix(p, "/restart"),
		r.Method == http.MethodPut,
		r.Method == http.MethodDelete && r.URL.Query().Get("scale") == "true":
		answer(http.StatusOK, "marathon-docs_deployments_result.json")
	case r.Method == http.MethodDelete && strings.Contains(p, "/tasks/"):
		answer(http.StatusOK, "marathon-docs_app_task.json")
	default:
		answer(http.StatusNotFound, "marathon-docs_404_app.json")
	}
}

// marathonAt is the Marathon at raw (its user:password, if any, sent as
// basic auth) through a client of httpapi; token, when set, is sent
// instead as DCOS_ACS_TOKEN.
func marathonAt(t *testing.T, raw, token string) *Marathon {
	t.Helper()
	e, err := httpapi.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	api, err := httpapi.New(httpapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return &Marathon{API: api, At: e.WithToken(token)}
}

func (f *fakeMarathon) last() seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reqs[len(f.reqs)-1]
}

// Each Marathon action says what it will do in words, then sends the
// method, path, query and body of the REST API docs.
func TestMarathonActionsReachMarathonAsDocumented(t *testing.T) {
	fm := &fakeMarathon{t: t}
	srv := httptest.NewServer(fm)
	defer srv.Close()
	m := marathonAt(t, srv.URL, "")
	api := App{ID: "/shop/api", Instances: 3}
	task := "shop_api.a6f0bb45-c64b-11e6-9066-5a8a388c67a1"
	for _, tc := range []struct {
		act                       Deed
		text                      string
		method, path, query, body string
	}{
		{m.Restart(api), "Marathon will restart all 3 instances of /shop/api", "POST", "/v2/apps/shop/api/restart", "", ""},
		{m.Scale(api, 2), "Marathon will scale /shop/api from 3 to 2 instances", "PUT", "/v2/apps/shop/api", "", `{"instances":2}`},
		{m.Suspend(api), "Marathon will suspend /shop/api: stop all 3 of its instances (scale to 0)", "PUT", "/v2/apps/shop/api", "", `{"instances":0}`},
		{m.KillTask(api, task, false), "Marathon will kill task " + task + " of /shop/api and start a new one in its place", "DELETE", "/v2/apps/shop/api/tasks/" + task, "", ""},
		{m.KillTask(api, task, true), "Marathon will kill task " + task + " of /shop/api and scale the app down from 3 to 2 instances", "DELETE", "/v2/apps/shop/api/tasks/" + task, "scale=true", ""},
		{m.Restart(App{ID: "/redis", Instances: 1}), "Marathon will restart the only instance of /redis", "POST", "/v2/apps/redis/restart", "", ""},
		{m.Scale(App{ID: "/a b", Instances: 0}, 1), "Marathon will scale /a b from 0 to 1 instance", "PUT", "/v2/apps/a%20b", "", `{"instances":1}`},
	} {
		if got := tc.act.Describe(); got != tc.text {
			t.Errorf("Describe = %q, want %q", got, tc.text)
		}
		if err := tc.act.Do(context.Background()); err != nil {
			t.Errorf("%s: %v", tc.text, err)
			continue
		}
		r := fm.last()
		if r.method != tc.method || r.path != tc.path || r.query != tc.query {
			t.Errorf("%s: sent %s %s?%s, want %s %s?%s", tc.text, r.method, r.path, r.query, tc.method, tc.path, tc.query)
		}
		if tc.body != "" {
			var got, want any
			json.Unmarshal([]byte(r.body), &got)
			json.Unmarshal([]byte(tc.body), &want)
			if !jsonEqual(got, want) || r.contentType != "application/json" {
				t.Errorf("%s: body %q (%s), want %s", tc.text, r.body, r.contentType, tc.body)
			}
		} else if r.body != "" {
			t.Errorf("%s: unexpected body %q", tc.text, r.body)
		}
	}
}

// A Marathon behind a path (DC/OS: https://master/service/marathon) keeps
// its prefix.
func TestMarathonUnderAPath(t *testing.T) {
	fm := &fakeMarathon{t: t}
	srv := httptest.NewServer(fm)
	defer srv.Close()
	m := marathonAt(t, srv.URL+"/service/marathon/", "")
	if err := m.Restart(App{ID: "/shop/api", Instances: 2}).Do(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := fm.last().path; got != "/service/marathon/v2/apps/shop/api/restart" {
		t.Errorf("path %s", got)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// 409, 401 and 404 come back as errors carrying Marathon's message; a
// message with escape sequences cannot reach the terminal through Error.
func TestMarathonErrorsSurface(t *testing.T) {
	fm := &fakeMarathon{t: t}
	srv := httptest.NewServer(fm)
	defer srv.Close()
	m := marathonAt(t, srv.URL, "")
	for _, tc := range []struct {
		act    Deed
		status int
		msg    string
	}{
		{m.Scale(App{ID: "/locked/app", Instances: 1}, 2), 409, "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'."},
		{m.Restart(App{ID: "/not_existent"}), 404, "App '/not_existent' does not exist"},
	} {
		err := tc.act.Do(context.Background())
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != tc.status || ae.Message != tc.msg || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v", tc.act.Describe(), err)
		}
	}

	fm.auth = "Basic b3BzOnMzY3JldA==" // ops:s3cret
	err := marathonAt(t, strings.Replace(srv.URL, "://", "://ops:wrong@", 1), "").Restart(App{ID: "/shop/api"}).Do(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 401 || ae.Message != "Invalid username or password." {
		t.Errorf("401: %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the password is in the error: %v", err)
	}
	if err := marathonAt(t, strings.Replace(srv.URL, "://", "://ops:s3cret@", 1), "").Restart(App{ID: "/shop/api"}).Do(context.Background()); err != nil {
		t.Errorf("right credentials: %v", err)
	}
	fm.auth = ""

	before := len(fm.reqs)
	if err := m.Scale(App{ID: "/shop/api", Instances: 3}, -1).Do(context.Background()); err == nil || len(fm.reqs) != before {
		t.Errorf("scale to -1: %v, %d requests sent", err, len(fm.reqs)-before)
	}

	err = m.Restart(App{ID: "/evil"}).Do(context.Background())
	if err == nil || strings.ContainsAny(err.Error(), "\x1b\x07") || !strings.Contains(err.Error(), "by me") {
		t.Errorf("control characters in Marathon's message: %q", err)
	}
}

// Credentials go to Marathon only: basic auth or the DC/OS token reach
// it, and a redirect to another host:port is followed without them.
func TestMarathonCredentialsStayWithMarathon(t *testing.T) {
	other := &fakeMarathon{t: t}
	elsewhere := httptest.NewServer(other)
	defer elsewhere.Close()
	fm := &fakeMarathon{t: t}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v2/apps/moved") {
			fm.ServeHTTP(httptest.NewRecorder(), r) // record what arrived here
			http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
			return
		}
		fm.ServeHTTP(w, r)
	}))
	defer srv.Close()

	tok := marathonAt(t, srv.URL, "eyJhbGciOi.dcos")
	if err := tok.Restart(App{ID: "/shop/api", Instances: 3}).Do(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := fm.last().auth; got != "token=eyJhbGciOi.dcos" {
		t.Errorf("DC/OS token sent as %q", got)
	}
	basic := marathonAt(t, strings.Replace(srv.URL, "://", "://ops:s3cret@", 1), "")
	if err := basic.Restart(App{ID: "/moved/app", Instances: 1}).Do(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := fm.last().auth; got != "Basic b3BzOnMzY3JldA==" {
		t.Errorf("basic auth to Marathon: %q", got)
	}
	if got := other.last(); got.auth != "" || got.path != "/v2/apps/moved/app/restart" {
		t.Errorf("the other host got %q at %s", got.auth, got.path)
	}
}

// An app or task id with a segment a proxy resolves or rewrites is
// refused before any request: behind a normalising proxy (nginx, Admin
// Router, Jetty resolve dot segments; some decode %2e or turn "\" into
// "/" first) "kill task .. of /victim" was DELETE /v2/apps/victim, and
// the app id /evil/../../v2/apps/victim restarted /victim. The proxy here
// resolves dot segments of the decoded path as they do.
func TestMarathonIDsThatAProxyRewritesAreRefused(t *testing.T) {
	fm := &fakeMarathon{t: t}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.ReplaceAll(r.URL.Path, `\`, "/")
		r.URL.Path, r.URL.RawPath = path.Clean(p), ""
		fm.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	m := marathonAt(t, proxy.URL, "")
	victim := App{ID: "/victim", Instances: 3}
	for _, tc := range []struct {
		act  Deed
		want string // in the error
	}{
		{m.KillTask(victim, "..", false), `task id has a ".." segment`},
		{m.KillTask(victim, ".", true), `task id has a "." segment`},
		{m.KillTask(victim, "", false), "task id has an empty segment"},
		{m.KillTask(victim, "../../victim", false), `task id holds "/"`},
		{m.KillTask(victim, "%2e%2e", false), `task id holds '%'`},
		{m.KillTask(victim, `..\..\other`, false), `task id holds '\\'`},
		{m.Restart(App{ID: "/evil/../../v2/apps/victim"}), `app id has a ".." segment (segment 2 of 6)`},
		{m.Scale(App{ID: "/shop/./api"}, 2), `app id has a "." segment (segment 2 of 3)`},
		{m.Suspend(App{ID: "/shop//api"}), "app id has an empty segment (segment 2 of 3)"},
		{m.Restart(App{ID: "/shop/api/"}), "app id has an empty segment (segment 3 of 3)"},
		{m.Restart(App{ID: "/"}), "app id has an empty segment (segment 1 of 1)"},
		{m.Restart(App{ID: "/evil/%2e%2e/%2e%2e/victim"}), `app id holds '%'`},
		{m.Restart(App{ID: "/evil;x/../victim"}), `app id holds ';'`},
		{m.Restart(App{ID: "/evil/\uff0e\uff0e/victim"}), `app id holds '．' (U+FF0E), not ASCII`},
		{m.Restart(App{ID: "/evil/..\x00/victim"}), "app id holds a control character"},
		{m.KillTask(App{ID: "/a/../victim"}, "shop_api.a6f0bb45-c64b-11e6-9066-5a8a388c67a1", false), `app id has a ".." segment`},
	} {
		err := tc.act.Do(context.Background())
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "refused: ") {
			t.Errorf("%s: error %v, want one with %q", tc.act.Describe(), err, tc.want)
		}
		if !strings.Contains(tc.act.Describe(), "refused") {
			t.Errorf("the sentence does not say the action is refused: %s", tc.act.Describe())
		}
	}
	fm.mu.Lock()
	defer fm.mu.Unlock()
	for _, r := range fm.reqs {
		t.Errorf("sent %s %s (as the proxy passed it on)", r.method, r.path)
	}
}

// Marathon's own ids pass the check: every app and task id of the
// fixtures this project serves (a Marathon 1.x answer and DC/OS's).
func TestMarathonsOwnIDsPass(t *testing.T) {
	for _, id := range []string{"/shop/api", "/a b", "/dev/k8s.io-like/app-1", "/x"} {
		if err := CheckAppID(id); err != nil {
			t.Errorf("app %q: %v", id, err)
		}
	}
	for _, id := range []string{"shop_api.a6f0bb45-c64b-11e6-9066-5a8a388c67a1", "shop_api.instance-4e4dd7b5-2b2c-11e9-a1f4-0242ac110002._app.1", "...x"} {
		if err := CheckTaskID(id); err != nil {
			t.Errorf("task %q: %v", id, err)
		}
	}
}

// What Marathon (or a proxy before it) says back is shown as text: a
// credential it echoes is hidden, and a bidi override cannot reorder the
// message line.
func TestMarathonErrorsHideEchoedCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"message":"%s may not restart /shop/api \u202e!detoor"}`, r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	const tok = "eyJhbGciOi.dcos-secret"
	err := marathonAt(t, srv.URL, tok).Restart(App{ID: "/shop/api", Instances: 1}).Do(context.Background())
	if err == nil || !strings.Contains(err.Error(), "may not restart /shop/api") {
		t.Fatalf("403: %v", err)
	}
	if strings.Contains(err.Error(), tok) || strings.Contains(err.Error(), "\u202e") {
		t.Errorf("403: %q", err)
	}
}
