package views

import (
	"slices"

	"github.com/ctop-like/ctop-like/internal/model"
)

// The screen's search and filter words look through text made from each
// row's text cells, lower-cased (findText, wordText). A refresh's rows are
// mostly the last one's with new figures: a row whose text cells are the
// same as those of the last rows' row of the same key takes that row's
// text instead of making it again, so the first search or filter key
// after a refresh costs what a later key does.

// rowMatch pairs rows with the rows of the same key among old, which are
// in the same order, give or take rows come and gone (Build's order:
// cgroup, pid, agent order; a filter keeps rows in it).
type rowMatch struct {
	old     []Row
	next    int              // the old row after the last one paired
	scanned int              // old rows read past next, for keys not found at once
	byKey   map[string]int32 // made once scanning has read the old rows 4 times
}

// find is the index in old of the row of key, -1 when none was found:
// the next old rows are read until it is found (rows gone are passed
// over); a key not found (a new row, or one moved before the last paired,
// then made again) has read the rest of old for nothing, and after four
// times old's rows read so, a map of old's keys answers.
func (m *rowMatch) find(key string) int {
	if m.byKey == nil {
		for j := m.next; j < len(m.old); j++ {
			if m.old[j].Key == key {
				m.scanned += j - m.next
				m.next = j + 1
				return j
			}
		}
		if m.scanned += len(m.old) - m.next; m.scanned <= 4*len(m.old) {
			return -1 // a new row
		}
		m.byKey = make(map[string]int32, len(m.old))
		for j := len(m.old) - 1; j >= 0; j-- {
			m.byKey[m.old[j].Key] = int32(j)
		}
	}
	if j, ok := m.byKey[key]; ok {
		return int(j)
	}
	return -1
}

// sameWordCells reports whether rows a and b give the same text in the
// columns text (textOf's, as wordText makes it).
func sameWordCells(a, b []any, text []int) bool {
	for _, i := range text {
		if !sameTextValue(a[i], b[i]) {
			return false
		}
	}
	return true
}

// sameTextValue reports whether x and y read the same as text (textOf),
// or are both no text. It makes no string.
func sameTextValue(x, y any) bool {
	switch a := x.(type) {
	case string:
		b, ok := y.(string)
		return ok && a == b
	case *model.Labels:
		b, ok := y.(*model.Labels)
		return ok && sameLabels(a, b)
	}
	switch y.(type) {
	case string, *model.Labels:
		return false
	}
	return true
}

func sameLabels(a, b *model.Labels) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	return slices.Equal(*a, *b)
}

// sameFindCells reports whether rows a and b show the same text in their
// cells that are not numbers nor null (the search's words text, made by
// appendCellLower from the column and the value alone), and have those
// in the same columns. Values of other types than strings and labels are
// not compared: such a row is made again.
func sameFindCells(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		switch x := a[i].(type) {
		case float64, nil:
			switch b[i].(type) {
			case float64, nil:
				continue
			}
			return false
		case string:
			if y, ok := b[i].(string); !ok || x != y {
				return false
			}
		case *model.Labels:
			if y, ok := b[i].(*model.Labels); !ok || !sameLabels(x, y) {
				return false
			}
		default:
			return false
		}
	}
	return true
}
