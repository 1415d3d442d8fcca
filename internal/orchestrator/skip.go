package orchestrator

import "github.com/ctop-like/ctop-like/internal/httpapi"

// mesosState is an httpapi.Capturer: its big unused members are cut out of
// the byte stream before encoding/json sees it, and frameworks'
// completed_tasks and unreachable_tasks (most of a master's state) are read
// by capture (mesos.go), which keeps only what the task history shows.
var _ httpapi.Capturer = (*mesosState)(nil)

// mesosSkip are members of a Mesos state that this tool never reads.
// Frameworks' completed_tasks and unreachable_tasks are captured (the task
// history); what they hold beyond ids, states and statuses is cut here.
var mesosSkip = map[string]bool{
	"completed_frameworks": true, "unregistered_frameworks": true,
	"orphan_tasks": true, "completed_executors": true,
	"flags": true, "offers": true, "resources": true, "used_resources": true,
	"offered_resources": true, "labels": true, "discovery": true, "network_infos": true,
	"reserved_resources": true, "reserved_resources_full": true, "unreserved_resources": true,
	"unreserved_resources_full": true, "reserved_resources_allocated": true,
	"unreserved_resources_allocated": true, "attributes": true, "health_check": true,
}

// SkipKeys implements httpapi.Skipper.
func (*mesosState) SkipKeys() map[string]bool { return mesosSkip }

// Capture implements httpapi.Capturer.
func (st *mesosState) Capture(key string) func(*httpapi.Stream) error { return st.capture(key) }
