package orchestrator

import (
	"context"
	"io"
	"net/url"

	"github.com/ctop-like/ctop-like/internal/httpapi"
)

// The Mesos and Marathon clients talk through httpapi; these names keep
// their call sites short.
type (
	endpoint     = httpapi.Endpoint
	statusError  = httpapi.StatusError
	payloadError = httpapi.PayloadError
)

// client does authenticated GETs that decode JSON.
type client struct{ api *httpapi.Client }

// getJSON fetches e+path and decodes the body into v, streaming. The final
// URL (after redirects) is returned, so callers know where the leader is.
func (c *client) getJSON(ctx context.Context, e *endpoint, path string, v any) (*url.URL, error) {
	return c.api.GetJSON(ctx, e, path, v)
}

// decodeJSON decodes one JSON value from r into v with httpapi's limits.
func decodeJSON(r io.Reader, v any) error { return httpapi.Decode(r, v) }

func payloadErrorf(format string, a ...any) error { return httpapi.Payloadf(format, a...) }
