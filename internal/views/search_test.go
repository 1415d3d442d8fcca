package views

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
)

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

// BenchmarkFindMiss is a search key that matches no row of 50,000
// containers: every cell of every row formatted and lowered as the
// screen did at every key before Find (cells), Find's first key of a
// table (first: each row's text made) and every later one (again).
func BenchmarkFindMiss(b *testing.B) {
	tab, err := Rows(wordSnapshot(50000), Query{View: "containers", Screen: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("cells", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			for r := range tab.Rows {
				if tab.cellsHold(r, "zebra") {
					b.Fatal("found")
				}
			}
		}
	})
	b.Run("first", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			t := *tab
			t.search = nil
			if t.Find("zebra", 0) >= 0 {
				b.Fatal("found")
			}
		}
	})
	b.Run("again", func(b *testing.B) {
		t := *tab
		t.search = nil
		t.Find("zebra", 0)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if t.Find([]string{"qqq", "xyz"}[i%2], 0) >= 0 {
				b.Fatal("found")
			}
		}
	})
}

// TestSearchTextIsTheCellsLowered: the text a search looks through is,
// cell for cell, what Format shows, lower-cased.
func TestSearchTextIsTheCellsLowered(t *testing.T) {
	cols := []Column{{ID: "s"}, {ID: "e", Escapes: true}, {ID: "id", Clip: 4},
		{ID: "p", Number: true, Unit: UnitPct}, {ID: "b", Number: true, Unit: UnitBytes},
		{ID: "r", Number: true, Unit: UnitBps}, {ID: "q", Number: true, Unit: UnitPerSec},
		{ID: "t", Number: true, Unit: UnitSeconds}, {ID: "n", Number: true}}
	vals := []any{nil, "", "Web-1", "ÜNÏ-x", "a/B/cdefgh", "ABCDEFGH", "\x1b[31mRed\x1b[0m", true, 3,
		0.0, -1.0, 12.34, 1e15, 1e20, 1536.0, math.NaN(), math.Inf(1), math.Inf(-1), 2.5e9,
		99.95, 100.0, 9999.0, 1e4, 999999.0, 1e6, 1023.0, 1024.0, 10239.0, 10240.0, -2048.0, 5e18, 1e30, 3600.0, 86399.5}
	for ci := range cols {
		for _, v := range vals {
			want := strings.ToLower(Format(cols[ci], v))
			if got := string(appendCellLower(nil, &cols[ci], v)); got != want {
				t.Errorf("column %s, %#v: %q, Format lowered %q", cols[ci].ID, v, got, want)
			}
		}
	}
}

// TestFindAsCellByCell: Find answers as a search through every cell, for
// random rows of every kind of cell and random texts, typed further and
// searched again, from every row.
func TestFindAsCellByCell(t *testing.T) {
	cols := []Column{{ID: "s"}, {ID: "p", Number: true, Unit: UnitPct}, {ID: "b", Number: true, Unit: UnitBytes},
		{ID: "r", Number: true, Unit: UnitBps}, {ID: "q", Number: true, Unit: UnitPerSec},
		{ID: "t", Number: true, Unit: UnitSeconds}, {ID: "n", Number: true}, {ID: "x"}}
	vals := []any{nil, "", "web-1", "Zebra", "n/a", "1.2G", true, 12.5, 1536.0, 3e6, 3700.0, math.NaN(), math.Inf(1), 42.0}
	rng := rand.New(rand.NewSource(3))
	var rows []Row
	for i := 0; i < 60; i++ {
		r := Row{Key: fmt.Sprint(i)}
		for range cols {
			r.Values = append(r.Values, vals[rng.Intn(len(vals))])
		}
		rows = append(rows, r)
	}
	tab := &Table{Columns: cols, Rows: rows}
	want := func(text string, from int) int {
		text = strings.ToLower(text)
		for k := 0; k < len(rows); k++ {
			i := ((from+k)%len(rows) + len(rows)) % len(rows)
			if tab.cellsHold(i, text) {
				return i
			}
		}
		return -1
	}
	texts := []string{"z", "ze", "zeb", "1.5k", "1.5kx", "n/a", "nan", "+inf", "3.0m", "1:01", "true", "web", "1", "g", "2.5", "0:", "eb", "webz"}
	for _, text := range texts {
		for from := -2; from < len(rows)+2; from += 7 {
			if got, w := tab.Find(text, from), want(text, from); got != w {
				t.Errorf("Find(%q, %d) = %d, cell by cell %d", text, from, got, w)
			}
		}
	}
}
