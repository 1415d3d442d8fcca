package orchestrator

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/httpapi"
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
		if err := httpapi.Decode(strings.NewReader(string(fixture(t, name))), &filtered); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := filtered.finished
		filtered.finished = nil
		if !reflect.DeepEqual(plain, filtered) {
			t.Errorf("%s: filtered decode differs", name)
		}
		// The captured finished tasks are what encoding/json reads of
		// them, less what is not kept (executor and container ids, the
		// statuses before the latest).
		var ref struct {
			Frameworks []struct {
				Completed   []mesosTask `json:"completed_tasks"`
				Unreachable []mesosTask `json:"unreachable_tasks"`
			} `json:"frameworks"`
		}
		if err := json.Unmarshal(fixture(t, name), &ref); err != nil {
			t.Fatal(err)
		}
		// A master may list one task id twice (relaunched under the same
		// id): compare as multisets.
		want := map[string][]mesosTask{}
		n := 0
		for _, f := range ref.Frameworks {
			for _, tk := range append(f.Unreachable, f.Completed...) {
				tk.ExecutorID = ""
				if l := tk.latest(); l != nil { // only the latest status is kept
					l.ContainerStatus = nil
					tk.Statuses = []mesosStatus{*l}
				}
				want[tk.FrameworkID+" "+tk.ID] = append(want[tk.FrameworkID+" "+tk.ID], tk)
				n++
			}
		}
		if len(got) != n {
			t.Errorf("%s: %d finished tasks, want %d", name, len(got), n)
		}
	next:
		for _, tk := range got {
			ws := want[tk.FrameworkID+" "+tk.ID]
			for i, w := range ws {
				if reflect.DeepEqual(tk, w) {
					want[tk.FrameworkID+" "+tk.ID] = append(ws[:i], ws[i+1:]...)
					continue next
				}
			}
			t.Errorf("%s: finished task %+v not in the file", name, tk)
			break
		}
	}
}

// TestMesosStateBroken: a broken master state ends in an error, never a
// hang or a panic.
func TestMesosStateBroken(t *testing.T) {
	for _, in := range []string{`{"x":`, `{"flags":[1,2`, `{"a":"unterminated`, `<html>`, `}}]]`, `{"flags" 1}`} {
		var st mesosState
		if err := httpapi.Decode(strings.NewReader(in), &st); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// TestCaptureEdges: the finished-task parser takes what JSON allows, keeps
// what it understands, and never fails a state that encoding/json reads.
func TestCaptureEdges(t *testing.T) {
	in := `{"frameworks":[{"id":"f","completed_tasks":[{"id":"a\u00e9\"","framework_id":"f","state":"TASK_FAILED",` +
		`"statuses":[{"state":"TASK_RUNNING","timestamp":1},{"state":"TASK_FAILED","timestamp":1428911763.5,"message":"bind: Address in use\n","reason":"REASON_COMMAND_EXECUTOR_FAILED"}]},` +
		`7,{"id":1,"name":"n"},null,{"id":"b","framework_id":"f","statuses":{"x":1}}],"unreachable_tasks":{"x":[]}}]}`
	st, err := decodeMesosState(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.finished) != 2 || st.finished[0].ID != "a\u00e9\"" || st.finished[1].ID != "b" {
		t.Fatalf("finished %+v", st.finished)
	}
	mp := buildMesos(st, "", nil)
	tk := mp.Tasks[0]
	if !tk.Finished || tk.State != "TASK_FAILED" || tk.Message != "bind: Address in use\n" || tk.Reason != "REASON_COMMAND_EXECUTOR_FAILED" ||
		tk.StateSince.Unix() != 1428911763 {
		t.Errorf("task %+v", tk)
	}
	for _, bad := range []string{
		`{"frameworks":[{"completed_tasks":[{"id":"x","statuses":[{"timestamp":1`,
		`{"frameworks":[{"completed_tasks":[{"id" "x"}]}]}`,
		`{"frameworks":[{"completed_tasks":[{"id":"x"]}]}`,
	} {
		if _, err := decodeMesosState(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestFinishedTasksBounded: a master that lists more finished tasks than
// one answer may hold gets an error naming the limit, not a task history
// that grows with the answer (each task costs what encoding/json would
// have held for it).
func TestFinishedTasksBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"frameworks":[{"id":"f","completed_tasks":[`)
	for i := range 200000 {
		fmt.Fprintf(&b, `{"id":"t%d","framework_id":"f","state":"TASK_FAILED"},`, i)
	}
	b.WriteString(`{}]}]}`)
	st, err := decodeMesosState(strings.NewReader(b.String()))
	if err == nil || !strings.Contains(err.Error(), "too large") {
		n := 0
		if st != nil {
			n = len(st.finished)
		}
		t.Fatalf("200,000 finished tasks: %v (%d kept)", err, n)
	}
}
