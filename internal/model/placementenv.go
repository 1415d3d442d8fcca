package model

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
)

// The environment variables whose values place a container in the
// cluster (DESIGN.md: the task id, first hit wins; the framework and the
// Marathon app when Mesos does not know the task). They are the only
// values of ContainerSample.Env anything reads: the collector keeps these
// and only the names of the rest (the details view and recordings show
// names, never values).
const (
	EnvMesosTaskID     = "MESOS_TASK_ID"
	EnvChronosTaskID   = "mesos_task_id"
	EnvMesosExecutorID = "MESOS_EXECUTOR_ID"
	EnvMesosFramework  = "MESOS_FRAMEWORK_ID"
	EnvMarathonApp     = "MARATHON_APP_ID"
)

// PlacementEnv reports whether the value of the variable name is read.
func PlacementEnv(name string) bool {
	switch name {
	case EnvMesosTaskID, EnvChronosTaskID, EnvMesosExecutorID, EnvMesosFramework, EnvMarathonApp:
		return true
	}
	return false
}

// Env is a container's environment as kept (ContainerSample.Env): every
// name, and the values of the placement variables alone. The names are one
// sorted list shared by every container whose environment has the same
// names (the containers of one app: an interned, immutable list), so a
// container holds only its placement values; one with none holds nothing
// of its own. The zero Env is no environment. In JSON it is the object of
// its names, each with its value ("" for a value not kept), as the map it
// replaced.
type Env struct{ d *envData }

type envData struct {
	names *envNames
	vals  []envValue // the placement variables set, by name
}

type envValue struct{ name, value string }

// envNames is one set of names, sorted; bare is the Env of these names
// with no values, shared by every container with no placement variable.
type envNames struct {
	list []string
	bare envData
}

// interned holds every set of names seen, by its names joined with NUL,
// up to maxEnvNameBytes of keys in all: names come from containers, and
// one that makes up names gets a list of its own past the bound.
var interned struct {
	sync.Mutex
	m     map[string]*envNames
	bytes int
}

const maxEnvNameBytes = 256 << 10

// EnvBuilder collects one environment's variables for Env.
type EnvBuilder struct {
	names []string
	vals  []envValue
}

// Add adds a variable; a value is kept only for a placement variable, and
// the last of a repeated name wins. An empty name is dropped. Neither
// string is kept: Env copies what it keeps.
func (b *EnvBuilder) Add(name, value string) {
	if name == "" {
		return
	}
	b.names = append(b.names, name)
	if PlacementEnv(name) {
		for i := range b.vals {
			if b.vals[i].name == name {
				b.vals[i].value = strings.Clone(value)
				return
			}
		}
		b.vals = append(b.vals, envValue{name, strings.Clone(value)})
	}
}

// Env is the environment added; the zero Env for none.
func (b *EnvBuilder) Env() Env {
	if len(b.names) == 0 {
		return Env{}
	}
	slices.Sort(b.names)
	b.names = slices.Compact(b.names)
	n := internNames(b.names)
	if len(b.vals) == 0 {
		return Env{&n.bare}
	}
	vals := make([]envValue, 0, len(b.vals))
	for _, v := range b.vals {
		// The placement names are constants: no copy of the caller's.
		for _, p := range placementNames {
			if p == v.name {
				vals = append(vals, envValue{p, v.value})
			}
		}
	}
	slices.SortFunc(vals, func(a, b envValue) int { return strings.Compare(a.name, b.name) })
	return Env{&envData{names: n, vals: vals}}
}

var placementNames = [...]string{EnvMesosTaskID, EnvChronosTaskID, EnvMesosExecutorID, EnvMesosFramework, EnvMarathonApp}

// internNames is the shared list of names (sorted, distinct).
func internNames(names []string) *envNames {
	key := strings.Join(names, "\x00")
	interned.Lock()
	defer interned.Unlock()
	if n := interned.m[key]; n != nil {
		return n
	}
	n := &envNames{list: make([]string, 0, len(names))}
	for name := range strings.SplitSeq(key, "\x00") {
		n.list = append(n.list, name) // parts of the one copy of key
	}
	// A name with a NUL in it (not from an environ file) splits apart: a
	// list of its own.
	ok := len(n.list) == len(names)
	if !ok {
		n.list = n.list[:0]
		for _, name := range names {
			n.list = append(n.list, strings.Clone(name))
		}
	}
	n.bare.names = n
	if ok && interned.bytes+len(key) <= maxEnvNameBytes {
		if interned.m == nil {
			interned.m = make(map[string]*envNames)
		}
		interned.m[key] = n
		interned.bytes += len(key)
	}
	return n
}

// EnvOf is the kept environment of a map of variables (nil: none).
func EnvOf(m map[string]string) Env {
	var b EnvBuilder
	for k, v := range m {
		b.Add(k, v)
	}
	return b.Env()
}

// IsZero reports whether there is no environment (no name).
func (e Env) IsZero() bool { return e.d == nil || len(e.d.names.list) == 0 }

// Len is the number of variables.
func (e Env) Len() int {
	if e.d == nil {
		return 0
	}
	return len(e.d.names.list)
}

// Names are the variables' names, sorted. The list is shared: never
// change it.
func (e Env) Names() []string {
	if e.d == nil {
		return nil
	}
	return e.d.names.list
}

// Value is the value of a placement variable, "" when it is not set.
func (e Env) Value(name string) string {
	v, _ := e.Lookup(name)
	return v
}

// Lookup is the kept value of the variable name and whether the
// environment has that name ("" for a value not kept).
func (e Env) Lookup(name string) (string, bool) {
	if e.d == nil {
		return "", false
	}
	for _, v := range e.d.vals {
		if v.name == name {
			return v.value, true
		}
	}
	_, ok := slices.BinarySearch(e.d.names.list, name)
	return "", ok
}

// NamesOnly is the environment with its names and no value (recordings).
func (e Env) NamesOnly() Env {
	if e.d == nil {
		return e
	}
	return Env{&e.d.names.bare}
}

// Map is a new map of the environment's names to their kept values.
func (e Env) Map() map[string]string {
	if e.IsZero() {
		return nil
	}
	m := make(map[string]string, e.Len())
	for _, n := range e.d.names.list {
		m[n] = ""
	}
	for _, v := range e.d.vals {
		m[v.name] = v.value
	}
	return m
}

// MarshalJSON encodes the environment as the object of its names to
// their kept values, as encoding/json encodes that map.
func (e Env) MarshalJSON() ([]byte, error) {
	if e.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(e.Map())
}

// UnmarshalJSON reads what MarshalJSON writes (null: no environment).
func (e *Env) UnmarshalJSON(b []byte) error {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*e = EnvOf(m)
	return nil
}
