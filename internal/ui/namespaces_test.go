package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/actions"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// cgroupActions plan deeds that name the cgroup they act on, as the
// wiring's cgroup backend does for containerd's containers.
type cgroupActions struct{ fakeActions }

func (c *cgroupActions) Container(ref views.ContainerRef, action, arg string) (actions.Deed, error) {
	return fakeDeed{&c.fakeActions, fmt.Sprintf("%s cgroup %s", action, ref.Cgroup), action + " " + ref.Cgroup}, nil
}

// twoNamespaces is testSnapshot with one containerd container id running
// in two namespaces, a team's and k8s.io, at the CPU given to each.
func twoNamespaces(teamCPU, k8sCPU float64) *model.Snapshot {
	s := testSnapshot()
	mk := func(ns string, cpu float64) model.Container {
		c := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}, HasRates: true, CPUPct: cpu}
		c.ID, c.Name, c.Runtime, c.State = "same-1", "same-1", model.RuntimeContainerd, "running"
		c.ContainerdNamespace, c.Cgroup, c.Can = ns, "/"+ns+"/same-1", cgroupCan
		return c
	}
	s.Containers = append(s.Containers, mk("team", teamCPU), mk("k8s.io", k8sCPU))
	return s
}

// Issue 19 item 6: with one id in two containerd namespaces, the cursor
// stays on the row the user picked when a refresh reorders the two, and
// an action's confirmation and the action itself are the picked row's
// (its cgroup), never the other's.
func TestSameIDInTwoNamespacesKeepsTheSelection(t *testing.T) {
	feed := newFakeFeed(twoNamespaces(20, 30)) // db-1 55, k8s.io 30, team 20, web-1 12.5, job-1 1
	acts := &cgroupActions{}
	h := start(t, 140, 20, Options{Feed: feed, Actions: acts})
	h.waitFor("rates", func(s string) bool { return strings.Contains(s, "30.0") && strings.Contains(s, "1/5") })
	h.key(tcell.KeyDown)
	h.waitText("2/5") // the k8s.io one
	h.runes(":pause")
	h.key(tcell.KeyEnter)
	h.waitText("cgroup /k8s.io/same-1")
	h.runes("y")
	h.waitText("pause: done")

	feed.publish(twoNamespaces(30, 20)) // the team's now above the k8s.io one
	h.waitFor("the team's row above", func(s string) bool {
		return strings.Contains(s, "30.0") && strings.Index(s, "30.0") < strings.Index(s, "20.0")
	})
	h.waitFor("the cursor on the k8s.io row, now third", func(s string) bool { return strings.Contains(s, "3/5") })
	h.runes(":kill")
	h.key(tcell.KeyEnter)
	s := h.waitText("Kill cgroup")
	if !strings.Contains(s, "Kill cgroup /k8s.io/same-1") {
		t.Fatalf("the confirmation names another cgroup than the selected row's:\n%s", s)
	}
	h.runes("y")
	h.waitText("kill: done")
	if c := acts.get(); len(c) != 2 || c[0] != "pause /k8s.io/same-1" || c[1] != "kill /k8s.io/same-1" {
		t.Errorf("actions done: %v, want pause and kill of /k8s.io/same-1", c)
	}
}
