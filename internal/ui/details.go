package ui

import (
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/ctop-like/ctop-like/internal/termtext"
	"github.com/ctop-like/ctop-like/internal/views"
)

// showDetails opens the description of the selected row (or of the row
// it stands for): every column in full and what the view adds.
func (a *App) showDetails(_ *tcell.EventKey) {
	r := a.table.selected()
	if r == nil {
		a.setMessage(false, "no row is selected")
		return
	}
	title, text, ok := a.detailsText(r.Key)
	if !ok {
		a.setMessage(false, "%s: the row it stands for is gone", safe(a.curView().RowName(*r)))
		return
	}
	tv := tview.NewTextView().SetWrap(true).SetWordWrap(true)
	tv.SetTextStyle(a.th.base)
	tv.SetText(text)
	tv.SetBorder(true).SetTitle(" " + title + " (Esc closes, arrows scroll) ")
	tv.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		switch {
		case ev.Key() == tcell.KeyEscape, ev.Key() == tcell.KeyEnter, ev.Key() == tcell.KeyBackspace2, ev.Key() == tcell.KeyBackspace,
			ev.Key() == tcell.KeyRune && (ev.Rune() == 'q' || ev.Rune() == 'd'):
			a.closeOverlay()
			return nil
		}
		return ev
	})
	a.showOverlay("details", &centered{Primitive: tv, w: 100, h: 40}, tv)
	a.detailsKey = a.cur().view + "\x00" + r.Key
}

// refreshDetails redraws an open details panel from the table just
// installed (the newest snapshot's rows).
func (a *App) refreshDetails() {
	if a.overlay != "details" || a.detailsKey == "" {
		return
	}
	id, key, _ := strings.Cut(a.detailsKey, "\x00")
	if id != a.cur().view {
		return
	}
	if name, prim := a.root.GetFrontPage(); name == "details" {
		if c, ok := prim.(*centered); ok {
			if tv, ok := c.Primitive.(*tview.TextView); ok {
				if _, text, ok := a.detailsText(key); ok {
					tv.SetText(text)
				} else {
					tv.SetText("gone: no longer in the latest snapshot\n")
				}
			}
		}
	}
}

// detailsText describes the table's row with this key from the snapshot
// the table was made from, through the row it stands for where it stands
// for another; ok false when it is gone. Every line is made safe for the
// terminal: names, labels and log lines come from outside.
func (a *App) detailsText(key string) (title, text string, ok bool) {
	tv := a.table
	if tv.data == nil {
		return "", "", false
	}
	var row *views.Row
	if i := tv.data.IndexOf(key); i >= 0 {
		row = unwrapped(tv.data, i)
	}
	if row == nil {
		return "", "", false
	}
	v := tv.data.View
	if v.Stands != nil {
		view, k, ok := v.Stands(*row)
		if !ok {
			return "", "", false
		}
		found, r, ok := views.Find(a.tableSnap, view, k)
		if !ok {
			return "", "", false
		}
		v, row = found, &r
	}
	title, text = views.Describe(a.tableSnap, v, *row, views.DetailsEnv{
		Samples: a.hist.n,
		History: a.hist.get,
		Sparkline: func(values []float64, floor float64) string {
			return sparkline(a.th.spark, values, floor)
		},
		Last: a.opts.Last,
	})
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = termtext.Line(termtext.StripSequences(l), 0)
	}
	return termtext.Line(title, 80), strings.Join(lines, "\n") + "\n", true
}

// unwrapped is row i of a table with its wrapped text (wrapRows: the
// rows keyed "key\x00n" after it) joined back whole.
func unwrapped(t *views.Table, i int) *views.Row {
	r := *t.Row(i)
	rest := -1
	for k, c := range t.Columns {
		if c.Width == 0 {
			rest = k
		}
	}
	if rest < 0 || i+1 >= t.Len() || !strings.HasPrefix(t.Row(i+1).Key, r.Key+"\x00") {
		return &r
	}
	r.Values = append([]any(nil), r.Values...)
	text, _ := r.Values[rest].(string)
	for j := i + 1; j < t.Len() && strings.HasPrefix(t.Row(j).Key, r.Key+"\x00"); j++ {
		part, _ := t.Row(j).Values[rest].(string)
		sep := ""
		if !t.View.Live {
			sep = " " // wrapped at words
		}
		text += sep + part
	}
	r.Values[rest] = text
	return &r
}
