package views

import (
	"bytes"
	"math"
	"strings"
	"sync"
	"sync/atomic"
)

// wordText is what a filter's bare words are looked for in, for one set
// of rows: each row's text columns (textOf), lower-cased, each after a
// NUL, the rows one after another in one buffer. Made once per row set
// the screen filters (a filter set, changed or typed further on the same
// snapshot reads it again), it turns a word's search through 50,000 rows
// from a walk of every row's cells into one scan of contiguous bytes.
type wordText struct {
	once sync.Once
	done atomic.Bool  // made: buf and end are set and never change again
	age  atomic.Int32 // row sets it was carried through since a filter used it (maxCarries)
	buf  []byte
	end  []int32 // row i's text is buf[end[i-1]:end[i]]
}

// sizeAfter is the number of rows after which the text is given room
// for all of them.
const sizeAfter = 256

// make fills w from rows, once; it reports whether w can be used (the
// text fits int32 offsets).
func (w *wordText) make(v *View, rows []Row) bool {
	return w.makeFrom(v, rows, nil, nil)
}

// made reports whether w has been made.
func (w *wordText) made() bool { return w.done.Load() && w.end != nil }

// carries reports whether w is to be carried over to the next rows: made,
// and used by a filter within the last maxCarries row sets.
func (w *wordText) carries() bool { return w.made() && w.age.Load() < maxCarries }

// makeFrom is make, taking the text of a row whose text cells are those
// of the row of the same key among old from prev, old's text (when made;
// see carry.go) rather than lowering its cells again.
func (w *wordText) makeFrom(v *View, rows []Row, old []Row, prev *wordText) bool {
	w.once.Do(func() {
		defer w.done.Store(true)
		text := make([]int, 0, len(v.Columns))
		for i := range v.Columns {
			if !v.Columns[i].Number {
				text = append(text, i)
			}
		}
		var m *rowMatch
		var buf []byte
		if prev != nil && prev.carries() && len(prev.end) == len(old) && len(old) > 0 {
			m = &rowMatch{old: old}
			w.age.Store(prev.age.Load() + 1)
			// Room for the rows at the last rows' length and a
			// sixteenth: grown by append, the text was copied
			// again and again, half of a carry's time.
			buf = make([]byte, 0, len(prev.buf)/len(old)*len(rows)*17/16+64)
		}
		end := make([]int32, len(rows))
		for r := range rows {
			vals := rows[r].Values
			carried := false
			if m != nil {
				if j := m.find(rows[r].Key); j >= 0 && sameWordCells(vals, old[j].Values, text) {
					from := int32(0)
					if j > 0 {
						from = prev.end[j-1]
					}
					buf = append(buf, prev.buf[from:prev.end[j]]...)
					carried = true
				}
			}
			for _, i := range text {
				if carried {
					break
				}
				s, ok := textOf(vals[i])
				if !ok {
					continue
				}
				buf = append(buf, 0)
				buf = appendLower(buf, s)
			}
			if len(buf) > math.MaxInt32 {
				return
			}
			end[r] = int32(len(buf))
			if r == sizeAfter-1 && len(rows) > sizeAfter && m == nil {
				// Room for all rows at the first rows' length and
				// an eighth: twice less allocated than by appending.
				nb := make([]byte, len(buf), len(buf)/sizeAfter*len(rows)*9/8)
				copy(nb, buf)
				buf = nb
			}
		}
		w.buf, w.end = buf, end
	})
	return w.end != nil || len(rows) == 0
}

// appendLower appends strings.ToLower(s) to b, without making a string
// when s is ASCII.
func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return append(b, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// keep clears keep[i] for each row i whose text lacks word (lower-cased,
// without a NUL: then a match lies within one cell, as anyTextContains
// finds it).
func (w *wordText) keep(word string, keep []bool) {
	w.age.Store(0)
	hit := make([]bool, len(w.end))
	pat := []byte(word)
	pos, r := 0, 0
	for pos < len(w.buf) {
		j := bytes.Index(w.buf[pos:], pat)
		if j < 0 {
			break
		}
		at := int32(pos + j)
		for w.end[r] <= at {
			r++
		}
		hit[r] = true
		pos = int(w.end[r])
	}
	for i, h := range hit {
		keep[i] = keep[i] && h
	}
}
