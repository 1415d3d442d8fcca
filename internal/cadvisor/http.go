package cadvisor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ctop-like/ctop-like/internal/httpapi"
)

// fetch does one request through httpapi, which sends the URL's
// credentials only to its scheme://host:port, bounds the answer and keeps
// secrets out of errors, and decodes the JSON answer into v. cAdvisor's own
// client POSTs the v1 ContainerInfoRequest ({"num_stats":N}) as the body;
// v2.0 takes its options in the query.
func (s *Source) fetch(ctx context.Context, method, path string, body []byte, v any) error {
	if _, err := s.api.Do(ctx, s.ep, method, path, body, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// missingAPI reports whether err is a cAdvisor (or kubelet) saying it has
// no such API version or request type: an older cAdvisor answers 500
// `unsupported API version "v2.0"`, a proxy or kubelet 404.
func missingAPI(err error) bool {
	var se *httpapi.StatusError
	if !errors.As(err, &se) {
		return false
	}
	return se.Code == http.StatusNotFound ||
		strings.Contains(se.Body, "unsupported API version") || strings.Contains(se.Body, "unknown request type")
}
