package orchestrator

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Defaults used when a Config leaves a field zero, as DESIGN.md specifies.
const (
	DefaultInterval = 10 * time.Second
	DefaultTimeout  = 5 * time.Second
)

// Config is what the command line tells the orchestrator client.
type Config struct {
	// URLs is -m split at commas: the first is a Mesos master, the rest
	// Marathon (tried in order; the first that answers is used).
	URLs []string
	// Interval between polls; DefaultInterval when zero.
	Interval time.Duration
	// Timeout of each HTTP request; DefaultTimeout when zero.
	Timeout time.Duration
	// Insecure skips TLS verification (--insecure).
	Insecure bool
	// CACert is a PEM file whose CAs are trusted besides the system's.
	CACert string
	// Token is DCOS_ACS_TOKEN, sent as "Authorization: token=<Token>".
	Token string
	// Hostname and Addrs are this node's host name and addresses, to find
	// its Mesos agent among the master's slaves.
	Hostname string
	Addrs    []string
}

// endpoint is one parsed URL: credentials split off so that the URL itself
// can be printed.
type endpoint struct {
	base     *url.URL // no user info, no trailing slash in Path
	user     string
	pass     string
	hasAuth  bool
	redacted string // base as a string, safe to show
}

func parseEndpoint(raw string) (*endpoint, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("empty URL")
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("malformed URL %q", Redact(raw))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("URL %s: scheme %q is not http or https", RedactURL(u), u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("URL %s: no host", RedactURL(u))
	}
	if p := u.Port(); p != "" {
		for _, r := range p {
			if r < '0' || r > '9' {
				return nil, fmt.Errorf("URL %s: bad port %q", RedactURL(u), p)
			}
		}
	}
	e := &endpoint{}
	if u.User != nil {
		e.user = u.User.Username()
		e.pass, _ = u.User.Password()
		e.hasAuth = true
	}
	b := *u
	b.User = nil
	b.RawQuery, b.Fragment = "", ""
	b.Path = strings.TrimSuffix(b.Path, "/")
	b.RawPath = ""
	e.base = &b
	e.redacted = b.String()
	return e, nil
}

// at returns the endpoint's URL with path appended (path may carry a query).
func (e *endpoint) at(path string) string {
	return e.base.String() + path
}

// Redact removes the password (and user) from every URL-looking part of s,
// so that an error or a log line never shows credentials.
func Redact(s string) string {
	// Replace "scheme://user[:pass]@" with "scheme://". Scan every "://".
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+3])
		rest := s[i+3:]
		// The authority ends at the first '/', '?', '#', space or quote.
		end := strings.IndexAny(rest, "/?# \t\n\"'")
		if end < 0 {
			end = len(rest)
		}
		auth := rest[:end]
		if at := strings.LastIndex(auth, "@"); at >= 0 {
			rest = rest[at+1:]
		}
		s = rest
	}
}

// RedactURL prints u without its user info.
func RedactURL(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}

// redactSecrets removes every known secret string from s, as a second line
// of defence for messages built by libraries (url.Error quotes the URL).
func redactSecrets(s string, secrets []string) string {
	s = Redact(s)
	for _, sec := range secrets {
		if len(sec) >= 1 {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

// newHTTPClient builds the one client every request uses: TLS as configured
// and bounded redirects.
func newHTTPClient(cfg Config) (*http.Client, error) {
	tc, err := TLSConfig(cfg.Insecure, cfg.CACert)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	tr.ResponseHeaderTimeout = cfg.Timeout
	return &http.Client{
		Transport: tr,
		// Each request has its own context deadline; this is a backstop.
		Timeout:       cfg.Timeout + time.Second,
		CheckRedirect: checkRedirect,
	}, nil
}

// TLSConfig is the TLS of every cluster request (Mesos, Marathon, agents,
// cAdvisor): verified against the system's CAs plus those of caCert (a PEM
// file, --ca-cert), or not verified at all with insecure (--insecure).
func TLSConfig(insecure bool, caCert string) (*tls.Config, error) {
	tc := &tls.Config{InsecureSkipVerify: insecure} //nolint:gosec // opt-in by --insecure
	if caCert == "" {
		return tc, nil
	}
	pem, err := os.ReadFile(caCert)
	if err != nil {
		return nil, fmt.Errorf("--ca-cert: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-cert %s: no PEM certificate found", caCert)
	}
	tc.RootCAs = pool
	return tc, nil
}

// maxRedirects bounds 3xx chains so that a loop is an error, not a hang.
const maxRedirects = 5

// errRedirectLoop is returned when a master keeps redirecting.
var errRedirectLoop = errors.New("too many redirects (a redirect loop?)")

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return errRedirectLoop
	}
	// Go drops Authorization when the host changes; a Mesos master
	// redirects to its leader in the same cluster, so carry the credentials
	// on, but never from https down to http.
	prev := via[0]
	if prev.URL.Scheme == "https" && req.URL.Scheme != "https" {
		return nil
	}
	if a := prev.Header.Get("Authorization"); a != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", a)
	}
	return nil
}
