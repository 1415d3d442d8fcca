package batch

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// TestUnknownIsNA: figures a remote source cannot give (cAdvisor: uptime,
// load, pids, iowait...) print as n/a in a table and null in JSON, never 0.
func TestUnknownIsNA(t *testing.T) {
	s := &model.Snapshot{Time: time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC), Host: "node", Interval: time.Second,
		Machine:  model.MachineInfo{Cores: 1, Unknown: model.Unknown{Uptime: true, Load: true, IOWait: true, Steal: true, PerCPUSplit: true, Pids: true}},
		CPUTotal: model.CPU{Name: "cpu", UtilPct: 50, UserPct: 40}, CPUs: []model.CPU{{Name: "cpu0", UtilPct: 50, UserPct: 40}},
		Containers: []model.Container{{ContainerSample: &model.ContainerSample{ID: "c1", Name: "web", Runtime: model.RuntimeDocker, State: "running", RuntimeFields: &model.RuntimeFields{}}, HasRates: true}}}
	var b bytes.Buffer
	if err := (&Printer{Out: &b, Format: "table", Query: views.Query{View: "containers"}}).Print(s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "node up n/a, load average: n/a;") {
		t.Errorf("table header: %s", b.String())
	}
	b.Reset()
	if err := (&Printer{Out: &b, Format: "json", Query: views.Query{View: "containers"}}).Print(s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"pids":null`) {
		t.Errorf("pids not null: %s", b.String())
	}
	b.Reset()
	if err := (&Printer{Out: &b, Format: "json", Query: views.Query{View: "machine"}}).Print(s); err != nil {
		t.Fatal(err)
	}
	line := b.String()
	cpu0 := line[strings.Index(line, `"name":"cpu0"`):]
	cpu0 = cpu0[:strings.IndexByte(cpu0, '}')]
	for _, want := range []string{`"util_pct":50`, `"user_pct":null`, `"iowait_pct":null`, `"steal_pct":null`} {
		if !strings.Contains(cpu0, want) {
			t.Errorf("cpu0 lacks %s: %s", want, cpu0)
		}
	}
	if !strings.Contains(line, `"name":"cpu","util_pct":50,`) || !strings.Contains(line, `"user_pct":40`) {
		t.Errorf("the total's split is known: %s", line)
	}
}
