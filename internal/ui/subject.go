package ui

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/termtext"
	"github.com/ctop-like/ctop-like/internal/views"
)

// The subject of d, l, a and e is the selected row, or, where the row
// stands for a row of another view (views.View.Stands: the attention
// view's rows are containers, tasks, apps…), that row in its own view.

// subjectMemo keeps the last row found for a row that stands for
// another: the hint bar asks at every draw.
type subjectMemo struct {
	snap      *model.Snapshot
	view, key string
	v         *views.View
	row       views.Row
	ok        bool
}

// subject is the view and row the keys act on; r nil when no row is
// selected, or the row it stands for is gone.
func (a *App) subject() (*views.View, *views.Row) {
	v := a.curView()
	r := a.table.selected()
	if r == nil || v.Stands == nil {
		return v, r
	}
	view, key, ok := v.Stands(*r)
	if !ok {
		return v, nil
	}
	s := a.tableSnap
	m := &a.subj
	if m.snap != s || m.view != view || m.key != key {
		found, row, ok := views.Find(s, view, key)
		*m = subjectMemo{snap: s, view: view, key: key, v: found, row: row, ok: ok}
	}
	if !m.ok {
		return v, nil
	}
	row := m.row
	return m.v, &row
}

// viewBindings are the keys that open a view over the current one (x:
// what needs a look), from the views' declarations.
func viewBindings() []*binding {
	var out []*binding
	for _, v := range views.All() {
		if v.Key == 0 {
			continue
		}
		id := v.ID
		desc := v.KeyDoc
		if desc == "" {
			desc = fmt.Sprintf("the %s view: every row that needs a look; Enter goes to its own view, d l a e act on it there", v.Title)
		}
		out = append(out, &binding{
			keys: []keySpec{rkey(v.Key)}, hint: v.Hint,
			desc: desc,
			do:   func(a *App, _ *tcell.EventKey) { a.openOver(id) },
		})
	}
	return out
}

// openOver pushes a view, unscoped, over the current one: Esc comes back
// to where the user was. Already on top, it stays.
func (a *App) openOver(id string) {
	if a.cur().view == id {
		return
	}
	a.change(func() {
		cur := a.cur()
		cur.selKey = a.table.selKey
		sort, desc := a.openSort(id, "", false)
		a.levels = append(a.levels, &level{view: id, sort: sort, desc: desc})
	})
	a.table.selKey = ""
}

// toggleStopped lists every stopped container (as -a), or again only
// those that need a look.
func (a *App) toggleStopped(_ *tcell.EventKey) {
	if a.opts.ShowStopped == nil {
		a.setMessage(false, "A lists this node's stopped containers: not in a replay or from a remote source")
		return
	}
	a.allStopped = !a.allStopped
	a.opts.ShowStopped(a.allStopped)
	if a.allStopped {
		a.setMessage(false, "every stopped container is listed from the next refresh (A again: only those that need a look)")
	} else {
		a.setMessage(false, "stopped containers are listed only while they need a look (A again: all of them)")
	}
	a.requestRefresh()
}

// readOnlyWhy says why no action is offered at all.
func (a *App) readOnlyWhy() string {
	if a.opts.ReadOnlyWhy != "" {
		return a.opts.ReadOnlyWhy
	}
	return "read-only: no actions are offered"
}

// whyNoActions says why a or F8 offers nothing on the selected row.
func (a *App) whyNoActions() string {
	if a.opts.ReadOnly || a.opts.Actions == nil {
		return a.readOnlyWhy()
	}
	v, r := a.subject()
	if r == nil {
		return "no row is selected"
	}
	return safe(v.Unoffered(*r))
}

// whyNoShell says why e opens no shell on the selected row.
func (a *App) whyNoShell() string {
	if a.opts.ReadOnly || a.opts.Actions == nil {
		return a.readOnlyWhy()
	}
	if _, ok := a.opts.Actions.(views.Sheller); !ok {
		return "no shell: this source has no runtime to open one through"
	}
	v, r := a.subject()
	switch {
	case r == nil:
		return "no row is selected"
	case !v.Shell:
		return fmt.Sprintf("e opens a shell in a container; this is %s", strings.TrimSuffix(strings.ToLower(v.Title), "s"))
	}
	if why := v.ShellWhyNot(*r); why != "" {
		return safe(why)
	}
	return ""
}

// whyNoLog says why l opens no log on the selected row.
func (a *App) whyNoLog() string {
	v, r := a.subject()
	if r == nil {
		return "no row is selected"
	}
	return fmt.Sprintf("%s: l reads the log of a container, a Mesos task or a process; this row has none", safe(v.RowName(*r)))
}

// menuName is a row's name in a title or breadcrumb: text from outside,
// made safe and kept short.
func menuName(s string) string { return termtext.Line(s, 48) }
