package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
)

// clusterSnapshot is testSnapshot's node placed in pair A's cluster (one
// DC/OS cluster seen by both Mesos and Marathon): web-1 runs a
// development_logging task, the others are unplaced.
func clusterSnapshot(t *testing.T) *model.Snapshot {
	t.Helper()
	open := func(name string) *os.File {
		f, err := os.Open(filepath.Join("..", "orchestrator", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	cl, err := orchestrator.ParseCluster(open("mesos/pairA_master_state_mesos-1.2.0.json"), open("marathon/pairA_v2_groups_embed-tasks.json"), "node-7", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := testSnapshot()
	for i := range s.Containers {
		s.Containers[i].Cluster = model.ClusterFields{}
		s.Containers[i].Env = model.Env{}
	}
	s.Containers[0].Env = model.EnvOf(map[string]string{"MESOS_TASK_ID": "development_logging.a6f0bb45-c64b-11e6-9066-5a8a388c67a1"})
	s.Cluster = cl
	orchestrator.Match(s, cl)
	return s
}

// selectRow filters the current level to rows matching expr and waits for
// want to be the only data row shown.
func (h *harness) selectRow(expr, want string) {
	h.t.Helper()
	h.runes(`\`)
	h.runes(expr)
	h.key(tcell.KeyEnter)
	h.waitFor(want+" alone", func(s string) bool { return strings.Contains(s, want) && dataRows(s) == 1 })
}

// dataRows counts the table's rows: the lines between the column titles
// (the line with CPU%) and the hint bar.
func dataRows(screen string) int {
	n, in := 0, false
	for _, l := range strings.Split(screen, "\n") {
		switch {
		case strings.Contains(l, "F1Help"):
			return n
		case strings.Contains(l, "CPU%"):
			in = true
		case in && strings.TrimSpace(l) != "":
			n++
		}
	}
	return n
}

// TestClusterDrillDownChain walks Frameworks → Groups → Apps → Containers →
// Processes, as a user drilling from the cluster to a process would.
func TestClusterDrillDownChain(t *testing.T) {
	h := start(t, 100, 40, Options{Feed: newFakeFeed(clusterSnapshot(t)), View: "mesos-frameworks"})
	s := h.waitText("confluent-kafka")
	for _, fw := range []string{"marathon", "metronome"} {
		if !strings.Contains(s, fw) {
			t.Fatalf("frameworks view lacks %s:\n%s", fw, s)
		}
	}

	h.selectRow("framework=marathon", "marathon")
	h.key(tcell.KeyEnter)
	// The rows are computed off the UI goroutine: wait for them, not
	// just for the breadcrumb.
	h.waitFor("marathon's groups", func(s string) bool {
		return strings.Contains(s, "Marathon Groups") && strings.Contains(s, "/development") && strings.Contains(s, "APPS")
	})

	h.selectRow("group=/development", "/development")
	h.key(tcell.KeyEnter)
	h.waitFor("the apps of /development", func(s string) bool {
		return strings.Contains(s, "Marathon Apps") && strings.Contains(s, "/development/logging") && strings.Contains(s, "INST")
	})

	h.selectRow("app=/development/logging", "/development/logging")
	h.key(tcell.KeyEnter)
	s = h.waitFor("the app's containers", func(s string) bool { return strings.Contains(s, "web-1") && strings.Contains(s, "NAME") })
	for _, other := range []string{"db-1", "job-1"} {
		if strings.Contains(s, other) {
			t.Errorf("container %s is not the app's:\n%s", other, s)
		}
	}

	h.key(tcell.KeyEnter)
	s = h.waitText("nginx-worker")
	if strings.Contains(s, "postgres") {
		t.Errorf("another container's process shown:\n%s", s)
	}
	// The path is longer than the screen: its start gives way, the end
	// (where the user is) stays.
	crumb := line(s, "web-1 › Processes")
	for _, step := range []string{"/development/logging", "Containers", "web-1", "Processes"} {
		if !strings.Contains(crumb, step) {
			t.Errorf("breadcrumb %q lacks %q", crumb, step)
		}
	}
	if !strings.HasPrefix(crumb, "…") {
		t.Errorf("a cut breadcrumb starts with …: %q", crumb)
	}
	t.Log(crumb)

	// Back up to the apps, one level at a time.
	h.key(tcell.KeyBackspace2)
	h.waitFor("containers again", func(s string) bool { return strings.Contains(s, "web-1") && !strings.Contains(s, "nginx-worker") })
	h.key(tcell.KeyBackspace2)
	h.waitFor("the apps again", func(s string) bool { return strings.Contains(s, "INST") && strings.Contains(s, "/development/logging") })
}
