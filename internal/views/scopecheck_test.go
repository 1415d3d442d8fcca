package views

import (
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

func TestParseScopeWantsANumberForAPid(t *testing.T) {
	for _, bad := range []string{"pid=abc", "pid=-1", "pid=0", "pid=12x"} {
		if _, err := ParseScope(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if sc, err := ParseScope("pid=42"); err != nil || sc.ID != "42" {
		t.Errorf("pid=42: %v %v", sc, err)
	}
}

func TestCheckScopeKinds(t *testing.T) {
	logs, containers, machine := Get("logs"), Get("containers"), Get("machine")
	if err := logs.CheckScopeKinds(nil); err == nil || !strings.Contains(err.Error(), "--scope container=ID, task=ID, pid=ID") {
		t.Errorf("logs without a scope: %v", err)
	}
	if err := logs.CheckScopeKinds([]Scope{{"app", "/a"}}); err == nil {
		t.Error("logs within an app accepted")
	}
	if err := logs.CheckScopeKinds([]Scope{{"pid", "1"}}); err != nil {
		t.Errorf("logs of a pid: %v", err)
	}
	if err := containers.CheckScopeKinds(nil); err != nil {
		t.Errorf("containers unscoped: %v", err)
	}
	if err := machine.CheckScopeKinds([]Scope{{"container", "x"}}); err == nil || !strings.Contains(err.Error(), "never scoped") {
		t.Errorf("machine within a container: %v", err)
	}
}

func TestMissingScopeNamesWhatExists(t *testing.T) {
	s := &model.Snapshot{
		Containers: []model.Container{
			{ContainerSample: &model.ContainerSample{ID: strings.Repeat("a", 64), Name: "web-1", Cluster: model.ClusterFields{App: "/shop/web", Group: "/shop", TaskID: "shop_web.1"}, RuntimeFields: &model.RuntimeFields{}}},
			{ContainerSample: &model.ContainerSample{ID: strings.Repeat("b", 64), Name: "db", RuntimeFields: &model.RuntimeFields{}}},
		},
		Processes: []model.Process{{ProcessSample: model.ProcessSample{PID: 7}}},
	}
	found := []Scope{{"container", "web-1"}, {"container", strings.Repeat("b", 12)}, {"pid", "7"}, {"app", "/shop/web"}, {"group", "/shop"}, {"group", "/"}, {"task", "shop_web.1"}}
	for _, sc := range found {
		if err := MissingScope(s, []Scope{sc}, false); err != nil {
			t.Errorf("%s: %v", sc, err)
		}
	}
	missing := map[Scope]string{
		{"container", "nope"}:    "containers here (name or id): db, web-1",
		{"container", "aaaaaaa"}: "web-1", // a prefix shorter than 12 is no id
		{"pid", "8"}:             "this node has 1 processes",
		{"app", "/shop/api"}:     "apps known: /shop/web",
		{"group", "/sho"}:        "groups known: /shop",
		{"framework", "chronos"}: "frameworks known: none",
	}
	for sc, want := range missing {
		err := MissingScope(s, []Scope{sc}, false)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), sc.String()+" matches nothing") {
			t.Errorf("%s: %v, want it to say %q", sc, err, want)
		}
	}
	// Before Mesos and Marathon answer, their kinds are not judged; a
	// container still is.
	if err := MissingScope(s, []Scope{{"app", "/other"}}, true); err != nil {
		t.Errorf("app while the cluster is pending: %v", err)
	}
	if err := MissingScope(s, []Scope{{"container", "nope"}}, true); err == nil {
		t.Error("a missing container passes while the cluster is pending")
	}
	// The cluster's own entities count.
	s.Cluster = &model.Cluster{Apps: []model.App{{ID: "/batch/etl", Group: "/batch"}}, Frameworks: []model.Framework{{ID: "f-1", Name: "chronos"}}}
	for _, sc := range []Scope{{"app", "/batch/etl"}, {"group", "/batch"}, {"framework", "chronos"}, {"framework", "f-1"}} {
		if err := MissingScope(s, []Scope{sc}, false); err != nil {
			t.Errorf("%s in the cluster: %v", sc, err)
		}
	}
}
