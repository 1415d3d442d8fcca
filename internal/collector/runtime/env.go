package runtime

import (
	"bytes"
	"strings"
	"sync"

	"github.com/ctop-like/ctop-like/internal/model"
)

// A container's environment is kept for the container's life (Meta.Env,
// model.ContainerSample.Env), but only the values of the variables that
// place it in the cluster are ever read (model.PlacementEnv); the details
// view and recordings show the names. So the collector keeps every name,
// one copy shared by all containers, and an empty value for the rest:
// at 2,000 bench containers (39 variables each, the sudo environment) the
// environments held about 8 MB of the heap, and a Mesos task's variables
// (MESOS_SANDBOX, MARATHON_APP_LABELS, PORTS, ...) are more and longer.
// It also means a secret in a container's environment is not in
// ctop-like's memory.

// names is the shared copy of every environment variable name seen, up
// to maxNameBytes in all: names come from containers, and a container
// that makes up names gets copies of its own past the bound.
var names struct {
	sync.Mutex
	m     map[string]string
	bytes int
}

const maxNameBytes = 256 << 10

// EnvStrings is the kept environment of "NAME=value" entries (an engine's
// container config or OCI spec); an entry without '=' is a name with an
// empty value, one without a name is dropped. nil for none.
func EnvStrings(env []string) map[string]string {
	if len(env) == 0 {
		return nil
	}
	m := make(map[string]string, len(env))
	names.Lock()
	defer names.Unlock()
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		keep(m, k, v)
	}
	return m
}

// EnvironFile is the kept environment of a /proc/<pid>/environ file's
// contents (NUL-separated "NAME=value"); an entry without '=' or without
// a name is dropped, the last of a repeated name wins. nil for none.
func EnvironFile(b []byte) map[string]string {
	if len(b) == 0 {
		return nil
	}
	m := make(map[string]string, bytes.Count(b, []byte{0})+1)
	names.Lock()
	defer names.Unlock()
	for kv := range bytes.SplitSeq(b, []byte{0}) {
		if k, v, ok := bytes.Cut(kv, []byte{'='}); ok {
			keep(m, k, v)
		}
	}
	return m
}

// keep adds one variable to m; names is locked.
func keep[S string | []byte](m map[string]string, k, v S) {
	if len(k) == 0 {
		return
	}
	name, ok := names.m[string(k)]
	if !ok {
		name = strings.Clone(string(k)) // not a part of the engine's string
		if names.bytes+len(name) <= maxNameBytes {
			if names.m == nil {
				names.m = make(map[string]string)
			}
			names.m[name] = name
			names.bytes += len(name)
		}
	}
	value := ""
	if model.PlacementEnv(name) {
		value = strings.Clone(string(v))
	}
	m[name] = value
}
