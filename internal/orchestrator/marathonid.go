package orchestrator

import "strings"

// MarathonAppOf is the app id a Marathon task id names, "" when it names
// none: Marathon makes a task id from the app's id with "/" written "_"
// (app ids cannot hold "_"), then a dot and a UUID — "web_api.<uuid>" for
// /web/api; since 1.4 an instance id and an attempt,
// "web_api.instance-<uuid>._app.1" (TaskId and InstanceId in Marathon's
// RAML: ^(.+)\.(instance-|marathon-)([^.]+)[._]([^.]+)$, legacy
// ^(.+)([._])([^_.]+)$). So a node that runs a task knows its app
// without asking Marathon for every task of the cluster.
func MarathonAppOf(taskID string) string {
	safe := ""
	if i := strings.Index(taskID, ".instance-"); i > 0 {
		safe = taskID[:i]
	} else if i := strings.Index(taskID, ".marathon-"); i > 0 {
		safe = taskID[:i]
	} else {
		// Legacy: the last "." or "_" before a part with neither; a
		// resident task's attempt (".1") may follow.
		id := taskID
		if i := strings.LastIndexByte(id, '.'); i > 0 && allDigits(id[i+1:]) {
			id = id[:i]
		}
		i := strings.LastIndexAny(id, "._")
		if i <= 0 || i == len(id)-1 {
			return ""
		}
		safe = id[:i]
	}
	if safe == "" || strings.HasPrefix(safe, "_") || strings.HasSuffix(safe, "_") || strings.Contains(safe, "__") {
		return ""
	}
	return "/" + strings.ReplaceAll(safe, "_", "/")
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
