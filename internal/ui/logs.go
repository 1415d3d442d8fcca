package ui

import (
	"strconv"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/views"
)

// The `l` key: a row that declares a log (views.View.Log) opens the view
// it names scoped to the row, as a drill-down does; Esc comes back.

// logTarget is where `l` goes from the selected row, ok false when the row
// has no log.
func (a *App) logTarget() (views.Target, *views.Row, bool) {
	v := a.curView()
	r := a.table.selected()
	if v.Log == nil || r == nil {
		return views.Target{}, nil, false
	}
	t, ok := v.Log(*r)
	if !ok || views.Get(t.View) == nil {
		return views.Target{}, nil, false
	}
	return t, r, true
}

// hasLog: the selected row offers a log.
func (a *App) hasLog() bool {
	_, _, ok := a.logTarget()
	return ok
}

// showLog pushes the selected row's log.
func (a *App) showLog(_ *tcell.EventKey) {
	t, r, ok := a.logTarget()
	if !ok {
		return
	}
	name := rowName(a.curView(), r, t)
	a.change(func() {
		cur := a.cur()
		cur.selKey = a.table.selKey
		scope := append(append([]views.Scope(nil), cur.scope...), t.Scope)
		sort, desc := a.openSort(t.View, t.Sort, t.Desc)
		a.levels = append(a.levels, &level{view: t.View, scope: scope, crumb: name, sort: sort, desc: desc})
	})
	a.table.selKey = ""
}

// followEnd says where the cursor goes in a view that follows new rows
// (views.View.Follow), as tail -f in less: to the last row when the view
// has just opened, or when the cursor was on the last row (or there was
// none yet); ok false leaves the cursor to the usual rule (same row key).
func followEnd(old, t *views.Table, oldRow int) bool {
	if !t.View.Follow || t.Len() == 0 {
		return false
	}
	if old == nil || old.View != t.View {
		return true
	}
	return old.Len() == 0 || oldRow >= old.Len()
}

// liveEvery is how often the rows of a Live view (a log's lines, which
// come between snapshots) are read again.
const liveEvery = 250 * time.Millisecond

// liveLoop asks for new rows every liveEvery while a Live view is shown
// and the display is not paused, so a log's new lines show as they come
// rather than at the next snapshot.
func (a *App) liveLoop() {
	t := time.NewTicker(liveEvery)
	defer t.Stop()
	for {
		select {
		case <-a.ctx.Done():
			return
		case <-t.C:
		}
		a.mu.Lock()
		v := views.Get(a.cur().view)
		live := v != nil && v.Live && !a.paused
		a.mu.Unlock()
		if live {
			a.requestRefresh()
		}
	}
}

// hasWrap: the view's long text can wrap.
func (a *App) hasWrap() bool { return a.curView().Wrap }

func (a *App) toggleWrap(_ *tcell.EventKey) {
	a.change(func() { a.wrap = !a.wrap })
	if a.wrap != a.curView().WrapFirst {
		a.setMessage(false, "wrap on")
	} else {
		a.setMessage(false, "wrap off")
	}
}

// noteWrapWidth remembers the width of the column that wraps, and asks
// for rows wrapped to it when it changed while wrap is on.
func (tv *tableView) noteWrapWidth() {
	for k, ci := range tv.cols {
		if tv.data.Columns[ci].Width == 0 {
			if old := tv.a.wrapW.Swap(int64(tv.widths[k])); old != int64(tv.widths[k]) && tv.data.View.Wrap {
				tv.a.mu.Lock()
				wrap := tv.a.wrap
				tv.a.mu.Unlock()
				if wrap != tv.data.View.WrapFirst {
					tv.a.requestRefresh()
				}
			}
			return
		}
	}
}

// wrapRows splits the text of the Width-0 column that is wider than width
// cells over rows below its own, whose other cells are blank; they are
// keyed after it ("key\x00n"), so the cursor keeps its place across
// refreshes of the same width.
func wrapRows(t *views.Table, width int) *views.Table {
	rest := -1
	for i, c := range t.Columns {
		if c.Width == 0 {
			rest = i
			break
		}
	}
	if rest < 0 || width < 8 {
		return t
	}
	out := make([]views.Row, 0, t.Len())
	for i := range t.Len() {
		r := *t.Row(i)
		text := views.Format(t.Columns[rest], r.Values[rest])
		if textWidth(text) <= width {
			out = append(out, r)
			continue
		}
		// A log's line (a Live view) wraps cell by cell, its spaces kept
		// as written; other text (the attention view's facts) at words.
		var parts []string
		if t.View.Live {
			for text != "" {
				part := cut(text, width)
				if part == "" { // a character wider than the column
					part = text
				}
				text = text[len(part):]
				parts = append(parts, part)
			}
		} else {
			parts = wrapWords(text, width)
		}
		for k, part := range parts {
			row := views.Row{Key: r.Key, Values: append([]any(nil), r.Values...), Depth: r.Depth}
			if k > 0 {
				row.Key = r.Key + "\x00" + strconv.Itoa(k)
				for i := range row.Values {
					row.Values[i] = ""
				}
			}
			row.Values[rest] = part
			out = append(out, row)
		}
	}
	return t.WithRows(out)
}
