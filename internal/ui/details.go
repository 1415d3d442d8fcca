package ui

import (
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/ctop-like/ctop-like/internal/views"
)

// showDetails opens the panel the view renders for the selected row.
func (a *App) showDetails(_ *tcell.EventKey) {
	r := a.table.selected()
	if r == nil {
		return
	}
	v := a.curView()
	if v.Details == nil {
		a.setMessage(false, "details exist for %s", strings.Join(detailViews(), " and "))
		return
	}
	title, text := a.detailsText(v, r.Key)
	tv := tview.NewTextView().SetWrap(true).SetWordWrap(true)
	tv.SetTextStyle(a.th.base)
	tv.SetText(text)
	tv.SetBorder(true).SetTitle(" " + title + " (Esc closes) ")
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
	a.detailsKey = v.ID + "\x00" + r.Key
}

// detailViews lists, in menu order, the views that render details.
func detailViews() []string {
	var out []string
	for _, v := range views.All() {
		if v.Details != nil {
			out = append(out, v.ID)
		}
	}
	return out
}

// refreshDetails redraws an open details panel from the newest snapshot.
func (a *App) refreshDetails() {
	if a.overlay != "details" || a.detailsKey == "" {
		return
	}
	id, key, _ := strings.Cut(a.detailsKey, "\x00")
	v := views.Get(id)
	if v == nil || v.Details == nil {
		return
	}
	if name, prim := a.root.GetFrontPage(); name == "details" {
		if c, ok := prim.(*centered); ok {
			if tv, ok := c.Primitive.(*tview.TextView); ok {
				_, text := a.detailsText(v, key)
				tv.SetText(text)
			}
		}
	}
}

// detailsText has the view render a row's panel from the newest snapshot,
// with the screen's history and sparklines.
func (a *App) detailsText(v *views.View, key string) (title, text string) {
	return v.Details(a.latest.get(), key, views.DetailsEnv{
		Samples: a.hist.n,
		History: a.hist.get,
		Sparkline: func(values []float64, floor float64) string {
			return sparkline(a.th.spark, values, floor)
		},
	})
}
