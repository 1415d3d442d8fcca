// Package ui is the interactive screen: a header, a breadcrumb, one view's
// table and a hint bar over tview, with key bindings kept as data so that
// help and the hint bar can never go stale. Rows come only from views.Rows.
package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"golang.org/x/term"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/monitor"
	"github.com/ctop-like/ctop-like/internal/settings"
	"github.com/ctop-like/ctop-like/internal/views"
)

// Options configure the screen; they mirror the command line so the wiring
// only copies flags across.
type Options struct {
	Feed     monitor.Feed
	View     string        // view id to open; "" = the first in rank (containers)
	Scope    []views.Scope // start drilled down (--scope)
	Filter   *views.Filter // initial filter (-f), for the first view
	Sort     string        // initial sort column id; "" = the view's default
	Desc     bool
	ReadOnly bool // --read-only: no actions offered
	// ReadOnlyWhy says why no action is offered, for the message line
	// ("--read-only", "a replay", "a remote source"); "" says read-only.
	ReadOnlyWhy string
	Color       string // auto|always|never; NO_COLOR is honoured by auto
	Actions     Actions
	Title       string // terminal title; "" = "ctop-like"
	// Logs is where the logs view reads a log's lines (views.Query.Logs);
	// nil: nowhere.
	Logs views.LogLines
	// Last is where containers' last log lines are read (the attention
	// view's why, the details panel); nil: nowhere.
	Last views.LastLines
	// ShowStopped, when set, lists every stopped container (A) or again
	// only those that need a look; AllStopped is what -a started with.
	ShowStopped func(all bool)
	AllStopped  bool
	// Views are the settings file's choices by view id: the columns a
	// view shows, in order, and the sort it opens with.
	Views map[string]settings.View
	// Keep writes a view's choice to the settings file (the column
	// chooser's Enter) and returns where; nil keeps it for this run only.
	Keep func(view string, v settings.View) (where string, err error)
	// Notes are shown on the message line at start (what is wrong in the
	// settings file), until the first key.
	Notes []string
	// OnOpen, if set, is called by Run once the terminal is taken over,
	// with a function that closes the screen and restores the terminal
	// from any goroutine (the wiring calls it when its own goroutine
	// panics); it is called again with nil when Run returns.
	OnOpen func(stop func())
}

// Actions is how the screen changes the world: the views' actions run
// through it. The wiring implements it with the Docker client and system
// calls so the screen itself never does I/O.
type Actions = views.Actuator

// Interval bounds for + and -.
const (
	minInterval = 100 * time.Millisecond
	maxInterval = 60 * time.Second
)

// level is one step of the drill-down stack.
type level struct {
	view   string
	scope  []views.Scope // the whole scope in force at this level
	crumb  string        // name of the row drilled from; "" at the base
	sort   string
	desc   bool
	tree   bool
	filter *views.Filter
	selKey string // selected row, restored on the way back
}

// App is one screen; New builds it on any tcell.Screen so tests can run it
// on a simulation screen.
type App struct {
	opts   Options
	th     *theme
	app    *tview.Application
	screen tcell.Screen

	root   *tview.Pages
	layout *tview.Flex
	head   *headerView
	crumbs *lineView
	msg    *areaView
	table  *tableView
	bottom *tview.Pages
	hints  *lineView
	prompt *tview.InputField

	bindings []*binding

	// mu guards what the refresh goroutine reads: the stack, pause state
	// and the generation that says whether a computed table is still wanted.
	mu     sync.Mutex
	levels []*level
	paused bool
	frozen *model.Snapshot // the snapshot on screen when p paused it
	wrap   bool            // w: a Wrap view's long text wraps onto the rows below
	gen    uint64
	// wrapW is the width of the column that wraps, as last drawn.
	wrapW atomic.Int64

	latest    snapPtr // newest snapshot seen (header)
	hist      *history
	kick      chan struct{}
	installed chan struct{}
	ctx       context.Context
	cancel    context.CancelFunc
	// lost says the terminal went away: Run returns within lostGrace.
	lost *lostTerminal
	// abandoned is set by Run when the event loop did not end within its
	// grace (stuck in a draw): the terminal was left as it was.
	abandoned bool
	// loopEnded is closed when tview's event loop has returned.
	loopEnded chan struct{}

	// UI goroutine only.
	message    string
	messageErr bool
	notes      []string // Options.Notes until the first key
	search     string
	overlay    string          // name of the open overlay page, "" for none
	overlayBox tview.Primitive // what the overlay draws: a click outside closes it
	// overlayFocus is the widget of the open overlay that has the keys.
	overlayFocus tview.Primitive
	hintSpots    []hintSpot // where the hint bar drew each label, for clicks
	// stopSelf stops the process for Ctrl-Z until it is continued; tests
	// replace it.
	stopSelf   func()
	detailsKey string          // row whose details panel is open
	tableSnap  *model.Snapshot // the snapshot the table on screen was computed from
	viewErrors []string        // the table's own errors (a log that ended), shown with the snapshot's
	// choices are the columns and sorts chosen by view id: the settings
	// file's, then the column chooser's.
	choices map[string]settings.View
	// labelCols are the label columns (label.team) chosen by view id,
	// which the refresh goroutine asks views.Rows for; under mu.
	labelCols map[string][]string
	// subj is the last row found for a row that stands for another.
	subj subjectMemo
	// allStopped: A lists every stopped container.
	allStopped bool
	// said are the errors a key was pressed over (said once).
	said map[string]bool
}

// snapPtr is a mutex-guarded snapshot pointer shared with the refresh goroutine.
type snapPtr struct {
	mu sync.Mutex
	s  *model.Snapshot
}

func (p *snapPtr) get() *model.Snapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.s
}

func (p *snapPtr) set(s *model.Snapshot) {
	p.mu.Lock()
	p.s = s
	p.mu.Unlock()
}

// New builds the screen without starting it; screen may be a
// tcell.SimulationScreen.
func New(screen tcell.Screen, opts Options) (*App, error) {
	return newApp(screen, opts, newLostTerminal())
}

// newApp is New with the word of a lost terminal shared with the screen's
// tty (newTerminal).
func newApp(screen tcell.Screen, opts Options, lost *lostTerminal) (*App, error) {
	if opts.Feed == nil {
		return nil, errors.New("ui: no feed")
	}
	if opts.View == "" {
		opts.View = views.Default().ID
	}
	v := views.Get(opts.View)
	if v == nil {
		return nil, fmt.Errorf("ui: unknown view %q", opts.View)
	}
	if opts.Sort != "" {
		if err := v.CheckColumn(opts.Sort); err != nil {
			return nil, fmt.Errorf("ui: %w", err)
		}
	}
	if opts.Filter != nil {
		if err := opts.Filter.Check(v); err != nil {
			return nil, err
		}
	}
	if opts.Title == "" {
		opts.Title = "ctop-like"
	}
	a := &App{
		opts:      opts,
		th:        newTheme(wantColor(opts.Color), localeUTF8()),
		screen:    screen,
		hist:      newHistory(60),
		kick:      make(chan struct{}, 1),
		installed: make(chan struct{}, 1),
		stopSelf:  stopSelf,
		lost:      lost,
		loopEnded: make(chan struct{}),
	}
	a.th.applyTview()
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.choices = copyChoices(opts.Views)
	a.labelCols = map[string][]string{}
	for id, ch := range a.choices {
		a.labelCols[id] = labelIDs(ch.Columns)
	}
	sort, desc := a.openSort(v.ID, opts.Sort, opts.Desc)
	a.levels = []*level{{view: v.ID, scope: append([]views.Scope(nil), opts.Scope...), sort: sort, desc: desc, filter: opts.Filter}}
	a.notes = opts.Notes
	a.allStopped = opts.AllStopped
	a.latest.set(opts.Feed.Latest())
	a.bindings = append(replayBindings(), defaultBindings()...)
	a.build()
	return a, nil
}

// build lays out the widgets.
func (a *App) build() {
	a.app = tview.NewApplication()
	a.app.SetScreen(safeScreen{Screen: a.screen, lost: a.lost})
	a.app.EnableMouse(true)
	a.head = &headerView{Box: tview.NewBox(), a: a}
	a.crumbs = &lineView{Box: tview.NewBox(), draw: a.crumbLine}
	a.msg = &areaView{Box: tview.NewBox(), draw: a.messageArea}
	a.hints = &lineView{Box: tview.NewBox(), draw: a.hintLine}
	a.table = newTableView(a)
	a.prompt = tview.NewInputField()
	a.prompt.SetFieldStyle(a.th.base.Underline(true))
	a.prompt.SetLabelStyle(a.th.bold)
	a.prompt.SetAutocompleteStyles(tcell.ColorDefault, a.th.base, a.th.selected)
	a.bottom = tview.NewPages()
	a.bottom.AddPage("hints", a.hints, true, true)
	a.bottom.AddPage("prompt", a.prompt, true, false)

	a.layout = tview.NewFlex().SetDirection(tview.FlexRow)
	a.layout.AddItem(a.head, 3, 0, false)
	a.layout.AddItem(a.crumbs, 1, 0, false)
	a.layout.AddItem(a.msg, 0, 0, false)
	a.layout.AddItem(a.table, 0, 1, true)
	a.layout.AddItem(a.bottom, 1, 0, false)
	a.root = tview.NewPages()
	a.root.AddPage("main", a.layout, true, true)
	a.app.SetRoot(a.root, true)
	a.app.SetFocus(a.table)
	a.app.SetInputCapture(a.capture)
	a.app.SetMouseCapture(a.mouse)
	a.app.SetBeforeDrawFunc(a.beforeDraw)
}

// beforeDraw sizes the header and message line for the screen in hand.
func (a *App) beforeDraw(screen tcell.Screen) bool {
	w, h := screen.Size()
	a.layout.ResizeItem(a.head, a.head.height(w, h), 0)
	a.layout.ResizeItem(a.msg, a.messageHeight(w, h), 0)
	return false
}

// How long Run waits for tview's event loop to end once the screen is
// asked to stop (q, SIGTERM) or its terminal is gone. The loop ends in
// milliseconds when it is free; one stuck in a draw (keys no longer
// answered) or in tcell giving the terminal back (its reader blocked on
// a full key queue) would hold the process for ever, as an orphan of a
// dropped ssh session that spun at 33-138 % of a CPU did. lostGrace
// leaves a free loop ample time to put back a terminal that is still
// there (a kill -HUP), on a loaded machine too, and the process still
// ends within a second of the loss.
const (
	stopGrace = 2 * time.Second
	lostGrace = 750 * time.Millisecond
)

// runEnd is how tview's event loop ended.
type runEnd struct {
	err      error
	panicked bool
	value    any
	stack    []byte
}

// screenPanic is a panic of the event loop, raised again in Run's
// goroutine with the stack where it happened.
type screenPanic struct {
	value any
	stack []byte
}

func (p screenPanic) String() string { return fmt.Sprintf("%v\n\n%s", p.value, p.stack) }

// Run starts the refresh goroutine and the event loop and returns when the
// user quits; the screen is finalised on return. Once the terminal is
// gone it returns nil within lostGrace, and once asked to stop within
// stopGrace, whatever the event loop is doing (it is left behind).
func (a *App) Run() error {
	go a.refreshLoop()
	go a.liveLoop()
	a.requestRefresh()
	a.app.SetTitle(a.opts.Title)
	done := make(chan runEnd, 1)
	go func() {
		defer close(a.loopEnded)
		defer func() {
			if p := recover(); p != nil {
				done <- runEnd{panicked: true, value: p, stack: debug.Stack()}
			}
		}()
		done <- runEnd{err: a.app.Run()}
	}()
	lost, stopped := a.lost.done(), a.ctx.Done()
	var deadline <-chan time.Time
	for {
		select {
		case end := <-done:
			a.cancel()
			if end.panicked {
				panic(screenPanic{end.value, end.stack})
			}
			if a.lost.is() {
				return nil // a quit: the terminal is gone
			}
			return end.err
		case <-lost:
			lost = nil
			a.cancel()
			go a.app.Stop()
			deadline = time.After(lostGrace)
		case <-stopped:
			stopped = nil
			if deadline == nil {
				deadline = time.After(stopGrace)
			}
		case <-deadline:
			a.abandoned = true
			return nil
		}
	}
}

// Stop ends Run from any goroutine; it waits for the screen to close at
// most stopGrace.
func (a *App) Stop() {
	a.cancel()
	closed := make(chan struct{})
	go func() {
		a.app.Stop()
		close(closed)
	}()
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-closed:
	case <-t.C:
	}
}

// Run opens the screen on the real terminal and runs until the user quits,
// SIGTERM arrives or a panic happens; the terminal is restored in each case.
func Run(opts Options) (err error) {
	// tcell draws on /dev/tty; without one (cron, a pipe from ssh without
	// -t) tview's SetScreen ignores the failed Init and the first write
	// panics.
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("ui: no terminal (%v); for batch mode use -o table or -o json", err)
	}
	defer tty.Close()
	// The terminal's modes, put back if the screen had to be left behind
	// while the terminal is still there.
	saved, _ := term.GetState(int(tty.Fd()))
	lost := newLostTerminal()
	screen, err := newTerminal(lost)
	if err != nil {
		return err
	}
	a, err := newApp(screen, opts, lost)
	if err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sig)
	go func() {
		select {
		case s := <-sig:
			if s == syscall.SIGHUP {
				// The terminal hung up (or someone said it did): end
				// now, without waiting on a terminal that may never
				// answer again.
				lost.set("SIGHUP")
				return
			}
			a.Stop()
		case <-a.ctx.Done():
		}
	}()
	defer func() {
		if a.abandoned && saved != nil {
			_ = term.Restore(int(tty.Fd()), saved)
		}
	}()
	defer func() {
		if p := recover(); p != nil {
			screen.Fini()
			panic(p)
		}
	}()
	if opts.OnOpen != nil {
		opts.OnOpen(a.Stop)
		defer opts.OnOpen(nil)
	}
	return a.Run()
}

// cur returns the top of the stack; UI goroutine (or with mu held).
func (a *App) cur() *level { return a.levels[len(a.levels)-1] }

// curView is the view on top of the stack.
func (a *App) curView() *views.View { return views.Get(a.cur().view) }

// change applies f to the state under the lock and asks for new rows.
func (a *App) change(f func()) {
	a.mu.Lock()
	f()
	a.gen++
	a.mu.Unlock()
	a.requestRefresh()
}

// resort applies f, which changes only the sort of the current level, and
// re-sorts the rows on screen here when they come from the snapshot the
// refresh goroutine would use anyway (the newest, or the one on screen when
// paused). The frame tview draws right after the key then already shows
// the new order: through the refresh goroutine it would draw the old table
// once more first, which is half the cost of a key press with 10,000 rows.
// views.Rows keeps the last built rows, so this is a copy and a sort.
func (a *App) resort(f func()) {
	a.mu.Lock()
	f()
	a.gen++
	gen, paused, wrap := a.gen, a.paused, a.wrap
	l := a.cur()
	q := views.Query{View: l.view, Scope: l.scope, Filter: l.filter, Sort: l.sort, Desc: l.desc, Tree: l.tree, Logs: a.opts.Logs, Last: a.opts.Last, Columns: a.labelCols[l.view], Screen: true}
	a.mu.Unlock()
	if s := a.tableSnap; s != nil && (paused || s == a.latest.get()) {
		t, err := views.Rows(s, q)
		if err == nil && t.View.Wrap && wrap != t.View.WrapFirst {
			t = wrapRows(t, int(a.wrapW.Load()))
		}
		a.install(t, err, gen, q.Tree && t != nil && t.View.Tree, s)
		return
	}
	a.requestRefresh()
}

// requestRefresh asks the refresh goroutine to recompute the table from
// the snapshot on screen; requests coalesce.
func (a *App) requestRefresh() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// setMessage shows a line under the breadcrumb until the next key.
func (a *App) setMessage(isErr bool, format string, args ...any) {
	a.message = fmt.Sprintf(format, args...)
	a.messageErr = isErr
}

func joinErrors(errs []string) string {
	out := ""
	for i, e := range errs {
		if i > 0 {
			out += "; "
		}
		out += e
	}
	return out
}
