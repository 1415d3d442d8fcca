// Package batch prints views as text tables or JSON lines instead of drawing a
// screen, for scripts and for `top -b` style logging.
package batch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/termtext"
	"github.com/ctop-like/ctop-like/internal/views"
)

// A table goes to a terminal, so every text in it passes termtext.Line:
// one line, no control or bidi character, a bounded width. A padded cell
// is cut at cellCells (a 100 kB label would otherwise pad every row to
// 100 kB); the last column and the summary and error lines at lineCells,
// top -b's widest line.
const (
	cellCells = 64
	lineCells = 512
)

// Printer writes one view per refresh.
type Printer struct {
	Out    io.Writer
	Format string // "table", "json", or "none" (print nothing: --listen alone)
	Query  views.Query
	// TableColumns caps which columns a table shows: those with a Priority
	// below it (0 = the view's minimum columns, as the view declares them).
	// JSON always has every column.
	TableColumns int
	// Columns are the ids of the columns a table shows, in order (the
	// settings file's choice for the view); nil: as TableColumns says.
	// JSON always has every column.
	Columns []string

	buf []byte // the JSON line's next piece, reused from one refresh to the next
	// streamed is the place of the last row printed of a view that
	// streams (views.View.Stream): each of its rows is printed once.
	streamed uint64
}

// jsonPiece is how much of a JSON line is built before it is written: a
// line is written in pieces, so that printing the logs view never holds a
// copy of its lines (128 MiB of them made the process peak at 4x their
// size, the doubling buffer beside the lines).
const jsonPiece = 64 << 10

// Print writes the view of one snapshot.
func (p *Printer) Print(s *model.Snapshot) error {
	if p.Format == "none" {
		return nil
	}
	q := p.Query
	if q.Columns == nil {
		q.Columns = p.Columns // the label columns chosen
	}
	t, err := views.Rows(s, q)
	if err != nil {
		return err
	}
	if t.View.Stream != nil {
		p.onlyNew(t)
	}
	if p.Format == "json" {
		var werr error
		flush := func(b []byte) []byte {
			if werr == nil {
				_, werr = p.Out.Write(b)
			}
			return b[:0]
		}
		p.buf = flush(appendJSON(p.buf[:0], s, p.Query, t, flush))
		return werr
	}
	var buf bytes.Buffer
	writeTable(&buf, s, t, p.TableColumns, p.Columns)
	_, err = p.Out.Write(buf.Bytes())
	return err
}

// onlyNew keeps the rows of a streaming view placed after the last one
// printed, and remembers the newest of them.
func (p *Printer) onlyNew(t *views.Table) {
	last := p.streamed
	kept := t.Rows[:0]
	for _, r := range t.Rows {
		if n := t.View.Stream(r); n > p.streamed {
			kept = append(kept, r)
			last = max(last, n)
		}
	}
	t.Rows, p.streamed = kept, last
}

// appendJSON appends one object on one line to b, its row objects keeping
// the view's column order. Values are encoded without reflection (see
// appendJSONValue): a refresh prints thousands of them. flush, when not
// nil, is given what was built once it is jsonPiece long (after a row),
// and returns what to go on building in.
func appendJSON(b []byte, s *model.Snapshot, q views.Query, t *views.Table, flush func([]byte) []byte) []byte {
	b = append(b, `{"time":"`...)
	b = s.Time.UTC().AppendFormat(b, time.RFC3339Nano) // digits, '-', ':', '.', 'T', 'Z': nothing to escape
	b = append(b, `","host":`...)
	b = appendJSONString(b, s.Host)
	b = append(b, `,"view":`...)
	b = appendJSONString(b, t.View.ID)
	b = append(b, `,"scope":{`...)
	for i, sc := range q.Scope {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONValue(b, sc.Kind)
		b = append(b, ':')
		b = appendJSONValue(b, sc.ID)
	}
	b = append(b, `},"columns":[`...)
	for i, c := range t.Columns {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, c.ID)
	}
	b = append(b, `],"rows":[`...)
	for i, r := range t.Rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		for j, c := range t.Columns {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, c.ID)
			b = append(b, ':')
			b = appendJSONValue(b, r.Values[j])
		}
		if r.Depth > 0 {
			b = append(b, `,"depth":`...)
			b = strconv.AppendInt(b, int64(r.Depth), 10)
		}
		b = append(b, '}')
		if flush != nil && len(b) >= jsonPiece {
			b = flush(b)
		}
	}
	b = append(b, `],"errors":[`...)
	for i, e := range allErrors(s, t) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONValue(b, e)
	}
	return append(b, "]}\n"...)
}

// allErrors are the snapshot's errors and the view's own (a log that
// cannot be read).
func allErrors(s *model.Snapshot, t *views.Table) []string {
	if len(t.Errors) == 0 {
		return s.Errors
	}
	return append(append([]string(nil), s.Errors...), t.Errors...)
}

// appendJSONValue appends v as json.Marshal encodes it, except that
// floats are rounded to two decimals and NaN and infinities are null.
// Strings, floats and nil, all a view's cells hold, are encoded here;
// anything else goes through json.Marshal.
func appendJSONValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, v)
	case float64:
		return appendJSONFloat(b, v)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, out...)
}

// appendJSONFloat appends f rounded to two decimals, more than any rate is
// precise to, which keeps lines short; whole numbers print as integers.
// The digits are those of json.Marshal: the shortest 'f' form, or the 'e'
// form (with a one-digit negative exponent not zero-padded) outside
// [1e-6, 1e21).
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	f = math.Round(f*100) / 100
	if math.IsNaN(f) || math.IsInf(f, 0) { // f*100 overflowed
		return append(b, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as json.Marshal quotes it: with the
// HTML characters <, > and & escaped, control characters as \n-style or
// \u00XX escapes, invalid UTF-8 as \ufffd and U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// writeTable prints a top -b style summary line and the rows aligned under
// a header of column titles.
func writeTable(b *bytes.Buffer, s *model.Snapshot, t *views.Table, maxPriority int, chosen []string) {
	cols, rest := tableColumns(t, maxPriority, chosen)
	writeSummary(b, s, t)
	cells, widths := tableCells(t, cols, rest)
	for _, line := range cells {
		writeLine(b, t, cols, widths, line)
	}
	b.WriteByte('\n')
}

// tableColumns are the indexes of the columns a table shows, in order:
// the view's minimum, or those below maxPriority when it is set, or the
// settings file's chosen ones, with the column that takes what is left (a
// command line; rest, -1 when none) last, as in top.
func tableColumns(t *views.Table, maxPriority int, chosen []string) (cols []int, rest int) {
	shown := t.View.MinimumCols()
	if maxPriority != 0 {
		shown = shown[:0]
		for i, c := range t.Columns {
			if c.Priority < maxPriority {
				shown = append(shown, i)
			}
		}
	}
	// The label columns the filter or the sort adds (label.team) follow.
	for i := len(t.View.Columns); i < len(t.Columns) && chosen == nil; i++ {
		if !slices.Contains(shown, i) {
			shown = append(shown, i)
		}
	}
	if chosen != nil {
		shown = shown[:0]
		for _, id := range chosen {
			if i := slices.IndexFunc(t.Columns, func(c views.Column) bool { return c.ID == id }); i >= 0 {
				shown = append(shown, i)
			}
		}
	}
	rest = -1
	for _, i := range shown {
		switch c := t.Columns[i]; {
		case c.Width == 0 && rest < 0:
			rest = i
		default:
			cols = append(cols, i)
		}
	}
	if rest >= 0 {
		cols = append(cols, rest)
	}
	return cols, rest
}

// writeSummary prints the summary line and one line per error.
func writeSummary(b *bytes.Buffer, s *model.Snapshot, t *views.Table) {
	up, load := views.NA, views.NA // what the source cannot tell
	if !s.Machine.Unknown.Uptime {
		up = uptime(s.UptimeS)
	}
	if !s.Machine.Unknown.Load {
		load = fmt.Sprintf("%.2f, %.2f, %.2f", s.Load[0], s.Load[1], s.Load[2])
	}
	summary := fmt.Sprintf("%s %s up %s, load average: %s; %d containers, %d processes; view %s",
		s.Time.Format("15:04:05"), s.Host, up, load, len(s.Containers), len(s.Processes), t.View.ID)
	b.WriteString(termtext.Line(summary, lineCells))
	b.WriteByte('\n')
	for _, e := range allErrors(s, t) {
		b.WriteString(termtext.Line("error: "+e, lineCells))
		b.WriteByte('\n')
	}
}

// tableCells is the header (titles, the sort column marked) and each row
// as the terminal-safe text of its cells, with each column's width: the
// widest of its cells, or its title's for the column that takes the rest.
func tableCells(t *views.Table, cols []int, rest int) (cells [][]string, widths []int) {
	tree := t.View.TreeCol() // indented by depth
	cells = make([][]string, len(t.Rows)+1)
	widths = make([]int, len(cols))
	head := make([]string, len(cols))
	for k, i := range cols {
		title := t.Columns[i].Title
		if i == t.SortCol {
			if t.Desc {
				title += "v"
			} else {
				title += "^"
			}
		}
		head[k] = termtext.Line(title, cellCells)
		widths[k] = termtext.Width(head[k])
	}
	cells[0] = head
	for r, row := range t.Rows {
		line := make([]string, len(cols))
		for k, i := range cols {
			v := views.Format(t.Columns[i], row.Values[i])
			if i == tree {
				v = strings.Repeat("  ", row.Depth) + v
			}
			max := cellCells
			if i == rest {
				max = lineCells
			}
			v = termtext.Line(v, max)
			line[k] = v
			if n := termtext.Width(v); n > widths[k] && t.Columns[i].Width != 0 {
				widths[k] = n
			}
		}
		cells[r+1] = line
	}
	return cells, widths
}

// writeLine prints one line of cells padded to the widths: numbers to the
// right, text to the left, the last cell as it is.
func writeLine(b *bytes.Buffer, t *views.Table, cols, widths []int, line []string) {
	for k, v := range line {
		c := t.Columns[cols[k]]
		last := k == len(line)-1
		pad := widths[k] - termtext.Width(v)
		if pad < 0 {
			pad = 0
		}
		switch {
		case last:
			b.WriteString(v)
		case c.Number:
			b.WriteString(strings.Repeat(" ", pad))
			b.WriteString(v)
		default:
			b.WriteString(v)
			b.WriteString(strings.Repeat(" ", pad))
		}
		if !last {
			b.WriteString("  ")
		}
	}
	b.WriteByte('\n')
}

func uptime(s float64) string {
	d := time.Duration(s) * time.Second
	days := int(d.Hours()) / 24
	h := int(d.Hours()) % 24
	m := int(d.Minutes()) % 60
	if days > 0 {
		return fmt.Sprintf("%d days, %2d:%02d", days, h, m)
	}
	return fmt.Sprintf("%2d:%02d", h, m)
}

// ListViews prints every view with its column ids, units and default sort
// (-l).
func ListViews(w io.Writer) {
	for _, v := range views.All() {
		sort := "none (the kernel's order)"
		if v.DefaultSort != "" {
			sort = v.DefaultSort + " ascending"
			if v.DefaultDesc {
				sort = v.DefaultSort + " descending"
			}
		}
		fmt.Fprintf(w, "%s (%s), default sort %s\n", v.ID, v.Title, sort)
		for _, c := range v.Columns {
			unit := c.Unit
			if unit == "" {
				if c.Number {
					unit = "number"
				} else {
					unit = "text"
				}
			}
			fmt.Fprintf(w, "  %-16s %-8s %s\n", c.ID, unit, c.Title)
		}
	}
}
