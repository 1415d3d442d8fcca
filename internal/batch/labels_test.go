package batch

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// labelSnapshot has a container whose runtime labels hold hostile keys
// and values and 200 labels, and one with its task's team label.
func labelSnapshot() *model.Snapshot {
	s := snapshot()
	many := map[string]string{"team": "payments"}
	for i := range 200 {
		many["k"+strconv.Itoa(1000+i)] = "v"
	}
	for i, h := range hostile {
		many["evil"+strconv.Itoa(i)+h] = "x" + h
	}
	s.Containers[0].Labels = many
	var set model.LabelSet
	set.Add("team", "search")
	set.Add("tier", "front")
	s.Containers[1].ClusterLabels = set.Take()
	return s
}

func printJSON(t *testing.T, q views.Query, columns []string) (cols []string, rows []map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	p := &Printer{Out: &buf, Format: "json", Query: q, Columns: columns}
	if err := p.Print(labelSnapshot()); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Columns []string
		Rows    []map[string]any
	}
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		t.Fatalf("%v: %s", err, buf.Bytes())
	}
	return out.Columns, out.Rows
}

// TestJSONLabels: the labels column is a JSON object of strings, exact
// (hostile keys and values as written), cut at 64 with the count of those
// left out; a label's column is in the line only when the filter, the
// sort or the chosen columns name it.
func TestJSONLabels(t *testing.T) {
	cols, rows := printJSON(t, views.Query{View: "containers", Sort: "name"}, nil)
	for _, c := range cols {
		if strings.HasPrefix(c, views.LabelPrefix) {
			t.Errorf("a label column nobody named: %s", c)
		}
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	host, web := rows[0], rows[1] // host-net, web
	l, ok := web["labels"].(map[string]any)
	if !ok {
		t.Fatalf("labels: %T %v", web["labels"], web["labels"])
	}
	if len(l) != model.MaxLabels+1 || l[model.LabelsMore] != strconv.Itoa(200+1+len(hostile)-model.MaxLabels) {
		t.Errorf("%d members, more %v: want %d and the count of the others", len(l), l[model.LabelsMore], model.MaxLabels+1)
	}
	for i, h := range hostile {
		k := "evil" + strconv.Itoa(i) + h
		if want := strings.ToValidUTF8("x"+h, "\ufffd"); l[strings.ToValidUTF8(k, "\ufffd")] != want {
			t.Errorf("hostile label %q: %q, want it exact", k, l[k])
		}
	}
	if l["team"] != nil {
		t.Error("team is past the first 64 by key (evil…, k1000…): kept")
	}
	if hl, _ := host["labels"].(map[string]any); hl["team"] != "search" || hl["tier"] != "front" || len(hl) != 2 {
		t.Errorf("the task's labels: %v", host["labels"])
	}

	cols, rows = printJSON(t, views.Query{View: "containers", Sort: "label.tier"}, nil)
	if cols[len(cols)-1] != "label.tier" || rows[0]["label.tier"] != "front" {
		t.Errorf("-s label.tier: columns end %v, first row %v", cols[len(cols)-1], rows[0]["label.tier"])
	}
	if v, ok := rows[1]["label.tier"]; !ok || v != nil {
		t.Errorf("a missing label is null, present: %v %v", v, ok)
	}
	f, _ := views.ParseFilter("label.team=search")
	_, rows = printJSON(t, views.Query{View: "containers", Filter: f}, []string{"name", "label.tier"})
	if len(rows) != 1 || rows[0]["label.team"] != "search" || rows[0]["label.tier"] != "front" {
		t.Errorf("-f label.team=search with label.tier chosen: %v", rows)
	}
}

// TestTableLabels: a table shows the label the filter names, and the
// labels column (chosen) with hostile keys and values as harmless text.
func TestTableLabels(t *testing.T) {
	var buf bytes.Buffer
	f, _ := views.ParseFilter("label.team=search")
	p := &Printer{Out: &buf, Format: "table", Query: views.Query{View: "containers", Filter: f}}
	if err := p.Print(labelSnapshot()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	if h := strings.Fields(lines[2]); h[len(h)-1] != "TEAM" || !strings.HasSuffix(strings.TrimSpace(lines[3]), "search") {
		t.Errorf("the filter's label is the last column:\n%s", buf.String())
	}
	buf.Reset()
	p = &Printer{Out: &buf, Format: "table", Query: views.Query{View: "containers"}, Columns: []string{"name", "labels"}}
	if err := p.Print(labelSnapshot()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, f := range forbidden {
		if strings.Contains(out, f) {
			t.Errorf("the table carries %q", f)
		}
	}
	if !strings.Contains(out, "team=search, tier=front") {
		t.Errorf("labels as key=value, …:\n%s", out)
	}
}
