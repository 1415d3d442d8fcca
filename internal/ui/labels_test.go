package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/settings"
)

// TestChooserOffersTheRowsLabels: on a view with labels, c offers every
// label its rows carry as a column; Space shows it at once with each
// row's value (n/a where the row lacks it), Enter keeps it, and the next
// run opens with it.
func TestChooserOffersTheRowsLabels(t *testing.T) {
	k := &keeper{}
	snap := clusterSnapshot(t)
	h := start(t, 200, 40, Options{Feed: newFakeFeed(snap), View: "marathon-apps", Keep: k.keep})
	h.waitText("/marathon-user")
	h.runes("c")
	h.waitText("Columns: Marathon Apps")
	h.chooserLine("label.DCOS_PACKAGE_NAME")
	h.runes(" ")
	h.key(tcell.KeyEnter)
	s := h.waitText("kept in /test/config.yaml")
	if !strings.Contains(s, "DCOS_PACKAGE_NAME") {
		t.Fatalf("the label's column is not on screen:\n%s", s)
	}
	if l := line(s, "/marathon-user"); !strings.Contains(l, "marathon") || !strings.HasSuffix(strings.TrimSpace(strings.Split(l, "/marathon-user")[1]), "marathon") {
		t.Errorf("/marathon-user's DCOS_PACKAGE_NAME: %q", l)
	}
	if l := line(s, "/lbexample"); !strings.HasSuffix(strings.TrimSpace(l), "n/a") {
		t.Errorf("/lbexample has no label: n/a, got %q", l)
	}
	v, _ := k.get("marathon-apps")
	if !slices.Contains(v.Columns, "label.DCOS_PACKAGE_NAME") {
		t.Errorf("kept %v", v.Columns)
	}

	// The next run opens with the kept label column.
	h2 := start(t, 200, 40, Options{Feed: newFakeFeed(snap), View: "marathon-apps", Views: map[string]settings.View{"marathon-apps": v}})
	h2.waitText("/marathon-user")
	// Off the first page at 200 columns: sideways brings it.
	h2.waitFor("the kept label column on the next run", func(s string) bool {
		if strings.Contains(s, "DCOS_PACKAGE_NAME") {
			return true
		}
		h2.key(tcell.KeyRight)
		return false
	})
}
