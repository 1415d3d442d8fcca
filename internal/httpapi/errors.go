package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"

	"github.com/ctop-like/ctop-like/internal/redact"
)

// StatusError is an answer that is not 2xx.
type StatusError struct {
	Code int
	Body string // the first line of the body, trimmed, secrets hidden
	Hint string // on 401 and 403: which credentials were sent, or why none
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("HTTP %d %s", e.Code, http.StatusText(e.Code))
	if e.Hint != "" {
		return msg + " (" + e.Hint + ")"
	}
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
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
