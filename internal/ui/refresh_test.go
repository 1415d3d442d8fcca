package ui

import (
	"strings"
	"testing"
)

// TestTableCatchesUpWithASnapshotThatCameWhileBusy: a snapshot that
// arrives while the table of the one before is being computed is not
// lost: once that table is drawn, the newest is. Before, it was dropped,
// and with no snapshot after it (a paused replay stepped back, a feed that
// stalls) the table kept showing the older one under a header that
// already showed the newer.
func TestTableCatchesUpWithASnapshotThatCameWhileBusy(t *testing.T) {
	feed := newFakeFeed(testSnapshot())
	h := start(t, 120, 30, Options{Feed: feed})
	h.waitText("web-1")
	for _, cpu := range []float64{71, 72} { // back to back: 72 comes while 71's table is made
		s := testSnapshot()
		s.Containers[0].CPUPct = cpu
		feed.publish(s)
	}
	h.waitFor("web-1 at the last snapshot's 72.0 %", func(s string) bool { return strings.Contains(line(s, "web-1"), "72.0") })
}
