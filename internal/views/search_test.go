package views

import "testing"

// TestFindAsTheScreenShowsCells: Find looks, from a row on and wrapping
// around, for a text in what each cell shows (Format), in any case; a
// match never spans two cells; a text that matched nothing matches
// nothing typed further, and rows of a new table are searched anew.
func TestFindAsTheScreenShowsCells(t *testing.T) {
	cols := []Column{{ID: "name"}, {ID: "mem", Number: true, Unit: UnitBytes}}
	tab := &Table{Columns: cols, Rows: []Row{
		{Key: "a", Values: []any{"Web-1", 300.0 * (1 << 20)}},
		{Key: "b", Values: []any{"db-1", nil}},
		{Key: "c", Values: []any{"job-1", 2.0 * (1 << 30)}},
	}}
	for _, c := range []struct {
		text string
		from int
		want int
	}{
		{"WEB", 0, 0},
		{"-1", 1, 1},
		{"-1", 3, 0},  // past the end: wraps
		{"-1", -1, 2}, // before the start: the last row
		{"300m", 0, 0},
		{"2.0g", 0, 2},
		{"n/a", 0, 1},
		{"1300", 0, -1}, // "web-1" then "300M": not one cell
		{"1\x00300", 0, -1},
		{"zebra", 0, -1},
		{"zebras", 0, -1},
		{"", 0, -1},
	} {
		if got := tab.Find(c.text, c.from); got != c.want {
			t.Errorf("Find(%q, %d) = %d, want %d", c.text, c.from, got, c.want)
		}
	}
	next := &Table{Columns: cols, Rows: append([]Row{{Key: "z", Values: []any{"zebra-2", 1.0}}}, tab.Rows...)}
	if got := next.Find("zebras", 0); got != -1 {
		t.Errorf("new rows: Find(zebras) = %d", got)
	}
	if got := next.Find("ZEBRA", 1); got != 0 {
		t.Errorf("new rows: Find(ZEBRA) = %d, want 0", got)
	}
}
