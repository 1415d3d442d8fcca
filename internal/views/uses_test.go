package views

import (
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

// The views tell the collector when they use what processes listen on, so
// that it is read only then: a view with a ports column at each Rows, the
// port-conflict rule when a row wants a port, describe; a view without
// ports and a snapshot that wants no port do not. Processes' io: the
// processes view only.
func TestListenersUsedOnlyWhenShown(t *testing.T) {
	calls, ioCalls := 0, 0
	SetUsesHook(func(u Uses) {
		if u&UsesListeners != 0 {
			calls++
		}
		if u&UsesProcessIO != 0 {
			ioCalls++
		}
	})
	defer SetUsesHook(nil)
	used := func(what string, want bool, f func()) {
		t.Helper()
		calls = 0
		f()
		if (calls > 0) != want {
			t.Errorf("%s: listeners wanted %d times, want used=%v", what, calls, want)
		}
	}
	quiet := &model.Snapshot{Containers: []model.Container{{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}}}}
	quiet.Containers[0].ID, quiet.Containers[0].Name, quiet.Containers[0].State = "c1", "c1", "running"
	for _, id := range []string{"mesos-frameworks", "marathon-apps", "agents"} {
		used("Rows "+id, false, func() { _, _ = Rows(quiet, Query{View: id}) })
	}
	for _, id := range []string{"containers", "processes"} {
		ioCalls = 0
		used("Rows "+id, true, func() { _, _ = Rows(quiet, Query{View: id}) })
		if (ioCalls > 0) != (id == "processes") {
			t.Errorf("Rows %s: processes' io used %d times", id, ioCalls)
		}
	}
	used("port conflicts, nothing wants a port", false, func() { portConflicts(quiet) })
	used("port conflicts, an exited container wants 6379/tcp", true, func() { portConflicts(storySnapshot()) })
	tb, err := Rows(quiet, Query{View: "containers"})
	if err != nil || len(tb.Rows) != 1 {
		t.Fatalf("containers: %v, %+v", err, tb)
	}
	used("describe", true, func() { Describe(quiet, tb.View, tb.Rows[0], DetailsEnv{}) })
	if ViewUses("containers") != UsesListeners || ViewUses("processes") != UsesListeners|UsesProcessIO || ViewUses("mesos-tasks") != 0 {
		t.Errorf("ViewUses: containers %v, processes %v, mesos-tasks %v", ViewUses("containers"), ViewUses("processes"), ViewUses("mesos-tasks"))
	}
}
