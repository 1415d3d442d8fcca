package batch

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// hostile holds what a container, a cluster or a server can put in a name
// to act on the terminal that prints it.
var hostile = []string{
	"\x1b]52;c;ZWNobyBwd25lZA==\x07", // OSC 52: write the clipboard
	"\x1b]0;owned\x1b\\",             // OSC 0: set the window title
	"\x1b[2J\x1b[H",                  // CSI 2J: clear the screen
	"\u009b2J",                       // the same with the C1 CSI
	"\u202e\u2066",                   // bidi override and isolate
	"\nfake row\r\n",                 // a new row
	"\u2028\u2029\xff",               // JSON line separators, invalid UTF-8
}

// forbidden is every byte sequence of hostile that must not reach a
// terminal.
var forbidden = []string{"\x1b", "\x07", "\u009b", "\u202e", "\u2066", "\r", "\u2028", "\u2029", "\xff"}

func hostileSnapshot(rows int, big string) *model.Snapshot {
	s := snapshot()
	s.Host = "node" + strings.Join(hostile, "")
	s.Errors = append(s.Errors, "marathon: 500: "+strings.Join(hostile, "")+big)
	s.Containers = nil
	for i := range rows {
		s.Containers = append(s.Containers, model.Container{
			ContainerSample: &model.ContainerSample{
				ID: "id" + strings.Repeat("x", i), Name: "web" + strings.Join(hostile, "") + big, Image: hostile[i%len(hostile)],
				Runtime: "docker", State: "running",
				Cluster: model.ClusterFields{App: "/a" + hostile[(i+1)%len(hostile)], Group: "/g" + big, TaskID: big}, RuntimeFields: &model.RuntimeFields{},
			},
			HasRates: true, CPUPct: float64(i),
		})
	}
	return s
}

func TestTableShowsHostileTextAsText(t *testing.T) {
	big := strings.Repeat("b", 100<<10)
	for _, view := range []string{"containers", "marathon-apps", "marathon-groups"} {
		var buf bytes.Buffer
		p := &Printer{Out: &buf, Format: "table", Query: views.Query{View: view}}
		if err := p.Print(hostileSnapshot(20, big)); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, f := range forbidden {
			if strings.Contains(out, f) {
				t.Errorf("%s: the table carries %q", view, f)
			}
		}
		// One line per row: summary, two errors, header, rows, blank.
		if n := strings.Count(out, "\n"); view == "containers" && n != 5+20 {
			t.Errorf("%s: %d lines for 20 rows:\n%.2000s", view, n, out)
		}
		// 20 rows with a 100 kB name each: bounded, not 2 MB.
		if len(out) > 64<<10 {
			t.Errorf("%s: %d bytes for 20 rows", view, len(out))
		}
		if !strings.Contains(out, "…") {
			t.Errorf("%s: a cut value ends with …", view)
		}
	}
}

func TestJSONKeepsHostileTextExactAndValid(t *testing.T) {
	var buf bytes.Buffer
	p := &Printer{Out: &buf, Format: "json", Query: views.Query{View: "containers"}}
	s := hostileSnapshot(3, "")
	if err := p.Print(s); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	if bytes.Count(out, []byte("\n")) != 1 || !json.Valid(out) {
		t.Fatalf("not one line of JSON: %q", out)
	}
	// Programs read JSON: values stay exact (invalid UTF-8 aside, which
	// JSON cannot hold), and the line holds no raw control character or
	// line separator.
	for _, f := range []string{"\x1b", "\x07", "\r", "\u2028", "\u2029", "\xff"} {
		if bytes.Contains(out, []byte(f)) {
			t.Errorf("the JSON line carries %q raw", f)
		}
	}
	var r struct {
		Host string           `json:"host"`
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	want := strings.ReplaceAll(s.Host, "\xff", "\ufffd")
	if r.Host != want {
		t.Errorf("host %q, want %q", r.Host, want)
	}
}
