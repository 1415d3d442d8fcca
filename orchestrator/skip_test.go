package orchestrator

import (
	"encoding/json"
	"io"
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

func TestSkipReaderEdges(t *testing.T) {
	skip := map[string]bool{"x": true}
	for in, want := range map[string]string{
		`{"x":1}`:                                 `{}`,
		`{"x":1,"a":2}`:                           `{"a":2}`,
		`{"a":2, "x" : [1,{"y":"}]\"{"}] }`:       `{"a":2}`,
		`{"a":{"x":{"b":1},"c":"x"},"x":"q\"x"}`:  `{"a":{"c":"x"}}`,
		`[{"x":null},{"a":true,"x":false,"b":1}]`: `[{},{"a":true,"b":1}]`,
		`{"a":"s p,a{c}e"}`:                       `{"a":"s p,a{c}e"}`,
	} {
		got, err := io.ReadAll(newSkipReader(strings.NewReader(in), skip))
		if err != nil || string(got) != want {
			t.Errorf("%s → %s (%v), want %s", in, got, err, want)
		}
	}
	// Broken input ends, never hangs or panics.
	for _, in := range []string{`{"x":`, `{"x":[1,2`, `{"a":"unterminated`, `<html>`, `}}]]`, `{"x" 1}`} {
		var st mesosState
		if err := decodeJSON(strings.NewReader(in), &st); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}
