package orchestrator

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestSkipReaderSameResult: every Mesos state decodes to the same value with
// and without the skipping filter.
func TestSkipReaderSameResult(t *testing.T) {
	files := append([]string{
		"mesos/pairB_agent_state_mesos-0.27.0.json",
		"mesos/pairC_agent_state_mesos-0.22.0.json",
		"mesos/agent_state_mesos-1.5.0_docker-container-id.json",
	}, masterStates...)
	for _, name := range files {
		var plain, filtered mesosState
		if err := json.Unmarshal(fixture(t, name), &plain); err != nil {
			t.Fatal(err)
		}
		if err := decodeJSON(strings.NewReader(string(fixture(t, name))), &filtered); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(plain, filtered) {
			t.Errorf("%s: filtered decode differs", name)
		}
	}
}
