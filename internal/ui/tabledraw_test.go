package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/model"
)

// drawSnapshot is testSnapshot with what a cell can hold besides plain
// ASCII: wide characters, a combining accent, text that reads as a tview
// style tag, a row that needs a look (the alert colour), and enough
// processes to scroll.
func drawSnapshot() *model.Snapshot {
	s := testSnapshot()
	s.Containers[0].Name = "数据库-web"
	s.Containers[1].Name = "[red]db-1[-]"
	s.Containers[2].Name = "cafe\u0301-job"
	one := 1
	s.Containers[2].State, s.Containers[2].ExitCode, s.Containers[2].OOMKilled = "exited", &one, true
	for i := 0; i < 120; i++ {
		p := s.Processes[1]
		p.PID, p.PPID, p.CPUPct = 1000+i, 100, float64(i%17)
		p.Command = fmt.Sprintf("worker --n=%d [x] 数", i)
		s.Processes = append(s.Processes, p)
	}
	return s
}

// tableFrames draws the table twice on screens of the harness's size, on
// its goroutine: with Draw, and as tview's Table draws the same content,
// and says where they differ within the table (nil: nowhere), how many
// cells Draw set and the row under the cursor.
func tableFrames(h *harness) (diffs []string, sets, cells, sel int) {
	h.app.app.QueueUpdate(func() {
		tv := h.app.table
		sel, _ = tv.GetSelection()
		w, ht := h.scr.Size()
		mine := &countScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8")}
		theirs := tcell.NewSimulationScreen("UTF-8")
		for _, s := range []tcell.SimulationScreen{mine.SimulationScreen, theirs} {
			if err := s.Init(); err != nil {
				h.t.Error(err)
				return
			}
			s.SetSize(w, ht)
		}
		tv.Draw(mine)
		tv.Table.Draw(theirs)
		x0, y0, tw, th := tv.GetInnerRect()
		cells, sets = tw*th, mine.sets
		for y := y0; y < y0+th; y++ {
			for x := x0; x < x0+tw; x++ {
				t1, s1, w1 := mine.Get(x, y)
				t2, s2, w2 := theirs.Get(x, y)
				if t1 != t2 || s1 != s2 || w1 != w2 {
					diffs = append(diffs, fmt.Sprintf("(%d,%d): %q %v %d, tview %q %v %d", x, y, t1, s1, w1, t2, s2, w2))
				}
			}
		}
	})
	return diffs, sets, cells, sel
}

// countScreen counts the cells set on it.
type countScreen struct {
	tcell.SimulationScreen
	sets int
}

func (c *countScreen) SetContent(x, y int, m rune, comb []rune, st tcell.Style) {
	c.sets++
	c.SimulationScreen.SetContent(x, y, m, comb, st)
}

// TestTableDrawnAsTviewDrewIt: the table's frame is, cell for cell (each
// character, its combining marks and style), what tview's Table draws
// of the same rows: the header with the sort column marked, plain, wide,
// combining and tag-like text, a row in the alert colour, the row under
// the cursor, a column cut at the edge, tree mode's branches, with and
// without colour, scrolled down a page.
func TestTableDrawnAsTviewDrewIt(t *testing.T) {
	for _, tc := range []struct {
		name, view, color string
		w, h              int
		keys              func(h *harness)
	}{
		{"containers", "containers", "never", 160, 30, func(h *harness) { h.runes("j") }},
		{"containers in colour", "containers", "always", 100, 24, func(h *harness) { h.runes("jj") }},
		{"processes cut", "processes", "always", 73, 20, func(h *harness) { h.key(tcell.KeyPgDn); h.runes("k") }},
		{"processes tree", "processes", "never", 90, 20, func(h *harness) { h.runes("tj") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, tc.w, tc.h, Options{Feed: newFakeFeed(drawSnapshot()), View: tc.view, Color: tc.color, ReadOnly: true})
			h.waitText("CPU%")
			tc.keys(h)
			if tc.view == "processes" {
				h.waitText("worker --n=")
			} else {
				h.waitText("db-1")
			}
			diffs, _, _, sel := tableFrames(h)
			if sel < 1 {
				t.Fatalf("no row under the cursor: %d", sel)
			}
			if len(diffs) > 0 {
				t.Errorf("%d cells differ from tview's, the first: %s\n%s", len(diffs), strings.Join(diffs[:min(len(diffs), 8)], "\n"), h.screen())
			}
		})
	}
}

// TestTableFrameSetsEachCellOnce: a frame of the table sets each of its
// cells once. (On the code before, tview's Table set each cell three
// times: its clear, the text, then the background; with its text
// segmenter that was two thirds of a key's frame at 10,000 rows.)
func TestTableFrameSetsEachCellOnce(t *testing.T) {
	h := start(t, 120, 30, Options{Feed: newFakeFeed(drawSnapshot()), View: "processes", Color: "never", ReadOnly: true})
	h.waitText("worker --n=")
	_, sets, cells, _ := tableFrames(h)
	if cells == 0 || sets > cells {
		t.Errorf("%d cells set for a table of %d", sets, cells)
	}
}
