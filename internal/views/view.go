// Package views defines every view of the tool — its columns, default sort and
// drill-down — and is the only place that turns a snapshot into rows, so the
// screen and batch output always agree.
package views

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/termtext"
)

// Units a column's numbers are in; the column id's suffix names the same.
const (
	UnitNone    = ""
	UnitPct     = "%"     // percent; 100 is one core for CPU
	UnitBytes   = "bytes" // bytes
	UnitBps     = "B/s"   // bytes per second
	UnitPerSec  = "/s"    // events per second
	UnitSeconds = "s"     // seconds
	UnitCount   = "count" // a plain integer count
)

// Units say what each unit means and the column id suffix that names it,
// in the manual's order.
var Units = []struct{ Unit, Suffix, Means string }{
	{UnitPct, "_pct", "percent; for CPU, 100 is one core"},
	{UnitBytes, "_bytes", "bytes"},
	{UnitBps, "_bps", "bytes per second"},
	{UnitPerSec, "_ps", "events per second"},
	{UnitSeconds, "_s", "seconds"},
	{UnitCount, "", "a whole number"},
}

// Column is one column of a view. Its ID is a stable contract: scripts use it.
type Column struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Unit  string `json:"unit"`
	// Null, when set, says when the value is null (n/a), for the manual:
	// "without a CPU quota". Every value may be null where it does not
	// apply; this names the case a user would not guess.
	Null string `json:"-"`
	// Number columns hold float64 values (or nil); the others hold strings (or nil).
	Number bool `json:"number"`
	// Priority orders which columns a narrow screen moves off its first
	// page first (sideways scrolling still reaches them): higher values
	// go first; 0 never does. What names the row, what places it in the
	// cluster and why it needs a look are 0.
	Priority int `json:"priority"`
	// Width is the preferred width on screen; 0 means "take what is left".
	Width int `json:"width"`
	// Clip, when set, is how many characters the screen and tables show of
	// a long value (a 64-digit Docker id shows as 12, like docker ps); JSON
	// always has the whole value.
	Clip int `json:"clip,omitempty"`
	// Explains says the column holds the words that explain the row (why
	// it needs a look, an app's last failure, a task's message): the
	// screen gives it the width the other columns leave, up to its longest
	// value, before the column that takes what is left.
	Explains bool `json:"-"`
	// KeepEnd says a value cut to the column's width keeps its end: a
	// path (an app id /shop/payments/api) is named by its last element.
	KeepEnd bool `json:"-"`
	// Escapes says the text may hold terminal escape sequences (a log's
	// colour codes, or worse): the screen and tables show it with them
	// removed (termtext.StripSequences), then as termtext.Line shows text
	// from outside; JSON keeps the text as written.
	Escapes bool `json:"-"`
}

// Row is one line of a view. Values follow the view's Columns; nil means the
// value does not apply (n/a on screen, null in JSON).
type Row struct {
	Key    string `json:"key"` // stable identity across refreshes: container id, pid, group path...
	Values []any  `json:"values"`
	Depth  int    `json:"depth,omitempty"` // indentation in tree mode
	// Attention is set when the row's attention column names a reason:
	// the screen draws such rows in the alert colour.
	Attention bool `json:"attention,omitempty"`
	// Can is what can be done to a container row's container
	// (model.ContainerSample.Can): the actions it offers.
	Can model.Caps `json:"-"`
	// Labels are the row's labels where the view has a labels column:
	// what its label.KEY columns and filter terms read.
	Labels model.Labels `json:"-"`
}

// Scope limits a view to what belongs to one entity, as `--scope KIND=ID`
// and the screen's drill-down do.
type Scope struct {
	Kind string `json:"kind"` // framework, group, app, task, container, pid
	ID   string `json:"id"`
}

// ScopeKinds are the kinds --scope accepts.
var ScopeKinds = []string{"framework", "group", "app", "task", "container", "pid", "agent"}

// ParseScope reads "KIND=ID"; a pid must be a number.
func ParseScope(s string) (Scope, error) {
	k, id, ok := strings.Cut(s, "=")
	if !ok || id == "" {
		return Scope{}, fmt.Errorf("scope %q: want KIND=ID with KIND one of %s", s, strings.Join(ScopeKinds, ", "))
	}
	if !slices.Contains(ScopeKinds, k) {
		return Scope{}, fmt.Errorf("scope %q: unknown kind %q, want one of %s", s, k, strings.Join(ScopeKinds, ", "))
	}
	if k == "pid" {
		if n, err := strconv.Atoi(id); err != nil || n <= 0 {
			return Scope{}, fmt.Errorf("scope %q: a pid is a process id, a number above 0", s)
		}
	}
	return Scope{Kind: k, ID: id}, nil
}

func (s Scope) String() string { return s.Kind + "=" + s.ID }

// View is the declaration of one view.
type View struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Doc says what a row is, for the manual: "a container on this node".
	Doc         string   `json:"-"`
	Columns     []Column `json:"columns"`
	DefaultSort string   `json:"default_sort"` // column id; "" keeps Build's order
	DefaultDesc bool     `json:"default_desc"`
	// Tree is true when the rows can form a tree (t key).
	Tree bool `json:"tree"`
	// Build returns the view's rows for a snapshot within the query's
	// scope, unsorted and unfiltered; the query's Tree is the tree mode
	// (rows in tree order with Depth), set only where the view has one,
	// and its Logs where a log's lines come from.
	Build func(s *model.Snapshot, q Query) []Row `json:"-"`
	// Drill says where Enter on a row goes; nil or ok false when the row
	// leads nowhere (Enter then opens the details, if any).
	Drill func(r Row) (t Target, ok bool) `json:"-"`

	// What follows is how the screen and batch output treat the view:
	// they ask the view, and name no view and no column themselves.

	// Rank orders the views menu, -l and completion (DESIGN.md's order).
	Rank int `json:"-"`
	// Scopes are the scope kinds the view can be shown in; the innermost
	// scope of a drill-down decides. Every view can be shown unscoped,
	// unless NeedsScope.
	Scopes []string `json:"-"`
	// NeedsScope says the view shows nothing without one of its Scopes
	// (a log is one container's, task's or process's): -v without
	// --scope is a usage error.
	NeedsScope bool `json:"-"`
	// Minimum are the ids of the view's minimum columns (DESIGN.md): what
	// a table (-o table) prints; JSON has every column.
	Minimum []string `json:"-"`
	// TreeColumn is the id of the column tree mode indents; "" when the
	// view has no tree.
	TreeColumn string `json:"-"`
	// NameColumns are the columns that name a row for a person, in order
	// of preference (breadcrumb, the actions menu's title).
	NameColumns []string `json:"-"`
	// Details renders a row's details panel (d key); nil: none.
	Details DetailsFunc `json:"-"`
	// Actions are what the actions menu (F8) offers on a row.
	Actions []Action `json:"-"`
	// NoAction says why a row offers none of Actions now ("task … is
	// finished"), for the message line; nil: a plain sentence.
	NoAction func(v *View, r Row) string `json:"-"`
	// Target names a row in an action's confirmation.
	Target func(v *View, r Row) string `json:"-"`
	// Log says where `l` goes from a row: the logs view scoped to the
	// row's container, task or process; nil or ok false when the row has
	// no log. The screen offers `l` only where it is ok.
	Log func(r Row) (t Target, ok bool) `json:"-"`
	// Live says the rows change between snapshots (a log's lines come as
	// they are written): they are never cached, and batch output prints
	// only the rows it did not print before.
	Live bool `json:"-"`
	// Wrap says the screen may wrap its Width-0 column's long text onto
	// the rows below (the w key), as a log's lines want; WrapFirst that
	// it does so from the start (w then unwraps), as the attention view's
	// facts in full want.
	Wrap      bool `json:"-"`
	WrapFirst bool `json:"-"`
	// Follow keeps the screen's cursor on the last row when new rows come
	// and it was there, as tail -f in less.
	Follow bool `json:"-"`
	// Errors are the view's own errors within the query's scope (a log
	// that cannot be read, or that ended), shown with the snapshot's: in
	// JSON's errors, as a table's error lines, on the screen's message
	// line.
	Errors func(s *model.Snapshot, q Query) []string `json:"-"`
	// Shell says a row is a container that `e` opens a shell in (Ref).
	Shell bool `json:"-"`
	// Needs is what of the cluster the view shows beyond this node's own
	// tasks: Rows tells the orchestrator (SetNeedsHook), which reads it
	// only while a view shows it.
	Needs model.ClusterNeeds `json:"-"`
	// Uses is what of the node's costly figures the view shows (uses.go):
	// Rows tells the collector (SetUsesHook), which reads them on the
	// screen only while a view uses them.
	Uses Uses `json:"-"`
	// Key, when set, is the screen's key that opens the view over the
	// current one (x: what needs a look); Hint is its hint-bar label.
	Key  rune   `json:"-"`
	Hint string `json:"-"`
	// KeyDoc is what help says Key does; "": the attention view's words.
	KeyDoc string `json:"-"`
	// Stream, when set, is a row's place in a stream that only grows
	// (an event's number): batch output prints each row once, those
	// placed after the last it printed.
	Stream func(r Row) uint64 `json:"-"`
	// Stands, when set, names the row of another view a row stands for
	// (the attention view's rows are containers, tasks, apps…): the
	// screen's d, l, a and e act on that row as its own view would.
	Stands func(r Row) (view, key string, ok bool) `json:"-"`
}

// needsHook is told what the view being built needs.
var needsHook atomic.Pointer[func(model.ClusterNeeds)]

// SetNeedsHook makes Rows tell f what of the cluster each view it builds
// shows (nil: no one listens); the orchestrator's Want.
func SetNeedsHook(f func(model.ClusterNeeds)) {
	if f == nil {
		needsHook.Store(nil)
		return
	}
	needsHook.Store(&f)
}

// AppliesIn reports whether the view can be shown within a scope: the
// innermost scope's kind must be one of the view's Scopes.
func (v *View) AppliesIn(scope []Scope) bool {
	if len(scope) == 0 {
		return true
	}
	return slices.Contains(v.Scopes, scope[len(scope)-1].Kind)
}

// CheckScopeKinds says why the view cannot be shown within a scope given
// on the command line: its innermost kind is not one of the view's, or
// there is none and the view needs one.
func (v *View) CheckScopeKinds(scope []Scope) error {
	kinds := strings.Join(v.Scopes, "=, ") + "="
	switch {
	case len(scope) == 0 && v.NeedsScope:
		return fmt.Errorf("view %s needs a scope: give --scope %s (--scope KIND=ID)", v.ID, strings.Join(v.Scopes, "=ID, ")+"=ID")
	case len(scope) == 0 || v.AppliesIn(scope):
		return nil
	case len(v.Scopes) == 0:
		return fmt.Errorf("view %s is never scoped: it shows the whole node; drop --scope %s", v.ID, scope[len(scope)-1])
	}
	return fmt.Errorf("view %s cannot be shown within %s: its scopes are %s", v.ID, scope[len(scope)-1], kinds)
}

// MinimumCols returns the indices of the view's minimum columns, in the
// view's column order.
func (v *View) MinimumCols() []int {
	var out []int
	for i, c := range v.Columns {
		if slices.Contains(v.Minimum, c.ID) {
			out = append(out, i)
		}
	}
	return out
}

// TreeCol is the index of the tree column, -1 when there is none.
func (v *View) TreeCol() int {
	if v.TreeColumn == "" {
		return -1
	}
	return v.Col(v.TreeColumn)
}

// RowName is how a person knows a row: the first of the view's
// NameColumns that holds text, else its first text column, else its key.
func (v *View) RowName(r Row) string { return v.RowNameOr(r, "") }

// RowNameOr is RowName with a name (the scope a drill-down adds) to prefer
// to the first text column.
func (v *View) RowNameOr(r Row, fallback string) string {
	for _, id := range v.NameColumns {
		if s := v.Text(r, id); s != "" {
			return s
		}
	}
	if fallback != "" {
		return fallback
	}
	for i, c := range v.Columns {
		if s, ok := r.Values[i].(string); ok && !c.Number && s != "" {
			return s
		}
	}
	return r.Key
}

// Find is the row with this key of a view, built unscoped from a
// snapshot (the row an attention row stands for): ok false when the view
// has no such row.
func Find(s *model.Snapshot, view, key string) (*View, Row, bool) {
	v := Get(view)
	if v == nil || s == nil || v.NeedsScope {
		return v, Row{}, false
	}
	for _, r := range v.Build(s, Query{View: view}) {
		if r.Key == key {
			return v, r, true
		}
	}
	return v, Row{}, false
}

// Target is where a drill-down goes: a view, the scope it adds (Scope.Kind
// "" adds none) and, optionally, the sort to open it with and the row
// (its key) to put the cursor on.
type Target struct {
	View   string
	Scope  Scope
	Sort   string
	Desc   bool
	Select string
}

// Col returns the index of a column id, or -1.
func (v *View) Col(id string) int {
	for i, c := range v.Columns {
		if c.ID == id {
			return i
		}
	}
	return -1
}

var registry = map[string]*View{}
var order []string

// register adds a view; called from each view's file, in any order: the
// views' Rank decides the order.
func register(v *View) {
	registry[v.ID] = v
	order = append(order, v.ID)
	sort.SliceStable(order, func(i, j int) bool { return registry[order[i]].Rank < registry[order[j]].Rank })
}

// Default is the view shown when none is asked for: the first in rank.
func Default() *View { return registry[order[0]] }

// Get returns the view with this id, or nil.
func Get(id string) *View { return registry[id] }

// All returns every view in menu order.
func All() []*View {
	out := make([]*View, 0, len(order))
	for _, id := range order {
		out = append(out, registry[id])
	}
	return out
}

// IDs returns every view id in menu order.
func IDs() []string { return append([]string(nil), order...) }

// Query is everything that decides which rows a view shows, in which order.
type Query struct {
	View   string
	Scope  []Scope
	Filter *Filter // nil: everything
	Sort   string  // column id; "" = the view's default
	Desc   bool    // meaningful only when Sort != ""
	Tree   bool
	// Logs is where the logs view reads a log's lines (the log feed the
	// command opens); nil: nowhere, and the view is empty, as in a replay,
	// which records no logs.
	Logs LogLines
	// Last is where the attention view reads a container's last log
	// lines; nil: nowhere (the why then says only the exit). Views read
	// nothing else from outside the snapshot.
	Last LastLines
	// Columns are columns to show beyond the view's own: the label.KEY
	// columns chosen on the screen or in the settings file (a filter's
	// or the sort's label column is added without being named here).
	Columns []string
	// Screen says the rows are the screen's, which asks again for the
	// same snapshot with another filter at a key press: the rows built
	// before filtering are kept with the filtered ones (batch output,
	// whose filter never changes, keeps only those).
	Screen bool
}

// Table is a view's rows ready to draw or print.
type Table struct {
	View    *View
	Columns []Column
	// Rows are the rows in their order, the caller's to change; nil in
	// a table for the screen (Query.Screen) sorted over the rows Rows
	// keeps, which Len and Row give in their order without copying them
	// (a copy of 50,000 rows in a new order was most of a sort key).
	// Len, Row and RowSlice read either.
	Rows    []Row
	SortCol int // index in Columns, -1 when unsorted
	Desc    bool
	// Errors are the view's own (View.Errors), besides the snapshot's.
	Errors []string
	// explain is ExplainWidths' answer for the rows explainOf, worked
	// out once per snapshot's rows for the screen (rowCache).
	explain   []int
	explainOf []Row
	// search is what Find has worked out of the rows.
	search *searchText
	// base and order are the rows when Rows is nil: row i is
	// base[order[i]]; base are the cache's, shared, never changed.
	base  []Row
	order []int32
	// find is the search text of the cache's rows these rows are, in
	// the order findOrder (nil: the same order); nil when they are not
	// the cache's. findChecked and findOK: whether the rows still are
	// (findText.serves).
	find        *findText
	findOrder   []int32
	findChecked bool
	findOK      bool
}

// Len is the number of rows.
func (t *Table) Len() int {
	if t.Rows == nil && t.base != nil {
		return len(t.order)
	}
	return len(t.Rows)
}

// Row is row i in the table's order; the caller must not change it.
func (t *Table) Row(i int) *Row {
	if t.Rows == nil && t.base != nil {
		return &t.base[t.order[i]]
	}
	return &t.Rows[i]
}

// IndexOf is the position of the first row of key, -1 when none has it.
// Rows in an order over the cache's are looked through in their own
// order, then the position found in the order: both reads run straight
// through memory, where a walk in the sort's order jumps about.
func (t *Table) IndexOf(key string) int {
	if t.Rows == nil && t.base != nil {
		var of []int32 // the base rows of key: mostly one
		for j := range t.base {
			if t.base[j].Key == key {
				of = append(of, int32(j))
			}
		}
		if len(of) == 0 {
			return -1
		}
		for i, j := range t.order {
			if j == of[0] || len(of) > 1 && slices.Contains(of, j) {
				return i
			}
		}
		return -1
	}
	for i := range t.Rows {
		if t.Rows[i].Key == key {
			return i
		}
	}
	return -1
}

// RowSlice is the rows in their order: Rows, or a copy of them in order
// when the table has no Rows of its own.
func (t *Table) RowSlice() []Row {
	if t.Rows == nil && t.base != nil {
		rows := make([]Row, len(t.order))
		for i, k := range t.order {
			rows[i] = t.base[k]
		}
		return rows
	}
	return t.Rows
}

// WithRows is a copy of t with other rows (wrapped lines): nothing
// worked out of t's rows goes with it.
func (t *Table) WithRows(rows []Row) *Table {
	return &Table{View: t.View, Columns: t.Columns, Rows: rows, SortCol: t.SortCol, Desc: t.Desc, Errors: t.Errors}
}

// ExplainWidths is, by column, the width in cells of the longest value of
// each explaining column (Explains) among the rows, and of the Width-0
// column of a view that has some (it is the row's name there: an app, a
// task); 0 for the other columns, nil when the view has none. The screen
// gives them room with it.
func (t *Table) ExplainWidths() []int {
	rows := t.Rows
	if rows == nil {
		rows = t.base // the order changes no width
	}
	if n := len(rows); n > 0 && len(t.explainOf) == n && &t.explainOf[0] == &rows[0] {
		return t.explain
	}
	return explainWidths(t.Columns, rows)
}

// explainWidths is ExplainWidths of rows in columns cols.
func explainWidths(cols []Column, rows []Row) []int {
	if !slices.ContainsFunc(cols, func(c Column) bool { return c.Explains }) {
		return nil
	}
	d := make([]int, len(cols))
	for i, c := range cols {
		if !c.Explains && c.Width != 0 {
			continue
		}
		for r := range rows {
			if n := termtext.Width(Format(c, rows[r].Values[i])); n > d[i] {
				d[i] = n
			}
		}
	}
	return d
}

// Rows is the one function that turns a snapshot into rows: the screen's
// drill-down and batch mode's --scope both call it.
func Rows(s *model.Snapshot, q Query) (*Table, error) {
	v := Get(q.View)
	if v == nil {
		return nil, fmt.Errorf("unknown view %q (views: %s)", q.View, strings.Join(IDs(), ", "))
	}
	if h := needsHook.Load(); h != nil && v.Needs != 0 {
		(*h)(v.Needs)
	}
	use(v.Uses)
	sortID, desc, col, err := v.sortOf(q)
	if err != nil {
		return nil, err
	}
	q.Tree = q.Tree && v.Tree
	var (
		rows []Row
		gen  uint64 // the cache's rows that rows are, 0: not the cache's
	)
	switch {
	case s != nil && v.Live:
		rows = v.Build(s, q)
		if q.Filter != nil {
			rows = q.Filter.Apply(v, rows)
		}
	case s != nil:
		rows, gen = built.get(s, v, q) // shared: copied before any change
	}
	var explain []int
	if gen != 0 && q.Screen {
		// Worked out once per snapshot's rows, here off the screen's
		// goroutine when they are new: 4 ms of a sort key at 50,000
		// containers. Their order changes nothing.
		explain = built.explainWidths(gen, v.Columns, rows)
	}
	cols := v.Columns
	var (
		find  *findText // the search text of the cache's rows, shared by their sorts
		order []int32
	)
	if gen != 0 && q.Screen {
		find = built.findText(gen)
	}
	if extra := labelColumns(v, q); len(extra) > 0 {
		if gen != 0 {
			rows = slices.Clone(rows)
		}
		cols = withLabelColumns(cols, rows, extra)
		if col < 0 && sortID != "" {
			col = len(v.Columns) + slices.Index(extra, sortID)
		}
		find = nil // other columns
	} else if gen != 0 && (col < 0 || q.Tree) {
		rows = slices.Clone(rows)
	}
	var base []Row
	switch {
	case col < 0 || q.Tree:
	case gen != 0 && q.Screen && find != nil:
		// The screen reads the cache's rows in the sort's order
		// (Table.Row): no copy of them.
		order = cachedOrder(rows, gen, sortID, col, cols[col].Number, desc)
		base, rows = rows, nil
	default:
		rows, order = sortRows(rows, gen, sortID, col, cols[col].Number, desc)
	}
	var errs []string
	if s != nil && v.Errors != nil {
		errs = v.Errors(s, q)
	}
	t := &Table{View: v, Columns: cols, Rows: rows, SortCol: col, Desc: desc, Errors: errs, find: find, findOrder: order}
	if base != nil {
		t.base, t.order = base, order
	}
	if explain != nil {
		// A label column explains nothing.
		t.explainOf = rows
		if base != nil {
			t.explainOf = base
		}
		t.explain = append(slices.Clip(explain), make([]int, len(cols)-len(explain))...)
	}
	return t, nil
}

// sortOf is the column q sorts by (the view's default when q names
// none; -1 for a view without one, which keeps the order Build gives),
// with q's sort and filter checked against the view.
func (v *View) sortOf(q Query) (sortID string, desc bool, col int, err error) {
	sortID, desc, col = q.Sort, q.Desc, -1
	if sortID == "" {
		sortID, desc = v.DefaultSort, v.DefaultDesc
	}
	if sortID != "" {
		if err := v.CheckColumn(sortID); err != nil {
			return "", false, -1, err
		}
		col = v.Col(sortID)
	}
	if q.Filter != nil {
		if err := q.Filter.Check(v); err != nil {
			return "", false, -1, err
		}
	}
	return sortID, desc, col, nil
}

// sortRows sorts rows by column col. Rows of the cache (gen != 0) are
// not changed: they are returned in the order of the sort, which is
// worked out once per snapshot, filter and sort, so a key that inverts
// the sort back and forth sorts no more.
func sortRows(rows []Row, gen uint64, sortID string, col int, number, desc bool) ([]Row, []int32) {
	if gen == 0 {
		SortRows(rows, col, number, desc)
		return rows, nil
	}
	order := cachedOrder(rows, gen, sortID, col, number, desc)
	sorted := make([]Row, len(order))
	for i, k := range order {
		sorted[i] = rows[k]
	}
	return sorted, order
}

// cachedOrder is the order of the cache's rows gen (rows) in a sort,
// kept with them.
func cachedOrder(rows []Row, gen uint64, sortID string, col int, number, desc bool) []int32 {
	order := built.order(gen, sortID, desc)
	if order == nil {
		order = sortedOrder(rows, col, number, desc)
		built.keepOrder(gen, sortID, desc, order)
	}
	return order
}

// built remembers the last filtered rows, in build order, and the orders
// they were sorted in: a key press that only changes the sort (or redraws
// the same snapshot) then costs a copy in that order instead of building,
// filtering and sorting every row again. For the screen (Query.Screen) it
// also keeps the rows built before filtering, so that a filter set,
// changed or cleared filters those instead of building them again.
// Snapshots are immutable, so the rows of one stay right.
var built rowCache

type rowCache struct {
	mu  sync.Mutex
	gen uint64 // numbers the row sets, so that an order is kept with its rows
	// snap is the snapshot the rows are of, held weakly: a strong hold
	// kept it (at --cluster's 100,000 executors, their samples and rows:
	// 90 MB) alive while the next one was collected, after batch output
	// had printed it and let it go.
	snap   weak.Pointer[model.Snapshot]
	view   *View
	scope  []Scope
	tree   bool
	filter *Filter
	text   string  // the filter's text: a Filter is not changed after parsing, but be safe
	cur    *rowSet // the filtered rows
	// all are the rows before filtering, when kept: without a filter
	// they are cur; with one, only for the screen. Their sorts and
	// widths stay with them, so a filter cleared sorts nothing again.
	all *rowSet
}

// rowSet is rows of the cache and what was worked out of them.
type rowSet struct {
	gen    uint64
	rows   []Row
	orders []keptOrder // newest first
	// explain is explainWidths of rows (hasExplain: worked out).
	explain    []int
	hasExplain bool
	// words is the text a filter's bare words are looked for in, made
	// the first time the screen filters these rows with one.
	words wordText
	// find is the search's text of these rows (Table.Find).
	find *findText
}

// newRowSet is a row set of v's rows, numbered later.
func newRowSet(v *View, rows []Row) *rowSet {
	return &rowSet{rows: rows, find: &findText{rows: rows, cols: v.Columns}}
}

// findText is the search text of row set gen, nil when it is no longer
// kept.
func (c *rowCache) findText(gen uint64) *findText {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rs := c.set(gen); rs != nil {
		return rs.find
	}
	return nil
}

// set is the cache's row set gen, nil when it is no longer kept; c.mu
// is held.
func (c *rowCache) set(gen uint64) *rowSet {
	for _, rs := range []*rowSet{c.cur, c.all} {
		if rs != nil && rs.gen == gen {
			return rs
		}
	}
	return nil
}

// explainWidths is explainWidths of rows gen (rows), worked out once.
func (c *rowCache) explainWidths(gen uint64, cols []Column, rows []Row) []int {
	c.mu.Lock()
	if rs := c.set(gen); rs != nil && rs.hasExplain {
		w := rs.explain
		c.mu.Unlock()
		return w
	}
	c.mu.Unlock()
	w := explainWidths(cols, rows)
	c.mu.Lock()
	if rs := c.set(gen); rs != nil {
		rs.explain, rs.hasExplain = w, true
	}
	c.mu.Unlock()
	return w
}

// keptOrder is the order of the cache's rows in one sort.
type keptOrder struct {
	sort  string
	desc  bool
	order []int32
}

// maxOrders is how many sorts of one row set are kept: 4 bytes a row
// each.
const maxOrders = 4

// get returns the view's filtered rows for s, which the caller must not
// change (they are the cache's), and which row set of the cache they are;
// q.Tree is already the view's tree mode.
func (c *rowCache) get(s *model.Snapshot, v *View, q Query) ([]Row, uint64) {
	tree := q.Tree
	text := ""
	if q.Filter != nil {
		text = q.Filter.Text
	}
	c.mu.Lock()
	same := c.snap.Value() == s && c.view == v && c.tree == tree && slices.Equal(c.scope, q.Scope)
	if same && c.cur != nil && c.filter == q.Filter && c.text == text {
		rows, gen := c.cur.rows, c.cur.gen
		c.mu.Unlock()
		return rows, gen
	}
	// The last rows of the screen's view whose text a search or a
	// filter's words have used: these rows take the text of their rows
	// that read the same (carry.go), now, off the screen's goroutine,
	// rather than at the next key.
	var prevAll, prevCur *rowSet
	if q.Screen && c.view == v && c.tree == tree && slices.Equal(c.scope, q.Scope) {
		if c.all != nil && c.all.words.carries() {
			prevAll = c.all
		}
		prevCur = c.cur
	}
	var all *rowSet
	if same {
		all = c.all
	} else {
		// The rows of another snapshot are not kept while these are
		// built: with 100,000 tasks they were 40 MB more at -v
		// mesos-tasks' peak, and held that snapshot (and its tasks)
		// after the next was out. (The screen's, when their text was
		// used, are held until it is carried over.)
		c.snap, c.view, c.cur, c.all = weak.Pointer[model.Snapshot]{}, nil, nil, nil
	}
	c.mu.Unlock()
	if prevCur != nil && !prevCur.find.carries() {
		prevCur = nil
	}
	newAll := all == nil
	if newAll {
		all = newRowSet(v, v.Build(s, q))
		if prevAll != nil && prevAll != all {
			all.words.makeFrom(v, all.rows, prevAll.rows, &prevAll.words)
		}
	}
	allRows := all.rows
	rows := allRows
	switch {
	case q.Filter != nil && q.Screen:
		rows = q.Filter.applyWords(v, allRows, &all.words)
	case q.Filter != nil:
		rows = q.Filter.Apply(v, allRows)
	}
	cur := all
	if q.Filter != nil {
		cur = newRowSet(v, rows)
	}
	if prevCur != nil && prevCur != cur && !cur.find.used() {
		cur.find.carryFrom(prevCur.find)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if newAll {
		c.gen++
		all.gen = c.gen
	}
	if q.Filter != nil {
		c.gen++
		cur.gen = c.gen
	}
	c.snap, c.view, c.tree, c.filter, c.text = weak.Make(s), v, tree, q.Filter, text
	c.scope = slices.Clone(q.Scope)
	c.cur, c.all = cur, nil
	if q.Filter == nil || q.Screen {
		c.all = all
	}
	return cur.rows, cur.gen
}

// order is a kept order of row set gen in a sort, nil when there is none.
func (c *rowCache) order(gen uint64, sort string, desc bool) []int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rs := c.set(gen); rs != nil {
		for _, o := range rs.orders {
			if o.sort == sort && o.desc == desc {
				return o.order
			}
		}
	}
	return nil
}

// keepOrder keeps the order of row set gen in a sort, unless the set is
// no longer kept.
func (c *rowCache) keepOrder(gen uint64, sort string, desc bool, order []int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rs := c.set(gen)
	if rs == nil {
		return
	}
	if len(rs.orders) == maxOrders {
		rs.orders = rs.orders[:maxOrders-1]
	}
	rs.orders = append([]keptOrder{{sort, desc, order}}, rs.orders...)
}

// SortRows sorts in place by one column; nil values go last whatever the
// direction, and ties keep the order Build gave (pid order, cgroup order) so
// rows do not jump between refreshes.
//
// It sorts small keys (the column's value and the row's position, which
// breaks ties and so makes the unstable pdqsort stable) rather than the
// rows themselves, then puts the rows in that order: a third of the work
// of a stable sort of rows with an interface assertion per comparison.
func SortRows(rows []Row, col int, number, desc bool) {
	if len(rows) < 2 {
		return
	}
	order := sortedOrder(rows, col, number, desc)
	// Each row moves along its cycle of the permutation, in place: a copy
	// of 100,000 rows was 5.6 MB more at the peak of -v mesos-tasks.
	for i := range order {
		if order[i] < 0 {
			continue
		}
		first, j := rows[i], i
		for {
			k := int(order[j])
			order[j] = -1
			if k == i {
				rows[j] = first
				break
			}
			rows[j], j = rows[k], k
		}
	}
}

// sortedOrder is the positions of the rows in SortRows' order.
func sortedOrder(rows []Row, col int, number, desc bool) []int32 {
	if number {
		return sortOrder(rows, col, desc, cmp.Compare[float64], func(v any) (float64, bool) { f, ok := v.(float64); return f, ok })
	}
	return sortOrder(rows, col, desc, compareFold, textOf)
}

// sortOrder returns the row positions in sorted order: by the column's
// values of type T (nil, or another type, last whatever the direction),
// then by position.
func sortOrder[T any](rows []Row, col int, desc bool, compare func(a, b T) int, value func(any) (T, bool)) []int32 {
	type key struct {
		v   T
		nil bool
		i   int32
	}
	keys := make([]key, len(rows))
	for i := range rows {
		keys[i].i = int32(i)
		if v, ok := value(rows[i].Values[col]); ok {
			keys[i].v = v
		} else {
			keys[i].nil = true
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.nil || b.nil {
			if a.nil && b.nil {
				return cmp.Compare(a.i, b.i)
			}
			if a.nil {
				return 1
			}
			return -1
		}
		c := compare(a.v, b.v)
		if desc {
			c = -c
		}
		if c == 0 {
			c = cmp.Compare(a.i, b.i)
		}
		return c
	})
	order := make([]int32, len(keys))
	for i := range keys {
		order[i] = keys[i].i
	}
	return order
}

// textOf is a text value (a labels column's as it reads); ok is false
// for nil and numbers.
func textOf(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case *model.Labels:
		return x.String(), true
	}
	return "", false
}

// compareFold compares case-insensitively without allocating.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return cmp.Compare(ca, cb)
		}
	}
	return cmp.Compare(len(a), len(b))
}
