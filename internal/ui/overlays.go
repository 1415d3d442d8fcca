package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/rivo/uniseg"

	"github.com/ctop-like/ctop-like/internal/termtext"
	"github.com/ctop-like/ctop-like/internal/views"
)

// centered draws a primitive in the middle of the screen at most w×h.
type centered struct {
	tview.Primitive
	w, h int
}

// Draw implements tview.Primitive.
func (c *centered) Draw(screen tcell.Screen) {
	sw, sh := screen.Size()
	w, h := c.w, c.h
	if w > sw {
		w = sw
	}
	if h > sh {
		h = sh
	}
	c.Primitive.SetRect((sw-w)/2, (sh-h)/2, w, h)
	c.Primitive.Draw(screen)
}

// showOverlay puts a page over the table and gives it the keys; a click
// outside what it draws closes it (see mouse).
func (a *App) showOverlay(name string, p tview.Primitive, focus tview.Primitive) {
	a.root.AddPage(name, p, true, true)
	a.overlay = name
	a.overlayBox = p
	if c, ok := p.(*centered); ok {
		a.overlayBox = c.Primitive
	}
	a.overlayFocus = focus
	a.app.SetFocus(focus)
}

// closeOverlay returns to the table.
func (a *App) closeOverlay() {
	if a.overlay != "" {
		a.root.RemovePage(a.overlay)
	}
	a.overlay = ""
	a.overlayBox, a.overlayFocus = nil, nil
	a.detailsKey = ""
	a.app.SetFocus(a.table)
}

// menuItem is one line of a pop-up menu.
type menuItem struct {
	label string
	key   rune // runs the item from the menu; 0: none
	do    func()
}

// showMenu opens a list; Enter runs an item, Esc closes.
func (a *App) showMenu(name, title string, items []menuItem, current int) {
	l := tview.NewList().ShowSecondaryText(false).SetHighlightFullLine(true)
	l.SetSelectedStyle(a.th.selected)
	l.SetMainTextStyle(a.th.base)
	l.SetBorder(true).SetTitle(" " + title + " ")
	w := len(title) + 6
	for _, it := range items {
		it := it
		l.AddItem(tview.Escape(it.label), "", it.key, func() {
			a.closeOverlay()
			it.do()
		})
		n := len(it.label) + 4
		if it.key != 0 {
			n += 4 // "(k) "
		}
		if n > w {
			w = n
		}
	}
	if current >= 0 && current < len(items) {
		l.SetCurrentItem(current)
	}
	l.SetDoneFunc(a.closeOverlay)
	l.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		if ev.Key() == tcell.KeyRune && ev.Rune() == 'q' || ev.Key() == tcell.KeyBackspace2 || ev.Key() == tcell.KeyBackspace {
			a.closeOverlay()
			return nil
		}
		return ev
	})
	a.showOverlay(name, &centered{Primitive: l, w: w, h: len(items) + 2}, l)
}

// showHelp lists every binding of the current view, from the bindings.
func (a *App) showHelp(_ *tcell.EventKey) {
	var rows [][2]string
	for _, k := range a.bindings {
		if !a.available(k) {
			continue
		}
		rows = append(rows, [2]string{k.keyNames(), k.desc})
	}
	rows = append(rows, a.actionHelp()...)
	rows = append(rows, a.navigationHelp()...)
	var tail string
	if a.opts.ReadOnly {
		tail = "read-only: no actions are offered"
	}
	tv := tview.NewTextView().SetWrap(false)
	tv.SetTextStyle(a.th.base)
	tv.SetBorder(true).SetTitle(" Help: " + a.curView().Title + " (Esc closes, arrows scroll) ")
	tv.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		switch {
		case ev.Key() == tcell.KeyEscape, ev.Key() == tcell.KeyEnter, ev.Key() == tcell.KeyF1,
			ev.Key() == tcell.KeyBackspace2, ev.Key() == tcell.KeyBackspace,
			ev.Key() == tcell.KeyRune && (ev.Rune() == 'q' || ev.Rune() == '?'):
			a.closeOverlay()
			return nil
		}
		return ev
	})
	w, h := helpSize(rows, tail)
	a.showOverlay("help", &centered{Primitive: &helpView{TextView: tv, rows: rows, tail: tail, width: -1}, w: w + 2, h: h + 2}, tv)
}

// helpView is the help text, wrapped again whenever its width changes so
// that no line is cut, on an 80×24 screen or after a resize.
type helpView struct {
	*tview.TextView
	rows  [][2]string
	tail  string
	width int
}

// Draw implements tview.Primitive.
func (h *helpView) Draw(screen tcell.Screen) {
	if _, _, w, _ := h.GetInnerRect(); w != h.width {
		h.width = w
		h.SetText(helpText(h.rows, h.tail, w))
	}
	h.TextView.Draw(screen)
}

// helpSize is the width and height of the help text unwrapped.
func helpSize(rows [][2]string, tail string) (w, h int) {
	text := helpText(rows, tail, 1<<20)
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if n := uniseg.StringWidth(l); n > w {
			w = n
		}
		h++
	}
	return w, h
}

// helpText lays out key names and what they do in two columns within
// width cells; a description that does not fit wraps at word boundaries
// under its own column. When the keys leave too little room, each
// description goes under its keys instead.
func helpText(rows [][2]string, tail string, width int) string {
	kw := 0
	for _, r := range rows {
		if n := uniseg.StringWidth(r[0]); n > kw {
			kw = n
		}
	}
	indent := kw + 2
	if width-indent < 24 {
		indent = 4
	}
	var b strings.Builder
	for _, r := range rows {
		lines := wrapWords(r[1], width-indent)
		if indent == 4 {
			for _, l := range wrapWords(r[0], width) {
				b.WriteString(l + "\n")
			}
		} else {
			b.WriteString(r[0] + strings.Repeat(" ", indent-uniseg.StringWidth(r[0])) + lines[0] + "\n")
			lines = lines[1:]
		}
		for _, l := range lines {
			b.WriteString(strings.Repeat(" ", indent) + l + "\n")
		}
	}
	if tail != "" {
		b.WriteString("\n")
		for _, l := range wrapWords(tail, width) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// wrapWords breaks s into lines of at most w cells at spaces; a word
// longer than w is cut.
func wrapWords(s string, w int) []string {
	if w < 1 {
		w = 1
	}
	var out []string
	line := ""
	for _, word := range strings.Fields(s) {
		for uniseg.StringWidth(word) > w {
			if line != "" {
				out = append(out, line)
				line = ""
			}
			c := cut(word, w)
			if c == "" { // a character wider than the line
				break
			}
			out = append(out, c)
			word = word[len(c):]
		}
		switch {
		case line == "":
			line = word
		case uniseg.StringWidth(line)+1+uniseg.StringWidth(word) <= w:
			line += " " + word
		default:
			out = append(out, line)
			line = word
		}
	}
	if line != "" || len(out) == 0 {
		out = append(out, line)
	}
	return out
}

// showViewsMenu offers the views that apply to the current scope.
func (a *App) showViewsMenu(_ *tcell.EventKey) {
	var items []menuItem
	cur := 0
	for i, v := range a.applicableViews() {
		id := v.ID
		if id == a.cur().view {
			cur = i
		}
		items = append(items, menuItem{label: fmt.Sprintf("%-18s %s", v.Title, id), do: func() { a.setView(id) }})
	}
	a.showMenu("views", "Views", items, cur)
}

// showSortMenu offers every column of the view.
func (a *App) showSortMenu(_ *tcell.EventKey) {
	v := a.curView()
	id, desc := a.effectiveSort()
	var items []menuItem
	cur := 0
	for i, c := range v.Columns {
		cid := c.ID
		mark := " "
		if cid == id {
			cur = i
			mark = a.th.up
			if desc {
				mark = a.th.down
			}
		}
		items = append(items, menuItem{label: fmt.Sprintf("%s %-10s %s", mark, c.Title, cid), do: func() { a.sortBy(cid) }})
	}
	a.showMenu("sort", "Sort by", items, cur)
}

// ask opens the input line in place of the hint bar.
func (a *App) ask(label, text string, changed func(string), done func(text string, key tcell.Key)) {
	p := a.prompt
	p.SetChangedFunc(nil)
	p.SetAutocompleteFunc(nil)
	p.SetAutocompletedFunc(nil)
	p.SetInputCapture(nil)
	p.SetLabel(label)
	p.SetText(text)
	p.SetChangedFunc(changed)
	p.SetDoneFunc(func(key tcell.Key) {
		txt := p.GetText()
		a.closePrompt()
		done(txt, key)
	})
	a.bottom.SwitchToPage("prompt")
	a.app.SetFocus(p)
}

func (a *App) closePrompt() {
	a.bottom.SwitchToPage("hints")
	a.app.SetFocus(a.table)
}

// commandEntries completes a command line: view ids and q.
func commandEntries(text string) []string {
	var out []string
	for _, id := range append(views.IDs(), "q", "quit") {
		if strings.HasPrefix(id, text) && id != text {
			out = append(out, id)
		}
	}
	return out
}

// showCommand opens the `:` command line.
func (a *App) showCommand(_ *tcell.EventKey) {
	a.ask(":", "", nil, func(text string, key tcell.Key) {
		if key == tcell.KeyEnter {
			a.runCommand(text)
		}
	})
	p := a.prompt
	p.SetAutocompleteFunc(func(text string) []string {
		if text == "" {
			return nil
		}
		return commandEntries(text)
	})
	p.SetAutocompletedFunc(func(text string, _ int, source int) bool {
		p.SetText(text)
		if source == tview.AutocompletedEnter {
			a.closePrompt()
			a.runCommand(text)
		}
		return source != tview.AutocompletedNavigate
	})
	p.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		if ev.Key() == tcell.KeyTab {
			if m := commandEntries(p.GetText()); len(m) > 0 {
				p.SetText(commonPrefix(m))
			}
			return nil
		}
		return ev
	})
}

func commonPrefix(s []string) string {
	p := s[0]
	for _, x := range s[1:] {
		for !strings.HasPrefix(x, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// runCommand executes a `:` command.
func (a *App) runCommand(text string) {
	text = strings.TrimSpace(strings.TrimPrefix(text, ":"))
	switch text {
	case "":
	case "q", "quit", "q!":
		a.Stop()
	default:
		if verb, arg, _ := strings.Cut(text, " "); isActionCommand(verb) {
			a.runActionCommand(verb, strings.TrimSpace(arg))
			return
		}
		if views.Get(text) == nil {
			a.setMessage(true, "unknown command :%s — a view (%s), an action (%s) or q",
				termtext.Line(text, 40), strings.Join(views.IDs(), " "), strings.Join(actionCommands, " "))
			return
		}
		a.setView(text)
	}
}

// showFilter edits the filter in the -f grammar; a parse error is shown
// and the old filter kept; Esc clears it.
func (a *App) showFilter(_ *tcell.EventKey) {
	old := ""
	if f := a.cur().filter; f != nil {
		old = f.Text
	}
	a.ask("Filter: ", old, nil, func(text string, key tcell.Key) {
		switch key {
		case tcell.KeyEscape:
			a.change(func() { a.cur().filter = nil })
		case tcell.KeyEnter:
			a.applyFilter(text)
		}
	})
}

// applyFilter parses and installs a filter, or reports why it cannot.
func (a *App) applyFilter(text string) {
	if strings.TrimSpace(text) == "" {
		a.change(func() { a.cur().filter = nil })
		return
	}
	f, err := views.ParseFilter(text)
	if err == nil {
		err = f.Check(a.curView())
	}
	if err != nil {
		a.setMessage(true, "%v (filter unchanged)", err)
		return
	}
	a.change(func() { a.cur().filter = f })
}

// showSearch opens incremental search: each key moves to the first match
// from the selection on; Esc goes back to where it started.
func (a *App) showSearch(_ *tcell.EventKey) {
	start := a.table.selKey
	a.ask("/", a.search, func(text string) {
		a.search = text
		a.findNext(text, 0)
	}, func(text string, key tcell.Key) {
		if key == tcell.KeyEscape {
			a.table.selectKey(start)
			return
		}
		a.search = text
	})
}

// searchNext jumps to the next match of the last search, or opens one.
func (a *App) searchNext(ev *tcell.EventKey) {
	if a.search == "" {
		a.showSearch(ev)
		return
	}
	if !a.findNext(a.search, 1) {
		a.setMessage(false, "no row matches %q", a.search)
	}
}

// findNext selects the first row matching text starting `from` rows after
// the selection, wrapping around.
func (a *App) findNext(text string, from int) bool {
	tv := a.table
	if tv.data == nil {
		return false
	}
	sel, _ := tv.GetSelection()
	i := tv.data.Find(text, sel-1+from)
	if i < 0 {
		return false
	}
	tv.Select(i+1, 0)
	return true
}

// showActions offers what the view declares can be done to the selected
// row; each runs through the Actuator after a confirmation.
func (a *App) showActions(_ *tcell.EventKey) {
	v, r := a.subject()
	if r == nil {
		return
	}
	row := *r
	target := v.RowName(row)
	if v.Target != nil {
		target = v.Target(v, row)
	}
	var items []menuItem
	for _, act := range v.Offered(row) {
		act := act
		items = append(items, menuItem{label: act.Label, key: act.Key, do: func() { a.startAction(v, act, row, target) }})
	}
	if len(items) == 0 {
		a.setMessage(false, "%s", safe(v.Unoffered(row)))
		return
	}
	a.showMenu("actions", "Actions: "+menuName(v.RowName(row)), items, 0)
}

// startAction reads the action's input, if it has one, then confirms it.
func (a *App) startAction(v *views.View, act views.Action, r views.Row, target string) {
	run := func(value string) { a.planAndConfirm(v, act, r, target, value) }
	in := act.Input
	if in == nil {
		run("")
		return
	}
	def := ""
	if in.Default != nil {
		def = in.Default(v, r)
	}
	a.ask(fmt.Sprintf(in.Label, r.Key), def, nil, func(text string, key tcell.Key) {
		if key != tcell.KeyEnter {
			return
		}
		value, err := in.Check(text)
		if err != nil {
			a.setMessage(true, "%v", err)
			return
		}
		run(value)
	})
}

// confirm asks before an action; only the action's button (or y) runs it,
// off the UI goroutine, and its error lands in the message line.
func (a *App) confirm(question, label string, run func(ctx context.Context) error) {
	do := func() {
		a.closeOverlay()
		a.setMessage(false, "%s: running…", label)
		go func() {
			defer func() {
				if p := recover(); p != nil {
					a.screen.Fini() // restore the terminal before the trace
					panic(p)
				}
			}()
			ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
			defer cancel()
			err := run(ctx)
			a.app.QueueUpdateDraw(func() {
				if err != nil {
					a.setMessage(true, "%s: %s", label, safe(err.Error()))
				} else {
					a.setMessage(false, "%s: done", label)
				}
				a.requestRefresh()
			})
		}()
	}
	m := newConfirmBox(a.th, question, label, func(yes bool) {
		if yes {
			do()
			return
		}
		a.closeOverlay()
	})
	m.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		if ev.Key() == tcell.KeyRune {
			switch ev.Rune() {
			case 'y', 'Y':
				do()
				return nil
			case 'n', 'N', 'q':
				a.closeOverlay()
				return nil
			}
		}
		return ev
	})
	a.showOverlay("confirm", m, m)
}
