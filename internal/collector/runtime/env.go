package runtime

import (
	"bytes"
	"strings"

	"github.com/ctop-like/ctop-like/internal/model"
)

// A container's environment is kept for the container's life (Meta.Env,
// model.ContainerSample.Env), but only the values of the variables that
// place it in the cluster are ever read (model.PlacementEnv); the details
// view and recordings show the names. So the collector keeps a model.Env:
// the names as one list shared by every container with the same names,
// and the placement values alone. At 2,000 bench containers (39
// variables each, the sudo environment) a map of names per container held
// about 5 MB of the heap, and a Mesos task's variables (MESOS_SANDBOX,
// MARATHON_APP_LABELS, PORTS, ...) are more and longer. It also means a
// secret in a container's environment is not in ctop-like's memory.

// EnvStrings is the kept environment of "NAME=value" entries (an engine's
// container config or OCI spec); an entry without '=' is a name with an
// empty value, one without a name is dropped. The zero Env for none.
func EnvStrings(env []string) model.Env {
	var b model.EnvBuilder
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		b.Add(k, v)
	}
	return b.Env()
}

// EnvironFile is the kept environment of a /proc/<pid>/environ file's
// contents (NUL-separated "NAME=value"); an entry without '=' or without
// a name is dropped, the last of a repeated name wins. The zero Env for
// none.
func EnvironFile(b []byte) model.Env {
	var e model.EnvBuilder
	for kv := range bytes.SplitSeq(b, []byte{0}) {
		if k, v, ok := bytes.Cut(kv, []byte{'='}); ok {
			e.Add(string(k), string(v))
		}
	}
	return e.Env()
}
