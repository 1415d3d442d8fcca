package ui

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/rivo/uniseg"
)

// The message area under the breadcrumb shows the user's message, else
// every error of the view and of the snapshot, each from a new line and
// wrapped at words, so that none is cut before its reason. It takes a few
// lines at most (msgLines); what does not fit is counted on its last
// line, and m shows everything in a box.

// msgLines is how many lines the message area may take on a screen h
// lines high: the table keeps the rest.
func msgLines(h int) int { return clamp(h/8, 1, 4) }

// An error is said once: shown (in the alert colour) from when it comes
// until a key is pressed while it is on the message line. If it then goes
// on unchanged (a node without its Mesos agent, a runtime that is not
// there), the area only counts it, on a line of its own, and m lists it
// with the others; one whose text changes (a source stale for 34 s, then
// 36 s) is new at each refresh and stays. One that goes away and comes
// back is said again.

// messageItems are what the area shows, and whether they are errors;
// with all, the errors said before too (m's box).
func (a *App) messageItems(all bool) ([]string, bool) {
	if a.message != "" {
		return []string{a.message}, a.messageErr
	}
	errs := append([]string(nil), a.notes...)
	errs = append(errs, a.viewErrors...)
	if s := a.latest.get(); s != nil {
		errs = append(errs, s.Errors...)
	}
	if all || len(a.said) == 0 {
		return errs, true
	}
	out := errs[:0]
	for _, e := range errs {
		if !a.said[e] {
			out = append(out, e)
		}
	}
	return out, true
}

// saidBefore counts the errors on hand that were said before, and
// forgets those that went away.
func (a *App) saidBefore() int {
	if len(a.said) == 0 {
		return 0
	}
	all, _ := a.messageItems(true)
	on := make(map[string]bool, len(all))
	n := 0
	for _, e := range all {
		on[e] = true
		if a.said[e] {
			n++
		}
	}
	for e := range a.said {
		if !on[e] {
			delete(a.said, e)
		}
	}
	return n
}

// acknowledge marks the errors on the message line as said: a key was
// pressed while they showed.
func (a *App) acknowledge() {
	if a.message != "" {
		return
	}
	items, _ := a.messageItems(false)
	for _, e := range items {
		if a.said == nil {
			a.said = map[string]bool{}
		}
		a.said[e] = true
	}
}

// saidLine is the area's line for the errors said before.
func saidLine(n int) string {
	return fmt.Sprintf("said before and still there: %d (m lists every error)", n)
}

// messageLines lays items out on w cells in at most max lines: each item
// from a new line, wrapped at words, its later lines indented. When they
// do not all fit, the last line ends with how many are left out and the
// key that shows them.
func (a *App) messageLines(items []string, w, max int) []string {
	if len(items) == 0 || w < 1 || max < 1 {
		return nil
	}
	var lines []string
	first := make([]int, 0, len(items)) // index in lines where item i starts
	for _, it := range items {
		first = append(first, len(lines))
		for k, l := range wrapWords(it, w-2) {
			if k > 0 {
				l = "  " + l
			}
			lines = append(lines, l)
		}
	}
	if len(lines) <= max {
		return lines
	}
	// Items wholly shown before the last line, then the rest counted.
	shown := 0
	for shown < len(items) && shown+1 < len(first) && first[shown+1] < max {
		shown++
	}
	more := ""
	switch left := len(items) - shown; {
	case len(items) == 1:
		more = " m shows it whole"
	case left == 1:
		more = fmt.Sprintf(" m: all %d", len(items))
	default:
		more = fmt.Sprintf(" +%d more, m: all %d", left-1, len(items))
	}
	out := lines[:max:max]
	last := out[max-1]
	room := w - uniseg.StringWidth(more)
	if room < 1 {
		return append(out[:max-1], cut(strings.TrimSpace(more), w))
	}
	out[max-1] = truncate(last, room, a.th.cutMark)
	out[max-1] = strings.TrimRight(out[max-1], " ")
	if !strings.HasSuffix(out[max-1], a.th.cutMark) {
		out[max-1] += a.th.cutMark
	}
	out[max-1] += more
	return out
}

// messageArea draws the message area's lines: what is new, then a line
// counting the errors said before.
func (a *App) messageArea(screen tcell.Screen, x, y, w, h int) {
	items, isErr := a.messageItems(false)
	st := a.th.msgErr
	if !isErr {
		st = a.th.msgInfo
	}
	said := a.saidLines(len(items), h)
	lines := a.messageLines(items, w, h-said)
	for k, l := range lines {
		put(screen, x, y+k, w, l, st)
	}
	if said > 0 {
		put(screen, x, y+len(lines), w, cut(saidLine(a.saidBefore()), w), a.th.msgInfo)
	}
}

// saidLines is 1 when the area has room for the line counting the errors
// said before (what is new comes first), else 0.
func (a *App) saidLines(items, max int) int {
	if a.message != "" || a.saidBefore() == 0 || items > 0 && max < 2 {
		return 0
	}
	return 1
}

// messageHeight is how many lines the message area wants on a w×h screen.
func (a *App) messageHeight(w, h int) int {
	items, _ := a.messageItems(false)
	max := msgLines(h)
	said := a.saidLines(len(items), max)
	return len(a.messageLines(items, w, max-said)) + said
}

// areaView is a widget drawn by a function over all its lines.
type areaView struct {
	*tview.Box
	draw func(screen tcell.Screen, x, y, w, h int)
}

// Draw implements tview.Primitive.
func (v *areaView) Draw(screen tcell.Screen) {
	v.Box.DrawForSubclass(screen, v)
	x, y, w, h := v.GetInnerRect()
	if h > 0 && w > 0 {
		v.draw(screen, x, y, w, h)
	}
}

// showMessages opens every error (or the message) in a box, numbered and
// wrapped, with their count in its title.
func (a *App) showMessages(_ *tcell.EventKey) {
	items, isErr := a.messageItems(true)
	if len(items) == 0 {
		a.setMessage(false, "no errors")
		return
	}
	title := fmt.Sprintf(" %d errors (Esc closes, arrows scroll) ", len(items))
	if len(items) == 1 {
		title = " 1 error (Esc closes, arrows scroll) "
	}
	if !isErr {
		title = " Message (Esc closes) "
	}
	tv := tview.NewTextView().SetWrap(false)
	tv.SetTextStyle(a.th.base)
	tv.SetBorder(true).SetTitle(title)
	tv.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		switch {
		case ev.Key() == tcell.KeyEscape, ev.Key() == tcell.KeyEnter,
			ev.Key() == tcell.KeyBackspace2, ev.Key() == tcell.KeyBackspace,
			ev.Key() == tcell.KeyRune && (ev.Rune() == 'q' || ev.Rune() == 'm'):
			a.closeOverlay()
			return nil
		}
		return ev
	})
	sw, sh := a.screen.Size()
	w := uniseg.StringWidth(title) + 2
	for _, l := range strings.Split(numbered(items, 1<<20), "\n") {
		w = max(w, uniseg.StringWidth(l))
	}
	w = min(w, sw-2)
	h := strings.Count(numbered(items, w), "\n")
	mv := &numberedView{TextView: tv, items: items, width: -1}
	a.showOverlay("messages", &centered{Primitive: mv, w: w + 2, h: min(h+2, sh)}, tv)
}

// numbered lays items out as "1. text" lines of at most w cells, each
// wrapped at words under its own start.
func numbered(items []string, w int) string {
	var b strings.Builder
	for i, it := range items {
		n := fmt.Sprintf("%d. ", i+1)
		for k, l := range wrapWords(it, w-len(n)) {
			if k == 0 {
				b.WriteString(n)
			} else {
				b.WriteString(strings.Repeat(" ", len(n)))
			}
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// numberedView is numbered's text, laid out again when its width changes.
type numberedView struct {
	*tview.TextView
	items []string
	width int
}

// Draw implements tview.Primitive.
func (v *numberedView) Draw(screen tcell.Screen) {
	if _, _, w, _ := v.GetInnerRect(); w != v.width {
		v.width = w
		v.SetText(numbered(v.items, w))
	}
	v.TextView.Draw(screen)
}
