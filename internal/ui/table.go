package ui

import (
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/rivo/uniseg"

	"github.com/ctop-like/ctop-like/internal/views"
)

// tableView is the view's table: a tview.Table over virtual content, so a
// refresh of 10,000 rows swaps one slice and formats only the rows on screen.
type tableView struct {
	*tview.Table
	a      *App
	data   *views.Table
	tree   bool
	cols   []int // visible columns, indices into data.Columns
	widths []int
	fitW   int
	indent int // column (index into data.Columns) indented in tree mode, -1
	// selKey is the row the user chose; the cursor follows it when the
	// order changes. Until the user moves, it is "" and the cursor stays
	// where it is (at the top at first), as in htop: following whichever
	// row happened to be first before rates existed would scroll the
	// busiest rows out of view.
	selKey string
	// refreshing is set while setData moves the cursor itself, so that
	// such a move does not count as the user's choice.
	refreshing bool
	// branches are the tree-mode prefixes of each row ("│ ├─ "), nil
	// outside tree mode.
	branches []string
}

// tableContent adapts tableView to tview.TableContent.
type tableContent struct {
	tview.TableContentReadOnly
	tv *tableView
}

func newTableView(a *App) *tableView {
	tv := &tableView{Table: tview.NewTable(), a: a, fitW: -1, indent: -1}
	tv.SetContent(&tableContent{tv: tv})
	tv.SetFixed(1, 0)
	tv.SetSelectable(true, false)
	tv.SetSelectedStyle(a.th.selected)
	tv.SetSelectionChangedFunc(func(row, _ int) {
		if r := tv.row(row); r != nil && !tv.refreshing {
			tv.selKey = r.Key
		}
	})
	return tv
}

// row returns the data row behind a table row (row 0 is the header).
func (tv *tableView) row(row int) *views.Row {
	if tv.data == nil || row < 1 || row > len(tv.data.Rows) {
		return nil
	}
	return &tv.data.Rows[row-1]
}

// selected is the row under the cursor, nil when the table is empty.
func (tv *tableView) selected() *views.Row {
	r, _ := tv.GetSelection()
	return tv.row(r)
}

// setData swaps in a new table, keeping the cursor on the same row key
// whatever the new order; a row that vanished leaves it at the same place.
func (tv *tableView) setData(t *views.Table, tree bool) {
	tv.refreshing = true
	defer func() { tv.refreshing = false }()
	old, oldTree := tv.data, tv.tree
	oldRow, _ := tv.GetSelection()
	tv.data, tv.tree = t, tree
	if old == nil || old.View != t.View || len(old.Columns) != len(t.Columns) {
		tv.fitW = -1
	}
	if old != nil && (old.SortCol != t.SortCol || old.Desc != t.Desc || oldTree != tree) {
		tv.fitW = -1
	}
	tv.branches = nil
	if tree {
		tv.branches = treeBranches(t.Rows, tv.a.th)
	}
	// tview keeps the last rows in view while a list is shorter than the
	// screen ("track end") and goes on doing so once it is longer: a
	// switch from a short list to a long one then showed its end with the
	// cursor on the first row, off screen. Setting the offset it has
	// turns that off; the cursor then decides what is shown.
	tv.SetOffset(tv.GetOffset())
	n := len(t.Rows)
	if n == 0 {
		tv.Select(0, 0)
		return
	}
	if followEnd(old, t, oldRow) {
		tv.Select(n, 0)
		return
	}
	idx := -1
	if tv.selKey != "" {
		for i := range t.Rows {
			if t.Rows[i].Key == tv.selKey {
				idx = i
				break
			}
		}
	}
	if idx < 0 && old != nil && old.View != t.View {
		idx = 0 // another view: start at the top
	}
	if idx < 0 {
		idx = oldRow - 1
		if idx < 0 {
			idx = 0
		}
		if idx >= n {
			idx = n - 1
		}
	}
	tv.Select(idx+1, 0)
}

// wheel moves the selection and the page together by n rows, as htop's
// wheel does: the selection is the user's choice and stays on screen, so
// the next refresh, which keeps the selection in view, does not scroll
// back.
func (tv *tableView) wheel(n int) {
	if tv.data == nil || len(tv.data.Rows) == 0 {
		return
	}
	rows := len(tv.data.Rows)
	_, _, _, h := tv.GetInnerRect()
	page := h - 1 // the header row stays
	if page < 1 {
		page = 1
	}
	row, _ := tv.GetSelection()
	off, coff := tv.GetOffset()
	off = clamp(off+n, 0, max(0, rows-page))
	row = clamp(row+n, 1, rows)
	// The selection stays within the page shown.
	row = clamp(row, off+1, off+page)
	tv.SetOffset(off, coff)
	tv.Select(row, 0)
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// treeBranches draws each row's place in the tree from the depths of the
// rows in tree order: a child with a later sibling gets "├─", the last
// one "└─", and each ancestor that still has siblings to come a "│" above
// them, as htop and tree(1) draw.
func treeBranches(rows []views.Row, th *theme) []string {
	out := make([]string, len(rows))
	// more[d]: a row of depth d comes later under the same parent; the
	// rows are scanned from the end so it is known when a row is met.
	var more []bool
	for i := len(rows) - 1; i >= 0; i-- {
		d := rows[i].Depth
		for len(more) <= d {
			more = append(more, false)
		}
		if d > 0 {
			var b strings.Builder
			for k := 1; k < d; k++ {
				if more[k] {
					b.WriteString(th.treeLine)
				} else {
					b.WriteString("   ")
				}
			}
			if more[d] {
				b.WriteString(th.treeTee)
			} else {
				b.WriteString(th.treeBranch)
			}
			out[i] = b.String()
		}
		more[d] = true
		for k := d + 1; k < len(more); k++ {
			more[k] = false
		}
	}
	return out
}

// selectKey moves the cursor to a row key; false when it is not shown.
func (tv *tableView) selectKey(key string) bool {
	if tv.data == nil {
		return false
	}
	for i := range tv.data.Rows {
		if tv.data.Rows[i].Key == key {
			tv.Select(i+1, 0)
			return true
		}
	}
	return false
}

// Draw fits the columns to the width before tview draws the table.
func (tv *tableView) Draw(screen tcell.Screen) {
	_, _, w, _ := tv.GetInnerRect()
	if tv.data != nil && w != tv.fitW {
		sortCol := tv.data.SortCol
		if tv.tree {
			sortCol = -1
		}
		tv.cols, tv.widths = fitColumns(tv.data.Columns, w, sortCol)
		tv.indent = indentColumn(tv.data.View, tv.cols)
		tv.fitW = w
		tv.noteWrapWidth()
	}
	tv.Table.Draw(screen)
}

// colWidth is a column's preferred width, never narrower than its title
// and the sort mark.
func colWidth(c views.Column) int {
	w := c.Width
	if t := uniseg.StringWidth(c.Title) + 1; w < t {
		w = t
	}
	return w
}

const flexMin = 10 // narrowest a Width-0 column gets

// fitColumns picks the columns that fit a width: the highest Priority is
// dropped first (the sort column never is), then text columns are narrowed,
// and the Width-0 column takes what is left.
func fitColumns(cols []views.Column, width, sortCol int) (vis, widths []int) {
	// While dropping, a Width-0 column (a command line) claims a quarter
	// of the width, so that it is not squeezed to nothing by numbers.
	flexWant := width / 4
	if flexWant < flexMin {
		flexWant = flexMin
	}
	for i := range cols {
		vis = append(vis, i)
		if cols[i].Width == 0 {
			widths = append(widths, flexWant)
		} else {
			widths = append(widths, colWidth(cols[i]))
		}
	}
	total := func() int {
		t := len(vis) - 1
		for _, w := range widths {
			t += w
		}
		return t
	}
	for total() > width {
		drop, best := -1, 0
		for j, i := range vis {
			if p := cols[i].Priority; p > 0 && p >= best && i != sortCol {
				drop, best = j, p
			}
		}
		if drop < 0 {
			break
		}
		vis = append(vis[:drop:drop], vis[drop+1:]...)
		widths = append(widths[:drop:drop], widths[drop+1:]...)
	}
	for k, i := range vis {
		if cols[i].Width == 0 {
			widths[k] = flexMin
		}
	}
	for total() > width {
		j, best := -1, 6
		for k, i := range vis {
			if !cols[i].Number && cols[i].Width != 0 && widths[k] > best {
				j, best = k, widths[k]
			}
		}
		if j < 0 {
			break
		}
		widths[j]--
	}
	for k, i := range vis {
		if cols[i].Width == 0 {
			if rest := width - total() + widths[k]; rest > widths[k] {
				widths[k] = rest
			}
			// The column that takes what is left (a command line) goes
			// last, as in top and htop: on a wide screen the columns
			// beyond the minimum would otherwise follow it.
			vis = append(append(vis[:k:k], vis[k+1:]...), i)
			widths = append(append(widths[:k:k], widths[k+1:]...), widths[k])
			break
		}
	}
	return vis, widths
}

// indentColumn is where tree mode draws its branches: the view's tree
// column when it is on screen, else -1.
func indentColumn(v *views.View, vis []int) int {
	tc := v.TreeCol()
	for _, i := range vis {
		if i == tc {
			return i
		}
	}
	return -1
}

// fitText pads or cuts s to exactly w cells, right-aligned for numbers;
// a cut ends in the theme's ellipsis so that it does not read as whole.
func (tv *tableView) fitText(s string, w int, right bool) string {
	sw := textWidth(s)
	if sw > w {
		return truncate(s, w, tv.a.th.cutMark)
	}
	pad := strings.Repeat(" ", w-sw)
	if right {
		return pad + s
	}
	return s + pad
}

// textWidth is uniseg.StringWidth with a fast path for printable ASCII,
// which is what nearly every cell holds (one cell per byte).
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return uniseg.StringWidth(s)
		}
	}
	return len(s)
}

// escape is tview.Escape without its regular expression for the text that
// has no '[' (nearly every cell): only a '[' can start a style tag.
func escape(s string) string {
	if strings.IndexByte(s, '[') < 0 {
		return s
	}
	return tview.Escape(s)
}

// cellText is the formatted value of data row i's cell ci, tree branch
// included.
func (tv *tableView) cellText(i, ci int) string {
	r := &tv.data.Rows[i]
	s := views.Format(tv.data.Columns[ci], r.Values[ci])
	if tv.tree && ci == tv.indent && i < len(tv.branches) {
		s = tv.branches[i] + s
	}
	return s
}

// headerText is a column title with the sort mark.
func (tv *tableView) headerText(ci int) string {
	t := tv.data.Columns[ci].Title
	if ci == tv.data.SortCol && !tv.tree {
		if tv.data.Desc {
			t += tv.a.th.down
		} else {
			t += tv.a.th.up
		}
	}
	return t
}

func (c *tableContent) GetRowCount() int {
	if c.tv.data == nil {
		return 1
	}
	return len(c.tv.data.Rows) + 1
}

func (c *tableContent) GetColumnCount() int { return len(c.tv.cols) }

func (c *tableContent) GetCell(row, column int) *tview.TableCell {
	tv := c.tv
	if tv.data == nil || column < 0 || column >= len(tv.cols) {
		return nil
	}
	ci := tv.cols[column]
	col := tv.data.Columns[ci]
	w := tv.widths[column]
	if row == 0 {
		st := tv.a.th.header
		if ci == tv.data.SortCol && !tv.tree {
			st = tv.a.th.sortHeader
		}
		return &tview.TableCell{Text: escape(tv.fitText(tv.headerText(ci), w, col.Number)), Style: st, NotSelectable: true, Reference: ci}
	}
	r := tv.row(row)
	if r == nil {
		return nil
	}
	st := tv.a.th.base
	if r.Attention { // the row needs a look: the alert colour, as csysdig blinked
		st = tv.a.th.msgErr
	}
	return &tview.TableCell{Text: escape(tv.fitText(tv.cellText(row-1, ci), w, col.Number)), Style: st, Reference: ci}
}

// truncate cuts s to w cells without splitting a character, ending in
// mark, padding with spaces to exactly w.
func truncate(s string, w int, mark string) string {
	mw := uniseg.StringWidth(mark)
	if w <= mw {
		mark, mw = "", 0
	}
	c := cut(s, w-mw) + mark
	if n := w - uniseg.StringWidth(c); n > 0 {
		c += strings.Repeat(" ", n)
	}
	return c
}

// cut shortens s to at most w cells without splitting a character.
func cut(s string, w int) string {
	var b strings.Builder
	used := 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		cw := g.Width()
		if used+cw > w {
			break
		}
		b.WriteString(g.Str())
		used += cw
	}
	return b.String()
}
