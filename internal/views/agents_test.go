package views

import (
	"slices"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// clusterSnap is --cluster's snapshot: two agents' executors.
func clusterSnap() *model.Snapshot {
	now := time.Now()
	s := &model.Snapshot{Time: now, Memory: model.Memory{Total: 8 << 30}, Cluster: &model.Cluster{
		Agents: []model.Agent{
			{ID: "S1", Name: "agent-1.example", CPUs: 8, LastOK: now},
			{ID: "S2", Name: "agent-2.example", CPUs: 8, LastOK: now},
		},
	}}
	for i, a := range []struct{ id, name string }{{"S1", "agent-1.example"}, {"S1", "agent-1.example"}, {"S2", "agent-2.example"}} {
		s.Containers = append(s.Containers, model.Container{ContainerSample: &model.ContainerSample{
			ID: []string{"c1", "c2", "c3"}[i], Name: "exec", Runtime: model.RuntimeMesos, State: "running", Agent: a.name, AgentID: a.id, RuntimeFields: &model.RuntimeFields{},
		}})
	}
	return s
}

// TestAgentScope: Enter on an agent row, and --scope agent=ID or
// agent=HOSTNAME, show that agent's containers only (before, Enter opened
// every container of the cluster sorted by agent, and agent was no scope
// kind).
func TestAgentScope(t *testing.T) {
	s := clusterSnap()
	ag, err := Rows(s, Query{View: "agents"})
	if err != nil {
		t.Fatal(err)
	}
	var row Row
	for _, r := range ag.Rows {
		if r.Key == "S1" {
			row = r
		}
	}
	tgt, ok := Get("agents").Drill(row)
	if !ok || tgt.View != "containers" || tgt.Scope != (Scope{Kind: "agent", ID: "S1"}) {
		t.Fatalf("Enter on agent S1 goes to %+v", tgt)
	}
	for _, arg := range []string{"agent=S1", "agent=agent-1.example"} {
		sc, err := ParseScope(arg)
		if err != nil {
			t.Fatalf("%s: %v", arg, err)
		}
		tb, err := Rows(s, Query{View: "containers", Scope: []Scope{sc}})
		if err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, r := range tb.Rows {
			got = append(got, r.Key)
		}
		slices.Sort(got)
		if !slices.Equal(got, []string{"c1", "c2"}) {
			t.Errorf("--scope %s: containers %v, want c1 c2", arg, got)
		}
		if !Get("containers").AppliesIn([]Scope{sc}) {
			t.Errorf("the containers view does not apply in %s", arg)
		}
	}
}

// TestNeedsHook: building a view tells the orchestrator what of the
// cluster it shows; this node's views need nothing of it.
func TestNeedsHook(t *testing.T) {
	var got []model.ClusterNeeds
	SetNeedsHook(func(n model.ClusterNeeds) { got = append(got, n) })
	defer SetNeedsHook(nil)
	s := clusterSnap()
	for _, v := range []string{"containers", "processes", "machine", "agents", "mesos-tasks", "marathon-apps"} {
		if _, err := Rows(s, Query{View: v}); err != nil {
			t.Fatal(err)
		}
	}
	want := []model.ClusterNeeds{model.NeedMesosTasks | model.NeedMarathon, model.NeedMarathon}
	if !slices.Equal(got, want) {
		t.Errorf("needs %v, want %v", got, want)
	}
}
