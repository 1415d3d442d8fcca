package orchestrator

import (
	"net/http"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
)

// Defaults used when a Config leaves a field zero, as DESIGN.md specifies.
const (
	DefaultInterval = 10 * time.Second
	DefaultTimeout  = httpapi.DefaultTimeout
)

// Config is what the command line tells the orchestrator client.
type Config struct {
	// URLs is -m split at commas: the first is a Mesos master, the rest
	// Marathon (tried in order; the first that answers is used).
	URLs []string
	// Password is the password of every URL that names a user without
	// one (given outside the command line).
	Password string
	// Interval between polls; DefaultInterval when zero.
	Interval time.Duration
	// Timeout of each HTTP request; DefaultTimeout when zero.
	Timeout time.Duration
	// Insecure skips TLS verification (--insecure).
	Insecure bool
	// CACert is a PEM file whose CAs are trusted besides the system's.
	CACert string
	// Token is DCOS_ACS_TOKEN, sent as "Authorization: token=<Token>"
	// instead of the URLs' user:password.
	Token string
	// Hostname and Addrs are this node's host name and addresses, to find
	// its Mesos agent among the master's slaves.
	Hostname string
	Addrs    []string
	// Agent is this node's Mesos agent (--mesos-agent, or
	// DefaultAgentURL on a node without -m); "" finds it in the master's
	// list by Hostname and Addrs.
	Agent string
	// OnDemand reads the master's whole state and Marathon only while a
	// view shows them (Poller.Want); the node's own containers are placed
	// from its agent. Without it every poll reads everything.
	OnDemand bool
	// Transport replaces the network transport (tests map cluster
	// addresses to loopback servers); nil uses the TLS settings above.
	Transport http.RoundTripper
}
