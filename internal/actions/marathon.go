package actions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode"
)

// Marathon acts on Marathon apps and tasks through Marathon's REST API
// (docs/docs/rest-api/public/api/v2/apps.raml). Its credentials go only to
// this Marathon's scheme, host and port: a redirect elsewhere is followed
// without them.
type Marathon struct {
	// URL is Marathon's base URL (http://marathon:8080, or a DC/OS
	// https://master/service/marathon).
	URL string
	// Client sends the requests (TLS settings); http.DefaultClient when nil.
	Client *http.Client
	// User and Password are sent as HTTP basic auth when User is set.
	User, Password string
	// Token, when set, is a DC/OS ACS token sent as `Authorization: token=…`.
	Token string
}

// App is a Marathon app as the confirmation names it.
type App struct {
	// ID is the app's id, "/shop/api".
	ID string
	// Instances is how many instances it has now.
	Instances int
}

// Restart restarts every task of the app (`POST /v2/apps/{id}/restart`),
// as a rolling deployment.
func (m *Marathon) Restart(app App) Deed {
	text := fmt.Sprintf("Marathon will restart all %d instances of %s", app.Instances, app.ID)
	switch app.Instances {
	case 0:
		text = fmt.Sprintf("Marathon will restart %s (it has no instances now)", app.ID)
	case 1:
		text = fmt.Sprintf("Marathon will restart the only instance of %s", app.ID)
	}
	p, err := appPath(app.ID)
	return m.call(text, http.MethodPost, p+"/restart", err, "")
}

// Scale sets the app's instances to n (`PUT /v2/apps/{id}` with
// `{"instances":n}`; Marathon's default partialUpdate keeps the rest).
func (m *Marathon) Scale(app App, n int) Deed {
	if n < 0 {
		return call{m: m, bad: fmt.Sprintf("cannot scale %s to %d instances", app.ID, n),
			text: fmt.Sprintf("scale %s to %d instances (not possible)", app.ID, n)}
	}
	p, err := appPath(app.ID)
	return m.call(fmt.Sprintf("Marathon will scale %s from %d to %d %s", app.ID, app.Instances, n, plural(n, "instance", "instances")),
		http.MethodPut, p, err, fmt.Sprintf(`{"instances":%d}`, n))
}

// Suspend scales the app to 0 instances, as Marathon's UI "Suspend" does.
func (m *Marathon) Suspend(app App) Deed {
	p, err := appPath(app.ID)
	return m.call(fmt.Sprintf("Marathon will suspend %s: stop all %d of its instances (scale to 0)", app.ID, app.Instances),
		http.MethodPut, p, err, `{"instances":0}`)
}

// KillTask kills one task of the app (`DELETE
// /v2/apps/{app}/tasks/{task}`): Marathon starts another in its place,
// unless scaleDown is set (`?scale=true`), which lowers the app's
// instances by one instead.
func (m *Marathon) KillTask(app App, taskID string, scaleDown bool) Deed {
	text := fmt.Sprintf("Marathon will kill task %s of %s and start a new one in its place", taskID, app.ID)
	if scaleDown {
		text = fmt.Sprintf("Marathon will kill task %s of %s and scale the app down from %d to %d %s",
			taskID, app.ID, app.Instances, max(app.Instances-1, 0), plural(app.Instances-1, "instance", "instances"))
	}
	p, err := taskPath(app.ID, taskID)
	c := m.call(text, http.MethodDelete, p, err, "")
	if scaleDown {
		c.query = "scale=true"
	}
	return c
}

// call is a request of the method to path with body; pathErr, when set,
// says why the path could not be built from its ids (CheckAppID,
// CheckTaskID), and the call refuses instead.
func (m *Marathon) call(text, method, path string, pathErr error, body string) call {
	if pathErr != nil {
		return call{m: m, text: text + " (" + pathErr.Error() + ")", bad: pathErr.Error()}
	}
	return call{m: m, text: text, method: method, path: path, body: body}
}

type call struct {
	m                         *Marathon
	text                      string
	method, path, query, body string
	// bad, when set, is why the call cannot be made.
	bad string
}

func (c call) Describe() string { return c.text }

// Do sends the request and returns nil on a 2xx answer, else an *APIError
// with Marathon's message.
func (c call) Do(ctx context.Context) error {
	if c.bad != "" {
		return errors.New(c.bad)
	}
	base, err := url.Parse(strings.TrimSuffix(c.m.URL, "/"))
	if err != nil || base.Host == "" {
		return fmt.Errorf("marathon: bad URL %q", c.m.URL)
	}
	target := *base
	target.User = nil
	target.RawPath = base.EscapedPath() + c.path
	if target.Path, err = url.PathUnescape(target.RawPath); err != nil {
		return fmt.Errorf("marathon: %w", err)
	}
	target.RawQuery = c.query
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, target.String(), body)
	if err != nil {
		return fmt.Errorf("marathon: %w", err)
	}
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	switch {
	case c.m.Token != "":
		req.Header.Set("Authorization", "token="+c.m.Token)
	case c.m.User != "":
		req.SetBasicAuth(c.m.User, c.m.Password)
	}
	resp, err := c.m.client(base).Do(req)
	if err != nil {
		return fmt.Errorf("marathon %s %s: %w", c.method, redact(&target), unwrapURL(err))
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	return &APIError{Method: c.method, URL: redact(&target), Status: resp.StatusCode, Message: message(b)}
}

// client is the Marathon's client with a redirect rule: credentials are
// dropped on a redirect to another scheme, host or port.
func (m *Marathon) client(base *url.URL) *http.Client {
	cl := http.DefaultClient
	if m.Client != nil {
		cl = m.Client
	}
	cp := *cl
	prev := cl.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !sameOrigin(req.URL, base) {
			req.Header.Del("Authorization")
		}
		if prev != nil {
			return prev(req, via)
		}
		if len(via) >= 10 {
			return fmt.Errorf("stopped after 10 redirects")
		}
		return nil
	}
	return &cp
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

func redact(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	return c.String()
}

func unwrapURL(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// APIError is an answer of Marathon other than 2xx: 409 (a deployment is
// in progress), 401/403 (credentials), 404 (no such app or task), 422.
type APIError struct {
	Method, URL string
	Status      int
	// Message is Marathon's own `message`, or the start of its body when
	// it sent no JSON; untrusted text.
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("marathon %s %s: %d %s: %s", e.Method, e.URL, e.Status, http.StatusText(e.Status), printable(e.Message))
}

// message takes Marathon's `message` from an error body
// ({"message":"…","details":[…]}), or the body's start.
func message(b []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(b, &e) == nil && e.Message != "" {
		return e.Message
	}
	b = bytes.TrimSpace(b)
	if len(b) > 200 {
		b = b[:200]
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// printable replaces control characters so an error string cannot move a
// terminal's cursor even where it is printed raw.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
