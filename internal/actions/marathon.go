package actions

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/ctop-like/ctop-like/internal/httpapi"
)

// Marathon acts on Marathon apps and tasks through Marathon's REST API
// (docs/docs/rest-api/public/api/v2/apps.raml), by the one client of every
// remote call (httpapi): its credentials go only to the Endpoint's scheme,
// host and port (a redirect elsewhere is followed without them), its
// answer is bounded, and an error answer is an *httpapi.StatusError with
// Marathon's own message, secrets hidden and control characters shown as
// '?'.
type Marathon struct {
	// API sends the requests (TLS, timeout, bounds).
	API *httpapi.Client
	// At is the Marathon with its credentials (the -m URL's user:password
	// or DCOS_ACS_TOKEN), as the poller read it: http://marathon:8080, or
	// a DC/OS https://master/service/marathon.
	At *httpapi.Endpoint
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
	if c.m.API == nil || c.m.At == nil {
		return errors.New("marathon: no Marathon to act through")
	}
	path := c.path
	if c.query != "" {
		path += "?" + c.query
	}
	var body []byte
	if c.body != "" {
		body = []byte(c.body)
	}
	_, err := c.m.API.Do(ctx, c.m.At, c.method, path, body, nil)
	if err == nil {
		return nil
	}
	where := c.m.At.URL(c.path)
	var se *httpapi.StatusError
	if errors.As(err, &se) {
		msg := se.Message
		if msg == "" {
			msg = se.Body
		}
		return &APIError{Method: c.method, URL: where, Status: se.Code, Message: msg, err: se}
	}
	return fmt.Errorf("marathon %s %s: %w", c.method, where, err)
}

// APIError is an answer of Marathon other than 2xx: 409 (a deployment is
// in progress), 401/403 (credentials), 404 (no such app or task), 422.
type APIError struct {
	Method, URL string
	Status      int
	// Message is Marathon's own `message`, or the first line of its body
	// when it sent no JSON; secrets hidden, control and bidi characters
	// as '?' (httpapi.StatusError), still untrusted text.
	Message string
	err     *httpapi.StatusError
}

// Error is "marathon POST <url>: HTTP 409 Conflict: <Marathon's message>",
// with httpapi's hint on 401 and 403 (which credentials were sent).
func (e *APIError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("marathon %s %s: HTTP %d %s: %s", e.Method, e.URL, e.Status, http.StatusText(e.Status), e.Message)
	}
	return fmt.Sprintf("marathon %s %s: %s", e.Method, e.URL, e.err)
}

// Unwrap is the status error of httpapi.
func (e *APIError) Unwrap() error {
	if e.err == nil {
		return nil
	}
	return e.err
}
