package ui

import (
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/views"
)

// keySpec is one key that triggers a binding: a special key, or a rune
// when key is tcell.KeyRune.
type keySpec struct {
	key  tcell.Key
	r    rune
	name string
}

func fkey(k tcell.Key, name string) keySpec { return keySpec{key: k, name: name} }
func rkey(r rune) keySpec                   { return keySpec{key: tcell.KeyRune, r: r, name: string(r)} }

// binding is one entry of the key table, k9s style: help and the hint bar
// are generated from this list so they cannot drift from what keys do.
type binding struct {
	keys      []keySpec
	hint      string // hint-bar label; "" keeps the binding out of the bar
	desc      string
	dangerous bool              // changes the world: hidden with --read-only
	when      func(a *App) bool // nil: always available
	// why says, when the binding does not apply, why not (the message
	// line shows it instead of doing nothing); nil or "": nothing.
	why func(a *App) string
	do  func(a *App, ev *tcell.EventKey)
}

func (b *binding) matches(ev *tcell.EventKey) bool {
	for _, k := range b.keys {
		if k.key == tcell.KeyRune {
			if ev.Key() == tcell.KeyRune && ev.Rune() == k.r {
				return true
			}
		} else if ev.Key() == k.key {
			return true
		}
	}
	return false
}

// keyNames is how help shows the keys of a binding.
func (b *binding) keyNames() string {
	var n []string
	for _, k := range b.keys {
		if k.name != "" {
			n = append(n, k.name)
		}
	}
	return strings.Join(n, " ")
}

// shiftDigits are the runes of shift+1 … shift+0 on a US keyboard.
const shiftDigits = "!@#$%^&*()"

// defaultBindings are the screen's own keys with those that open a view
// (viewBindings) before Quit, so that their hint-bar labels stay put.
func defaultBindings() []*binding {
	own := keyBindings()
	for i, b := range own {
		if b.hint == "Quit" {
			return append(append(own[:i:i], viewBindings()...), own[i:]...)
		}
	}
	return append(own, viewBindings()...)
}

// keyBindings are the screen's own keys.
func keyBindings() []*binding {
	return []*binding{
		{keys: []keySpec{fkey(tcell.KeyF1, "F1"), rkey('?')}, hint: "Help", desc: "help: every key of this view", do: (*App).showHelp},
		{keys: []keySpec{fkey(tcell.KeyF2, "F2"), rkey('v')}, hint: "Views", desc: "views menu (those that apply here)", do: (*App).showViewsMenu},
		{keys: []keySpec{rkey(':')}, desc: "command line: a view id (:processes), :q quits; Tab completes", do: (*App).showCommand},
		{keys: []keySpec{fkey(tcell.KeyEnter, "Enter")}, desc: "drill down into the selected row (details for a process)", do: (*App).drill},
		{keys: []keySpec{fkey(tcell.KeyBackspace2, "Backspace"), fkey(tcell.KeyBackspace, ""), fkey(tcell.KeyEscape, "Esc")}, desc: "back up one level (Esc also clears the filter at the top)", do: (*App).back},
		{keys: []keySpec{fkey(tcell.KeyF4, "F4"), rkey('\\')}, hint: "Filter", desc: "filter: col=v col!=v col~sub col>n col<n or a bare word; Esc in it clears", do: (*App).showFilter},
		{keys: []keySpec{rkey('/')}, desc: "search: jump to the next row that matches", do: (*App).showSearch},
		{keys: []keySpec{fkey(tcell.KeyCtrlF, "Ctrl-F")}, desc: "search again: next matching row", do: (*App).searchNext},
		{keys: []keySpec{fkey(tcell.KeyF8, "F8"), rkey('a')}, hint: "Actions", desc: "actions on the selected row, after a confirmation", dangerous: true, when: (*App).hasActions, why: (*App).whyNoActions, do: (*App).showActions},
		{keys: []keySpec{rkey('e')}, desc: "a shell inside the selected container; the screen comes back when it ends", dangerous: true, when: (*App).canShell, why: (*App).whyNoShell, do: (*App).openShell},
		{keys: []keySpec{fkey(tcell.KeyF9, "F9")}, hint: "Sort", desc: "sort menu", do: (*App).showSortMenu},
		{keys: []keySpec{rkey('c')}, hint: "Columns", desc: "column chooser: show, hide and move this view's columns; Enter keeps them (and the sort) in the settings file", do: (*App).showColumns},
		{keys: []keySpec{fkey(tcell.KeyRight, "Right"), rkey('}')}, desc: "scroll the columns right, to those beyond the screen (the arrows beside the row count say there are)", do: func(a *App, _ *tcell.EventKey) { a.scrollSideways(1) }},
		{keys: []keySpec{fkey(tcell.KeyLeft, "Left"), rkey('{')}, desc: "scroll the columns back left", do: func(a *App, _ *tcell.EventKey) { a.scrollSideways(-1) }},
		{keys: []keySpec{rkey('m')}, desc: "every message and error in full, with their count", do: (*App).showMessages},
		{keys: []keySpec{rkey('>'), rkey('.')}, desc: "sort by the next column", do: func(a *App, _ *tcell.EventKey) { a.sortStep(1) }},
		{keys: []keySpec{rkey('<'), rkey(',')}, desc: "sort by the previous column", do: func(a *App, _ *tcell.EventKey) { a.sortStep(-1) }},
		{keys: []keySpec{rkey('!'), rkey('@'), rkey('#'), rkey('$'), rkey('%'), rkey('^'), rkey('&'), rkey('*'), rkey('('), rkey(')')}, desc: "sort by column 1..10 (shift+digit); again inverts", do: (*App).sortByDigit},
		{keys: []keySpec{rkey('I')}, desc: "invert the sort order", do: (*App).invertSort},
		{keys: []keySpec{rkey('d')}, desc: "describe the selected row: every column in full, and what explains it", do: (*App).showDetails},
		{keys: []keySpec{rkey('A')}, desc: "every stopped container too (as -a), or only those that need a look", do: (*App).toggleStopped},
		{keys: []keySpec{rkey('t')}, desc: "tree mode on/off", when: (*App).hasTree, do: (*App).toggleTree},
		{keys: []keySpec{rkey('p'), {key: tcell.KeyRune, r: ' ', name: "Space"}}, desc: "pause the display (data keeps being collected)", do: (*App).togglePause},
		{keys: []keySpec{rkey('+'), rkey('=')}, desc: "refresh faster (2s 1s 500ms 250ms 100ms)", do: func(a *App, _ *tcell.EventKey) { a.stepInterval(-1) }},
		{keys: []keySpec{rkey('-')}, desc: "refresh slower (2s 4s 8s 15s 30s 60s)", do: func(a *App, _ *tcell.EventKey) { a.stepInterval(1) }},
		{keys: []keySpec{fkey(tcell.KeyCtrlL, "Ctrl-L")}, desc: "repaint the whole screen (after a wall message)", do: (*App).repaint},
		{keys: []keySpec{fkey(tcell.KeyCtrlZ, "Ctrl-Z")}, desc: "suspend to the shell; fg comes back", do: (*App).suspend},
		{keys: []keySpec{fkey(tcell.KeyF10, "F10"), rkey('q'), fkey(tcell.KeyCtrlC, "Ctrl-C")}, hint: "Quit", desc: "quit, restoring the terminal", do: func(a *App, _ *tcell.EventKey) { a.Stop() }},
		// Last, so that the labels before it stay put as the selection
		// moves between rows that have a log and rows that have none.
		{keys: []keySpec{rkey('l')}, hint: "Log", desc: "the log of the selected container, task or process: follows new lines, / searches, Esc back", when: (*App).hasLog, why: (*App).whyNoLog, do: (*App).showLog},
		{keys: []keySpec{rkey('w')}, desc: "wrap long lines on/off", when: (*App).hasWrap, do: (*App).toggleWrap},
	}
}

// navigationHelp lists the keys tview's table handles itself; in a
// replay g is the replay's "go to" and is listed with it.
func (a *App) navigationHelp() [][2]string { return navigation(a.isReplay()) }

func navigation(replay bool) [][2]string {
	ends := "PgUp PgDn Home End g G"
	if replay {
		ends = "PgUp PgDn Home End G"
	}
	return [][2]string{
		{"Up Down j k", "move the selection"},
		{ends, "move by a page / to either end"},
		{"mouse", "click selects, double-click drills down, a click on a header sorts, the wheel scrolls, a click on a hint-bar label runs its key"},
	}
}

// available reports whether a binding applies now.
func (a *App) available(b *binding) bool {
	if b.dangerous && (a.opts.ReadOnly || a.opts.Actions == nil) {
		return false
	}
	return b.when == nil || b.when(a)
}

// capture dispatches keys to bindings while the table has the focus;
// overlays and prompts handle their own keys. Whatever took the focus (it
// should never happen: see mouse), the keys come back to the screen's own
// handling: to the open box, the input line, else the table.
func (a *App) capture(ev *tcell.EventKey) *tcell.EventKey {
	switch {
	case a.overlay != "":
		if a.overlayFocus != nil && !a.overlayFocus.HasFocus() {
			a.app.SetFocus(a.overlayFocus)
		}
		return ev
	case a.promptOpen():
		if !a.prompt.HasFocus() {
			a.app.SetFocus(a.prompt)
		}
		return ev
	case !a.tableFocused():
		a.app.SetFocus(a.table)
	}
	a.acknowledge()
	a.message, a.notes = "", nil
	matched := false
	var why string
	for _, b := range a.bindings {
		if b.matches(ev) {
			matched = true
			if a.available(b) {
				b.do(a, ev)
				return nil
			}
			if b.why != nil && why == "" {
				why = b.why(a)
			}
		}
	}
	if why != "" {
		a.setMessage(false, "%s", why)
		return nil
	}
	if matched && ev.Key() == tcell.KeyRune && !tableRunes[ev.Rune()] {
		// A letter whose binding does not apply here (a in --read-only)
		// does nothing; special keys go on to the table (arrows), and
		// so do the table's own letters (g outside a replay).
		return nil
	}
	return ev
}

// tableRunes are the letters tview's table moves with.
var tableRunes = map[rune]bool{'g': true, 'G': true, 'j': true, 'k': true}

// hintSpot is where the hint bar drew one label.
type hintSpot struct {
	x0, x1 int // screen columns [x0, x1)
	b      *binding
}

// hintLine draws the function-key bar from the bindings and remembers
// where each label is, so that a click on it runs its key.
func (a *App) hintLine(screen tcell.Screen, x, y, w int) {
	used := 0
	a.hintSpots = a.hintSpots[:0]
	for _, b := range a.bindings {
		if b.hint == "" || !a.available(b) {
			continue
		}
		k := b.keys[0].name
		if used+len(k)+len(b.hint) > w {
			break
		}
		x0 := x + used
		used += put(screen, x+used, y, w-used, k, a.th.hintKey)
		used += put(screen, x+used, y, w-used, b.hint, a.th.hintLabel)
		a.hintSpots = append(a.hintSpots, hintSpot{x0: x0, x1: x + used, b: b})
		if used < w {
			used += put(screen, x+used, y, w-used, " ", a.th.base)
		}
	}
}

// clickHint runs the binding whose label is under column x, as its first
// key would.
func (a *App) clickHint(x int) {
	for _, sp := range a.hintSpots {
		if x >= sp.x0 && x < sp.x1 && a.available(sp.b) {
			a.message = ""
			k := sp.b.keys[0]
			sp.b.do(a, tcell.NewEventKey(k.key, k.r, tcell.ModNone))
			return
		}
	}
}

// hasActions: the selected row (or the row it stands for) offers
// actions.
func (a *App) hasActions() bool {
	v, r := a.subject()
	return r != nil && len(v.Offered(*r)) > 0
}

// hasTree: the view can show its rows as a tree.
func (a *App) hasTree() bool { return a.curView().Tree }

func (a *App) toggleTree(_ *tcell.EventKey) {
	a.change(func() { a.cur().tree = !a.cur().tree })
}

// togglePause freezes the table as it is on screen: a refresh computed
// from a newer snapshot while the key was on its way is not put up.
func (a *App) togglePause(_ *tcell.EventKey) {
	a.change(func() {
		a.paused = !a.paused
		a.frozen = nil
		if a.paused {
			a.frozen = a.tableSnap
		}
	})
}

// intervalSteps are the refresh intervals + and - step through: halving
// and doubling from 2 s would never come back to 2 s once a limit had
// cut a step short (100 ms, 200 ms, … 1.6 s, 3.2 s).
var intervalSteps = []time.Duration{
	minInterval, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
	15 * time.Second, 30 * time.Second, maxInterval,
}

// stepInterval moves the refresh interval one step faster (dir < 0) or
// slower (dir > 0) on intervalSteps; an interval between two steps (from
// -d) moves to the next one in that direction.
func (a *App) stepInterval(dir int) {
	cur := a.opts.Feed.Interval()
	d := cur
	if dir < 0 {
		d = intervalSteps[0]
		for i := len(intervalSteps) - 1; i >= 0; i-- {
			if intervalSteps[i] < cur {
				d = intervalSteps[i]
				break
			}
		}
	} else {
		d = intervalSteps[len(intervalSteps)-1]
		for _, s := range intervalSteps {
			if s > cur {
				d = s
				break
			}
		}
	}
	a.opts.Feed.SetInterval(d)
	a.setMessage(false, "refresh every %s", fmtInterval(d))
}

// effectiveSort is the sort in force: the level's, else the view's default.
func (a *App) effectiveSort() (string, bool) {
	l := a.cur()
	if l.sort != "" {
		return l.sort, l.desc
	}
	v := a.curView()
	return v.DefaultSort, v.DefaultDesc
}

// sortBy sorts by a column; the same column again inverts. Numbers start
// descending (biggest first, as in top), text ascending. Sorting leaves
// tree mode, as htop does.
func (a *App) sortBy(id string) {
	cur, desc := a.effectiveSort()
	v := a.curView()
	a.resort(func() {
		l := a.cur()
		if id == cur && !l.tree {
			l.sort, l.desc = id, !desc
		} else {
			l.sort = id
			c, _ := v.Column(id)
			l.desc = c.Number
		}
		l.tree = false
	})
}

func (a *App) invertSort(_ *tcell.EventKey) {
	id, desc := a.effectiveSort()
	a.resort(func() { a.cur().sort, a.cur().desc = id, !desc })
}

// visibleCols are the columns laid out now, in screen order: those on
// the first page, then those reached sideways.
func (a *App) visibleCols() []views.Column {
	tv := a.table
	if tv.data == nil || tv.data.View.ID != a.cur().view {
		return a.curView().Columns
	}
	out := make([]views.Column, 0, len(tv.cols))
	for _, i := range tv.cols {
		out = append(out, tv.data.Columns[i])
	}
	return out
}

// onScreenCols are the columns wholly on screen now, in screen order.
func (a *App) onScreenCols() []views.Column {
	tv := a.table
	if tv.data == nil || tv.data.View.ID != a.cur().view {
		return a.curView().Columns
	}
	var out []views.Column
	for _, k := range tv.onScreen() {
		out = append(out, tv.data.Columns[tv.cols[k]])
	}
	return out
}

func (a *App) sortByDigit(ev *tcell.EventKey) {
	n := strings.IndexRune(shiftDigits, ev.Rune())
	cols := a.onScreenCols()
	if n < 0 || n >= len(cols) {
		return
	}
	a.sortBy(cols[n].ID)
}

// sortStep moves the sort to the next or previous column laid out.
func (a *App) sortStep(d int) {
	cols := a.visibleCols()
	if len(cols) == 0 {
		return
	}
	cur, _ := a.effectiveSort()
	i := 0
	for j, c := range cols {
		if c.ID == cur {
			i = j
		}
	}
	i = (i + d + len(cols)) % len(cols)
	a.sortBy(cols[i].ID)
}

// tableFocused: tview's table focuses itself (not our wrapper) on a click,
// so both count as the table having the focus.
func (a *App) tableFocused() bool {
	f := a.app.GetFocus()
	return f == a.table || f == a.table.Table
}
