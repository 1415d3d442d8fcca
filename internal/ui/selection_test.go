package ui

import (
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
)

// TestCursorStaysAtTopUntilTheUserMoves: the first snapshot has no rates,
// so its order is arbitrary; when rates arrive the busiest rows come to the
// top and must be in view, with the cursor on the first of them.
func TestCursorStaysAtTopUntilTheUserMoves(t *testing.T) {
	first := testSnapshot()
	for i := range first.Containers {
		first.Containers[i].HasRates = false // CPU n/a: rows in build order
	}
	feed := newFakeFeed(first)
	h := start(t, 120, 20, Options{Feed: feed})
	h.waitText("job-1")

	feed.publish(testSnapshot()) // db-1 55%, web-1 12.5%, job-1 1%
	s := h.waitFor("rates", func(s string) bool { return strings.Contains(line(s, "db-1"), "55.0") })
	if !(lineIndex(s, "db-1") < lineIndex(s, "web-1") && lineIndex(s, "web-1") < lineIndex(s, "job-1")) {
		t.Fatalf("busiest first, all in view:\n%s", s)
	}
	if !strings.Contains(s, "1/3") {
		t.Errorf("the cursor should be on the top row:\n%s", s)
	}

	// Once the user picks a row, the cursor follows it.
	h.key(tcell.KeyDown)
	h.waitText("2/3") // web-1
	next := testSnapshot()
	next.Containers[0].CPUPct = 99 // web-1 now busiest
	feed.publish(next)
	h.waitFor("web-1 on top, still selected", func(s string) bool {
		return strings.Contains(line(s, "web-1"), "99.0") && strings.Contains(s, "1/3")
	})
}
