package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"

	"github.com/ctop-like/ctop-like/internal/redact"
)

// StatusError is an answer that is not 2xx.
type StatusError struct {
	Code int
	Body string // the first line of the body, trimmed, secrets hidden
	// Message is the API's own word on the failure: the `message` of a
	// JSON body ({"message":"App is locked by one or more deployments…"},
	// Marathon's every error), whole up to maxMessage bytes, with secrets
	// hidden and control and bidi characters as '?'; "" when the body has
	// none.
	Message string
	Hint    string // on 401 and 403: which credentials were sent, or why none
}

// Error is "HTTP 409 Conflict: <the API's message>", or the body's first
// line where it has none; on 401 and 403 the hint comes before either,
// and a body without a message is left out.
func (e *StatusError) Error() string {
	msg := fmt.Sprintf("HTTP %d %s", e.Code, http.StatusText(e.Code))
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	switch {
	case e.Message != "":
		msg += ": " + e.Message
	case e.Body != "" && e.Hint == "":
		msg += ": " + e.Body
	}
	return msg
}

// Bounds of what an error answer gives its StatusError: its body is read
// up to maxErrorBody (a JSON message is taken only from a whole body), the
// first line from its first 512 bytes, and the message is cut at
// maxMessage.
const (
	maxErrorBody = 64 << 10
	maxMessage   = 2048
)

// statusError is the StatusError of an answer with this code and body.
func statusError(code int, body []byte, e *Endpoint) *StatusError {
	first := body[:min(len(body), 512)]
	return &StatusError{
		Code:    code,
		Body:    redact.Secrets(firstLine(string(first)), e.Secrets()...),
		Message: apiMessage(body, e.Secrets()),
	}
}

// apiMessage is the `message` of a JSON error body, shown as text: secrets
// hidden first (so that a cut cannot leave half of one), then control and
// bidi characters as '?', then cut at maxMessage bytes with "…".
func apiMessage(body []byte, secrets []string) string {
	var m struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	s := clean(redact.Secrets(strings.TrimSpace(strings.ToValidUTF8(m.Message, "\uFFFD")), secrets...))
	if len(s) > maxMessage {
		s = strings.ToValidUTF8(s[:maxMessage], "") + "…"
	}
	return s
}

// PayloadError is an answer that arrived but could not be used: not JSON,
// truncated, of the wrong shape, or over a limit.
type PayloadError struct {
	msg      string
	tooLarge bool
}

func (e *PayloadError) Error() string { return e.msg }

// Payloadf makes a PayloadError, for callers that check an answer's shape.
func Payloadf(format string, a ...any) error {
	return &PayloadError{msg: fmt.Sprintf(format, a...)}
}

// NetError is a request that got no answer: refused, unresolved, timed
// out, cut off.
type NetError struct{ msg string }

func (e *NetError) Error() string { return e.msg }

// Reached says whether err came from a server that answered (a status or
// an unusable answer): a second request to it may do better, while one to
// a server that was not reached would fail the same way.
func Reached(err error) bool {
	var se *StatusError
	var pe *PayloadError
	return errors.As(err, &se) || errors.As(err, &pe)
}

// IsStatus says whether err is an answer with HTTP status code.
func IsStatus(err error, code int) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Code == code
}

// netError shortens Go's network errors to what happened, without the URL
// (url.Error quotes it) and without secrets.
func netError(err error, e *Endpoint) error {
	msg := ""
	var dnsErr *net.DNSError
	var ue *url.Error
	switch {
	case errors.Is(err, errRedirectLoop):
		msg = errRedirectLoop.Error()
	case errors.Is(err, context.DeadlineExceeded), os.IsTimeout(err):
		msg = "timeout"
	case errors.Is(err, context.Canceled):
		msg = "canceled"
	case errors.Is(err, syscall.ECONNREFUSED):
		msg = "connection refused"
	case errors.As(err, &dnsErr):
		msg = "cannot resolve " + dnsErr.Name
	case errors.As(err, &ue):
		msg = ue.Err.Error()
	default:
		msg = err.Error()
	}
	return &NetError{msg: redact.Secrets(clean(msg), e.Secrets()...)}
}

// payloadOrNet turns an error met while reading a body into the error the
// caller gets: a PayloadError stays, a network failure is a NetError.
func payloadOrNet(err error, e *Endpoint) error {
	if err == nil {
		return nil
	}
	var pe *PayloadError
	if errors.As(err, &pe) {
		return pe
	}
	ne := netError(err, e).(*NetError)
	ne.msg = "reading answer: " + ne.msg
	return ne
}
