package ui

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/settings"
	"github.com/ctop-like/ctop-like/internal/views"
)

// headerCells is what the screen shows in the table's title row under each
// column that is wholly on screen, by column index of the view.
func (h *harness) headerCells() map[int]string {
	out := map[int]string{}
	h.app.app.QueueUpdate(func() {
		tv := h.app.table
		if tv.data == nil {
			return
		}
		x0, y, _, _ := tv.GetInnerRect()
		cells, w, _ := h.scr.GetContents()
		x := x0
		vis := tv.onScreen()
		for _, k := range vis { // after the fixed columns, those from the offset on
			var b strings.Builder
			for i := x; i < x+tv.widths[k] && i < w; i++ {
				c := cells[y*w+i]
				if len(c.Bytes) == 0 {
					b.WriteByte(' ')
				} else {
					b.Write(c.Bytes)
				}
			}
			out[tv.cols[k]] = strings.TrimSpace(b.String())
			x += tv.widths[k] + 1
		}
	})
	return out
}

// TestEveryColumnOfEveryViewComesOnScreenAt80x24 walks every view at
// 80×24 and brings each of its columns on screen with the keys a user
// has: Right (or }) until the column's title is whole under it. A column
// that no key brings on screen fails.
func TestEveryColumnOfEveryViewComesOnScreenAt80x24(t *testing.T) {
	snap := clusterSnapshot(t)
	for _, v := range views.All() {
		t.Run(v.ID, func(t *testing.T) {
			h := start(t, 80, 24, Options{Feed: newFakeFeed(snap), View: v.ID})
			h.waitFor("the titles", func(string) bool { return len(h.headerCells()) > 0 })
			// Left to right as the screen lays them out: the first page,
			// then the columns that did not fit it.
			var order []int
			h.app.app.QueueUpdate(func() { order = slices.Clone(h.app.table.cols) })
			if len(order) != len(v.Columns) {
				t.Fatalf("%s: %d of %d columns laid out", v.ID, len(order), len(v.Columns))
			}
			keys := 0
			for _, ci := range order {
				c := v.Columns[ci]
				for {
					if got, ok := h.headerCells()[ci]; ok {
						if !strings.HasPrefix(got, c.Title) {
							t.Errorf("%s: column %s shows its title as %q", v.ID, c.ID, got)
						}
						break
					}
					if keys > 4*len(v.Columns) {
						t.Fatalf("%s: column %s never came on screen after %d keys:\n%s", v.ID, c.ID, keys, h.screen())
					}
					// Right and } in turn: both are the sideways keys.
					before := fmt.Sprint(h.headerCells())
					if keys%2 == 0 {
						h.key(tcell.KeyRight)
					} else {
						h.runes("}")
					}
					keys++
					moved := false
					for deadline := time.Now().Add(3 * time.Second); !moved && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
						moved = fmt.Sprint(h.headerCells()) != before
					}
					if !moved {
						t.Fatalf("%s: column %s is not on screen and the sideways keys move nothing:\n%s", v.ID, c.ID, h.screen())
					}
				}
			}
			for _, l := range h.text() {
				if n := len([]rune(l)); n > 80 {
					t.Errorf("a line of %d cells: %q", n, l)
				}
			}
			t.Logf("%s: %d columns, %d sideways keys", v.ID, len(v.Columns), keys)
		})
	}
}

// TestSidewaysScrollingKeepsTheNameAndMarksWhatIsOff: scrolled right, the
// containers' id and name stay put, the breadcrumb line says columns are
// off to both sides, and Left comes back to the first page.
func TestSidewaysScrollingKeepsTheNameAndMarksWhatIsOff(t *testing.T) {
	h := start(t, 80, 24, Options{})
	s := h.waitText("web-1")
	crumb := line(s, "Containers")
	if !strings.HasSuffix(crumb, "▸ 1/3") || strings.Contains(crumb, "◂") {
		t.Errorf("first page: the breadcrumb line should say more is right: %q", crumb)
	}
	for i := 0; i < 6; i++ {
		h.key(tcell.KeyRight)
	}
	s = h.waitFor("columns scrolled", func(s string) bool { return strings.Contains(line(s, "Containers"), "◂") })
	head := line(s, "NAME")
	if !strings.HasPrefix(head, "ID") || !strings.Contains(head, "NAME") || strings.Contains(head, "CPU%") {
		t.Errorf("scrolled right, the id and name stay and the first page's figures go:\n%s", s)
	}
	if !strings.Contains(line(s, "web-1"), "web-1") {
		t.Errorf("the row lost its name:\n%s", s)
	}
	for i := 0; i < 6; i++ {
		h.runes("{")
	}
	s = h.waitFor("back on the first page", func(s string) bool { return strings.Contains(line(s, "NAME"), "CPU%") })
	if strings.Contains(line(s, "Containers"), "◂") {
		t.Errorf("back on the first page, nothing is off to the left:\n%s", s)
	}
}

// TestReplayKeepsLeftRightAndScrollsWithBraces: in a replay Left/Right
// step through the recording, as before; { } scroll the columns.
func TestReplayKeepsLeftRightAndScrollsWithBraces(t *testing.T) {
	h := replayHarness(t, replayFeed(t))
	h.scr.SetSize(80, 24)
	h.waitFor("the first snapshot", func(s string) bool { return strings.Contains(s, "(1/5)") && strings.Contains(s, "web-1") })
	h.key(tcell.KeyRight)
	s := h.waitText("(2/5)")
	if strings.Contains(line(s, "Containers"), "◂") {
		t.Errorf("Right scrolled the columns in a replay:\n%s", s)
	}
	h.runes("}")
	s = h.waitFor("the columns scrolled by }", func(s string) bool { return strings.Contains(line(s, "Containers"), "◂") })
	if !strings.Contains(s, "(2/5)") {
		t.Errorf("} moved the replay:\n%s", s)
	}
}

// TestTheNameAttentionAndPlacementStayOnTheFirstPage: at any width from
// 80 columns the containers view shows the name, why a row needs a look
// and the app that placed it (its end, which names it) before anything of
// less worth; before, ATTENTION went at 100 columns while IMAGE and LIMIT
// stayed, and APP came only from about 160.
func TestTheNameAttentionAndPlacementStayOnTheFirstPage(t *testing.T) {
	snap := clusterSnapshot(t)
	snap.Containers[0].Health = "unhealthy" // web-1, of /development/logging
	for _, w := range []int{80, 100, 120, 160} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			h := start(t, w, 24, Options{Feed: newFakeFeed(snap)})
			s := h.waitText("web-1")
			head := line(s, "NAME")
			for _, title := range []string{"NAME", "CPU%", "APP", "ATTENTION"} {
				if !strings.Contains(head, title) {
					t.Errorf("at %d columns the titles lack %s: %q", w, title, head)
				}
			}
			row := line(s, "web-1")
			if !strings.Contains(row, "unhealthy") || !strings.Contains(row, "logging") {
				t.Errorf("at %d columns web-1 does not say why it needs a look and which app it is: %q", w, row)
			}
			if w >= 100 && !strings.Contains(head, "STATE") {
				t.Errorf("at %d columns STATE is gone: %q", w, head)
			}
		})
	}
}

// TestExplainingColumnsGetTheRoom: at 250 columns an app's last failure
// reads as far as the screen allows, not 24 cells.
func TestExplainingColumnsGetTheRoom(t *testing.T) {
	h := start(t, 250, 30, Options{Feed: newFakeFeed(clusterSnapshot(t)), View: "marathon-apps"})
	s := h.waitText("/development/logging")
	row := line(s, "/development/logging")
	// Before, 23 cells: "Task was killed since h…".
	want := "Task was killed since health check failed. Reason: ConnectionAttemptFailedException"
	if !strings.Contains(row, want) {
		t.Errorf("the last failure is cut short at 250 columns:\n%s", row)
	}
	for _, l := range h.text() {
		if n := len([]rune(l)); n > 250 {
			t.Errorf("a line of %d cells", n)
		}
	}
}

// TestSelectionReversesTheWholeRow: the selected row is drawn in the
// selection's style from the first cell to the last of the screen, with
// colour and without (vt100), an attention row too; before, the cells
// right of the last column kept the plain style.
func TestSelectionReversesTheWholeRow(t *testing.T) {
	for _, color := range []string{"never", "always"} {
		t.Run(color, func(t *testing.T) {
			s := testSnapshot()
			s.Containers[1].Health = "unhealthy" // db-1: the first row (55 %), selected
			h := start(t, 200, 20, Options{Feed: newFakeFeed(s), Color: color})
			scr := h.waitText("db-1")
			y := lineIndex(scr, "db-1")
			want := h.app.th.selected
			var bad []int
			h.app.app.QueueUpdate(func() {
				cells, w, _ := h.scr.GetContents()
				for x := 0; x < w; x++ {
					fg, bg, attr := cells[y*w+x].Style.Decompose()
					wfg, wbg, wattr := want.Decompose()
					if fg != wfg || bg != wbg || attr&tcell.AttrReverse != wattr&tcell.AttrReverse {
						bad = append(bad, x)
					}
				}
			})
			if len(bad) > 0 {
				t.Errorf("cells %d…%d of the selected row are not in the selection's style (%d cells)", bad[0], bad[len(bad)-1], len(bad))
			}
		})
	}
}

// keeper records what the chooser keeps.
type keeper struct {
	mu   sync.Mutex
	kept map[string]settings.View
}

func (k *keeper) keep(view string, v settings.View) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.kept == nil {
		k.kept = map[string]settings.View{}
	}
	k.kept[view] = v
	return "/test/config.yaml", nil
}

func (k *keeper) get(view string) (settings.View, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.kept[view]
	return v, ok
}

// chooserLine moves the chooser's cursor to the column with this id,
// with the keys a user has.
func (h *harness) chooserLine(id string) {
	h.t.Helper()
	at := func() (string, int) {
		var s string
		n := -1
		h.app.app.QueueUpdate(func() {
			if c, ok := h.app.overlayFocus.(*chooser); ok {
				s, n = c.cols[c.items[c.cur].col].ID, c.cur
			}
		})
		return s, n
	}
	h.key(tcell.KeyHome)
	h.waitFor("the chooser's first line", func(string) bool { _, n := at(); return n == 0 })
	for i := 0; i < 80; i++ {
		s, n := at()
		if s == id {
			return
		}
		h.key(tcell.KeyDown)
		h.waitFor("the cursor to move", func(string) bool { _, m := at(); return m != n })
	}
	h.t.Fatalf("no line for %s in the chooser:\n%s", id, h.screen())
}

// TestColumnChooserHidesMovesAndKeeps: c lists the view's columns; Space
// hides one and the table loses it at once, J moves one right, Esc puts
// back what was there, Enter keeps the choice (and the sort) and says
// where.
func TestColumnChooserHidesMovesAndKeeps(t *testing.T) {
	k := &keeper{}
	h := start(t, 160, 40, Options{Keep: k.keep})
	h.waitText("web-1")
	h.runes("c")
	h.waitText("Columns: Containers")
	h.chooserLine("image")
	h.runes(" ")
	h.waitFor("IMAGE hidden", func(s string) bool { return !strings.Contains(line(s, "NAME"), "IMAGE") })
	h.key(tcell.KeyEscape)
	h.waitFor("IMAGE back after Esc", func(s string) bool {
		return !strings.Contains(s, "Columns: Containers") && strings.Contains(line(s, "NAME"), "IMAGE")
	})
	if _, ok := k.get("containers"); ok {
		t.Error("Esc kept something")
	}

	h.runes("c")
	h.waitText("Columns: Containers")
	h.chooserLine("image")
	h.runes(" ")
	h.chooserLine("name")
	h.runes("K") // NAME before ID
	h.waitFor("NAME first", func(s string) bool { return strings.HasPrefix(line(s, "CPU%▼"), "NAME") })
	h.key(tcell.KeyEnter)
	s := h.waitText("kept in /test/config.yaml")
	if strings.Contains(line(s, "NAME"), "IMAGE") {
		t.Errorf("IMAGE shows after it was hidden:\n%s", s)
	}
	v, ok := k.get("containers")
	if !ok {
		t.Fatal("Enter kept nothing")
	}
	v0 := views.Get("containers")
	if len(v.Columns) != len(v0.Columns)-1 || v.Columns[0] != "name" || v.Columns[1] != "id" || slices.Contains(v.Columns, "image") {
		t.Errorf("kept columns %v", v.Columns)
	}
	if v.Sort != "" {
		t.Errorf("the view's default sort was kept as %q", v.Sort)
	}
	// CPU% inverted (ascending) and kept again: the sort goes with the
	// columns.
	h.runes("I")
	h.waitText("CPU%▲")
	h.runes("c")
	h.waitText("Columns: Containers")
	h.key(tcell.KeyEnter)
	h.waitGone("Columns: Containers")
	if v, _ := k.get("containers"); v.Sort != "cpu_pct" || v.Desc || v.Columns[0] != "name" {
		t.Errorf("kept %+v, want the columns and cpu_pct ascending", v)
	}
}

// TestChosenColumnsAndSortApplyWhereverTheViewOpens: the settings' choice
// for a view holds when the view is opened from the command line, the
// menu or a drill-down.
func TestChosenColumnsAndSortApplyWhereverTheViewOpens(t *testing.T) {
	opts := Options{Views: map[string]settings.View{
		"processes":  {Columns: []string{"command", "pid", "user"}, Sort: "pid"},
		"containers": {Sort: "mem_bytes", Desc: true},
	}}
	h := start(t, 120, 30, opts)
	s := h.waitText("web-1")
	if !strings.Contains(s, "MEM▼") {
		t.Errorf("containers did not open sorted by memory:\n%s", s)
	}
	h.key(tcell.KeyEnter) // db-1 (700M) first
	s = h.waitText("postgres")
	head := strings.Fields(line(s, "COMMAND"))
	if !slices.Equal(head, []string{"PID▲", "USER", "COMMAND"}) {
		t.Errorf("processes show %v, want the chosen PID USER COMMAND (the command last), by pid", head)
	}
}

// TestErrorsWrapWholeAndMShowsThemAll: an error longer than the screen is
// wrapped, not cut before its reason; many errors are counted on the last
// line and m lists them all with their count.
func TestErrorsWrapWholeAndMShowsThemAll(t *testing.T) {
	snap := testSnapshot()
	long := "docker exec " + strings.Repeat("0123456789abcdef", 4) + ": container " + strings.Repeat("0123456789abcdef", 4) + " is not running"
	snap.Errors = []string{long}
	feed := newFakeFeed(snap)
	h := start(t, 80, 24, Options{Feed: feed})
	s := h.waitFor("the error and the rows", func(s string) bool { return strings.Contains(s, "docker exec") && strings.Contains(s, "web-1") })
	if !strings.Contains(s, "not running") {
		t.Errorf("the error is cut before its reason:\n%s", s)
	}

	more := testSnapshot()
	for i := 1; i <= 6; i++ {
		more.Errors = append(more.Errors, fmt.Sprintf("source %d: connection refused (stale %d s)", i, 10*i))
	}
	feed.publish(more)
	s = h.waitText("source 1")
	if !strings.Contains(s, "m: all 6") {
		t.Errorf("the message lines do not count what they leave out:\n%s", s)
	}
	h.runes("m")
	s = h.waitText("6 errors")
	for i := 1; i <= 6; i++ {
		if !strings.Contains(s, fmt.Sprintf("source %d: connection refused (stale %d s)", i, 10*i)) {
			t.Errorf("m lacks error %d:\n%s", i, s)
		}
	}
	h.key(tcell.KeyEscape)
	h.waitGone("6 errors")
}

// TestHeaderLinesAreCutWithAnEllipsis: a header line wider than the
// screen ends in …, so that it does not read as whole.
func TestHeaderLinesAreCutWithAnEllipsis(t *testing.T) {
	snap := testSnapshot()
	snap.Host = "a-node-with-a-really-long-fully-qualified-name.datacenter-7.example.org"
	h := start(t, 40, 24, Options{Feed: newFakeFeed(snap)})
	s := h.waitText("a-node-with")
	if l := line(s, "a-node-with"); !strings.Contains(l, "…") {
		t.Errorf("the host line is cut without …: %q", l)
	}
	if l := line(s, "4 CPUs"); !strings.HasSuffix(l, "…") {
		t.Errorf("the counts line is cut without …: %q", l)
	}
}

// TestSettingsProblemsShowAtStart: Notes (the settings file's problems)
// are on the message line until the first key.
func TestSettingsProblemsShowAtStart(t *testing.T) {
	h := start(t, 120, 30, Options{Notes: []string{"/root/.config/ctop-like/config.yaml:3: unknown setting \"colour\""}})
	h.waitText("config.yaml:3: unknown setting")
	h.runes("p")
	h.waitGone("config.yaml:3")
}

// TestMessagesBoxShowsBracketsAsWritten: an error quoting "[red]" (as a
// Go map or a log line does) reads the same in m's box.
func TestMessagesBoxShowsBracketsAsWritten(t *testing.T) {
	snap := testSnapshot()
	snap.Errors = []string{`marathon: 409 {"message":"[red]deployment in progress[-]"}`}
	h := start(t, 100, 30, Options{Feed: newFakeFeed(snap)})
	h.waitText("deployment in progress")
	h.runes("m")
	s := h.waitText("1 error")
	if !strings.Contains(s, `1. marathon: 409 {"message":"[red]deployment in progress[-]"}`) {
		t.Errorf("the box changed the error:\n%s", s)
	}
}
