package ui

import (
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
)

// TestAttentionRowsInAlertColour: a container that needs a look is drawn
// in the alert colour, the others are not, and the header counts it.
func TestAttentionRowsInAlertColour(t *testing.T) {
	s := testSnapshot()
	s.Containers[2].Health = "unhealthy" // job-1
	h := start(t, 160, 30, Options{Feed: newFakeFeed(s)})
	screen := h.waitText("job-1")
	if !strings.Contains(screen, "need a look (x): 1 container") {
		t.Errorf("header lacks the count:\n%s", screen)
	}
	fgOf := func(sub string) (fgs map[tcell.Color]int) {
		y := lineIndex(screen, sub)
		x := strings.Index(line(screen, sub), sub)
		fgs = map[tcell.Color]int{}
		h.app.app.QueueUpdate(func() {
			cells, w, _ := h.scr.GetContents()
			for i := x; i < x+len(sub); i++ {
				fg, _, _ := cells[y*w+i].Style.Decompose()
				fgs[fg]++
			}
		})
		return fgs
	}
	if fg := fgOf("job-1"); fg[tcell.ColorRed] != len("job-1") {
		t.Errorf("job-1 (unhealthy) drawn in %v, want red", fg)
	}
	if fg := fgOf("web-1"); fg[tcell.ColorRed] != 0 {
		t.Errorf("web-1 drawn in %v, want no alert colour", fg)
	}
}
