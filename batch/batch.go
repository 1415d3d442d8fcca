// Package batch prints views as text tables or JSON lines instead of drawing a
// screen, for scripts and for `top -b` style logging.
package batch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ctop-like/ctop-like/model"
	"github.com/ctop-like/ctop-like/views"
)

// Printer writes one view per refresh.
type Printer struct {
	Out    io.Writer
	Format string // "table" or "json"
	Query  views.Query
	// TableColumns caps which columns a table shows: those with a Priority
	// below it (0 = the view's minimum columns, Priority < 9). JSON always
	// has every column.
	TableColumns int
}

// Print writes the view of one snapshot.
func (p *Printer) Print(s *model.Snapshot) error {
	t, err := views.Rows(s, p.Query)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch p.Format {
	case "json":
		writeJSON(&buf, s, p.Query, t)
	default:
		writeTable(&buf, s, t, p.TableColumns)
	}
	_, err = p.Out.Write(buf.Bytes())
	return err
}

// writeJSON prints one object on one line, its row objects keeping the
// view's column order.
func writeJSON(b *bytes.Buffer, s *model.Snapshot, q views.Query, t *views.Table) {
	b.WriteString(`{"time":`)
	jsonValue(b, s.Time.UTC().Format(time.RFC3339Nano))
	b.WriteString(`,"host":`)
	jsonValue(b, s.Host)
	b.WriteString(`,"view":`)
	jsonValue(b, t.View.ID)
	b.WriteString(`,"scope":{`)
	for i, sc := range q.Scope {
		if i > 0 {
			b.WriteByte(',')
		}
		jsonValue(b, sc.Kind)
		b.WriteByte(':')
		jsonValue(b, sc.ID)
	}
	b.WriteString(`},"columns":[`)
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteByte(',')
		}
		jsonValue(b, c.ID)
	}
	b.WriteString(`],"rows":[`)
	for i, r := range t.Rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for j, c := range t.Columns {
			if j > 0 {
				b.WriteByte(',')
			}
			jsonValue(b, c.ID)
			b.WriteByte(':')
			jsonValue(b, r.Values[j])
		}
		if r.Depth > 0 {
			b.WriteString(`,"depth":`)
			fmt.Fprint(b, r.Depth)
		}
		b.WriteByte('}')
	}
	b.WriteString(`],"errors":[`)
	for i, e := range s.Errors {
		if i > 0 {
			b.WriteByte(',')
		}
		jsonValue(b, e)
	}
	b.WriteString("]}\n")
}

func jsonValue(b *bytes.Buffer, v any) {
	if f, ok := v.(float64); ok {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			b.WriteString("null")
			return
		}
		// Two decimals are more than any rate is precise to, and keep
		// lines short; whole numbers print as integers.
		f = math.Round(f*100) / 100
		v = f
	}
	out, err := json.Marshal(v)
	if err != nil {
		b.WriteString("null")
		return
	}
	b.Write(out)
}

// writeTable prints a top -b style summary line and the rows aligned under
// a header of column titles.
func writeTable(b *bytes.Buffer, s *model.Snapshot, t *views.Table, maxPriority int) {
	if maxPriority == 0 {
		maxPriority = 9
	}
	// The column that takes what is left (a command line) goes last, as
	// in top.
	var cols []int
	rest := -1
	for i, c := range t.Columns {
		switch {
		case c.Priority >= maxPriority:
		case c.Width == 0 && rest < 0:
			rest = i
		default:
			cols = append(cols, i)
		}
	}
	if rest >= 0 {
		cols = append(cols, rest)
	}
	fmt.Fprintf(b, "%s %s up %s, load average: %.2f, %.2f, %.2f; %d containers, %d processes; view %s",
		s.Time.Format("15:04:05"), s.Host, uptime(s.UptimeS), s.Load[0], s.Load[1], s.Load[2],
		len(s.Containers), len(s.Processes), t.View.ID)
	b.WriteByte('\n')
	for _, e := range s.Errors {
		fmt.Fprintf(b, "error: %s\n", e)
	}
	cells := make([][]string, len(t.Rows)+1)
	widths := make([]int, len(cols))
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
		head[k] = title
		widths[k] = utf8.RuneCountInString(title)
	}
	cells[0] = head
	for r, row := range t.Rows {
		line := make([]string, len(cols))
		for k, i := range cols {
			v := views.Format(t.Columns[i], row.Values[i])
			if t.Columns[i].ID == "command" || t.Columns[i].ID == "group" && row.Depth > 0 {
				v = strings.Repeat("  ", row.Depth) + v
			}
			line[k] = v
			if n := utf8.RuneCountInString(v); n > widths[k] && t.Columns[i].Width != 0 {
				widths[k] = n
			}
		}
		cells[r+1] = line
	}
	for _, line := range cells {
		for k, v := range line {
			c := t.Columns[cols[k]]
			last := k == len(line)-1
			pad := widths[k] - utf8.RuneCountInString(v)
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
