package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/rivo/uniseg"

	"github.com/ctop-like/ctop-like/internal/settings"
	"github.com/ctop-like/ctop-like/internal/views"
)

// Every column of a view can be brought on screen: the columns that do
// not fit the first page follow it and are reached sideways (Left/Right,
// { }), and the column chooser (c) shows, hides and moves them, kept in
// the settings file for the next run.

// columnOrder is the columns the view shows, in the chosen order (indices
// into its table's n columns), nil for every column in the view's order.
// The chosen label columns (label.team) follow the view's own in the
// table, in the order chosen (views.Query.Columns).
func (a *App) columnOrder(v *views.View, n int) []int {
	ids := a.choices[v.ID].Columns
	if ids == nil {
		return nil
	}
	var out []int
	labels := labelIDs(ids)
	for _, id := range ids {
		i := v.Col(id)
		if j := slices.Index(labels, id); i < 0 && j >= 0 {
			i = len(v.Columns) + j
		}
		if i >= 0 && i < n && !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// openSort is the sort a level of view opens with: the one asked for
// (a drill-down's, -s), else the settings file's for the view, else ""
// (the view's default).
func (a *App) openSort(view, sort string, desc bool) (string, bool) {
	if sort != "" {
		return sort, desc
	}
	c := a.choices[view]
	return c.Sort, c.Desc
}

// scrollSideways moves the columns one step left (n < 0) or right.
func (a *App) scrollSideways(n int) {
	a.table.scrollColumns(n)
}

// sidewaysMarks are the arrows the breadcrumb line shows when columns
// are off screen to the left or right: the table goes on that way.
func (a *App) sidewaysMarks() string {
	tv := a.table
	if tv.data == nil || len(tv.lay.cols) == tv.lay.first {
		return ""
	}
	vis := tv.onScreen()
	if len(vis) == 0 {
		return ""
	}
	var b strings.Builder
	if tv.off > 0 {
		b.WriteString(a.th.colsLeft)
	} else {
		b.WriteString(" ")
	}
	if vis[len(vis)-1] < len(tv.cols)-1 {
		b.WriteString(a.th.colsRight)
	} else {
		b.WriteString(" ")
	}
	return strings.TrimRight(b.String(), " ")
}

// labelIDs are the label columns (label.team) among column ids, each once.
func labelIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if _, ok := views.LabelKey(id); ok && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// maxLabelOffers bounds the labels the chooser offers as columns.
const maxLabelOffers = 100

// chooserItem is one line of the column chooser.
type chooserItem struct {
	col   int // index into the chooser's columns
	shown bool
}

// chooser is the column chooser: every column of the view, those shown
// first in their order; Space shows or hides the one under the cursor, J
// and K (Shift+Down/Up, F8/F7 as in htop's setup) move it. Each change is
// on the table at once; Enter keeps them in the settings file, Esc puts
// back what was there.
type chooser struct {
	*tview.Box
	a    *App
	view *views.View
	// cols are the table's columns (the view's, then the label columns
	// it shows), then the labels of its rows offered as columns.
	cols   []views.Column
	items  []chooserItem
	cur    int
	top    int      // first item drawn
	before []string // the chosen columns when it opened, for Esc
	last   int      // the column shown last (to bring it on screen), -1
}

// chooserKeys is the chooser's own key line.
const chooserKeys = "Space show/hide  J K move  r all  Enter keep  Esc cancel"

// showColumns opens the column chooser for the current view.
func (a *App) showColumns(_ *tcell.EventKey) {
	v := a.curView()
	c := &chooser{Box: tview.NewBox(), a: a, view: v, before: slices.Clone(a.choices[v.ID].Columns), last: -1}
	c.cols = v.Columns
	var rows []views.Row
	if t := a.table.data; t != nil && t.View == v {
		c.cols, rows = t.Columns, t.RowSlice()
	}
	c.cols = slices.Clip(c.cols)
	onTable := len(c.cols)
	if v.HasLabels() {
		for _, k := range views.LabelKeys(rows, maxLabelOffers) {
			lc := views.LabelColumn(k)
			if !slices.ContainsFunc(c.cols, func(x views.Column) bool { return x.ID == lc.ID }) {
				c.cols = append(c.cols, lc)
			}
		}
	}
	order := a.columnOrder(v, onTable)
	if order == nil {
		for i := range c.cols {
			c.items = append(c.items, chooserItem{col: i, shown: i < onTable})
		}
	} else {
		for _, i := range order {
			c.items = append(c.items, chooserItem{col: i, shown: true})
		}
		for i := range c.cols {
			if !slices.Contains(order, i) {
				c.items = append(c.items, chooserItem{col: i})
			}
		}
	}
	c.SetBorder(true).SetTitle(" Columns: " + v.Title + " ")
	w := uniseg.StringWidth(chooserKeys)
	for i := range c.items {
		w = max(w, uniseg.StringWidth(c.line(i)))
	}
	a.showOverlay("columns", &centered{Primitive: c, w: w + 4, h: len(c.items) + 4}, c)
}

// titleWidth and idWidth align the chooser's lines.
func (c *chooser) widths() (tw, iw int) {
	for _, col := range c.cols {
		tw = max(tw, uniseg.StringWidth(col.Title))
		iw = max(iw, len(col.ID))
	}
	return tw, iw
}

// line is item i as the chooser shows it: `[x] CPU%   cpu_pct ▼`.
func (c *chooser) line(i int) string {
	it := c.items[i]
	col := c.cols[it.col]
	box := "[ ]"
	if it.shown {
		box = "[x]"
	}
	tw, iw := c.widths()
	s := fmt.Sprintf("%s %s%s  %-*s", box, col.Title, strings.Repeat(" ", tw-uniseg.StringWidth(col.Title)), iw, col.ID)
	if id, desc := c.a.effectiveSort(); id == col.ID {
		if desc {
			s += " " + c.a.th.down
		} else {
			s += " " + c.a.th.up
		}
	}
	return strings.TrimRight(s, " ")
}

// Draw implements tview.Primitive.
func (c *chooser) Draw(screen tcell.Screen) {
	c.Box.DrawForSubclass(screen, c)
	x, y, w, h := c.GetInnerRect()
	if w <= 0 || h <= 0 {
		return
	}
	th := c.a.th
	rows := h - 1 // the key line
	if rows < 1 {
		rows = 1
	}
	if c.cur < c.top {
		c.top = c.cur
	}
	if c.cur >= c.top+rows {
		c.top = c.cur - rows + 1
	}
	for k := 0; k < rows && c.top+k < len(c.items); k++ {
		i := c.top + k
		st := th.base
		if i == c.cur {
			st = th.selected
			fill(screen, x, y+k, w, ' ', st)
		}
		put(screen, x, y+k, w, c.line(i), st)
	}
	if h > 1 {
		put(screen, x, y+h-1, w, chooserKeys, th.hintKey)
	}
}

// InputHandler implements tview.Primitive.
func (c *chooser) InputHandler() func(ev *tcell.EventKey, setFocus func(p tview.Primitive)) {
	return c.WrapInputHandler(func(ev *tcell.EventKey, _ func(p tview.Primitive)) {
		_, _, _, h := c.GetInnerRect()
		page := max(1, h-2)
		switch key, r := ev.Key(), ev.Rune(); {
		case key == tcell.KeyEscape, key == tcell.KeyRune && r == 'q':
			c.a.closeOverlay()
			c.a.applyColumns(c.view, c.before)
		case key == tcell.KeyEnter:
			c.a.closeOverlay()
			c.a.keepColumns(c.view, c.last)
		case key == tcell.KeyRune && r == ' ':
			c.toggle()
		case key == tcell.KeyRune && r == 'J', key == tcell.KeyF8, key == tcell.KeyDown && ev.Modifiers()&tcell.ModShift != 0:
			c.move(1)
		case key == tcell.KeyRune && r == 'K', key == tcell.KeyF7, key == tcell.KeyUp && ev.Modifiers()&tcell.ModShift != 0:
			c.move(-1)
		case key == tcell.KeyRune && r == 'r':
			for i := range c.items {
				c.items[i] = chooserItem{col: i, shown: i < len(c.view.Columns)}
			}
			c.apply()
		case key == tcell.KeyDown, key == tcell.KeyRune && r == 'j':
			c.cur = min(c.cur+1, len(c.items)-1)
		case key == tcell.KeyUp, key == tcell.KeyRune && r == 'k':
			c.cur = max(c.cur-1, 0)
		case key == tcell.KeyPgDn:
			c.cur = min(c.cur+page, len(c.items)-1)
		case key == tcell.KeyPgUp:
			c.cur = max(c.cur-page, 0)
		case key == tcell.KeyHome, key == tcell.KeyRune && r == 'g':
			c.cur = 0
		case key == tcell.KeyEnd, key == tcell.KeyRune && r == 'G':
			c.cur = len(c.items) - 1
		}
	})
}

// MouseHandler implements tview.Primitive: a click picks a line, a
// double click shows or hides it, the wheel scrolls.
func (c *chooser) MouseHandler() func(action tview.MouseAction, ev *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
	return c.WrapMouseHandler(func(action tview.MouseAction, ev *tcell.EventMouse, _ func(p tview.Primitive)) (bool, tview.Primitive) {
		x, y := ev.Position()
		if !c.InInnerRect(x, y) {
			return false, nil
		}
		_, iy, _, _ := c.GetInnerRect()
		switch action {
		case tview.MouseLeftClick, tview.MouseLeftDoubleClick:
			if i := c.top + y - iy; i >= 0 && i < len(c.items) {
				c.cur = i
				if action == tview.MouseLeftDoubleClick {
					c.toggle()
				}
			}
		case tview.MouseScrollUp:
			c.cur = max(c.cur-3, 0)
		case tview.MouseScrollDown:
			c.cur = min(c.cur+3, len(c.items)-1)
		}
		return true, nil
	})
}

// toggle shows or hides the column under the cursor; the last one shown
// cannot be hidden (a table of no column shows nothing).
func (c *chooser) toggle() {
	it := &c.items[c.cur]
	if it.shown && len(c.order()) == 1 {
		return
	}
	it.shown = !it.shown
	c.apply()
	if it.shown {
		// Its place in the table, which a label's column just joined.
		c.last = -1
		if t := c.a.table.data; t != nil && t.View == c.view {
			id := c.cols[it.col].ID
			c.last = slices.IndexFunc(t.Columns, func(x views.Column) bool { return x.ID == id })
		}
	}
}

// move moves the column under the cursor up (d < 0) or down the list,
// which is its place on the screen among the columns shown.
func (c *chooser) move(d int) {
	j := c.cur + d
	if j < 0 || j >= len(c.items) {
		return
	}
	c.items[c.cur], c.items[j] = c.items[j], c.items[c.cur]
	c.cur = j
	c.apply()
}

// order is the ids of the columns shown, in the list's order; nil when
// that is every column of the view in its own order (and no label's).
func (c *chooser) order() []string {
	var out []string
	all := true
	for k, it := range c.items {
		if it.shown {
			out = append(out, c.cols[it.col].ID)
		}
		if it.shown != (it.col < len(c.view.Columns)) || it.col != k {
			all = false
		}
	}
	if all {
		return nil
	}
	return out
}

// apply puts the chooser's columns on the table now.
func (c *chooser) apply() { c.a.applyColumns(c.view, c.order()) }

// applyColumns makes ids (nil: every column) the view's columns for this
// run, and lays the table out again when it shows that view; when the
// label columns change, the table is built again with them.
func (a *App) applyColumns(v *views.View, ids []string) {
	ch := a.choices[v.ID]
	ch.Columns = ids
	a.choices[v.ID] = ch
	labels := labelIDs(ids)
	a.mu.Lock()
	changed := !slices.Equal(a.labelCols[v.ID], labels)
	a.labelCols[v.ID] = labels
	a.mu.Unlock()
	tv := a.table
	if tv.data == nil || tv.data.View != v {
		return
	}
	if changed {
		a.resort(func() {})
	}
	tv.setOrder(a.columnOrder(v, len(tv.data.Columns)))
}

// keepColumns writes the view's columns and sort to the settings file and
// brings the column shown last (ci, -1 for none) on screen.
func (a *App) keepColumns(v *views.View, ci int) {
	if ci >= 0 && a.table.data != nil && a.table.data.View == v {
		a.table.fit()
		a.table.reveal(ci)
	}
	ch := a.choices[v.ID]
	ch.Sort, ch.Desc = "", false
	if id, desc := a.effectiveSort(); id != v.DefaultSort || desc != v.DefaultDesc {
		ch.Sort, ch.Desc = id, desc
	}
	a.choices[v.ID] = ch
	n := len(ch.Columns)
	if n == 0 {
		n = len(v.Columns)
	}
	if a.opts.Keep == nil {
		a.setMessage(false, "%s: %d of %d columns, for this run (no settings file)", v.Title, n, len(v.Columns))
		return
	}
	where, err := a.opts.Keep(v.ID, ch)
	if err != nil {
		a.setMessage(true, "%s: columns not kept: %v", v.Title, err)
		return
	}
	a.setMessage(false, "%s: %d of %d columns kept in %s", v.Title, n, len(v.Columns), where)
}

// copyChoices copies the settings' choices so that the chooser's changes
// stay this screen's until kept.
func copyChoices(in map[string]settings.View) map[string]settings.View {
	out := make(map[string]settings.View, len(in))
	for k, v := range in {
		v.Columns = slices.Clone(v.Columns)
		out[k] = v
	}
	return out
}
