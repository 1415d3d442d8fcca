package views

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// sameIDSnapshot holds one containerd id in two namespaces, each with a
// process of its own.
func sameIDSnapshot() *model.Snapshot {
	c := func(ns string, cpu float64) model.Container {
		return model.Container{ContainerSample: &model.ContainerSample{ID: "same", Name: "same", Runtime: model.RuntimeContainerd,
			RuntimeFields: &model.RuntimeFields{ContainerdNamespace: ns, Cgroup: "/" + ns + "/same"}, State: "running"}, HasRates: true, CPUPct: cpu}
	}
	p := func(pid int, ns, cmd string) model.Process {
		return model.Process{ProcessSample: model.ProcessSample{PID: pid, PPID: 1, Command: cmd, ContainerID: "same",
			ContainerKey: model.ContainerKey(ns, "same"), Cgroup: "/" + ns + "/same"}}
	}
	return &model.Snapshot{
		Time:       time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
		Containers: []model.Container{c("team", 80), c("k8s.io", 5)},
		Processes:  []model.Process{p(10, "team", "team-worker"), p(20, "k8s.io", "kube-worker")},
	}
}

// Issue 19 item 6: each row is its own container: its key, its namespace
// column, its processes when drilled into, its details, its confirmation.
func TestSameIDInTwoNamespacesAreTwoRows(t *testing.T) {
	s := sameIDSnapshot()
	tb, err := Rows(s, Query{View: "containers"})
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(tb); !slices.Equal(got, []string{"team/same", "k8s.io/same"}) {
		t.Fatalf("keys %v", got)
	}
	v := tb.View
	for i, ns := range []string{"team", "k8s.io"} {
		r := tb.Rows[i]
		if got := v.Text(r, "containerd_namespace"); got != ns {
			t.Errorf("row %d: containerd_namespace %q, want %q", i, got, ns)
		}
		if ref := v.Ref(r); ref.ID != "same" || ref.Cgroup != "/"+ns+"/same" {
			t.Errorf("row %d: ref %+v", i, ref)
		}
		if got := v.Target(v, r); !strings.Contains(got, "namespace "+ns) {
			t.Errorf("row %d: the confirmation names %q, not its namespace", i, got)
		}
		to, ok := v.Drill(r)
		if !ok {
			t.Fatalf("row %d leads nowhere", i)
		}
		procs, err := Rows(s, Query{View: to.View, Scope: []Scope{to.Scope}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"team": "team-worker", "k8s.io": "kube-worker"}[ns]
		if len(procs.Rows) != 1 || procs.View.Text(procs.Rows[0], "command") != want {
			t.Errorf("drilled into %s: %d processes %v, want only %s", ns, len(procs.Rows), keys(procs), want)
		}
		_, text := v.Details(s, r.Key, DetailsEnv{})
		if !strings.Contains(text, "/"+ns+"/same") {
			t.Errorf("details of %s:\n%s", ns, text)
		}
	}
	// The key scopes one of them from the command line; the id both.
	one, err := Rows(s, Query{View: "containers", Scope: []Scope{{Kind: "container", ID: "k8s.io/same"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(one); !slices.Equal(got, []string{"k8s.io/same"}) {
		t.Errorf("--scope container=k8s.io/same: %v", got)
	}
}
