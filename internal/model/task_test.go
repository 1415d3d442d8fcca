package model

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestTaskJSONAsBefore: a task's JSON (recordings keep clusters in it)
// is byte for byte what it was with every field in the task, its detail's
// fields among the task's own, and reads back to the same task. The
// expected text is json.Marshal's on the code before Detail.
func TestTaskJSONAsBefore(t *testing.T) {
	l := Labels{{Key: "k", Value: "v"}}
	at := time.Unix(1700000000, 0).UTC()
	tk := Task{ID: "web.1", Name: "web", FrameworkID: "fw", State: "TASK_FAILED", AgentID: "S1", AgentHost: "node-a", ContainerIDs: []string{"c1"},
		Ports: []string{"31000/tcp"}, Finished: true, StateSince: at, Labels: &l}.WithDetail(TaskDetail{ExecutorID: "ex",
		History: []TaskStatus{{State: "TASK_FAILED", At: at, Reason: "R", Message: "M", Source: "SOURCE_AGENT"}}, Reason: "R", Message: "M\u2028<", Sandbox: "/var/sb"})
	tasks := []Task{tk, {ID: "x"}}
	b, err := json.Marshal(tasks)
	if err != nil {
		t.Fatal(err)
	}
	const want = `[{"id":"web.1","name":"web","framework_id":"fw","state":"TASK_FAILED","agent_id":"S1","agent_host":"node-a","container_ids":["c1"],"executor_id":"ex","ports":["31000/tcp"],"history":[{"state":"TASK_FAILED","at":"2023-11-14T22:13:20Z","reason":"R","message":"M","source":"SOURCE_AGENT"}],"finished":true,"state_since":"2023-11-14T22:13:20Z","reason":"R","message":"M\u2028\u003c","sandbox":"/var/sb","labels":{"k":"v"}},{"id":"x","name":"","framework_id":"","state":"","agent_id":"","agent_host":""}]`
	if string(b) != want {
		t.Errorf("JSON\n%s\nwant\n%s", b, want)
	}
	var back []Task
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, tasks) {
		t.Errorf("read back %+v, want %+v", back, tasks)
	}
	if back[1].detail != nil {
		t.Error("a task without detail read back with one")
	}
}

// TestTaskDetailIsNotShared: setting a task's detail leaves the detail
// another task shares with it as it was (the last state read, still
// shown, shares its tasks' details with the one being read).
func TestTaskDetailIsNotShared(t *testing.T) {
	a := Task{ID: "t"}.WithDetail(TaskDetail{Sandbox: "/a", ExecutorID: "e"})
	b := Task{ID: "t"}.WithDetail(TaskDetail{Sandbox: "/a", ExecutorID: "e"})
	b.ShareDetail(&a)
	if b.detail != a.detail {
		t.Fatal("equal details not shared")
	}
	d := b.Detail()
	d.Sandbox = "/b"
	b.SetDetail(d)
	if a.Detail().Sandbox != "/a" || b.Detail().Sandbox != "/b" {
		t.Errorf("sandboxes %q and %q, want /a and /b", a.Detail().Sandbox, b.Detail().Sandbox)
	}
	c := Task{ID: "t"}.WithDetail(TaskDetail{Sandbox: "/c"})
	c.ShareDetail(&a)
	if c.detail == a.detail {
		t.Error("different details shared")
	}
}
