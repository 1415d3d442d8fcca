package views

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// searchText is what the screen's incremental search (/) looks through:
// each row's cells as the screen shows them (Format), lower-cased, worked
// out for a row the first time a search reaches it and kept with the
// table's rows; a text that matched no row is kept too, since a text that
// holds it (the same search, typed further) cannot match either.
type searchText struct {
	of   *Row     // Row(0) when this was made: the rows it belongs to
	row  []string // by row: "\x00" before each cell's text; "" not yet made
	miss string   // lower-cased text no row holds, "" none
	buf  []byte   // reused to make a row's text
	// The same of the cells that are not numbers (nor null), for a text
	// no number's cell can hold (see numberBytes).
	words     []string
	wordsMiss string
}

// numberBytes are the bytes a number's or a null's cell can show,
// lower-cased: digits, signs, points, units (1.2g, 3k/s, 0:03.25,
// 3h12m), n/a, nan and inf (fmt pads a NaN with spaces).
const numberBytes = "0123456789.-+:/ bkmgtpeshnaif"

// onlyNumberBytes reports whether every byte of s is in numberBytes.
func onlyNumberBytes(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(numberBytes, s[i]) < 0 {
			return false
		}
	}
	return true
}

// Find is the index of the first row, from row `from` on and wrapping
// around (from may be negative or past the end), that shows text in one of
// its cells, case-insensitively; -1 when none does or text is "". The
// first search of a table formats the cells of the rows it passes, once;
// every later one compares bytes only. Not safe for concurrent use: the
// screen calls it from its one goroutine.
func (t *Table) Find(text string, from int) int {
	n := t.Len()
	if text == "" || n == 0 {
		return -1
	}
	text = strings.ToLower(text)
	st := t.search
	if st == nil || st.of != t.Row(0) || len(st.row) != n {
		st = &searchText{of: t.Row(0), row: make([]string, n)}
		t.search = st
	}
	if st.miss != "" && strings.Contains(text, st.miss) {
		return -1
	}
	if !onlyNumberBytes(text) && strings.IndexByte(text, 0) < 0 {
		// No number's cell can show it: the other cells are enough,
		// and they need no formatting.
		return t.findWords(st, text, from)
	}
	// A cell's text cannot hold a NUL typed into the search line, so a
	// match in the joined text lies within one cell, as when each cell
	// was searched on its own; a text with a NUL is searched cell by cell.
	perCell := strings.IndexByte(text, 0) >= 0
	for k := 0; k < n; k++ {
		i := ((from+k)%n + n) % n
		if perCell {
			if t.cellsHold(i, text) {
				return i
			}
			continue
		}
		h := st.row[i]
		if h == "" {
			st.buf = t.rowText(st.buf[:0], i)
			h = string(st.buf)
			st.row[i] = h
		}
		if strings.Contains(h, text) {
			return i
		}
	}
	st.miss = text
	return -1
}

// findWords is Find of a text no number's or null's cell can show,
// through the other cells alone.
func (t *Table) findWords(st *searchText, text string, from int) int {
	n := t.Len()
	if st.wordsMiss != "" && strings.Contains(text, st.wordsMiss) {
		return -1
	}
	if ft := t.find; ft != nil && ft.serves(t) {
		// The text of the cache's rows these are: kept through a sort
		// key, and carried over to the next refresh's rows.
		ft.mu.Lock()
		defer ft.mu.Unlock()
		ft.age = 0
		if ft.text == nil {
			ft.text = make([]string, len(ft.rows))
		}
		for k := 0; k < n; k++ {
			i := ((from+k)%n + n) % n
			j := i
			if t.findOrder != nil {
				j = int(t.findOrder[i])
			}
			h := ft.text[j]
			if h == "" {
				st.buf = t.wordsText(st.buf[:0], i)
				h = string(st.buf)
				ft.text[j] = h
			}
			if strings.Contains(h, text) {
				return i
			}
		}
		st.wordsMiss = text
		return -1
	}
	if st.words == nil {
		st.words = make([]string, n)
	}
	for k := 0; k < n; k++ {
		i := ((from+k)%n + n) % n
		h := st.words[i]
		if h == "" {
			if full := st.row[i]; full != "" {
				h = full // holds the number cells too, which cannot match
			} else {
				st.buf = t.wordsText(st.buf[:0], i)
				h = string(st.buf)
			}
			st.words[i] = h
		}
		if strings.Contains(h, text) {
			return i
		}
	}
	st.wordsMiss = text
	return -1
}

// wordsText appends to b row i's cells that are not numbers nor null, as
// the screen shows them, lower-cased, each after a NUL, and a NUL (never
// "": made).
func (t *Table) wordsText(b []byte, i int) []byte {
	r := t.Row(i)
	for ci := range t.Columns {
		switch r.Values[ci].(type) {
		case float64, nil:
			continue
		}
		b = append(b, 0)
		b = appendCellLower(b, &t.Columns[ci], r.Values[ci])
	}
	return append(b, 0)
}

// findText is the search's words text (Table.wordsText) of a row set of
// the cache, by row, kept with the rows: the tables of the set in any
// sort share it, and the next set of the same view takes from it the
// text of each row whose cells are the same (carryFrom).
type findText struct {
	mu   sync.Mutex
	rows []Row    // the set's rows
	cols []Column // the columns the text is of
	text []string // by row; "" not yet made; nil: no search yet
	age  int      // row sets it was carried through since a search used it
}

// maxCarries is how many row sets (refreshes: a minute at the default 2
// s) a search's or a filter word's text is carried through after it was
// last used: a carry costs a refresh about what making it does.
const maxCarries = 30

// serves reports whether t's rows are ft's rows in t.findOrder (the
// identity when nil) and its columns ft's: a table changed after Rows
// (wrapped lines) is searched through its own text.
func (ft *findText) serves(t *Table) bool {
	if t.findChecked {
		return t.findOK
	}
	t.findChecked = true
	if len(t.Columns) != len(ft.cols) || len(t.Columns) == 0 || &t.Columns[0] != &ft.cols[0] {
		return false
	}
	if t.Rows == nil && t.base != nil {
		// Rows in an order over the cache's rows.
		if len(t.base) == 0 || len(ft.rows) != len(t.base) || &t.base[0] != &ft.rows[0] {
			return false
		}
		t.findOK = true
		return true
	}
	if t.findOrder != nil && len(t.findOrder) != len(t.Rows) || t.findOrder == nil && len(t.Rows) != len(ft.rows) {
		return false
	}
	for i := range t.Rows {
		j := i
		if t.findOrder != nil {
			j = int(t.findOrder[i])
		}
		a, b := t.Rows[i].Values, ft.rows[j].Values
		if len(a) != len(b) || len(a) > 0 && &a[0] != &b[0] {
			return false
		}
	}
	t.findOK = true
	return true
}

// used reports whether a search has been through ft.
func (ft *findText) used() bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return ft.text != nil
}

// carries reports whether ft is to be carried over to the next rows: a
// search used it within the last maxCarries row sets.
func (ft *findText) carries() bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return ft.text != nil && ft.age < maxCarries
}

// carryFrom gives ft the text prev has made of each row whose cells that
// are not numbers are those of prev's row of the same key; the others are
// made when a search reaches them. ft is new: no search has seen it.
func (ft *findText) carryFrom(prev *findText) {
	prev.mu.Lock()
	if prev.text == nil || prev.age >= maxCarries || len(prev.cols) != len(ft.cols) || len(ft.cols) == 0 || &prev.cols[0] != &ft.cols[0] {
		prev.mu.Unlock()
		return
	}
	made := slices.Clone(prev.text) // a search may be filling it meanwhile
	age := prev.age + 1
	prev.mu.Unlock()
	text := make([]string, len(ft.rows))
	m := rowMatch{old: prev.rows}
	for i := range ft.rows {
		if j := m.find(ft.rows[i].Key); j >= 0 && made[j] != "" && sameFindCells(ft.rows[i].Values, prev.rows[j].Values) {
			text[i] = made[j]
		}
	}
	ft.mu.Lock()
	if ft.text == nil {
		ft.text, ft.age = text, age
	}
	ft.mu.Unlock()
}

// rowText appends to b row i's cells as the screen shows them,
// lower-cased, each after a NUL.
func (t *Table) rowText(b []byte, i int) []byte {
	r := t.Row(i)
	for ci := range t.Columns {
		b = append(b, 0)
		b = appendCellLower(b, &t.Columns[ci], r.Values[ci])
	}
	return b
}

// appendCellLower appends strings.ToLower(Format(*c, v)) to b, making no
// string for the usual cells: a plain string, a percentage, a count.
func appendCellLower(b []byte, c *Column, v any) []byte {
	switch x := v.(type) {
	case string:
		if !c.Escapes && (c.Clip <= 0 || len(x) <= c.Clip || strings.Contains(x, "/")) {
			return appendLower(b, x)
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			break
		}
		switch c.Unit {
		case UnitPct:
			return strconv.AppendFloat(b, x, 'f', 1, 64)
		case UnitBytes:
			return appendBytesLower(b, x)
		case UnitBps:
			return append(appendBytesLower(b, x), "/s"...)
		case UnitPerSec:
			switch {
			case x >= 1e6:
				return append(strconv.AppendFloat(b, x/1e6, 'f', 1, 64), 'm')
			case x >= 1e4:
				return append(strconv.AppendFloat(b, x/1e3, 'f', 0, 64), 'k')
			case x >= 100:
				return strconv.AppendFloat(b, x, 'f', 0, 64)
			}
			return strconv.AppendFloat(b, x, 'f', 1, 64)
		case UnitSeconds:
			return appendLower(b, Duration(x))
		default:
			if x == math.Trunc(x) && math.Abs(x) < 1e15 {
				return strconv.AppendInt(b, int64(x), 10)
			}
			return strconv.AppendFloat(b, x, 'f', 1, 64)
		}
	case nil:
		return append(b, strings.ToLower(NA)...)
	}
	return appendLower(b, Format(*c, v)) // copies the Column: kept for the rare cells
}

// appendBytesLower appends strings.ToLower(HumanBytes(x)) to b.
func appendBytesLower(b []byte, x float64) []byte { return appendHumanBytes(b, x, "bkmgtpe") }

// cellsHold reports whether one of row i's cells, as the screen shows it
// and lower-cased, holds text.
func (t *Table) cellsHold(i int, text string) bool {
	r := t.Row(i)
	for ci, c := range t.Columns {
		if strings.Contains(strings.ToLower(Format(c, r.Values[ci])), text) {
			return true
		}
	}
	return false
}
