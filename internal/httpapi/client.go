// Package httpapi talks to the remote HTTP APIs the tool reads — Mesos
// masters and agents, Marathon, cAdvisor — so that URL credentials, TLS,
// auth headers, bounded answers, timeouts and error messages are handled
// once, the same way for each of them.
//
// # Where credentials go
//
// An Endpoint's credentials (the user:password of its URL, or a DC/OS
// token) are sent only to the scheme, host and port of that Endpoint: they
// are added per request by the client's transport, which compares each
// request's scheme://host:port — the first one and every redirect — with
// the Endpoint's. A redirect to another scheme, host or port (https to
// http included) is followed without them; when that server then answers
// 401 or 403, the error says that the credentials were withheld and where
// the redirect came from.
//
// A server may name another server of the same service: a Mesos master
// names its leader (the "leader" of a standby's state) and its agents (their
// "pid"). The caller that reads such a name makes an Endpoint for it with
// Endpoint.Named, which carries the credentials there with the scheme they
// were given for — as the Mesos CLI sends its credentials to the leader and
// agents the master lists. Nothing else, and never a redirect, moves
// credentials to another place.
//
// # What one answer may cost
//
// A body is streamed, never read whole: at most MaxBody bytes are read from
// the network (members a Skipper names are dropped on the way, costing no
// memory), and what reaches the JSON decoder may cost at most MaxCost
// bytes, where each object and element counts for the memory its decoded
// value takes, so that no answer — however large or however shaped — can
// hold more than about twice MaxCost. Past either limit the request fails
// with an error naming the limit.
package httpapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/redact"
)

// Defaults of a Config's zero fields.
const (
	// DefaultTimeout bounds one request, so that a hanging server costs
	// one timeout, never a frozen refresh.
	DefaultTimeout = 5 * time.Second
	// DefaultMaxBody bounds the bytes read for one answer: a big Mesos
	// master's state, completed tasks included, is tens of MB.
	DefaultMaxBody = 256 << 20
	// DefaultMaxCost bounds what decoding one answer may hold: a master
	// state of about 7,000 running tasks once its unused members are
	// dropped. With the decoder's buffer this keeps one answer under
	// about 40 MB of memory, and the tool under 100 MB.
	DefaultMaxCost = 16<<20 - 1024
	// maxRedirects bounds 3xx chains so that a loop is an error, not a hang.
	maxRedirects = 5
)

// Config is how a Client talks; zero fields take the defaults.
type Config struct {
	// Timeout bounds each request, headers and body.
	Timeout time.Duration
	// HeaderTimeout, when set, bounds the wait for the answer's headers
	// alone (a server that accepts and never answers), so that Timeout
	// can leave time to read and decode a body while many others are
	// read at once; Timeout when zero.
	HeaderTimeout time.Duration
	// Insecure skips TLS verification (--insecure).
	Insecure bool
	// CACert is a PEM file whose CAs are trusted besides the system's
	// (--ca-cert).
	CACert string
	// MaxBody bounds the bytes read for one answer.
	MaxBody int64
	// MaxCost bounds what decoding one answer may hold (see the package
	// doc).
	MaxCost int64
	// IdlePerHost is how many idle connections are kept per host; Go's
	// default (2) when zero. IdleTotal bounds them over every host
	// (unbounded when zero and IdlePerHost is set, else Go's 100): each
	// holds two goroutines and 8 KB of buffers.
	IdlePerHost, IdleTotal int
	// NoIdle closes each connection after its answer, for hosts asked
	// too rarely for a kept one to be used again, and closes it with a
	// reset rather than a FIN: no TIME_WAIT socket and no connection
	// tracked by netfilter for 120 s after it. --cluster opens a
	// connection per agent and round, 2,250 a second at 5,000 agents;
	// closed with a FIN they filled this machine's conntrack table
	// (262,144 entries), whose full table drops every new connection of
	// the node, not only the tool's ("nf_conntrack: table full, dropping
	// packet"): rounds with 1.6-43 % of the agents answered.
	NoIdle bool
	// Transport replaces the network transport (tests map hosts to
	// loopback servers); credentials are still added by the client.
	Transport http.RoundTripper
}

// Client does requests to Endpoints and decodes their JSON answers.
type Client struct {
	cfg Config
	hc  *http.Client
}

// New builds a client; it reads the CA file but does no network I/O.
func New(cfg Config) (*Client, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxCost <= 0 {
		cfg.MaxCost = DefaultMaxCost
	}
	next := cfg.Transport
	if next == nil {
		tc, err := TLSConfig(cfg.Insecure, cfg.CACert)
		if err != nil {
			return nil, err
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = tc
		tr.ResponseHeaderTimeout = cfg.Timeout
		if cfg.IdlePerHost > 0 {
			tr.MaxIdleConns = 0
			tr.MaxIdleConnsPerHost = cfg.IdlePerHost
		}
		if cfg.IdleTotal > 0 {
			tr.MaxIdleConns = cfg.IdleTotal
		}
		if cfg.NoIdle {
			tr.DisableKeepAlives = true
			tr.DialContext = resetOnClose(&net.Dialer{Timeout: 30 * time.Second, KeepAlive: -1})
		}
		next = tr
	}
	return &Client{cfg: cfg, hc: &http.Client{
		Transport: credTransport{next: next},
		// Each request has its own context deadline; this is a backstop.
		Timeout:       cfg.Timeout + time.Second,
		CheckRedirect: checkRedirect,
	}}, nil
}

// resetOnClose dials with d, and makes closing the connection reset it
// (SO_LINGER 0): for a connection whose answer was read, the TIME_WAIT
// that a FIN leaves guards against stray segments of a connection that
// is over, at the cost of a socket and a conntrack entry for 60-120 s.
// TCP keepalives are off: such a connection lives one request.
func resetOnClose(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		return c, err
	}
}

// Timeout is the bound of each request.
func (c *Client) Timeout() time.Duration { return c.cfg.Timeout }

// TLSConfig is the TLS of every remote request: verified against the
// system's CAs plus those of caCert (a PEM file, --ca-cert), or not
// verified at all with insecure (--insecure).
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

// GetJSON fetches path on e and decodes the JSON answer into v. The final
// URL (after redirects) is returned with the error, if any.
func (c *Client) GetJSON(ctx context.Context, e *Endpoint, path string, v any) (*url.URL, error) {
	return c.Do(ctx, e, http.MethodGet, path, nil, v)
}

// Do sends method path on e, with body as JSON when not nil, and decodes
// the JSON answer into v (v nil: the answer is discarded). Errors are a
// *StatusError, a *PayloadError or a *NetError, short and free of secrets;
// the caller adds which server.
func (c *Client) Do(ctx context.Context, e *Endpoint, method, path string, body []byte, v any) (*url.URL, error) {
	return c.do(ctx, e, method, path, body, func(resp *http.Response) error {
		if v == nil {
			_, err := io.Copy(io.Discard, &capReader{r: resp.Body, n: c.cfg.MaxBody})
			return err
		}
		return decode(resp.Body, v, c.cfg.MaxBody, c.cfg.MaxCost)
	})
}

// GetStream fetches path on e and hands its JSON answer to read, a token
// at a time (see Stream): an answer of any size is read in one pass and
// what read keeps is all it holds. At most MaxBody bytes are read; a
// string longer than MaxString is cut there. Errors are those of Do.
func (c *Client) GetStream(ctx context.Context, e *Endpoint, path string, read func(*Stream) error) (*url.URL, error) {
	return c.do(ctx, e, http.MethodGet, path, nil, func(resp *http.Response) error {
		return decodeStream(resp.Body, read, c.cfg.MaxBody)
	})
}

// do sends the request and hands a 2xx answer to use; the error use
// returns becomes the request's.
func (c *Client) do(ctx context.Context, e *Endpoint, method, path string, body []byte, use func(*http.Response) error) (*url.URL, error) {
	return c.send(ctx, e, method, path, body, "", use)
}

// send is do; with accept (an event stream's type) the answer is read for
// as long as ctx lasts, and Timeout bounds the wait for its headers alone.
func (c *Client) send(ctx context.Context, e *Endpoint, method, path string, body []byte, accept string, use func(*http.Response) error) (*url.URL, error) {
	header := c.cfg.HeaderTimeout
	if accept == "" {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.Timeout)
		defer cancel()
		accept = "application/json"
	} else if header <= 0 || header > c.cfg.Timeout {
		header = c.cfg.Timeout
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	ctx = context.WithValue(ctx, credKey{}, &cred{origin: e.Origin(), header: e.authorization()})
	req, err := http.NewRequestWithContext(ctx, method, e.URL(path), rd)
	if err != nil {
		return nil, &PayloadError{msg: "bad request: " + redact.Secrets(err.Error(), e.Secrets()...)}
	}
	req.Header.Set("Accept", accept)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	var headers *time.Timer
	if h := header; h > 0 && (h < c.cfg.Timeout || accept != "application/json") {
		// No headers within HeaderTimeout: the request ends as one
		// whose Timeout passed (the transport may be the caller's).
		hctx, stop := context.WithCancelCause(ctx)
		defer stop(nil)
		headers = time.AfterFunc(h, func() { stop(context.DeadlineExceeded) })
		req = req.WithContext(hctx)
	}
	resp, err := c.hc.Do(req)
	if headers != nil {
		headers.Stop()
	}
	if err != nil {
		if cause := context.Cause(req.Context()); errors.Is(cause, context.DeadlineExceeded) {
			err = cause
		}
		return nil, netError(err, e)
	}
	defer resp.Body.Close()
	final := resp.Request.URL
	if resp.StatusCode/100 != 2 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		se := statusError(resp.StatusCode, body, e)
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			se.Hint = authHint(e, final)
		}
		return final, se
	}
	if resp.ContentLength > c.cfg.MaxBody {
		return final, tooLarge(c.cfg.MaxBody, "")
	}
	if err := use(resp); err != nil {
		if pe, ok := err.(*PayloadError); ok {
			if ct := resp.Header.Get("Content-Type"); strings.Contains(ct, "html") && !pe.tooLarge {
				return final, &PayloadError{msg: fmt.Sprintf("not JSON (Content-Type %s): %s", clean(ct), pe.msg)}
			}
			return final, pe
		}
		return final, payloadOrNet(err, e)
	}
	return final, nil
}

// authHint says, on a 401 or 403, which credentials were sent, or why none.
func authHint(e *Endpoint, final *url.URL) string {
	if final != nil && originOf(final) != e.Origin() && e.Credentials() != "" {
		return fmt.Sprintf("from %s after a redirect: %s is sent only to %s; give that server's URL instead", originOf(final), e.Credentials(), e.Origin())
	}
	if c := e.Credentials(); c != "" {
		return c + " was sent; check it"
	}
	return "no credentials were sent: give user:password in the URL or DCOS_ACS_TOKEN"
}

// credKey carries a request's credentials in its context to credTransport,
// which sees every request of a redirect chain.
type credKey struct{}

type cred struct {
	origin string
	header string
}

// credTransport adds the Authorization header to a request only when its
// scheme://host:port is the one the credentials were given for, and takes
// any other Authorization header off: a redirect elsewhere goes bare.
type credTransport struct{ next http.RoundTripper }

func (t credTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c, _ := r.Context().Value(credKey{}).(*cred)
	send := c != nil && c.header != "" && originOf(r.URL) == c.origin
	switch {
	case send:
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", c.header)
	case r.Header.Get("Authorization") != "":
		r = r.Clone(r.Context())
		r.Header.Del("Authorization")
	}
	return t.next.RoundTrip(r)
}

// errRedirectLoop is returned when a server keeps redirecting.
var errRedirectLoop = errors.New("too many redirects (a redirect loop?)")

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return errRedirectLoop
	}
	return nil
}

// firstLine is the first non-empty line of a body, trimmed to 120 bytes,
// with control characters shown as '?'.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) > 120 {
		s = strings.ToValidUTF8(s[:120], "") + "…"
	}
	return clean(s)
}

// clean replaces control characters and bidi overrides in server text
// with '?', so that an error line cannot drive the terminal it reaches.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return '?'
		}
		return r
	}, s)
}
