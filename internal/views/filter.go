package views

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/ctop-like/ctop-like/internal/model"
)

// Filter is a parsed -f expression: space-separated clauses that must all
// hold. It is compiled once and applied to every refresh.
type Filter struct {
	Text    string
	clauses []clause
}

type clause struct {
	col   string // "" for a bare word
	op    string // = != ~ > < and "word"
	value string
	num   float64
}

// ParseFilter compiles the -f grammar: `col=value`, `col!=value`,
// `col~substring` (case-insensitive), `col>n`, `col<n` (n may end in K, M,
// G or T, powers of 1024), and bare words matched against every text column.
// A clause may be quoted with "..." to hold spaces.
func ParseFilter(expr string) (*Filter, error) {
	f := &Filter{Text: expr}
	toks, err := splitClauses(expr)
	if err != nil {
		return nil, err
	}
	for _, t := range toks {
		c, err := parseClause(t)
		if err != nil {
			return nil, err
		}
		f.clauses = append(f.clauses, c)
	}
	return f, nil
}

func splitClauses(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inQuote, has := false, false
	for _, r := range s {
		switch {
		case r == '"':
			inQuote = !inQuote
			has = true
		case unicode.IsSpace(r) && !inQuote:
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteRune(r)
			has = true
		}
	}
	if inQuote {
		return nil, fmt.Errorf("filter %q: unclosed quote", s)
	}
	if has {
		out = append(out, cur.String())
	}
	return out, nil
}

func parseClause(t string) (clause, error) {
	i := strings.IndexAny(t, "=!~<>")
	if i <= 0 {
		if i == 0 {
			return clause{}, fmt.Errorf("filter clause %q: no column before %q", t, t[:1])
		}
		return clause{op: "word", value: strings.ToLower(t)}, nil
	}
	c := clause{col: t[:i]}
	rest := t[i:]
	switch {
	case strings.HasPrefix(rest, "!="):
		c.op, c.value = "!=", rest[2:]
	case rest[0] == '!':
		return clause{}, fmt.Errorf("filter clause %q: want != after the column", t)
	default:
		c.op, c.value = rest[:1], rest[1:]
	}
	if c.op == "~" {
		c.value = strings.ToLower(c.value)
	}
	if c.op == ">" || c.op == "<" {
		n, err := parseNumber(c.value)
		if err != nil {
			return clause{}, fmt.Errorf("filter clause %q: %q is not a number", t, c.value)
		}
		c.num = n
	}
	if n, err := parseNumber(c.value); err == nil && (c.op == "=" || c.op == "!=") {
		c.num = n
	}
	return c, nil
}

// parseNumber reads 12, 12.5, 100M, 1.5G (powers of 1024), 50%.
func parseNumber(s string) (float64, error) {
	s = strings.TrimSuffix(s, "%")
	mult := 1.0
	if s != "" {
		switch unicode.ToUpper(rune(s[len(s)-1])) {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult != 1 {
			s = s[:len(s)-1]
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	return n * mult, err
}

// Check reports a clause naming a column the view does not have, or a
// comparison on a text column.
func (f *Filter) Check(v *View) error {
	for _, c := range f.clauses {
		if c.col == "" {
			continue
		}
		col, ok := v.Column(c.col)
		if !ok {
			return fmt.Errorf("filter: %w", v.CheckColumn(c.col))
		}
		if (c.op == ">" || c.op == "<") && !col.Number {
			return fmt.Errorf("filter: %s%s%s compares a text column as a number", c.col, c.op, c.value)
		}
		if col.Number && (c.op == "=" || c.op == "!=") && c.value != "null" && c.value != "n/a" {
			if _, err := parseNumber(c.value); err != nil {
				return fmt.Errorf("filter: %s is a number column, %q is not a number", c.col, c.value)
			}
		}
	}
	return nil
}

// Apply keeps the rows for which every clause holds. Check must have passed.
func (f *Filter) Apply(v *View, rows []Row) []Row {
	if f == nil || len(f.clauses) == 0 {
		return rows
	}
	idx := make([]int, len(f.clauses))
	for i, c := range f.clauses {
		idx[i] = v.Col(c.col)
	}
	out := rows[:0:0]
	for _, r := range rows {
		if f.match(v, idx, r) {
			out = append(out, r)
		}
	}
	return out
}

// applyWords is Apply with the bare words looked for in w, the text of
// rows (see wordText); Apply when w cannot serve.
func (f *Filter) applyWords(v *View, rows []Row, w *wordText) []Row {
	if f == nil || len(f.clauses) == 0 || w == nil {
		return f.Apply(v, rows)
	}
	var words, others []clause
	for _, c := range f.clauses {
		if c.op == "word" {
			if strings.IndexByte(c.value, 0) >= 0 {
				return f.Apply(v, rows)
			}
			words = append(words, c)
		} else {
			others = append(others, c)
		}
	}
	if len(words) == 0 || !w.make(v, rows) {
		return f.Apply(v, rows)
	}
	keep := make([]bool, len(rows))
	for i := range keep {
		keep[i] = true
	}
	for _, c := range words {
		w.keep(c.value, keep)
	}
	rest := &Filter{Text: f.Text, clauses: others}
	idx := make([]int, len(others))
	for i, c := range others {
		idx[i] = v.Col(c.col)
	}
	out := rows[:0:0]
	for i := range rows {
		if keep[i] && rest.match(v, idx, rows[i]) {
			out = append(out, rows[i])
		}
	}
	return out
}

// Match reports whether one row passes.
func (f *Filter) Match(v *View, r Row) bool {
	idx := make([]int, len(f.clauses))
	for i, c := range f.clauses {
		idx[i] = v.Col(c.col)
	}
	return f.match(v, idx, r)
}

func (f *Filter) match(v *View, idx []int, r Row) bool {
	for i, c := range f.clauses {
		if c.op == "word" {
			if !anyTextContains(v, r, c.value) {
				return false
			}
			continue
		}
		var val any
		switch k, label := LabelKey(c.col); {
		case idx[i] >= 0:
			val = r.Values[idx[i]]
		case label:
			val = labelValue(&r, k)
		default:
			return false
		}
		if !c.holds(val) {
			return false
		}
	}
	return true
}

func anyTextContains(v *View, r Row, word string) bool {
	for i, col := range v.Columns {
		if col.Number {
			continue
		}
		if s, ok := textOf(r.Values[i]); ok && strings.Contains(strings.ToLower(s), word) {
			return true
		}
	}
	return false
}

func (c clause) holds(val any) bool {
	if l, ok := val.(*model.Labels); ok {
		val = l.String()
	}
	if val == nil {
		isNull := c.value == "null" || c.value == "n/a"
		switch c.op {
		case "=":
			return isNull
		case "!=":
			return !isNull
		}
		return false
	}
	switch x := val.(type) {
	case float64:
		switch c.op {
		case ">":
			return x > c.num
		case "<":
			return x < c.num
		case "=":
			return x == c.num
		case "!=":
			return x != c.num
		case "~":
			return strings.Contains(strconv.FormatFloat(x, 'f', -1, 64), c.value)
		}
	case bool: // oom_killed=true
		switch c.op {
		case "=":
			return strconv.FormatBool(x) == c.value
		case "!=":
			return strconv.FormatBool(x) != c.value
		}
	case string:
		switch c.op {
		case "=":
			return strings.EqualFold(x, c.value)
		case "!=":
			return !strings.EqualFold(x, c.value)
		case "~":
			return strings.Contains(strings.ToLower(x), c.value)
		}
	}
	return false
}
