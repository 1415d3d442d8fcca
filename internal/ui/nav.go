package ui

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/rivo/uniseg"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// applicableViews lists, in menu order, the views the current scope admits.
func (a *App) applicableViews() []*views.View {
	var out []*views.View
	for _, v := range views.All() {
		if v.AppliesIn(a.cur().scope) {
			out = append(out, v)
		}
	}
	return out
}

// rowName is how a drilled-from row appears in the breadcrumb: the view's
// name for it, else the id of the scope the drill adds.
func rowName(v *views.View, r *views.Row, t views.Target) string {
	return menuName(v.RowNameOr(*r, t.Scope.ID))
}

// drill pushes the view the selected row leads to; a process (no Drill)
// opens its details instead.
func (a *App) drill(_ *tcell.EventKey) {
	r := a.table.selected()
	if r == nil {
		return
	}
	v := a.curView()
	if v.Drill == nil {
		a.showDetails(nil)
		return
	}
	t, ok := v.Drill(*r)
	if !ok || views.Get(t.View) == nil {
		a.setMessage(false, "nothing below %s", rowName(v, r, t))
		return
	}
	name := rowName(v, r, t)
	a.change(func() {
		cur := a.cur()
		cur.selKey = a.table.selKey
		scope := append([]views.Scope(nil), cur.scope...)
		if t.Scope.Kind != "" {
			scope = append(scope, t.Scope)
		}
		sort, desc := a.openSort(t.View, t.Sort, t.Desc)
		a.levels = append(a.levels, &level{view: t.View, scope: scope, crumb: name, sort: sort, desc: desc})
	})
	a.table.selKey = t.Select // "" unless the target names the row
}

// back pops one level; at the top, Esc clears a filter.
func (a *App) back(_ *tcell.EventKey) {
	if len(a.levels) == 1 {
		if a.cur().filter != nil {
			a.change(func() { a.cur().filter = nil })
		}
		return
	}
	a.change(func() { a.levels = a.levels[:len(a.levels)-1] })
	a.table.selKey = a.cur().selKey
}

// setView shows another view. Inside a scope that does not admit it, the
// stack is unwound to the deepest level that does (the top at worst).
func (a *App) setView(id string) {
	if views.Get(id) == nil {
		a.setMessage(true, "unknown view %q (views: %s)", id, strings.Join(views.IDs(), ", "))
		return
	}
	a.change(func() {
		n := len(a.levels)
		v := views.Get(id)
		for n > 1 && !v.AppliesIn(a.levels[n-1].scope) {
			n--
		}
		a.levels = a.levels[:n]
		l := a.cur()
		if !v.AppliesIn(l.scope) {
			l.scope = nil
		}
		sort, desc := a.openSort(id, "", false)
		l.view, l.sort, l.desc, l.tree, l.filter = id, sort, desc, false, nil
	})
	a.table.selKey = ""
}

// crumbLine draws `Containers › web-1 › Processes` and the state flags.
func (a *App) crumbLine(screen tcell.Screen, x, y, w int) {
	th := a.th
	used := 0
	seg := func(s string, st tcell.Style) {
		if used < w {
			used += put(screen, x+used, y, w-used, s, st)
		}
	}
	// The path, as segments; when it does not fit, its start gives way to
	// "…" so that where the user is stays readable.
	type part struct {
		s  string
		st tcell.Style
	}
	var path []part
	add := func(s string, st tcell.Style) { path = append(path, part{s, st}) }
	base := a.levels[0]
	for _, sc := range base.scope {
		add(sc.Kind+" "+model.ShortID(sc.ID), th.crumb)
		add(th.crumbArrow, th.crumbSep)
	}
	for i, l := range a.levels {
		if i > 0 {
			add(th.crumbArrow, th.crumbSep)
			if l.crumb != "" { // a view opened over the last (x) names no row
				add(l.crumb, th.crumb)
				add(th.crumbArrow, th.crumbSep)
			}
		}
		add(views.Get(l.view).Title, th.crumb)
	}
	width := 0
	for _, p := range path {
		width += uniseg.StringWidth(p.s)
	}
	room := w - 8 // keep the row counter visible
	if width > room && len(path) > 1 {
		seg(th.ellipsis, th.crumbSep)
		width += uniseg.StringWidth(th.ellipsis)
		for len(path) > 1 && (width > room || path[0].s == th.crumbArrow) {
			width -= uniseg.StringWidth(path[0].s)
			path = path[1:]
		}
	}
	for _, p := range path {
		seg(p.s, p.st)
	}
	l := a.cur()
	if l.filter != nil && l.filter.Text != "" {
		seg("  filter: "+l.filter.Text, th.base)
	}
	if l.tree && a.curView().Tree {
		seg("  [tree]", th.base)
	}
	if a.allStopped {
		seg("  [all stopped]", th.base)
	}
	if a.search != "" {
		seg("  /"+a.search, th.base)
	}
	if tv := a.table; tv.data != nil {
		tv.fit() // the table is drawn after this line: its marks must be this frame's
		row, _ := tv.GetSelection()
		if row < 1 || tv.data.Len() == 0 {
			row = 0
		}
		pos := fmt.Sprintf(" %d/%d", row, tv.data.Len())
		if m := a.sidewaysMarks(); m != "" {
			pos = " " + m + pos
		}
		if rx := x + w - uniseg.StringWidth(pos); rx >= x+used {
			put(screen, rx, y, w, pos, th.base)
		}
	}
}

// wheelRows is how far one notch of the wheel moves the list.
const wheelRows = 3

// mouse keeps the keyboard with the screen whatever is clicked: only the
// table, an open box and the input line ever take the focus. A click
// behind an open box closes it; a click on the hint bar runs the key of
// the label under it (as htop's F-key labels do); a click elsewhere outside
// the table does nothing. In the table, a click on a column header sorts,
// a double click drills down and the wheel moves the selection with the
// page, so that the next refresh does not scroll back to it.
func (a *App) mouse(ev *tcell.EventMouse, action tview.MouseAction) (*tcell.EventMouse, tview.MouseAction) {
	if ev == nil {
		return ev, action
	}
	x, y := ev.Position()
	if out, act, done := a.mouseAround(ev, action, x, y); done {
		return out, act
	}
	return a.mouseTable(ev, action, x, y)
}

// block keeps an event from every widget. The event itself must stay
// non-nil: tview makes the click of a press and release only while the
// capture has passed the press, the release (and a move) on.
func block(ev *tcell.EventMouse) (*tcell.EventMouse, tview.MouseAction) {
	return ev, tview.MouseConsumed
}

// isClick: a left click or double click.
func isClick(action tview.MouseAction) bool {
	return action == tview.MouseLeftClick || action == tview.MouseLeftDoubleClick
}

// mouseAround handles an event at x, y outside the table's own cells: an
// open box, the input line, the hint bar, the header's "need a look";
// done false when it is the table's to handle.
func (a *App) mouseAround(ev *tcell.EventMouse, action tview.MouseAction, x, y int) (*tcell.EventMouse, tview.MouseAction, bool) {
	click := isClick(action)
	switch {
	case a.overlay != "":
		if a.overlayBox != nil && inRect(a.overlayBox, x, y) {
			return ev, action, true
		}
		if click || action == tview.MouseRightClick || action == tview.MouseMiddleClick {
			a.closeOverlay()
			return nil, action, true
		}
	case a.promptOpen():
		if a.prompt.InRect(x, y) {
			return ev, action, true
		}
	case a.hints.InRect(x, y):
		if click {
			a.clickHint(x)
			return nil, action, true
		}
	case click && a.head.onLook(x, y):
		a.message = ""
		a.openOver(views.LookView)
		return nil, action, true
	case a.table.InRect(x, y) && a.table.data != nil:
		return nil, action, false
	}
	out, act := block(ev)
	return out, act, true
}

// mouseTable handles an event on the table: a click on a column header
// sorts, a double click on a row drills down, the wheel moves the
// selection with the page.
func (a *App) mouseTable(ev *tcell.EventMouse, action tview.MouseAction, x, y int) (*tcell.EventMouse, tview.MouseAction) {
	tv := a.table
	row, col := tv.CellAt(x, y)
	switch action {
	case tview.MouseLeftClick:
		if row == 0 && col >= 0 && col < len(tv.shown) && tv.shown[col].pos >= 0 {
			a.message = ""
			a.sortBy(tv.data.Columns[tv.cols[tv.shown[col].pos]].ID)
			return nil, action
		}
	case tview.MouseLeftDoubleClick:
		if row >= 1 && row <= tv.data.Len() {
			a.message = ""
			tv.Select(row, 0)
			a.drill(nil)
			return nil, action
		}
	case tview.MouseScrollUp:
		tv.wheel(-wheelRows)
		return nil, action
	case tview.MouseScrollDown:
		tv.wheel(wheelRows)
		return nil, action
	}
	return ev, action
}

// inRect reports whether a primitive's rectangle holds a point.
func inRect(p tview.Primitive, x, y int) bool {
	px, py, w, h := p.GetRect()
	return x >= px && x < px+w && y >= py && y < py+h
}

// promptOpen: the input line (filter, search, command) is shown.
func (a *App) promptOpen() bool {
	name, _ := a.bottom.GetFrontPage()
	return name == "prompt"
}
