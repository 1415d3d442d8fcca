package ui

import (
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/termtext"
)

// Untrusted text on the screen: a container named with an OSC 52 clipboard
// write, a title change, a clear-screen, a C1 CSI and a bidi override, with
// labels and a cluster app as hostile, is drawn as text. Nothing the
// terminal would act on reaches a cell, in the table, the breadcrumb or
// the details panel.
func TestHostileTextIsDrawnAsText(t *testing.T) {
	s := testSnapshot()
	hostile := "evil\x1b]52;c;aGVsbG8=\x07\x1b]0;pwned\x07\x1b[2J\u009b31m\u202egnp.exe"
	s.Containers[0].Name = hostile
	s.Containers[0].Labels = map[string]string{"note\x1b[2J": "x\u2066y\x1b]0;t\x07"}
	s.Containers[0].Cluster.App = "/shop/\x1b[31mred\u202e"
	s.Containers[0].CPUPct = 99 // first row
	s.Host = "node\x1b]0;title\x07\u202e-7"
	s.Errors = []string{"marathon http://m:8080: HTTP 500: \x1b]52;c;Y2xpcA==\x07\x1b[2J\u2067boom"}
	h := start(t, 160, 30, Options{Feed: newFakeFeed(s)})
	h.waitText("evil")
	check := func(where string) {
		t.Helper()
		bad, at := rune(0), -1
		// The app draws on its own goroutine: read the cells on it.
		h.app.app.QueueUpdate(func() {
			cells, _, _ := h.scr.GetContents()
			for i, c := range cells {
				for _, r := range string(c.Bytes) {
					if at < 0 && (termtext.IsControl(r) || termtext.IsBidi(r)) {
						bad, at = r, i
					}
				}
			}
		})
		if at >= 0 {
			t.Fatalf("%s: cell %d holds %U", where, at, bad)
		}
	}
	check("table")
	if scr := h.screen(); !strings.Contains(scr, "]52;c;aGVsbG8=") {
		t.Errorf("the name is not shown as text:\n%s", scr)
	}
	h.runes("d") // details of the selected (hostile) row
	h.waitText("note")
	check("details")
	h.key(tcell.KeyEscape)
	h.key(tcell.KeyEnter) // drill: the breadcrumb names the container
	h.waitText("Processes")
	check("breadcrumb")
}

// The screen every widget draws on turns what a terminal would act on into
// '?' (a primary character) or drops it (a combining one), whoever calls
// SetContent: a widget written later that forgets to clean its text still
// cannot send an escape sequence.
func TestSafeScreenDrawsNoControl(t *testing.T) {
	sim := tcell.NewSimulationScreen("UTF-8")
	if err := sim.Init(); err != nil {
		t.Fatal(err)
	}
	defer sim.Fini()
	sim.SetSize(8, 1)
	s := safeScreen{Screen: sim, lost: newLostTerminal()}
	for i, r := range []rune{'\x1b', '\u009b', '\u202e', '\u2066', '\x07', 'a'} {
		s.SetContent(i, 0, r, []rune{'\u0301', '\x1b', '\u202d'}, tcell.StyleDefault)
	}
	sim.Show()
	cells, _, _ := sim.GetContents()
	var got []string
	for _, c := range cells[:6] {
		got = append(got, string(c.Bytes))
	}
	want := []string{"?\u0301", "?\u0301", "?\u0301", "?\u0301", "?\u0301", "a\u0301"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("cells %q, want %q", got, want)
	}
}

// TestSafeScreenDrawsASCIIWithoutAllocating: a cell of printable ASCII,
// what nearly every cell of a frame holds, is set as tcell's SetContent
// sets it and allocates nothing; other text is set as before. (On the
// code before, each cell cost an allocation: 8,000 a frame of 160x50
// drawn once.)
func TestSafeScreenDrawsASCIIWithoutAllocating(t *testing.T) {
	sim := tcell.NewSimulationScreen("UTF-8")
	if err := sim.Init(); err != nil {
		t.Fatal(err)
	}
	defer sim.Fini()
	sim.SetSize(4, 1)
	s := safeScreen{Screen: sim, lost: newLostTerminal()}
	st := tcell.StyleDefault.Bold(true)
	if n := testing.AllocsPerRun(100, func() { s.SetContent(0, 0, 'x', nil, st) }); n != 0 {
		t.Errorf("%.0f allocations for an ASCII cell", n)
	}
	s.SetContent(1, 0, '~', nil, st)
	s.SetContent(2, 0, 'é', nil, st)
	s.SetContent(3, 0, 'e', []rune{'\u0301'}, st)
	for x, want := range []string{"x", "~", "é", "e\u0301"} {
		if got, gst, w := sim.Get(x, 0); got != want || gst != st || w != 1 {
			t.Errorf("cell %d: %q %v %d, want %q %v 1", x, got, gst, w, want, st)
		}
	}
}
