package orchestrator

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

// The reference: a state decoded whole by encoding/json into plain types
// (what this package read before it streamed), and the tasks a view should
// get from it, computed the plain way. The streamed reader must give the
// same.
type refState struct {
	Frameworks []refFramework `json:"frameworks"`
}

type refFramework struct {
	ID                 string        `json:"id"`
	Tasks              []refTask     `json:"tasks"`
	Completed          []refTask     `json:"completed_tasks"`
	Unreachable        []refTask     `json:"unreachable_tasks"`
	Executors          []refExecutor `json:"executors"`
	CompletedExecutors []refExecutor `json:"completed_executors"`
}

type refExecutor struct {
	ID        string    `json:"id"`
	Container string    `json:"container"`
	Directory string    `json:"directory"`
	Tasks     []refTask `json:"tasks"`
	Queued    []refTask `json:"queued_tasks"`
	Completed []refTask `json:"completed_tasks"`
}

type refTask struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	FrameworkID string          `json:"framework_id"`
	ExecutorID  string          `json:"executor_id"`
	SlaveID     string          `json:"slave_id"`
	State       string          `json:"state"`
	Labels      json.RawMessage `json:"labels"`
	Resources   struct {
		Ports string `json:"ports"`
	} `json:"resources"`
	Statuses []struct {
		State           string  `json:"state"`
		Source          string  `json:"source"`
		Timestamp       float64 `json:"timestamp"`
		Reason          string  `json:"reason"`
		Message         string  `json:"message"`
		ContainerStatus *struct {
			ContainerID *refContainerID `json:"container_id"`
		} `json:"container_status"`
	} `json:"statuses"`
}

type refContainerID struct {
	Value  string          `json:"value"`
	Parent *refContainerID `json:"parent"`
}

func (r refTask) task(fw string, finished bool) model.Task {
	t := model.Task{ID: r.ID, Name: r.Name, FrameworkID: r.FrameworkID, AgentID: r.SlaveID, State: r.State, Finished: finished}
	d := model.TaskDetail{ExecutorID: r.ExecutorID}
	if t.FrameworkID == "" {
		t.FrameworkID = fw
	}
	t.Ports = portRanges(r.Resources.Ports, maxTaskPorts)
	var history []model.TaskStatus
	latest := -1
	for i, s := range r.Statuses {
		if len(history) < maxHistory {
			history = append(history, model.TaskStatus{State: s.State, At: unixTime(s.Timestamp), Reason: s.Reason, Message: s.Message, Source: s.Source})
		}
		if latest < 0 || s.Timestamp >= r.Statuses[latest].Timestamp {
			latest = i
		}
		if finished || s.ContainerStatus == nil {
			continue
		}
		n := 0
		for c := s.ContainerStatus.ContainerID; c != nil && n <= maxContainerDepth; c = c.Parent {
			n++
			if c.Value != "" && !contains(t.ContainerIDs, c.Value) && len(t.ContainerIDs) < maxContainerDepth {
				t.ContainerIDs = append(t.ContainerIDs, c.Value)
			}
		}
	}
	if latest >= 0 {
		s := r.Statuses[latest]
		t.StateSince, d.Reason, d.Message = unixTime(s.Timestamp), s.Reason, s.Message
	}
	t.Labels = refLabels(r.Labels)
	if t.State != "TASK_RUNNING" && len(history) > 0 {
		sort.SliceStable(history, func(i, j int) bool { return history[i].At.Before(history[j].At) })
		d.History = history
	}
	t.SetDetail(d)
	return t
}

// refLabels reads a task's labels the plain way: an array of objects
// with a key (a key that is no string is ""), or that array wrapped in
// {"labels": ...} once.
func refLabels(raw json.RawMessage) *model.Labels {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	if m, ok := v.(map[string]any); ok {
		v = m["labels"]
	}
	var set model.LabelSet
	l, _ := v.([]any)
	for _, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		k, hasKey := m["key"]
		if !hasKey {
			continue
		}
		key, _ := k.(string)
		value, _ := m["value"].(string)
		set.Add(key, value)
	}
	if l := set.Take(); l != nil {
		return &l
	}
	return nil
}

// refTasks are the live tasks in the answer's order and, per framework,
// every finished one.
func refTasks(t testing.TB, body []byte) (live []model.Task, finished map[string][]model.Task, ok bool) {
	var st refState
	if json.Unmarshal(body, &st) != nil {
		return nil, nil, false
	}
	finished = map[string][]model.Task{}
	fin := func(fw string, r refTask) {
		if r.ID != "" {
			tk := r.task(fw, true)
			finished[tk.FrameworkID] = append(finished[tk.FrameworkID], tk)
		}
	}
	for _, f := range st.Frameworks {
		for _, r := range f.Tasks {
			if r.ID != "" {
				live = append(live, r.task(f.ID, false))
			}
		}
		for _, ex := range f.Executors {
			for _, r := range append(append([]refTask{}, ex.Tasks...), ex.Queued...) {
				if r.ID == "" {
					continue
				}
				tk := r.task(f.ID, false)
				d := tk.Detail()
				if d.ExecutorID == "" {
					d.ExecutorID = ex.ID
				}
				if ex.Container != "" && !contains(tk.ContainerIDs, ex.Container) {
					tk.ContainerIDs = append(tk.ContainerIDs, ex.Container)
				}
				d.Sandbox = ex.Directory
				tk.SetDetail(d)
				live = append(live, tk)
			}
			for _, r := range ex.Completed {
				fin(f.ID, r)
			}
		}
		for _, r := range append(f.Completed, f.Unreachable...) {
			fin(f.ID, r)
		}
		for _, ex := range f.CompletedExecutors {
			for _, r := range append(ex.Tasks, ex.Completed...) {
				fin(f.ID, r)
			}
		}
	}
	// A finished task whose framework id names no framework of the state
	// is not kept (a master lists its finished tasks under their own).
	ids := map[string]bool{}
	for _, f := range st.Frameworks {
		ids[f.ID] = true
	}
	for fw := range finished {
		if !ids[fw] {
			delete(finished, fw)
		}
	}
	return live, finished, true
}

// sameAsReference fails when the streamed state differs from the plain
// decode: every live task the same, and of each framework's finished ones
// the newest maxFinishedPerFramework.
func sameAsReference(t testing.TB, name string, body []byte, st *mesosState) {
	t.Helper()
	live, finished, ok := refTasks(t, body)
	if !ok {
		return
	}
	norm := func(l []model.Task) []model.Task {
		out := make([]model.Task, len(l))
		copy(out, l)
		for i := range out {
			if len(out[i].ContainerIDs) == 0 {
				out[i].ContainerIDs = nil
			}
		}
		return out
	}
	if !reflect.DeepEqual(norm(st.Tasks), norm(live)) {
		t.Fatalf("%s: live tasks differ:\n%+v\nwant\n%+v", name, st.Tasks, live)
	}
	got := map[string][]model.Task{}
	for _, tk := range st.Finished {
		got[tk.FrameworkID] = append(got[tk.FrameworkID], tk)
	}
	for fw, want := range finished {
		g := got[fw]
		if len(got) > maxFinished/maxFinishedPerFramework {
			return
		}
		if len(g) != min(len(want), maxFinishedPerFramework) {
			t.Fatalf("%s: framework %s: %d finished tasks, want %d", name, fw, len(g), min(len(want), maxFinishedPerFramework))
		}
		// The newest: the same times as the reference's newest.
		sort.SliceStable(want, func(i, j int) bool { return want[i].StateSince.After(want[j].StateSince) })
		byID := map[string][]model.Task{} // a master may list one id twice
		for _, w := range want {
			byID[w.ID] = append(byID[w.ID], w)
		}
		for i := range g {
			if !g[i].StateSince.Equal(want[i].StateSince) {
				t.Fatalf("%s: framework %s: finished task %d at %v, want %v", name, fw, i, g[i].StateSince, want[i].StateSince)
			}
			found := false
			for _, w := range byID[g[i].ID] {
				found = found || reflect.DeepEqual(norm([]model.Task{w}), norm([]model.Task{g[i]}))
			}
			if !found {
				t.Fatalf("%s: finished task %+v is not in the answer", name, g[i])
			}
		}
	}
}

// TestStateReaderSameResult: every Mesos state of the fixtures, read as a
// stream, gives what a whole decode with encoding/json gives.
func TestStateReaderSameResult(t *testing.T) {
	files := append([]string{
		"mesos/pairB_agent_state_mesos-0.27.0.json",
		"mesos/pairC_agent_state_mesos-0.22.0.json",
		"mesos/agent_state_mesos-1.5.0_docker-container-id.json",
	}, masterStates...)
	for _, name := range files {
		body := fixture(t, name)
		st, err := decodeMesosState(strings.NewReader(string(body)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameAsReference(t, name, body, st)
		g := generic(t, name)
		if st.Version != str(g["version"]) || st.PID != str(g["pid"]) || st.Leader != str(g["leader"]) || len(st.Slaves) != len(list(g["slaves"])) {
			t.Errorf("%s: version %q pid %q leader %q slaves %d", name, st.Version, st.PID, st.Leader, len(st.Slaves))
		}
		if len(st.Frameworks) != len(list(g["frameworks"])) {
			t.Errorf("%s: %d frameworks", name, len(st.Frameworks))
		}
	}
}

// TestMesosStateBroken: a broken master state ends in an error, never a
// hang or a panic.
func TestMesosStateBroken(t *testing.T) {
	for _, in := range []string{`{"x":`, `{"flags":[1,2`, `{"a":"unterminated`, `<html>`, `}}]]`, `{"flags" 1}`} {
		if _, err := decodeMesosState(strings.NewReader(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// TestStateEdges: the reader takes what JSON allows, keeps what it
// understands, and fails only on what is not JSON.
func TestStateEdges(t *testing.T) {
	in := `{"frameworks":[{"id":"f","completed_tasks":[{"id":"a\u00e9\"","framework_id":"f","state":"TASK_FAILED",` +
		`"statuses":[{"state":"TASK_RUNNING","timestamp":1},{"state":"TASK_FAILED","timestamp":1428911763.5,"message":"bind: Address in use\n","reason":"REASON_COMMAND_EXECUTOR_FAILED"}]},` +
		`7,{"id":1,"name":"n"},null,{"id":"b","framework_id":"f","statuses":{"x":1}}],"unreachable_tasks":{"x":[]}}]}`
	st, err := decodeMesosState(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Finished) != 2 {
		t.Fatalf("finished %+v", st.Finished)
	}
	mp := buildMesos(st, "", nil)
	var tk model.Task
	for _, x := range mp.Tasks {
		if x.ID == "a\u00e9\"" {
			tk = x
		}
	}
	if d := tk.Detail(); !tk.Finished || tk.State != "TASK_FAILED" || d.Message != "bind: Address in use\n" || d.Reason != "REASON_COMMAND_EXECUTOR_FAILED" ||
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

// TestStateBounded: a state of any size is read, never refused whole:
// 50,000 finished tasks of one framework keep its newest 100, and live
// tasks past maxTasks are counted and named, not kept.
func TestStateBounded(t *testing.T) {
	defer func(n int) { maxTasks = n }(maxTasks)
	maxTasks = 20000
	var b strings.Builder
	b.WriteString(`{"frameworks":[{"id":"f","completed_tasks":[`)
	for i := range 50000 {
		fmt.Fprintf(&b, `{"id":"t%d","framework_id":"f","state":"TASK_FAILED","statuses":[{"timestamp":%d}]},`, i, 1e9+i)
	}
	b.WriteString(`{}],"tasks":[`)
	for i := range maxTasks + 10 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"r%d","framework_id":"f","state":"TASK_RUNNING"}`, i)
	}
	b.WriteString(`]}]}`)
	st, err := decodeMesosState(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Finished) != maxFinishedPerFramework || st.Finished[0].ID != "t49999" {
		t.Errorf("%d finished tasks kept, the first %s", len(st.Finished), st.Finished[0].ID)
	}
	if len(st.Tasks) != maxTasks || st.Dropped != 10 || st.Frameworks[0].Running != maxTasks+10 {
		t.Errorf("%d live tasks kept, %d dropped, %d running", len(st.Tasks), st.Dropped, st.Frameworks[0].Running)
	}
	if msg := buildMesos(st, "", nil).Dropped; !strings.Contains(msg, "10 tasks not listed: over the 20000") {
		t.Errorf("dropped: %q", msg)
	}
}

// TestTaskPortsAndHistory: a task's ports resource ("[23183-23183]") and,
// for a task that is not running, its statuses oldest first, from pair
// A's master state (Mesos 1.2.0); a running task keeps no history.
func TestTaskPortsAndHistory(t *testing.T) {
	c, err := ParseCluster(strings.NewReader(string(fixture(t, "mesos/pairA_master_state_mesos-1.2.0.json"))), nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var live, done *model.Task
	for i := range c.Tasks {
		tk := &c.Tasks[i]
		switch {
		case tk.ID == "development_logging.b8d78e66-c64b-11e6-9066-5a8a388c67a1":
			live = tk
		case tk.Finished && tk.State == "TASK_KILLED" && done == nil:
			done = tk
		}
	}
	if live == nil || done == nil {
		t.Fatal("pair A lacks its running logging task or a killed one")
	}
	if h := live.Detail().History; !slices.Equal(live.Ports, []string{"23183/tcp"}) || h != nil {
		t.Errorf("running task: ports %v history %v", live.Ports, h)
	}
	if h := done.Detail().History; len(done.Ports) != 1 || len(h) < 2 || h[len(h)-1].State != "TASK_KILLED" ||
		!h[len(h)-1].At.Equal(done.StateSince) || !h[0].At.Before(done.StateSince) {
		t.Errorf("killed task %s: ports %v history %+v", done.ID, done.Ports, h)
	}
	if got := portRanges("[31000-31002, 31005-31005]", 32); !slices.Equal(got, []string{"31000/tcp", "31001/tcp", "31002/tcp", "31005/tcp"}) {
		t.Errorf("ranges %v", got)
	}
	if got := portRanges("[1-100000]", 3); !slices.Equal(got, nil) {
		t.Errorf("a range past 65535 %v", got)
	}
	if got := portRanges("[1-1000]", 3); len(got) != 3 {
		t.Errorf("bounded %v", got)
	}
}
