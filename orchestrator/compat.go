package orchestrator

import (
	"net/url"

	"github.com/ctop-like/ctop-like/redact"
)

// Redact is redact.Text, for cadvisor until it talks through httpapi.
//
// Deprecated: use redact.Text.
func Redact(s string) string { return redact.Text(s) }

// RedactURL prints u without its user info, for cadvisor until it talks
// through httpapi.
//
// Deprecated: use httpapi.Endpoint.String.
func RedactURL(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}
