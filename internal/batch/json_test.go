package batch

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// marshalValue is how batch encoded a value before appendJSONValue: round
// floats to two decimals, then json.Marshal. appendJSONValue must match
// it byte for byte.
func marshalValue(v any) string {
	if f, ok := v.(float64); ok {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "null"
		}
		v = math.Round(f*100) / 100
	}
	out, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(out)
}

func checkValue(t *testing.T, v any) {
	t.Helper()
	got := string(appendJSONValue([]byte("prefix"), v))
	want := "prefix" + marshalValue(v)
	if got != want {
		t.Fatalf("%#v: got %s, json.Marshal %s", v, got, want)
	}
}

func TestJSONValueMatchesMarshal(t *testing.T) {
	floats := []float64{
		0, math.Copysign(0, -1), 1, -1, 0.5, 0.005, 0.004999, 0.015, 1.005, 2.675,
		0.1, 0.01, 0.001, 1e-6, 1e-7, 5e-7, 1e-9, 0.0049, -0.0049, 12.345, 99.995,
		1e20, 1e21, 1e22, 9.99e20, 1.5e21, 123456789012345678, 1 << 53, 1 << 62, 1 << 63,
		math.MaxFloat64, -math.MaxFloat64, math.MaxFloat64 / 100, math.MaxFloat64 / 1000,
		math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1), math.Inf(-1),
		18446744073709551615, 9223372036854771712, 123.456, -123.456, 1e300, -1e-300,
	}
	for _, f := range floats {
		checkValue(t, f)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var f float64
		switch r.IntN(4) {
		case 0:
			f = math.Float64frombits(r.Uint64())
		case 1:
			f = r.Float64() * math.Pow(10, float64(r.IntN(50)-10))
		case 2:
			f = float64(r.IntN(1_000_000)) / 1000
		default:
			f = -r.ExpFloat64() * 1e6
		}
		checkValue(t, f)
	}
	strs := []string{
		"", "plain", `quote " and \ backslash`, "<script>&</script>", "\x00\x01\x07\x08\x09\x0a\x0b\x0c\x0d\x1f\x7f",
		"caf\u00e9 \u65e5\u672c \U0001F600", "\xff", "a\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "line\u2028para\u2029end",
		"\ufffd", "/bin/sh -c 'echo $HOME > /tmp/x && true'", strings.Repeat("x\x80", 100),
	}
	for _, s := range strs {
		checkValue(t, s)
	}
	for range 50000 {
		n := r.IntN(24)
		b := make([]byte, n)
		for i := range b {
			switch r.IntN(3) {
			case 0:
				b[i] = byte(r.IntN(256))
			case 1:
				b[i] = byte(r.IntN(0x80))
			default:
				pool := "<>&\"\\\n\xe2\x80\xa8\xa9"
				b[i] = pool[r.IntN(len(pool))]
			}
		}
		checkValue(t, string(b))
	}
	for _, v := range []any{nil, true, 42, int64(-7), uint64(1 << 63), []string{"a"}, map[string]int{"b": 1}, float32(0.1)} {
		checkValue(t, v)
	}
	if !utf8.ValidString(string(appendJSONValue(nil, "\xff\xfe"))) {
		t.Fatal("invalid UTF-8 out")
	}
}

func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "a<b>&c", "\x00\xff\u2028", "日本\"\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkValue(t, s)
	})
}

func FuzzJSONFloat(f *testing.F) {
	for _, v := range []float64{0, 0.005, 1e21, 1e-7, -2.675, math.MaxFloat64} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		checkValue(t, v)
	})
}

func BenchmarkJSONLine(b *testing.B) {
	s, q, tb := benchTable(b)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = appendJSON(buf[:0], s, q, tb, nil)
	}
}

// writeJSONMarshal is the line as batch wrote it with json.Marshal per
// value, before appendJSON.
func writeJSONMarshal(s *model.Snapshot, q views.Query, t *views.Table) string {
	var b strings.Builder
	b.WriteString(`{"time":` + marshalValue(s.Time.UTC().Format(time.RFC3339Nano)))
	b.WriteString(`,"host":` + marshalValue(s.Host) + `,"view":` + marshalValue(t.View.ID) + `,"scope":{`)
	for i, sc := range q.Scope {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(marshalValue(sc.Kind) + ":" + marshalValue(sc.ID))
	}
	b.WriteString(`},"columns":[`)
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(marshalValue(c.ID))
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
			b.WriteString(marshalValue(c.ID) + ":" + marshalValue(r.Values[j]))
		}
		if r.Depth > 0 {
			b.WriteString(`,"depth":` + fmt.Sprint(r.Depth))
		}
		b.WriteByte('}')
	}
	b.WriteString(`],"errors":[`)
	for i, e := range append(append([]string(nil), s.Errors...), t.Errors...) { // the snapshot's, then the view's own
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(marshalValue(e))
	}
	b.WriteString("]}\n")
	return b.String()
}

// manyContainers is a snapshot of n containers with odd names and
// numbers, placed in Marathon groups.
func manyContainers(n int) *model.Snapshot {
	s := snapshot()
	s.Time = time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.FixedZone("x", 3600))
	s.Host = "node<1>&\u2028"
	s.Errors = append(s.Errors, "bad \xff byte", "tab\there")
	r := rand.New(rand.NewPCG(3, 4))
	for i := range n {
		c := model.Container{ContainerSample: &model.ContainerSample{
			ID: fmt.Sprintf("%064x", i), Name: fmt.Sprintf("web-%d\x01<%c>", i, rune(0x2027+i%4)), Image: "img:\"q\"\xfe",
			Runtime: "docker", State: "running", RuntimeFields: &model.RuntimeFields{PID: i + 1},
			Mem:     model.CgroupMemory{Used: r.Uint64() >> 20, Limit: 4 << 30, RSS: r.Uint64() >> 30},
			Cluster: model.ClusterFields{Framework: "marathon", Group: fmt.Sprintf("/shop/g%d", i%3), App: fmt.Sprintf("/shop/g%d/app", i%3)},
		}, HasRates: i%5 != 0, CPUPct: r.Float64() * 200, MemPct: r.Float64() * 100, CPUUserPct: 1e-7 * float64(i), CPUSystemPct: 3e21 * float64(i),
			NetRxBps: float64(i) * 1.005, BlkReadBps: r.ExpFloat64() * 1e9}
		s.Containers = append(s.Containers, c)
	}
	return s
}

func TestJSONLineMatchesMarshal(t *testing.T) {
	s := manyContainers(60)
	qs := []views.Query{{View: "containers", Scope: []views.Scope{{Kind: "group", ID: "/shop/g1<&>"}}}}
	for _, v := range views.All() {
		qs = append(qs, views.Query{View: v.ID})
	}
	for _, q := range qs {
		tb, err := views.Rows(s, q)
		if err != nil {
			t.Fatal(err)
		}
		got := string(appendJSON(nil, s, q, tb, nil))
		if want := writeJSONMarshal(s, q, tb); got != want {
			t.Fatalf("view %s:\n got %s\nwant %s", q.View, got, want)
		}
	}
}

func benchTable(b *testing.B) (*model.Snapshot, views.Query, *views.Table) {
	s := manyContainers(50)
	q := views.Query{View: "containers"}
	tb, err := views.Rows(s, q)
	if err != nil {
		b.Fatal(err)
	}
	return s, q, tb
}

func BenchmarkJSONLineMarshal(b *testing.B) {
	s, q, tb := benchTable(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = writeJSONMarshal(s, q, tb)
	}
}

// manyLines is a log of n lines of size bytes each.
type manyLines struct{ n, size int }

func (m manyLines) Lines(*model.Snapshot, views.Scope) ([]views.LogLine, string) {
	out := make([]views.LogLine, m.n)
	for i := range out {
		out[i] = views.LogLine{Seq: uint64(i + 1), Stream: "stdout", Text: fmt.Sprintf("%05d %s", i+1, strings.Repeat("z", m.size-6))}
	}
	return out, ""
}

func (manyLines) Status(*model.Snapshot, views.Scope) string { return "" }

// countWrites records each Write.
type countWrites struct {
	all     strings.Builder
	largest int
	n       int
}

func (w *countWrites) Write(p []byte) (int, error) {
	w.all.Write(p)
	w.largest = max(w.largest, len(p))
	w.n++
	return len(p), nil
}

// A refresh of the logs view is written in pieces of about 64 KiB: the
// printer never holds a copy of the whole line beside the log's lines
// (it built the whole line, 2x the log's text at its peak), and the line is
// the same.
func TestJSONLineIsWrittenInPieces(t *testing.T) {
	w := &countWrites{}
	p := &Printer{Out: w, Format: "json", Query: views.Query{View: "logs", Scope: []views.Scope{{Kind: "container", ID: "c1"}}, Logs: manyLines{n: 2000, size: 1024}}}
	if err := p.Print(&model.Snapshot{Time: time.Unix(1e9, 0), Host: "node-1"}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal([]byte(w.all.String()), &got); err != nil || len(got.Rows) != 2000 || !strings.HasSuffix(w.all.String(), "]}\n") {
		t.Fatalf("the line does not parse: %v, %d rows", err, len(got.Rows))
	}
	if text, _ := got.Rows[1999]["text"].(string); !strings.HasPrefix(text, "02000 zzz") || len(text) != 1024 {
		t.Errorf("last row %.20q… (%d bytes)", text, len(text))
	}
	if w.largest > jsonPiece+2<<10 || cap(p.buf) > 2*(jsonPiece+2<<10) {
		t.Errorf("%d writes, the largest %d bytes, buffer %d bytes: want pieces of about %d", w.n, w.largest, cap(p.buf), jsonPiece)
	}
}
