package ui

import (
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// refreshLoop reads the feed and computes rows off the UI goroutine. At
// most one table is being prepared or waiting to be drawn: a snapshot that
// arrives meanwhile updates the header and history, and the table is made
// again once, from the newest snapshot, after the one on its way is drawn
// (never queued: any number of snapshots or keys meanwhile make one).
func (a *App) refreshLoop() {
	defer func() {
		if p := recover(); p != nil {
			a.screen.Fini()
			panic(p)
		}
	}()
	updates := a.opts.Feed.Updates()
	var shown *model.Snapshot
	busy, want := false, false
	start := func(s *model.Snapshot) {
		busy = true
		a.mu.Lock()
		l := a.cur()
		q := views.Query{View: l.view, Scope: l.scope, Filter: l.filter, Sort: l.sort, Desc: l.desc, Tree: l.tree, Logs: a.opts.Logs, Last: a.opts.Last, Columns: a.labelCols[l.view], Screen: true}
		gen := a.gen
		wrap := a.wrap
		a.mu.Unlock()
		t, err := views.Rows(s, q)
		if err == nil && t.View.Wrap && wrap != t.View.WrapFirst {
			t = wrapRows(t, int(a.wrapW.Load()))
		}
		shown = s
		tree := q.Tree && t != nil && t.View.Tree
		go a.app.QueueUpdateDraw(func() {
			a.install(t, err, gen, tree, s)
			select {
			case a.installed <- struct{}{}:
			default:
			}
		})
	}
	paused := func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.paused
	}
	// held is the snapshot a paused table is computed from: the one on
	// screen when p was pressed, not one computed since (a refresh in
	// flight then would change the rows under the cursor).
	held := func() *model.Snapshot {
		a.mu.Lock()
		defer a.mu.Unlock()
		if !a.paused {
			return nil
		}
		if a.frozen != nil {
			return a.frozen
		}
		return shown
	}
	for {
		select {
		case <-a.ctx.Done():
			return
		case s, ok := <-updates:
			if !ok {
				updates = nil
				continue
			}
			a.latest.set(s)
			a.hist.add(s)
			if busy {
				// Not dropped: with no snapshot after it (a paused
				// replay stepped, a stalled feed) the table would
				// stay one behind the header for good.
				want = want || !paused()
				continue
			}
			if paused() {
				// The header and message line still follow the data.
				busy = true
				go a.app.QueueUpdateDraw(func() {
					select {
					case a.installed <- struct{}{}:
					default:
					}
				})
				continue
			}
			start(s)
		case <-a.kick:
			if busy {
				want = true
				continue
			}
			s := a.latest.get()
			if h := held(); h != nil {
				s = h
			}
			start(s)
		case <-a.installed:
			busy = false
			if want {
				want = false
				s := a.latest.get()
				if h := held(); h != nil {
					s = h
				}
				start(s)
			}
		}
	}
}

// install puts a computed table on screen unless the state changed since
// it was asked for (a newer request is then on its way).
func (a *App) install(t *views.Table, err error, gen uint64, tree bool, s *model.Snapshot) {
	a.mu.Lock()
	stale := gen != a.gen
	a.mu.Unlock()
	if stale {
		return
	}
	if err != nil {
		a.setMessage(true, "%v", err)
		return
	}
	a.table.setData(t, tree)
	a.tableSnap = s
	a.viewErrors = t.Errors
	a.refreshDetails()
}
