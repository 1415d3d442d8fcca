package views

import (
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

// The views tell the collector when they use what processes listen on, so
// that it is read only then: a view with a ports column at each Rows, the
// port-conflict rule when a row wants a port, describe; a view without
// ports and a snapshot that wants no port do not. Processes' io and
// figures: the processes view and the describe text of a process only.
func TestListenersUsedOnlyWhenShown(t *testing.T) {
	calls, ioCalls, figCalls := 0, 0, 0
	SetUsesHook(func(u Uses) {
		if u&UsesListeners != 0 {
			calls++
		}
		if u&UsesProcessIO != 0 {
			ioCalls++
		}
		if u&UsesProcessFigures != 0 {
			figCalls++
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
		ioCalls, figCalls = 0, 0
		used("Rows "+id, true, func() { _, _ = Rows(quiet, Query{View: id}) })
		if (ioCalls > 0) != (id == "processes") {
			t.Errorf("Rows %s: processes' io used %d times", id, ioCalls)
		}
		if (figCalls > 0) != (id == "processes") {
			t.Errorf("Rows %s: processes' figures used %d times", id, figCalls)
		}
	}
	used("port conflicts, nothing wants a port", false, func() { portConflicts(quiet) })
	used("port conflicts, an exited container wants 6379/tcp", true, func() { portConflicts(storySnapshot()) })
	tb, err := Rows(quiet, Query{View: "containers"})
	if err != nil || len(tb.Rows) != 1 {
		t.Fatalf("containers: %v, %+v", err, tb)
	}
	figCalls = 0
	used("describe", true, func() { Describe(quiet, tb.View, tb.Rows[0], DetailsEnv{}) })
	if figCalls != 0 {
		t.Errorf("describe of a container: processes' figures used %d times", figCalls)
	}
	procs := &model.Snapshot{Processes: []model.Process{{ProcessSample: model.ProcessSample{PID: 42, Name: "redis-server", NoFigures: true}}}}
	if pt, err := Rows(procs, Query{View: "processes"}); err != nil || len(pt.Rows) != 1 {
		t.Fatalf("processes: %v, %+v", err, pt)
	} else {
		figCalls = 0
		_, text := Describe(procs, pt.View, pt.Rows[0], DetailsEnv{})
		if figCalls == 0 {
			t.Error("describe of a process: its figures not used")
		}
		// A process of a pass that read no figures: n/a, not zeros.
		for _, line := range []string{"state:       n/a", "rss:         n/a", "threads:     n/a"} {
			if !strings.Contains(text, line) {
				t.Errorf("describe of a process without figures lacks %q:\n%s", line, text)
			}
		}
		for i, c := range pt.View.Columns {
			switch c.ID {
			case "state", "cpu_pct", "mem_pct", "rss_bytes", "threads", "time_s":
				if pt.Rows[0].Values[i] != nil {
					t.Errorf("processes view, a process without figures: %s = %v, want n/a", c.ID, pt.Rows[0].Values[i])
				}
			}
		}
	}
	if ViewUses("containers") != UsesListeners || ViewUses("processes") != UsesListeners|UsesProcessIO|UsesProcessFigures || ViewUses("mesos-tasks") != 0 {
		t.Errorf("ViewUses: containers %v, processes %v, mesos-tasks %v", ViewUses("containers"), ViewUses("processes"), ViewUses("mesos-tasks"))
	}
}
