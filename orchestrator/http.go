package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
)

// maxBody bounds what one answer may weigh: a big Mesos master's state is
// tens of MB; anything larger is an error rather than an out-of-memory.
const maxBody = 256 << 20

// statusError is an HTTP answer that is not 2xx.
type statusError struct {
	Code int
	Body string // the first line of the body, trimmed
}

func (e *statusError) Error() string {
	msg := fmt.Sprintf("HTTP %d %s", e.Code, http.StatusText(e.Code))
	if e.Code == http.StatusUnauthorized || e.Code == http.StatusForbidden {
		return msg + " (check the credentials or DCOS_ACS_TOKEN)"
	}
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// payloadError is an answer that arrived but could not be read as the
// expected JSON (HTML, truncated, wrong types).
type payloadError struct{ msg string }

func (e *payloadError) Error() string { return e.msg }

func payloadErrorf(format string, a ...any) error {
	return &payloadError{msg: fmt.Sprintf(format, a...)}
}

// client does authenticated GETs that decode JSON.
type client struct {
	http  *http.Client
	token string
}

// getJSON fetches e+path and decodes the body into v, streaming. The final
// URL (after redirects) is returned, so callers know where the leader is.
func (c *client) getJSON(ctx context.Context, e *endpoint, path string, v any) (*url.URL, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.at(path), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if e.hasAuth {
		req.SetBasicAuth(e.user, e.pass)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "token="+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, describeNetErr(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		line, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return resp.Request.URL, &statusError{Code: resp.StatusCode, Body: firstLine(string(line))}
	}
	if err := decodeJSON(resp.Body, v); err != nil {
		ct := resp.Header.Get("Content-Type")
		if strings.Contains(ct, "html") {
			return resp.Request.URL, payloadErrorf("not JSON (Content-Type %s): %v", ct, err)
		}
		return resp.Request.URL, err
	}
	return resp.Request.URL, nil
}

// decodeJSON decodes one JSON value from r into v, reading at most maxBody
// bytes, and turns decoder errors into messages a user can act on.
func decodeJSON(r io.Reader, v any) error {
	lr := &io.LimitedReader{R: r, N: maxBody + 1}
	var in io.Reader = lr
	if sk, ok := v.(skipper); ok {
		in = newFilter(lr, sk)
	}
	dec := json.NewDecoder(in)
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	if lr.N <= 0 {
		return payloadErrorf("answer larger than %d MB", maxBody>>20)
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return payloadErrorf("empty answer")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return payloadErrorf("truncated JSON")
	case errors.As(err, &syn):
		return payloadErrorf("invalid JSON at byte %d: %v", syn.Offset, err)
	case errors.As(err, &typ):
		return payloadErrorf("unexpected JSON: %s is a %s, want %s", typ.Field, typ.Value, typ.Type)
	}
	return fmt.Errorf("reading answer: %w", describeNetErr(err))
}

// describeNetErr shortens Go's network errors to what happened; the caller
// adds which endpoint.
func describeNetErr(err error) error {
	switch {
	case errors.Is(err, errRedirectLoop):
		return errRedirectLoop
	case errors.Is(err, context.DeadlineExceeded), os.IsTimeout(err):
		return errors.New("timeout")
	case errors.Is(err, context.Canceled):
		return errors.New("canceled")
	case errors.Is(err, syscall.ECONNREFUSED):
		return errors.New("connection refused")
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("cannot resolve %s", dnsErr.Name)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// url.Error quotes the URL (with credentials); keep only the cause.
		return ue.Err
	}
	return err
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return strings.TrimSpace(s)
}
