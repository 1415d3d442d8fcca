package httpapi

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/ctop-like/ctop-like/internal/redact"
)

// Endpoint is one server's base URL with its credentials split off, so that
// the URL can be shown and the credentials go only where they belong.
type Endpoint struct {
	base    *url.URL // no user info, query or fragment; no trailing slash
	user    string
	pass    string
	hasUser bool
	hasPass bool
	token   string // replaces user:password when set
	shown   string // base as text, safe to show
}

// Parse reads a base URL such as http://user:pass@host:5050/prefix. A URL
// without a scheme is http. Errors never quote the password.
func Parse(raw string) (*Endpoint, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("empty URL")
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("malformed URL %q", redact.Text(raw))
	}
	shown := func() string { c := *u; c.User = nil; return c.String() }
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("URL %s: scheme %q is not http or https", shown(), u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("URL %s: no host", shown())
	}
	if p := u.Port(); p != "" {
		for _, r := range p {
			if r < '0' || r > '9' {
				return nil, fmt.Errorf("URL %s: bad port %q", shown(), p)
			}
		}
	}
	e := &Endpoint{}
	if u.User != nil {
		e.user, e.hasUser = u.User.Username(), true
		e.pass, e.hasPass = u.User.Password()
	}
	b := *u
	b.User = nil
	b.RawQuery, b.Fragment, b.RawFragment, b.ForceQuery = "", "", "", false
	b.Path = strings.TrimSuffix(b.Path, "/")
	b.RawPath = ""
	e.setBase(&b)
	return e, nil
}

func (e *Endpoint) setBase(b *url.URL) {
	e.base = b
	e.shown = b.String()
}

// String is the URL without credentials, for messages.
func (e *Endpoint) String() string { return e.shown }

// URL is the full URL of path (which may carry a query) on this endpoint,
// without credentials.
func (e *Endpoint) URL(path string) string { return e.shown + path }

// Hostname is the host without port.
func (e *Endpoint) Hostname() string { return e.base.Hostname() }

// Addr is host:port to dial, with the scheme's default port filled in.
func (e *Endpoint) Addr() string {
	return net.JoinHostPort(e.base.Hostname(), portOf(e.base))
}

// Origin is scheme://host:port: the only place this endpoint's credentials
// are sent to.
func (e *Endpoint) Origin() string { return originOf(e.base) }

// Path is the base path ("" or "/prefix").
func (e *Endpoint) Path() string { return e.base.Path }

// HasUser says whether the URL named a user.
func (e *Endpoint) HasUser() bool { return e.hasUser }

// HasPassword says whether the URL carried a password.
func (e *Endpoint) HasPassword() bool { return e.hasPass }

// WithPassword returns a copy whose password is pw, for a URL that names a
// user but carries no password (the password came from somewhere safer than
// a command line).
func (e *Endpoint) WithPassword(pw string) *Endpoint {
	n := *e
	n.pass, n.hasPass = pw, true
	return &n
}

// WithToken returns a copy that sends "Authorization: token=<tok>" (DC/OS)
// instead of the URL's user and password; an empty tok changes nothing.
func (e *Endpoint) WithToken(tok string) *Endpoint {
	n := *e
	n.token = tok
	return &n
}

// Named returns the endpoint of another server that this one named as part
// of the same service — a Mesos master's leader or agent, given as
// host:port — with this endpoint's scheme and credentials, and path as its
// base path. Only the caller knows that a server named another: an HTTP
// redirect never makes one (see the package doc).
func (e *Endpoint) Named(hostport, path string) (*Endpoint, error) {
	h, p, err := net.SplitHostPort(hostport)
	if err != nil || h == "" || p == "" {
		return nil, fmt.Errorf("unreadable address %q", redact.Text(hostport))
	}
	for _, r := range p {
		if r < '0' || r > '9' {
			return nil, fmt.Errorf("unreadable address %q", redact.Text(hostport))
		}
	}
	n := *e
	n.setBase(&url.URL{Scheme: e.base.Scheme, Host: hostport, Path: strings.TrimSuffix(path, "/")})
	return &n, nil
}

// Credentials names what this endpoint sends: "DCOS_ACS_TOKEN", "the
// user:password of the URL", or "" for nothing.
func (e *Endpoint) Credentials() string {
	switch {
	case e.token != "":
		return "DCOS_ACS_TOKEN"
	case e.hasUser:
		return "the user:password of the URL"
	}
	return ""
}

// authorization is the Authorization header value, "" for none.
func (e *Endpoint) authorization() string {
	switch {
	case e.token != "":
		return "token=" + e.token
	case e.hasUser:
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(e.user+":"+e.pass))
	}
	return ""
}

// Header is the Authorization header for this endpoint alone, nil when it
// has no credentials: for a client that does its own requests (a log read
// page by page), which must drop it on a redirect to another origin.
func (e *Endpoint) Header() http.Header {
	if a := e.authorization(); a != "" {
		return http.Header{"Authorization": {a}}
	}
	return nil
}

// Secrets lists what must never be shown: the password, the token and the
// header built from them (a server may echo it).
func (e *Endpoint) Secrets() []string {
	var out []string
	for _, s := range []string{e.pass, e.token, e.authorization(), url.QueryEscape(e.pass), url.PathEscape(e.pass)} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// originOf is scheme://host:port of u, lower-cased, default port filled in.
func originOf(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(net.JoinHostPort(u.Hostname(), portOf(u)))
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// SameOrigin says whether u has this endpoint's scheme, host and port.
func (e *Endpoint) SameOrigin(u *url.URL) bool { return u != nil && originOf(u) == e.Origin() }

// Redirected is the endpoint a redirect led to (u's scheme and host, this
// endpoint's base path): the same endpoint when u has its origin, else one
// without credentials, since a redirect never moves them.
func (e *Endpoint) Redirected(u *url.URL) *Endpoint {
	if e.SameOrigin(u) {
		return e
	}
	return Endpoint{}.at(u.Scheme, u.Host, e.base.Path)
}

// at returns a copy of e with another scheme, host and path.
func (e Endpoint) at(scheme, host, path string) *Endpoint {
	e.setBase(&url.URL{Scheme: scheme, Host: host, Path: strings.TrimSuffix(path, "/")})
	return &e
}

// Bare returns a copy without credentials, for a URL that came from a
// server (a framework's web UI address) rather than from the user.
func (e *Endpoint) Bare() *Endpoint {
	return Endpoint{}.at(e.base.Scheme, e.base.Host, e.base.Path)
}
