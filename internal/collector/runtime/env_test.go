package runtime

import (
	"maps"
	"testing"
)

// An engine's "NAME=value" entries are kept as the environment reader
// keeps a process's: every name, the values of the placement variables
// only (model.Env bounds the shared lists of names).
func TestEnvStringsKeepsNamesAndPlacementValues(t *testing.T) {
	got := EnvStrings([]string{"MESOS_TASK_ID=web.1", "MARATHON_APP_ID=/a=b", "API_TOKEN=s3cr3t", "NOVALUE", "=nokey", "EMPTY="})
	want := map[string]string{"MESOS_TASK_ID": "web.1", "MARATHON_APP_ID": "/a=b", "API_TOKEN": "", "NOVALUE": "", "EMPTY": ""}
	if !maps.Equal(got.Map(), want) {
		t.Errorf("EnvStrings: %v, want %v", got.Map(), want)
	}
	if !EnvStrings(nil).IsZero() || !EnvironFile(nil).IsZero() {
		t.Error("no variables: want none")
	}
}
