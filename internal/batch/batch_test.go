package batch

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

func snapshot() *model.Snapshot {
	return &model.Snapshot{
		Time: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), Host: "node-1", Interval: time.Second,
		Load: [3]float64{0.5, 0.25, 0.1}, UptimeS: 90061,
		Containers: []model.Container{
			{ContainerSample: &model.ContainerSample{ID: "aaaa", Name: "web", Runtime: "docker", State: "running", Mem: model.CgroupMemory{Used: 1 << 20, Limit: 4 << 20},
				Cluster: model.ClusterFields{App: "/shop/api", Group: "/shop"}, RuntimeFields: &model.RuntimeFields{}}, HasRates: true, CPUPct: 12.345, MemPct: 25},
			{ContainerSample: &model.ContainerSample{ID: "bbbb", Name: "host-net", Runtime: "docker", State: "running", RuntimeFields: &model.RuntimeFields{}}, HasRates: true, CPUPct: 99.5},
		},
		Errors: []string{"docker: connection refused"},
	}
}

func TestJSONLine(t *testing.T) {
	var buf bytes.Buffer
	p := &Printer{Out: &buf, Format: "json", Query: views.Query{View: "containers", Scope: nil}}
	if err := p.Print(snapshot()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("want exactly one line, got %q", out)
	}
	var r struct {
		Time    string           `json:"time"`
		Host    string           `json:"host"`
		View    string           `json:"view"`
		Scope   map[string]any   `json:"scope"`
		Columns []string         `json:"columns"`
		Rows    []map[string]any `json:"rows"`
		Errors  []string         `json:"errors"`
	}
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Time != "2026-11-22T10:00:00Z" || r.Host != "node-1" || r.View != "containers" || len(r.Errors) != 1 {
		t.Fatalf("header fields: %+v", r)
	}
	if len(r.Rows) != 2 || r.Rows[0]["name"] != "host-net" {
		t.Fatalf("rows sorted by cpu desc: %+v", r.Rows)
	}
	web := r.Rows[1]
	if web["cpu_pct"] != 12.35 || web["mem_bytes"] != float64(1<<20) || web["mem_pct"] != 25.0 {
		t.Errorf("numbers in the column's unit: %v %v %v", web["cpu_pct"], web["mem_bytes"], web["mem_pct"])
	}
	if v, ok := r.Rows[0]["net_rx_bps"]; !ok || v != nil {
		t.Errorf("a value that does not apply is null, present: %v %v", v, ok)
	}
	if v, ok := r.Rows[0]["app"]; !ok || v != nil {
		t.Errorf("unplaced container's app is null: %v", v)
	}
	// Rows keep the column order, so a reader can rely on it.
	if i := strings.Index(out, `"id":"bbbb","name":"host-net","image":null`); i < 0 {
		t.Errorf("row keys not in column order: %s", out)
	}
	if len(r.Columns) != len(views.Get("containers").Columns) {
		t.Errorf("columns %d", len(r.Columns))
	}
}

func TestJSONScope(t *testing.T) {
	var buf bytes.Buffer
	p := &Printer{Out: &buf, Format: "json", Query: views.Query{View: "containers", Scope: []views.Scope{{Kind: "app", ID: "/shop/api"}}}}
	if err := p.Print(snapshot()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"scope":{"app":"/shop/api"}`) || strings.Contains(buf.String(), "host-net") {
		t.Fatalf("scope: %s", buf.String())
	}
}

func TestTable(t *testing.T) {
	var buf bytes.Buffer
	p := &Printer{Out: &buf, Format: "table", Query: views.Query{View: "containers", Sort: "name"}}
	if err := p.Print(snapshot()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	if !strings.HasPrefix(lines[0], "10:00:00 node-1 up 1 days,  1:01, load average: 0.50, 0.25, 0.10; 2 containers") {
		t.Errorf("summary: %q", lines[0])
	}
	if lines[1] != "error: docker: connection refused" {
		t.Errorf("errors are printed: %q", lines[1])
	}
	head, web := lines[2], lines[4]
	if !strings.HasPrefix(head, "ID  ") || !strings.Contains(head, "NAME^") || strings.Contains(head, "CGROUP") {
		t.Errorf("header: %q", head)
	}
	// Columns line up: CPU% values end where the CPU% title ends.
	end := strings.Index(head, "CPU%") + len("CPU%")
	if web[end-len("12.3"):end] != "12.3" {
		t.Errorf("numbers right-aligned under their title:\n%s\n%s", head, web)
	}
	if !strings.Contains(web, "/shop/api") || !strings.Contains(lines[3], "n/a") {
		t.Errorf("rows: %q %q", lines[3], web)
	}
}

// TestTableFollowsTheChosenColumns: a table prints the columns chosen in
// the settings file, in their order; JSON still has every column.
func TestTableFollowsTheChosenColumns(t *testing.T) {
	var buf bytes.Buffer
	chosen := []string{"name", "app", "cpu_pct", "cgroup"}
	p := &Printer{Out: &buf, Format: "table", Query: views.Query{View: "containers", Sort: "name"}, Columns: chosen}
	if err := p.Print(snapshot()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	if got := strings.Fields(lines[2]); strings.Join(got, " ") != "NAME^ APP CPU% CGROUP" {
		t.Errorf("header %q, want the chosen NAME APP CPU%% CGROUP", lines[2])
	}
	buf.Reset()
	p.Format = "json"
	if err := p.Print(snapshot()); err != nil {
		t.Fatal(err)
	}
	var out struct{ Columns []string }
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Columns) != len(views.Get("containers").Columns) {
		t.Errorf("JSON has %d columns, want every one (%d)", len(out.Columns), len(views.Get("containers").Columns))
	}
}
