package ui

import (
	"slices"
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
	lay    layout
	cols   []int // lay.cols: laid-out columns, indices into data.Columns
	widths []int // lay.widths
	fitW   int
	// order is the columns the view shows, in the chosen order (indices
	// into data.Columns); nil: every column.
	order []int
	// demand is, by column, the width of the longest value of an
	// explaining column (views.Column.Explains); 0 for the others.
	demand  []int
	nameCol int // the view's first name column, -1
	// off is how far the table is scrolled sideways: the columns after
	// the fixed ones start at cols[lay.fixed+off]. The table hands tview
	// only what is on screen (shown), so tview's own sideways offset
	// stays 0 and the layout is the same at every frame.
	off    int
	shown  []shownCol
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
	// placing is set while tview's Table draws to place the rows (Draw):
	// the content is then one empty column (placeHead, placeRow).
	placing             bool
	placeHead, placeRow tview.TableCell
	// sepColor is the colour of the blank between columns, as tview's
	// Table draws it (its borders' colour).
	sepColor tcell.Color
}

// shownCol is a column on screen: its position in cols and its width; a
// part is the last column cut at the screen's edge (it says there is
// more), pos -1 is the blank that fills the row to the edge.
type shownCol struct {
	pos, width int
	part       bool
}

// tableContent adapts tableView to tview.TableContent.
type tableContent struct {
	tview.TableContentReadOnly
	tv *tableView
}

func newTableView(a *App) *tableView {
	tv := &tableView{Table: tview.NewTable(), a: a, fitW: -1, indent: -1, sepColor: tview.Styles.GraphicsColor}
	tv.placeHead.NotSelectable = true
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

// InputHandler is tview's Table's, except while no row can be selected
// (before the first sample no column is laid out; a view with no rows):
// there tview's movement keys search for a selectable cell forever, with a
// core spinning and no key answered again.
func (tv *tableView) InputHandler() func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
	h := tv.Table.InputHandler()
	return func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
		if tv.data == nil || len(tv.cols) == 0 || tv.data.Len() == 0 {
			return
		}
		h(event, setFocus)
	}
}

// row returns the data row behind a table row (row 0 is the header).
func (tv *tableView) row(row int) *views.Row {
	if tv.data == nil || row < 1 || row > tv.data.Len() {
		return nil
	}
	return tv.data.Row(row - 1)
}

// selected is the row under the cursor, nil when the table is empty; on
// a wrapped row's later lines (keyed "key\x00n", wrapRows), the row.
func (tv *tableView) selected() *views.Row {
	r, _ := tv.GetSelection()
	row := tv.row(r)
	for row != nil && strings.Contains(row.Key, "\x00") && r > 1 {
		r--
		row = tv.row(r)
	}
	return row
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
		tv.order = tv.a.columnOrder(t.View, len(t.Columns))
		tv.nameCol = -1
		if len(t.View.NameColumns) > 0 {
			tv.nameCol = t.View.Col(t.View.NameColumns[0])
		}
		if old == nil || old.View != t.View {
			tv.off = 0 // another view starts at its first column
		}
	}
	if d := t.ExplainWidths(); !slices.Equal(d, tv.demand) {
		tv.demand = d
		tv.fitW = -1
	}
	if old != nil && (old.SortCol != t.SortCol || old.Desc != t.Desc || oldTree != tree) {
		tv.fitW = -1
	}
	tv.branches = nil
	if tree {
		tv.branches = treeBranches(t.RowSlice(), tv.a.th)
	}
	// tview keeps the last rows in view while a list is shorter than the
	// screen ("track end") and goes on doing so once it is longer: a
	// switch from a short list to a long one then showed its end with the
	// cursor on the first row, off screen. Setting the offset it has
	// turns that off; the cursor then decides what is shown.
	tv.SetOffset(tv.GetOffset())
	n := t.Len()
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
		idx = t.IndexOf(tv.selKey)
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
	if tv.data == nil || tv.data.Len() == 0 {
		return
	}
	rows := tv.data.Len()
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
	if i := tv.data.IndexOf(key); i >= 0 {
		tv.Select(i+1, 0)
		return true
	}
	return false
}

// Draw fits the columns to the width and draws the rows on screen.
//
// tview's Table keeps the cursor in view and learns the page's height
// (what PgDn moves by) at its draw, so it still draws first, but one
// empty column on a screen that keeps nothing (placeScreen); the rows
// are then drawn here, each cell once. tview drew each cell's text
// through its style-tag parser and a grapheme, word and line-break
// segmenter, measured it twice, asked for it three times and painted
// every cell of the table three times over (clear, text, background):
// two thirds of a key's frame at 10,000 rows, all of it the rows on
// screen (bench/RESULTS.md).
func (tv *tableView) Draw(screen tcell.Screen) {
	tv.fit()
	tv.placing = true
	tv.Table.Draw(placeScreen{screen})
	tv.placing = false
	tv.drawRows(screen)
}

// placeScreen is a screen that keeps nothing drawn on it.
type placeScreen struct{ tcell.Screen }

func (placeScreen) SetContent(int, int, rune, []rune, tcell.Style) {}

func (placeScreen) GetContent(int, int) (rune, []rune, tcell.Style, int) {
	return ' ', nil, tcell.StyleDefault, 1
}

// drawRows draws the header and the rows from tview's offset, the one
// under the cursor in the selected style, as tview's Table drew them.
func (tv *tableView) drawRows(screen tcell.Screen) {
	x, y, w, h := tv.GetInnerRect()
	blank := tcell.StyleDefault.Background(tv.GetBackgroundColor())
	off, _ := tv.GetOffset()
	sel, _ := tv.GetSelection()
	for k := 0; k < h; k++ {
		row := 0
		if k > 0 {
			row = off + k
		}
		if tv.data == nil || len(tv.shown) == 0 || row > tv.data.Len() {
			fill(screen, x, y+k, w, ' ', blank)
			continue
		}
		tv.drawRow(screen, row, sel, x, y+k, w, blank)
	}
}

// drawRow draws one table row (0: the header) on w cells.
func (tv *tableView) drawRow(screen tcell.Screen, row, sel, x, y, w int, blank tcell.Style) {
	cx := 0
	for i, sc := range tv.shown {
		if cx >= w {
			return
		}
		text, st, fixed, _ := tv.cell(row, i)
		// The cell after a column is its own: the blank between columns
		// in the borders' colour, after the last one a blank.
		_, bg, _ := st.Decompose()
		after := tcell.StyleDefault.Background(bg)
		if i < len(tv.shown)-1 {
			after = after.Foreground(tv.sepColor)
		}
		if row == sel && !fixed {
			st, after = tv.selectedStyle(st), tv.selectedStyle(after)
		}
		putCell(screen, x+cx, y, min(sc.width, w-cx), text, st)
		cx += sc.width
		if cx < w {
			screen.SetContent(x+cx, y, ' ', nil, after)
		}
		cx++
	}
	if cx < w {
		fill(screen, x+cx, y, w-cx, ' ', blank)
	}
}

// selectedStyle is a cell's style under the cursor: the theme's colours,
// its attributes unless the theme has none, as tview's Table does.
func (tv *tableView) selectedStyle(st tcell.Style) tcell.Style {
	fg, bg, attr := tv.a.th.selected.Decompose()
	st = st.Background(bg).Foreground(fg)
	if attr != 0 {
		st = st.Attributes(attr)
	}
	return st
}

// putCell draws s on at most w cells from x, one SetContent a cell; the
// cells a wide character covers are set too, as tview does, so that
// nothing of the last frame stays under it.
func putCell(screen tcell.Screen, x, y, w int, s string, st tcell.Style) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			putWide(screen, x, y, w, s, st)
			return
		}
	}
	for i := 0; i < len(s) && i < w; i++ {
		screen.SetContent(x+i, y, rune(s[i]), nil, st)
	}
}

// putWide is putCell for text that is not all printable ASCII.
func putWide(screen tcell.Screen, x, y, w int, s string, st tcell.Style) {
	used := 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		gw := g.Width()
		if used+gw > w {
			break
		}
		for k := gw - 1; k > 0; k-- {
			screen.SetContent(x+used+k, y, ' ', nil, st)
		}
		if gw > 0 {
			rs := g.Runes()
			screen.SetContent(x+used, y, rs[0], rs[1:], st)
		}
		used += gw
	}
}

// CellAt is the table row and column (an index into the columns on
// screen, -1 for none) at a point of the screen, as tview's Table says
// for the columns it draws.
func (tv *tableView) CellAt(x, y int) (row, column int) {
	row, _ = tv.Table.CellAt(x, y)
	rx, _, _, _ := tv.GetInnerRect()
	column = -1
	if x >= rx {
		cx := rx
		for i, sc := range tv.shown {
			cx += sc.width + 1
			if x < cx {
				return row, i
			}
		}
	}
	return row, column
}

// fit lays the columns out for the table's width, unless they already are.
func (tv *tableView) fit() {
	_, _, w, _ := tv.GetInnerRect()
	if tv.data == nil || w == tv.fitW || w <= 0 {
		return
	}
	sortCol := tv.data.SortCol
	if tv.tree {
		sortCol = -1
	}
	tv.lay = fitColumns(tv.data.Columns, tv.order, w, sortCol, tv.nameCol, tv.demand)
	tv.cols, tv.widths = tv.lay.cols, tv.lay.widths
	tv.indent = indentColumn(tv.data.View, tv.cols)
	tv.fitW = w
	tv.place(tv.off)
	tv.noteWrapWidth()
}

// place scrolls the table sideways to off (clamped to what there is to
// see) and decides which columns are on screen.
func (tv *tableView) place(off int) {
	w, l := tv.fitW, tv.lay
	tv.off = clamp(off, 0, tv.maxOffset(w))
	tv.shown = tv.shown[:0]
	used := 0
	add := func(k int) bool {
		if used >= w {
			return false
		}
		cw := l.widths[k]
		if used+cw > w {
			tv.shown = append(tv.shown, shownCol{pos: k, width: w - used, part: true})
			used = w + 1
			return false
		}
		tv.shown = append(tv.shown, shownCol{pos: k, width: cw})
		used += cw + 1
		return true
	}
	for k := 0; k < l.fixed && k < len(l.cols); k++ {
		if !add(k) {
			break
		}
	}
	for k := l.fixed + tv.off; k < len(l.cols); k++ {
		if !add(k) {
			break
		}
	}
	if used < w {
		tv.shown = append(tv.shown, shownCol{pos: -1, width: w - used})
	}
	// tview's own offset would shift what it is handed.
	if row, coff := tv.GetOffset(); coff != 0 {
		tv.SetOffset(row, 0)
	}
}

// setOrder shows the columns of order (nil: every column), laid out at
// the next draw.
func (tv *tableView) setOrder(order []int) {
	tv.order = order
	tv.fitW = -1
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

// layout is where a view's columns sit on a screen of one width: the
// first page (what fits, by the columns' Priority) and then, reached by
// scrolling sideways, the columns that did not fit.
type layout struct {
	cols   []int // indices into the view's columns, in screen order
	widths []int
	first  int // cols[:first] are the first page
	fixed  int // leading columns that stay put when the table scrolls sideways
}

// fitColumns lays out the columns shown (order, in the chosen order) on
// width cells. The highest Priority goes off the first page first (the
// sort column never does) and follows it, in order, to be reached
// sideways; then text columns are narrowed. What is left over goes to the
// Width-0 column up to its longest value (demand, by column; a third of
// the width at most), to the columns that explain a row (Explains) up to
// theirs, then to the Width-0 column again, which goes last on the
// page (a command line, as in top); whatever remains is blank (place),
// so that the selection reverses the whole row. When columns are off the
// page, the row's name (name, a column index or -1) stays put while the
// rest scrolls, as a spreadsheet freezes its first column.
func fitColumns(cols []views.Column, order []int, width, sortCol, name int, demand []int) layout {
	if order == nil {
		order = make([]int, len(cols))
		for i := range order {
			order[i] = i
		}
	}
	// While dropping, a Width-0 column (a command line) claims a quarter
	// of the width, so that it is not squeezed to nothing by numbers.
	flexWant := max(width/4, flexMin)
	want := func(i int) int {
		if cols[i].Width == 0 {
			return flexWant
		}
		return colWidth(cols[i])
	}
	f := &fitting{cols: cols, vis: slices.Clone(order)}
	for _, i := range f.vis {
		f.widths = append(f.widths, want(i))
	}
	off := f.dropOff(width, sortCol)
	for k, i := range f.vis {
		if cols[i].Width == 0 {
			f.widths[k] = flexMin
		}
	}
	f.narrow(width)
	f.share(width, demand)
	for f.yield(width, sortCol, demand, off) {
		f.share(width, demand)
	}
	f.flexLast(width)
	l := layout{first: len(f.vis)}
	vis, widths := f.vis, f.widths
	for _, i := range order {
		if off[i] {
			vis = append(vis, i)
			widths = append(widths, want(i))
		}
	}
	l.cols, l.widths = vis, widths
	if len(off) > 0 {
		l.fixed = frozen(vis[:l.first], widths, name, width)
	}
	return l
}

// fitting is the columns of a layout's first page (vis, indices into cols)
// and their widths while fitColumns fits them.
type fitting struct {
	cols   []views.Column
	vis    []int
	widths []int
}

// total is the cells the page takes, a blank between columns.
func (f *fitting) total() int {
	t := len(f.vis) - 1
	for _, w := range f.widths {
		t += w
	}
	return t
}

// dropOff takes columns off the page, the highest Priority first (never
// sortCol), until it fits width or none can go; it returns those taken.
func (f *fitting) dropOff(width, sortCol int) map[int]bool {
	off := map[int]bool{}
	for f.total() > width {
		drop, best := -1, 0
		for j, i := range f.vis {
			if p := f.cols[i].Priority; p > 0 && p >= best && i != sortCol {
				drop, best = j, p
			}
		}
		if drop < 0 {
			break
		}
		off[f.vis[drop]] = true
		f.vis = slices.Delete(f.vis, drop, drop+1)
		f.widths = slices.Delete(f.widths, drop, drop+1)
	}
	return off
}

// yield takes off the page, to be reached sideways, the column of least
// worth (highest Priority, never sortCol) that is worth less than an
// explaining column still cut short (an app's last failure beside an
// empty LABELS), and says whether it took one; an explanation claims at
// most half the width. A column shown always (Priority 0) explains with
// what is left and makes nothing yield.
func (f *fitting) yield(width, sortCol int, demand []int, off map[int]bool) bool {
	short := 0 // the Priority of the most worth explaining column cut short
	for k, i := range f.vis {
		c := f.cols[i]
		if c.Explains && c.Priority > 0 && c.Width != 0 && i < len(demand) && f.widths[k] < min(demand[i], width/2) && (short == 0 || c.Priority < short) {
			short = c.Priority
		}
	}
	if short == 0 {
		return false
	}
	drop, best := -1, short
	for j, i := range f.vis {
		c := f.cols[i]
		if p := c.Priority; p > best && !c.Explains && c.Width != 0 && i != sortCol {
			drop, best = j, p
		}
	}
	if drop < 0 {
		return false
	}
	off[f.vis[drop]] = true
	f.vis = slices.Delete(f.vis, drop, drop+1)
	f.widths = slices.Delete(f.widths, drop, drop+1)
	return true
}

// narrow takes a cell at a time from the widest text column (down to 6)
// until the page fits width.
func (f *fitting) narrow(width int) {
	for f.total() > width {
		j, best := -1, 6
		for k, i := range f.vis {
			if !f.cols[i].Number && f.cols[i].Width != 0 && f.widths[k] > best {
				j, best = k, f.widths[k]
			}
		}
		if j < 0 {
			return
		}
		f.widths[j]--
	}
}

// share gives what is left of width first to the Width-0 column up to
// what its values need (a third of the width at most), then to the
// explaining columns, a cell at a time round them, up to what theirs
// need.
func (f *fitting) share(width int, demand []int) {
	for k, i := range f.vis {
		if f.cols[i].Width == 0 && i < len(demand) {
			if n := min(demand[i], width/3, f.widths[k]+width-f.total()); n > f.widths[k] {
				f.widths[k] = n
			}
		}
	}
	for more := true; more && f.total() < width; {
		more = false
		for k, i := range f.vis {
			if f.cols[i].Explains && f.cols[i].Width != 0 && i < len(demand) && f.widths[k] < demand[i] && f.total() < width {
				f.widths[k]++
				more = true
			}
		}
	}
}

// flexLast moves the Width-0 column to the end of the page with whatever
// width is left.
func (f *fitting) flexLast(width int) {
	for k, i := range f.vis {
		if f.cols[i].Width == 0 {
			if rest := width - f.total() + f.widths[k]; rest > f.widths[k] {
				f.widths[k] = rest
			}
			f.vis = append(append(f.vis[:k:k], f.vis[k+1:]...), i)
			f.widths = append(append(f.widths[:k:k], f.widths[k+1:]...), f.widths[k])
			return
		}
	}
}

// frozen is how many leading columns stay while the table scrolls
// sideways: those up to the row's name when it is among the first two
// and they take at most half the width, else the first column when it is
// narrow (an id, a pid), else none.
func frozen(page, widths []int, name, width int) int {
	used := 0
	for k := 0; k < len(page) && k < 2; k++ {
		used += widths[k] + 1
		if page[k] == name {
			if used <= width/2 {
				return k + 1
			}
			break
		}
	}
	if len(page) > 1 && widths[0]+1 <= width/3 {
		return 1
	}
	return 0
}

// maxOffset is the furthest the table scrolls sideways on w cells: the
// offset (in columns after the fixed ones) at which the last column is
// whole on screen.
func (tv *tableView) maxOffset(w int) int {
	l := tv.lay
	if len(l.cols) == l.first {
		return 0
	}
	room := w
	for k := 0; k < l.fixed; k++ {
		room -= l.widths[k] + 1
	}
	used, off := 0, len(l.cols)-l.fixed
	for k := len(l.cols) - 1; k >= l.fixed; k-- {
		if used+l.widths[k] > room {
			break
		}
		used += l.widths[k] + 1
		off--
	}
	return off
}

// onScreen is the positions in cols of the columns wholly on screen.
func (tv *tableView) onScreen() []int {
	var out []int
	for _, c := range tv.shown {
		if c.pos >= 0 && !c.part {
			out = append(out, c.pos)
		}
	}
	return out
}

// scrollColumns moves the columns sideways by n (right when n > 0),
// within what there is to see.
func (tv *tableView) scrollColumns(n int) {
	if tv.data == nil || tv.fitW < 0 {
		return
	}
	tv.place(tv.off + n)
}

// reveal scrolls sideways, as little as it takes, so that data column ci
// is wholly on screen; false when it is not laid out at all.
func (tv *tableView) reveal(ci int) bool {
	k := slices.Index(tv.cols, ci)
	if k < 0 {
		return false
	}
	for range len(tv.cols) {
		vis := tv.onScreen()
		if slices.Contains(vis, k) {
			return true
		}
		dir := 1
		if len(vis) > 0 && k < vis[len(vis)-1] {
			dir = -1
		}
		before := tv.off
		tv.scrollColumns(dir)
		if tv.off == before {
			return false
		}
	}
	return false
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
// a cut ends in the theme's ellipsis so that it does not read as whole,
// or starts with it where the column keeps a value's end (a path).
func (tv *tableView) fitText(c views.Column, s string, w int) string {
	sw := textWidth(s)
	if sw > w {
		if c.KeepEnd {
			return truncateStart(s, w, tv.a.th.cutMark)
		}
		return truncate(s, w, tv.a.th.cutMark)
	}
	pad := strings.Repeat(" ", w-sw)
	if c.Number {
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
	r := tv.data.Row(i)
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
	return c.tv.data.Len() + 1
}

func (c *tableContent) GetColumnCount() int {
	if c.tv.placing && len(c.tv.shown) > 0 {
		return 1
	}
	return len(c.tv.shown)
}

func (c *tableContent) GetCell(row, column int) *tview.TableCell {
	tv := c.tv
	if tv.placing {
		switch {
		case tv.data == nil || column != 0 || row < 0 || row > tv.data.Len():
			return nil
		case row == 0:
			return &tv.placeHead
		}
		return &tv.placeRow
	}
	text, st, fixed, ref := tv.cell(row, column)
	if ref == noCell {
		return nil
	}
	return &tview.TableCell{Text: escape(text), Style: st, NotSelectable: fixed, Reference: ref}
}

// noCell is cell's reference for no cell at all.
const noCell = -2

// cell is what a table row (0: the header) shows in a column on screen
// (an index into shown), fitted to its width: its text, style, whether
// it is fixed (not selectable: the header) and the data column it shows
// (-1 for the blank that fills the row, noCell when there is none).
func (tv *tableView) cell(row, column int) (text string, st tcell.Style, fixed bool, ref int) {
	if tv.data == nil || column < 0 || column >= len(tv.shown) {
		return "", st, false, noCell
	}
	sc := tv.shown[column]
	if row == 0 {
		st := tv.a.th.header
		if sc.pos < 0 {
			return blanks(sc.width), st, true, -1
		}
		ci := tv.cols[sc.pos]
		if ci == tv.data.SortCol && !tv.tree {
			st = tv.a.th.sortHeader
		}
		title := views.Column{Number: tv.data.Columns[ci].Number} // a title is cut at its end
		return tv.fitText(title, tv.headerText(ci), sc.width), st, true, ci
	}
	r := tv.row(row)
	if r == nil {
		return "", st, false, noCell
	}
	st = tv.a.th.base
	if r.Attention { // the row needs a look: the alert colour, as csysdig blinked
		st = tv.a.th.msgErr
	}
	if sc.pos < 0 {
		return blanks(sc.width), st, false, -1
	}
	ci := tv.cols[sc.pos]
	return tv.fitText(tv.data.Columns[ci], tv.cellText(row-1, ci), sc.width), st, false, ci
}

// spaces backs blanks: the fill of a row is a slice of it, not a new
// string per cell and frame.
var spaces = strings.Repeat(" ", 1024)

// blanks is n spaces.
func blanks(n int) string {
	if n <= len(spaces) {
		return spaces[:n]
	}
	return strings.Repeat(" ", n)
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

// truncateStart cuts s to w cells keeping its end, starting with mark.
func truncateStart(s string, w int, mark string) string {
	mw := uniseg.StringWidth(mark)
	if w <= mw {
		mark, mw = "", 0
	}
	var parts []string
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		parts = append(parts, g.Str())
	}
	used, k := 0, len(parts)
	for k > 0 {
		cw := uniseg.StringWidth(parts[k-1])
		if used+cw > w-mw {
			break
		}
		used += cw
		k--
	}
	c := mark + strings.Join(parts[k:], "")
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
