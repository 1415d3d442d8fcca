package runtime

import (
	"fmt"
	"maps"
	"strings"
	"testing"
)

// An engine's "NAME=value" entries are kept as the environment reader
// keeps a process's: every name, the values of the placement variables
// only. A container that makes up names cannot grow the shared copy of
// names past its bound: past it, its names are its own copies (kept
// with it, let go with it).
func TestEnvStringsKeepsNamesAndBoundsTheShared(t *testing.T) {
	got := EnvStrings([]string{"MESOS_TASK_ID=web.1", "MARATHON_APP_ID=/a=b", "API_TOKEN=s3cr3t", "NOVALUE", "=nokey", "EMPTY="})
	want := map[string]string{"MESOS_TASK_ID": "web.1", "MARATHON_APP_ID": "/a=b", "API_TOKEN": "", "NOVALUE": "", "EMPTY": ""}
	if !maps.Equal(got, want) {
		t.Errorf("EnvStrings: %v, want %v", got, want)
	}
	if EnvStrings(nil) != nil || EnvironFile(nil) != nil {
		t.Error("no variables: want nil")
	}

	long := strings.Repeat("N", 1000)
	var made []string
	for i := range 2 * maxNameBytes / 1000 {
		made = append(made, fmt.Sprintf("%s%d=x", long, i))
	}
	env := EnvStrings(made)
	if len(env) != len(made) {
		t.Errorf("%d names kept of %d", len(env), len(made))
	}
	names.Lock()
	held := names.bytes
	names.Unlock()
	if held > maxNameBytes {
		t.Errorf("the shared names hold %d bytes, bound %d", held, maxNameBytes)
	}
}
