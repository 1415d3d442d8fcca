package views

// FuzzFilter fuzzes the -f grammar (also typed on the screen after F4).
//
// Run it longer with:
//
//	go test -run='^$' -fuzz='^FuzzFilter$' -fuzztime=1m ./views

import (
	"math"
	"strings"
	"testing"
)

// fuzzRows are rows of v with every kind of value in every column: nil,
// zero, negative, NaN, text, empty text.
func fuzzRows(v *View) []Row {
	nums := []any{nil, 0.0, 12.5, -1.0, math.NaN(), 1 << 40}
	texts := []any{nil, "", "Web-1", "n/a", "/shop/api", "ünï"}
	rows := make([]Row, len(nums))
	for i := range rows {
		rows[i].Key = strings.Repeat("k", i+1)
		for _, c := range v.Columns {
			if c.Number {
				rows[i].Values = append(rows[i].Values, nums[i])
			} else {
				rows[i].Values = append(rows[i].Values, texts[i])
			}
		}
	}
	return rows
}

func sameClauses(a, b []clause) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.col != y.col || x.op != y.op || x.value != y.value {
			return false
		}
		if x.num != y.num && !(math.IsNaN(x.num) && math.IsNaN(y.num)) {
			return false
		}
	}
	return true
}

func FuzzFilter(f *testing.F) {
	for _, s := range []string{
		"cpu_pct>50 name~web", `"name~my app"`, "mem_bytes>1.5G", "app=n/a", "framework!=null",
		"web", "cpu_pct<50%", "state=running image~busybox", `"unclosed`, "=x", "a!b", "x>", "cpu_pct>NaN",
		"cpu_pct>1e400", "mem_bytes<-3K", "pid=1 command~\x00", "\u00a0name~x\u2028", `a""b`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		flt, err := ParseFilter(expr)
		if err != nil {
			return
		}
		if flt.Text != expr {
			t.Fatalf("Text %q, typed %q", flt.Text, expr)
		}
		// Each clause quoted on its own parses to the same clauses.
		toks, _ := splitClauses(expr)
		var b strings.Builder
		for _, tok := range toks {
			b.WriteString(`"` + tok + `" `)
		}
		again, err := ParseFilter(b.String())
		if err != nil || !sameClauses(flt.clauses, again.clauses) {
			t.Fatalf("%q re-quoted as %q: %v, clauses %+v then %+v", expr, b.String(), err, flt.clauses, again)
		}
		for _, id := range IDs() {
			v := Get(id)
			rows := fuzzRows(v)
			if flt.Check(v) != nil {
				continue
			}
			out := flt.Apply(v, rows)
			if len(out) > len(rows) {
				t.Fatalf("%d rows out of %d", len(out), len(rows))
			}
			for _, r := range out {
				if !flt.Match(v, r) {
					t.Fatalf("row %q kept by Apply, refused by Match", r.Key)
				}
			}
		}
	})
}
