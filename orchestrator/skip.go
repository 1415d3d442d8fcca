package orchestrator

// mesosState is an httpapi.Skipper: its big unused members (a Mesos
// master's completed tasks are most of its state) are cut out of the byte
// stream before encoding/json sees it.

// mesosSkip are members of a Mesos state that this tool never reads.
var mesosSkip = map[string]bool{
	"completed_frameworks": true, "completed_tasks": true, "unregistered_frameworks": true,
	"orphan_tasks": true, "unreachable_tasks": true, "completed_executors": true,
	"flags": true, "offers": true, "resources": true, "used_resources": true,
	"offered_resources": true, "labels": true, "discovery": true, "network_infos": true,
	"reserved_resources": true, "reserved_resources_full": true, "unreserved_resources": true,
	"unreserved_resources_full": true, "reserved_resources_allocated": true,
	"unreserved_resources_allocated": true, "attributes": true, "health_check": true,
}

func (*mesosState) skipKeys() map[string]bool { return mesosSkip }

// SkipKeys implements httpapi.Skipper.
func (st *mesosState) SkipKeys() map[string]bool { return st.skipKeys() }
