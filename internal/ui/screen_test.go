package ui

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/ctop-like/ctop-like/internal/model"
)

// Tests for what real terminals found (issue 11, "The screen"): mouse,
// wheel, keys, repaint, suspend and what a cell shows.

// click presses and releases the left button at (x, y), then waits out
// tview's double-click interval so that the next click is one too.
func (h *harness) click(x, y int) {
	h.scr.InjectMouse(x, y, tcell.Button1, tcell.ModNone)
	h.scr.InjectMouse(x, y, tcell.ButtonNone, tcell.ModNone)
	time.Sleep(tview.DoubleClickInterval + 50*time.Millisecond)
}

// manyProcesses is testSnapshot with n more processes, numbered so that
// the busiest comes first and each has a command naming its number.
func manyProcesses(n int) *model.Snapshot {
	s := testSnapshot()
	for i := 0; i < n; i++ {
		p := model.Process{HasRates: true, CPUPct: float64(n - i)}
		p.PID, p.PPID, p.User, p.State, p.Threads = 1000+i, 1, "root", "S", 1
		p.Command = fmt.Sprintf("worker-%03d", i)
		p.Name = p.Command
		s.Processes = append(s.Processes, p)
	}
	return s
}

func TestClicksOutsideTheTableKeepTheKeyboard(t *testing.T) {
	h := start(t, 120, 40, Options{})
	s := h.waitText("web-1")
	// The header, the breadcrumb, the message line's place and an empty
	// stretch of the hint bar.
	for _, y := range []int{0, 2, lineIndex(s, "Containers"), 39} {
		h.click(100, y)
		var focused bool
		h.app.app.QueueUpdate(func() { focused = h.app.tableFocused() })
		if !focused {
			t.Errorf("a click on line %d took the focus from the table", y)
		}
	}
	h.runes(":")
	h.runes("processes")
	h.key(tcell.KeyEnter)
	h.waitText("nginx-worker")
	h.runes("?")
	h.waitText("Help: Processes")
}

func TestClickBehindABoxClosesIt(t *testing.T) {
	acts := &fakeActions{}
	h := start(t, 120, 40, Options{Actions: acts})
	h.waitText("web-1")
	open := map[string]struct {
		key  func()
		sign string
	}{
		"help":  {func() { h.key(tcell.KeyF1) }, "Help: Containers"},
		"views": {func() { h.key(tcell.KeyF2) }, "Mesos Tasks"},
		"sort":  {func() { h.key(tcell.KeyF9) }, "Sort by"},
	}
	for _, name := range []string{"help", "views", "sort"} {
		o := open[name]
		o.key()
		h.waitText(o.sign)
		h.click(0, 39) // the hint bar's F1, behind the box
		h.waitGone(o.sign)
		// The keys are the table's again.
		h.runes("?")
		h.waitText("Help: Containers")
		h.key(tcell.KeyEscape)
		h.waitGone("Help: Containers")
	}
	// A confirmation: a click behind it cancels, nothing runs.
	h.runes("a")
	h.waitText("Restart")
	h.key(tcell.KeyEnter)
	s := h.waitText("Cancel")
	h.click(2, lineIndex(s, "CPU%")+1)
	h.waitGone("Cancel")
	time.Sleep(100 * time.Millisecond)
	if c := acts.get(); len(c) != 0 {
		t.Fatalf("a click behind the confirmation ran %v", c)
	}
	h.runes("?")
	h.waitText("Help: Containers")
}

func TestClickInTheInputLineKeepsIt(t *testing.T) {
	h := start(t, 120, 40, Options{})
	s := h.waitText("web-1")
	h.key(tcell.KeyF4)
	h.waitText("Filter:")
	h.click(20, lineIndex(s, "db-1")) // a row, while the filter is typed
	h.runes("name=db-1")
	h.key(tcell.KeyEnter)
	h.waitGone("web-1")
}

func TestHintBarLabelsRunTheirKeys(t *testing.T) {
	h := start(t, 120, 40, Options{})
	s := h.waitText("F10Quit")
	bar := line(s, "F1Help")
	y := lineIndex(s, "F1Help")
	h.click(strings.Index(bar, "Help"), y)
	h.waitText("Help: Containers")
	h.key(tcell.KeyEscape)
	h.waitGone("Help: Containers")
	h.click(strings.Index(bar, "F9Sort")+3, y)
	h.waitText("Sort by")
	h.key(tcell.KeyEscape)
	h.waitGone("Sort by")
	h.click(strings.Index(bar, "F10Quit")+4, y)
	select {
	case err := <-h.done:
		h.done <- err // for the cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("a click on F10Quit did not quit")
	}
}

func TestWheelScrollsAndStaysAfterARefresh(t *testing.T) {
	snap := manyProcesses(200)
	feed := newFakeFeed(snap)
	h := start(t, 120, 30, Options{Feed: feed, View: "processes"})
	s := h.waitText("worker-000")
	y := lineIndex(s, "worker-005")
	for i := 0; i < 10; i++ {
		h.scr.InjectMouse(20, y, tcell.WheelDown, tcell.ModNone)
		time.Sleep(20 * time.Millisecond)
	}
	h.waitGone("worker-000")
	// A refresh with the same rows (and one changed cell to know it is
	// drawn) keeps the page where the wheel left it.
	next := manyProcesses(200)
	next.Processes[len(next.Processes)-170].Command = "refreshed-040"
	feed.publish(next)
	s = h.waitText("refreshed-040")
	if strings.Contains(s, "worker-000") {
		t.Fatalf("the refresh scrolled back to the top:\n%s", s)
	}
	// One notch at a time: the simulation screen drops events it has no
	// room for.
	for i := 0; i < 40 && !strings.Contains(h.screen(), "worker-000"); i++ {
		h.scr.InjectMouse(20, y, tcell.WheelUp, tcell.ModNone)
		time.Sleep(20 * time.Millisecond)
	}
	h.waitText("worker-000")
}

func TestShortListToLongListShowsTheCursor(t *testing.T) {
	h := start(t, 120, 30, Options{Feed: newFakeFeed(manyProcesses(200))})
	h.waitText("web-1")
	h.runes(":processes")
	h.key(tcell.KeyEnter)
	// Sorted by CPU: worker-000 is first and selected.
	h.waitText("worker-000")
	h.waitText(" 1/206")
}

func TestGGoesToTheTopOutsideReplay(t *testing.T) {
	h := start(t, 120, 30, Options{Feed: newFakeFeed(manyProcesses(200)), View: "processes"})
	h.waitText("worker-000")
	h.runes("G")
	h.waitText("206/206")
	h.waitGone("worker-000")
	h.runes("g")
	h.waitText(" 1/206")
	h.waitText("worker-000")
}

func TestIntervalComesBackTo2s(t *testing.T) {
	h := start(t, 120, 40, Options{})
	h.waitText("every 2s")
	for i := 0; i < 8; i++ {
		h.runes("+")
	}
	h.waitText("every 100ms")
	for i := 0; i < 4; i++ {
		h.runes("-")
	}
	h.waitText("every 2s")
	for i := 0; i < 12; i++ {
		h.runes("-")
	}
	h.waitText("every 1m")
	for i := 0; i < 5; i++ {
		h.runes("+")
	}
	h.waitText("every 2s")
}

// syncCounter counts full repaints.
type syncCounter struct {
	tcell.SimulationScreen
	n atomic.Int32
}

func (s *syncCounter) Sync() {
	s.n.Add(1)
	s.SimulationScreen.Sync()
}

func TestCtrlLRepaintsAndCtrlZSuspends(t *testing.T) {
	scr := &syncCounter{SimulationScreen: tcell.NewSimulationScreen("UTF-8")}
	h := startOn(t, scr, 120, 40, Options{})
	h.waitText("web-1")
	before := scr.n.Load()
	h.key(tcell.KeyCtrlL)
	h.waitFor("a repaint", func(string) bool { return scr.n.Load() > before })

	var stopped atomic.Int32
	h.app.app.QueueUpdate(func() { h.app.stopSelf = func() { stopped.Add(1) } })
	before = scr.n.Load()
	h.key(tcell.KeyCtrlZ)
	h.waitFor("a suspension", func(string) bool { return stopped.Load() == 1 })
	// The shell drew over the terminal meanwhile: all of it is drawn again.
	h.waitFor("a repaint after fg", func(string) bool { return scr.n.Load() > before })
	// Back from fg: the screen answers keys.
	h.runes("?")
	h.waitText("Help: Containers")
	for _, want := range []string{"Ctrl-L", "Ctrl-Z"} {
		h.waitText(want)
	}
}

func TestCutCellsEndInAnEllipsis(t *testing.T) {
	snap := testSnapshot()
	snap.Containers[0].Name = "a-very-long-container-name-that-is-cut"
	h := start(t, 120, 40, Options{Feed: newFakeFeed(snap)})
	s := h.waitText("a-very-long")
	if l := line(s, "a-very-long"); !strings.Contains(l, "a-very-long-contain… ") {
		t.Errorf("the cut name does not end in …: %q", l)
	}
}

func TestWideScreenPutsCommandLast(t *testing.T) {
	h := start(t, 200, 40, Options{View: "processes"})
	s := h.waitText("nginx-worker")
	head := strings.Fields(line(s, "PID"))
	if head[len(head)-1] != "COMMAND" {
		t.Errorf("COMMAND is not the last column at 200 columns: %v", head)
	}
	if !strings.Contains(s, "USR%") {
		t.Errorf("200 columns do not show the columns beyond the minimum:\n%s", s)
	}
	if l := line(s, "nginx-worker"); !strings.HasSuffix(l, "nginx-worker") {
		t.Errorf("the command is not at the end of its row: %q", l)
	}
}

func TestHelpWrapsAt80x24(t *testing.T) {
	h := start(t, 80, 24, Options{})
	h.waitText("web-1")
	h.runes("?")
	s := h.waitText("Help: Containers")
	// The filter key's description is longer than the box is wide: it
	// goes on under itself instead of being cut.
	if !strings.Contains(s, "Esc in it clears") {
		t.Errorf("help cut the filter line:\n%s", s)
	}
	for _, l := range h.text() {
		if len([]rune(l)) > 80 {
			t.Errorf("line wider than the screen: %q", l)
		}
	}
}

func TestHelpTextWrapsAtWords(t *testing.T) {
	rows := [][2]string{
		{"F4 \\", "filter: col=v col!=v col~sub col>n col<n or a bare word; Esc in it clears"},
		{"PgUp PgDn Home End g G", "move by a page / to either end"},
	}
	for _, w := range []int{76, 50, 30, 12} {
		text := helpText(rows, "read-only: no actions are offered", w)
		var words []string
		for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
			if n := len([]rune(l)); n > w {
				t.Errorf("width %d: line of %d: %q", w, n, l)
			}
			words = append(words, strings.Fields(l)...)
		}
		all := strings.Join(words, " ")
		for _, r := range rows {
			if !strings.Contains(all, r[1]) {
				t.Errorf("width %d: %q is not whole in\n%s", w, r[1], text)
			}
		}
	}
}

func TestSortedTitleIsNeverBoldBlack(t *testing.T) {
	th := newTheme(true, true)
	for name, st := range map[string]tcell.Style{
		"header": th.header, "sortHeader": th.sortHeader, "selected": th.selected,
		"paused": th.paused, "hintLabel": th.hintLabel,
	} {
		// xterm draws bold black as dark grey: on teal, unreadable.
		if fg, _, attr := st.Decompose(); fg == tcell.ColorBlack && attr&tcell.AttrBold != 0 {
			t.Errorf("%s is bold black", name)
		}
	}
	h := start(t, 120, 40, Options{Color: "always"})
	s := h.waitText("CPU%▼")
	x, y := strings.Index(line(s, "CPU%▼"), "CPU%"), lineIndex(s, "CPU%▼")
	var st tcell.Style
	h.app.app.QueueUpdate(func() { _, st, _ = h.scr.Get(x, y) })
	if fg, bg, attr := st.Decompose(); fg != tcell.ColorBlack || bg != tcell.ColorTeal || attr&tcell.AttrBold != 0 {
		t.Errorf("sorted title drawn %v on %v attr %v, want plain black on teal", fg, bg, attr)
	}
}

func TestActionKeysAndTheLogsView(t *testing.T) {
	acts := &fakeActions{}
	h := start(t, 120, 40, Options{Actions: acts})
	h.waitText("web-1")
	h.key(tcell.KeyF8)
	h.waitText("Restart")
	h.runes("r") // Restart's key, from the view's declaration
	h.waitText("Restart container db-1 (bbbbbbbbbbbb)?")
	h.runes("y")
	h.waitText("restart: done")
	if c := acts.get(); len(c) != 1 || c[0] != "restart "+idDB {
		t.Fatalf("calls = %v", c)
	}
	// Drilled into a container, the views menu offers its logs; the
	// view opens with its declared columns (no rows yet).
	h.key(tcell.KeyEnter)
	h.waitText("Containers › db-1 › Processes")
	h.key(tcell.KeyF2)
	s := h.waitText("Logs")
	if strings.Contains(s, "Machine") {
		t.Errorf("the machine view is offered inside a container:\n%s", s)
	}
	h.key(tcell.KeyEscape)
	h.runes(":logs")
	h.key(tcell.KeyEnter)
	s = h.waitText("STREAM")
	if !strings.Contains(s, "TIME") || !strings.Contains(s, "TEXT") || !strings.Contains(s, "› Logs") {
		t.Errorf("logs view:\n%s", s)
	}
}

// TestVT100IsDrawnWithoutPadding: vt100's cursor motion asks for a 5 ms
// pause; the entry the screen draws with writes the same bytes without
// waiting. 200 cursor moves took a second with the padding.
func TestVT100IsDrawnWithoutPadding(t *testing.T) {
	ti, err := terminalInfo("vt100")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ti.SetCursor, "$<") {
		t.Fatalf("vt100's cursor motion %q has no padding: this test shows nothing", ti.SetCursor)
	}
	var out strings.Builder
	start := time.Now()
	for i := 0; i < 200; i++ {
		ti.TPuts(&out, ti.TGoto(i%80, i%24))
	}
	took := time.Since(start)
	if strings.Contains(out.String(), "$<") {
		t.Errorf("padding written out: %q", out.String()[:40])
	}
	// 200 × 5 ms of padding is a second; without it, microseconds.
	if took > 500*time.Millisecond {
		t.Errorf("200 cursor moves took %v: the padding is slept", took)
	}
	if orig, _ := tcell.LookupTerminfo("vt100"); orig.PadChar == "" {
		t.Error("the shared vt100 entry lost its pad character: copy it, do not change it")
	}
}

// TestTooLongMessageEndsInAnEllipsis: an error longer than the message
// lines (three at 80×24) is cut with … and says that m shows it whole.
func TestTooLongMessageEndsInAnEllipsis(t *testing.T) {
	snap := testSnapshot()
	snap.Errors = []string{"docker: " + strings.Repeat("connection refused ", 40) + "END"}
	h := start(t, 80, 24, Options{Feed: newFakeFeed(snap)})
	s := h.waitText("docker: connection")
	last := strings.Split(s, "\n")[lineIndex(s, "docker: connection")+2]
	if !strings.HasSuffix(last, "… m shows it whole") || strings.Contains(s, "END") {
		t.Errorf("the cut message does not end in … and m: %q", last)
	}
	h.runes("m")
	h.waitText("END")
}
