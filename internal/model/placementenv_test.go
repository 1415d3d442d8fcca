package model

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"unsafe"
)

// An Env is written as the map it replaced was (recordings read both),
// read back the same, and keeps names and placement values only.
func TestEnvJSONIsTheMapsJSON(t *testing.T) {
	in := map[string]string{"MESOS_TASK_ID": "web.1", "MARATHON_APP_ID": "/a=b", "API_TOKEN": "", "Z<>&": "", "é": "", "PATH": ""}
	e := EnvOf(in)
	got, err := json.Marshal(struct {
		Env Env `json:"env,omitzero"`
	}{e})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(struct {
		Env map[string]string `json:"env,omitempty"`
	}{in})
	if string(got) != string(want) {
		t.Errorf("JSON %s, want %s", got, want)
	}
	var back struct{ Env Env }
	if err := json.Unmarshal(want, &back); err != nil || !maps.Equal(back.Env.Map(), in) {
		t.Errorf("read back %v (%v), want %v", back.Env.Map(), err, in)
	}
	none, _ := json.Marshal(struct {
		Env Env `json:"env,omitzero"`
	}{})
	if string(none) != "{}" {
		t.Errorf("no environment: %s", none)
	}
	if v, ok := e.NamesOnly().Lookup("MESOS_TASK_ID"); !ok || v != "" || e.NamesOnly().Len() != len(in) {
		t.Errorf("names only: %v", e.NamesOnly().Map())
	}
}

// A value is kept only for a placement variable, the last of a repeated
// name wins, and the containers of one set of names share one list.
func TestEnvBuilderKeepsPlacementValuesAndSharesNames(t *testing.T) {
	var a, b EnvBuilder
	for _, kv := range [][2]string{{"MESOS_TASK_ID", "x.1"}, {"API_TOKEN", "s3cr3t"}, {"MESOS_TASK_ID", "x.2"}, {"", "dropped"}} {
		a.Add(kv[0], kv[1])
	}
	b.Add("API_TOKEN", "other")
	b.Add("MESOS_TASK_ID", "y.1")
	ea, eb := a.Env(), b.Env()
	if !maps.Equal(ea.Map(), map[string]string{"MESOS_TASK_ID": "x.2", "API_TOKEN": ""}) || eb.Value("MESOS_TASK_ID") != "y.1" {
		t.Errorf("kept %v and %v", ea.Map(), eb.Map())
	}
	if unsafe.SliceData(ea.Names()) != unsafe.SliceData(eb.Names()) {
		t.Error("two environments of the same names hold two lists")
	}
	if _, ok := ea.Lookup("PATH"); ok || !(Env{}).IsZero() || (Env{}).Names() != nil {
		t.Error("a name not set, or no environment, was found")
	}
}

// Names come from containers: one that makes up sets of names cannot grow
// the shared lists past their bound (past it, its lists are its own).
func TestEnvSharedNamesAreBounded(t *testing.T) {
	long := strings.Repeat("N", 1000)
	for i := range 2 * maxEnvNameBytes / 1000 {
		var b EnvBuilder
		b.Add(fmt.Sprintf("%s%d", long, i), "x")
		if e := b.Env(); e.Len() != 1 {
			t.Fatalf("%d names kept of 1", e.Len())
		}
	}
	interned.Lock()
	held := interned.bytes
	interned.Unlock()
	if held > maxEnvNameBytes {
		t.Errorf("the shared names hold %d bytes, bound %d", held, maxEnvNameBytes)
	}
}
