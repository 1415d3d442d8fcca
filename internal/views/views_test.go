package views

import (
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

const dockerID = "7fc0bb3918cdc34efa520705df9614fa65afc258528e76ccfbd831adeed45265"

// snap is a small node: two Docker containers (one placed by Marathon), a
// Mesos container, and processes in each and on the host.
func snap() *model.Snapshot {
	c := func(id, name string, cpu float64, mem uint64, cl model.ClusterFields) model.Container {
		return model.Container{ContainerSample: &model.ContainerSample{ID: id, Name: name, Runtime: model.RuntimeDocker, State: "running",
			Mem: model.CgroupMemory{Used: mem, Limit: 1000}, Cluster: cl, RuntimeFields: &model.RuntimeFields{}}, HasRates: true, CPUPct: cpu}
	}
	web := c(dockerID, "web-1", 50, 100, model.ClusterFields{TaskID: "shop_api.1", App: "/shop/api", Group: "/shop", Framework: "marathon", FrameworkID: "fw-1"})
	web.Net = &model.NetCounters{}
	web.NetRxBps = 2048
	db := c(strings.Repeat("b", 64), "db", 150, 700, model.ClusterFields{})
	mesos := c("0f3e-uuid", "0f3e-uuid", 5, 10, model.ClusterFields{TaskID: "batch.2", App: "/shop/db/backup", Group: "/shop/db", Framework: "marathon"})
	mesos.Runtime = model.RuntimeMesos
	p := func(pid, ppid int, cmd, cont string, cpu float64) model.Process {
		return model.Process{ProcessSample: model.ProcessSample{PID: pid, PPID: ppid, Command: cmd, ContainerID: cont, User: "root", State: "S"}, HasRates: true, CPUPct: cpu}
	}
	return &model.Snapshot{
		Time: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), Host: "node-1", Interval: 2 * time.Second,
		Containers: []model.Container{web, db, mesos},
		Processes: []model.Process{
			p(1, 0, "/sbin/init", "", 0.1),
			p(100, 1, "nginx: master", dockerID, 1),
			p(101, 100, "nginx: worker", dockerID, 49),
			p(200, 1, "postgres", strings.Repeat("b", 64), 150),
			p(300, 1, "backup.sh", "0f3e-uuid", 5),
		},
	}
}

func rows(t *testing.T, q Query) *Table {
	t.Helper()
	tb, err := Rows(snap(), q)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func keys(tb *Table) []string {
	var out []string
	for _, r := range tb.Rows {
		out = append(out, r.Key)
	}
	return out
}

func col(tb *Table, row int, id string) any {
	return tb.Rows[row].Values[tb.View.Col(id)]
}

func TestEveryViewHasItsMinimumColumns(t *testing.T) {
	min := map[string]string{
		"containers":       "id name image runtime state cpu_pct throttled_pct mem_bytes mem_limit_bytes mem_pct net_rx_bps net_tx_bps blk_read_bps blk_write_bps pids framework group app task",
		"processes":        "pid ppid user state cpu_pct mem_pct rss_bytes vsz_bytes threads read_bps write_bps container_id container command",
		"machine":          "kind name util_pct read_bps write_bps rx_bps tx_bps used_bytes total_bytes",
		"marathon-groups":  "group apps containers cpu_pct mem_bytes mem_pct net_rx_bps net_tx_bps",
		"marathon-apps":    "app group instances tasks_running tasks_healthy containers cpu_pct mem_bytes mem_pct net_rx_bps net_tx_bps",
		"mesos-frameworks": "framework_id framework active tasks containers cpu_pct mem_bytes",
		"mesos-tasks":      "task_id task framework state agent container_id cpu_pct mem_bytes",
		"agents":           "id host cpus cpus_allocated cpu_pct mem_allocated_bytes mem_bytes tasks age_s state error",
	}
	for id, cols := range min {
		v := Get(id)
		if v == nil {
			t.Fatalf("no view %s", id)
		}
		for _, c := range strings.Fields(cols) {
			if v.Col(c) < 0 {
				t.Errorf("view %s lacks column %s", id, c)
			}
		}
		if v.DefaultSort != "" && v.Col(v.DefaultSort) < 0 {
			t.Errorf("view %s sorts by a column it lacks", id)
		}
		seen := map[string]bool{}
		for _, c := range v.Columns {
			if seen[c.ID] {
				t.Errorf("view %s has column %s twice", id, c.ID)
			}
			seen[c.ID] = true
			// The unit suffix of an id names the unit, as DESIGN.md says.
			for suffix, unit := range map[string]string{"_pct": UnitPct, "_bytes": UnitBytes, "_bps": UnitBps, "_s": UnitSeconds} {
				if strings.HasSuffix(c.ID, suffix) && c.Unit != unit {
					t.Errorf("%s.%s: unit %q, want %q", id, c.ID, c.Unit, unit)
				}
			}
		}
	}
}

func TestContainersDefaultSortAndNulls(t *testing.T) {
	tb := rows(t, Query{View: "containers"})
	if got := strings.Join(keys(tb), " "); got != strings.Repeat("b", 64)+" "+dockerID+" 0f3e-uuid" {
		t.Fatalf("default sort is cpu desc; got %s", got)
	}
	if col(tb, 0, "app") != nil || col(tb, 0, "framework") != nil {
		t.Error("a container no framework placed has nil (n/a) cluster fields")
	}
	if col(tb, 0, "net_rx_bps") != nil {
		t.Error("a container without network counters has nil network rates, not 0")
	}
	if col(tb, 1, "net_rx_bps") != 2048.0 {
		t.Errorf("web rx %v", col(tb, 1, "net_rx_bps"))
	}
	if Format(tb.Columns[tb.View.Col("app")], col(tb, 0, "app")) != "n/a" {
		t.Error("nil shows as n/a")
	}
}

func TestSortAscendingAndTextAndNilLast(t *testing.T) {
	tb := rows(t, Query{View: "containers", Sort: "name"})
	if got := strings.Join(keys(tb), " "); got != "0f3e-uuid "+strings.Repeat("b", 64)+" "+dockerID {
		t.Fatalf("by name: %s", got)
	}
	for _, desc := range []bool{false, true} {
		tb = rows(t, Query{View: "containers", Sort: "app", Desc: desc})
		if tb.Rows[2].Values[tb.View.Col("app")] != nil {
			t.Errorf("desc=%v: n/a must sort last, got %v", desc, keys(tb))
		}
	}
}

func TestFilterGrammar(t *testing.T) {
	cases := []struct {
		expr string
		want string
	}{
		{"cpu_pct>40", "b db web-1"},
		{"cpu_pct<40", "0f3e-uuid"},
		{"name=WEB-1", "web-1"},
		{"name!=web-1", "0f3e-uuid db"},
		{"app~SHOP", "0f3e-uuid web-1"},
		{"app=n/a", "db"},
		{"app!=null", "0f3e-uuid web-1"},
		{"mem_bytes>0.5K", "db"},
		{"web", "web-1"},
		{"shop cpu_pct>10", "web-1"},
		{`"web-1"`, "web-1"},
		{"", "0f3e-uuid db web-1"},
	}
	for _, c := range cases {
		f, err := ParseFilter(c.expr)
		if err != nil {
			t.Fatalf("%q: %v", c.expr, err)
		}
		tb := rows(t, Query{View: "containers", Filter: f, Sort: "name"})
		var names []string
		for i := range tb.Rows {
			names = append(names, col(tb, i, "name").(string))
		}
		want := c.want
		if want == "b db web-1" {
			want = "db web-1"
		}
		if got := strings.Join(names, " "); got != want {
			t.Errorf("-f %q: got %q want %q", c.expr, got, want)
		}
	}
}

func TestFilterErrors(t *testing.T) {
	for _, expr := range []string{"=x", `"open`, "cpu_pct>lots", "a!b"} {
		if _, err := ParseFilter(expr); err == nil {
			t.Errorf("%q: want an error", expr)
		}
	}
	for _, expr := range []string{"nosuch=1", "name>3", "cpu_pct=high"} {
		f, err := ParseFilter(expr)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		if _, err := Rows(snap(), Query{View: "containers", Filter: f}); err == nil {
			t.Errorf("%q: want an error naming the column", expr)
		}
	}
}

func TestScope(t *testing.T) {
	cases := []struct {
		view  string
		scope string
		want  string
	}{
		{"containers", "group=/shop", dockerID + " 0f3e-uuid"}, // subgroups included
		{"containers", "group=/sho", ""},
		{"containers", "app=/shop/api", dockerID},
		{"containers", "task=batch.2", "0f3e-uuid"},
		{"containers", "framework=marathon", dockerID + " 0f3e-uuid"},
		{"containers", "container=" + dockerID[:12], dockerID},
		{"processes", "container=" + dockerID, "101 100"},
		{"processes", "app=/shop/api", "101 100"},
		{"processes", "group=/shop/db", "300"},
	}
	for _, c := range cases {
		sc, err := ParseScope(c.scope)
		if err != nil {
			t.Fatal(err)
		}
		tb := rows(t, Query{View: c.view, Scope: []Scope{sc}})
		if got := strings.Join(keys(tb), " "); got != c.want {
			t.Errorf("%s --scope %s: got %q want %q", c.view, c.scope, got, c.want)
		}
	}
	if _, err := ParseScope("pod=x"); err == nil {
		t.Error("unknown scope kind must be an error")
	}
}

func TestDrillDownMatchesScope(t *testing.T) {
	v := Get("containers")
	tb := rows(t, Query{View: "containers", Sort: "name", Filter: mustFilter(t, "name=web-1")})
	tgt, ok := v.Drill(tb.Rows[0])
	if !ok || tgt.View != "processes" {
		t.Fatalf("drill: %+v %v", tgt, ok)
	}
	sub := rows(t, Query{View: tgt.View, Scope: []Scope{tgt.Scope}})
	if got := strings.Join(keys(sub), " "); got != "101 100" {
		t.Fatalf("drill into web-1 shows %s", got)
	}
}

func TestProcessTree(t *testing.T) {
	tb := rows(t, Query{View: "processes", Tree: true})
	var got []string
	for _, r := range tb.Rows {
		got = append(got, strings.Repeat(".", r.Depth)+r.Key)
	}
	if s := strings.Join(got, " "); s != "1 .100 ..101 .200 .300" {
		t.Fatalf("tree: %s", s)
	}
}

func TestMachineRows(t *testing.T) {
	s := snap()
	s.CPUTotal = model.CPU{Name: "cpu", UtilPct: 40}
	s.CPUs = []model.CPU{{Name: "cpu0", UtilPct: 30}, {Name: "cpu1", UtilPct: 50}}
	s.Memory = model.Memory{Total: 1000, Used: 250, Available: 750}
	s.Disks = []model.Disk{{DiskCounters: model.DiskCounters{Name: "vda"}, HasRates: true, WriteBps: 1e6}, {DiskCounters: model.DiskCounters{Name: "vda1", IsPartition: true}}}
	s.Nets = []model.Net{{NetCounters: model.NetCounters{Name: "eth0", SpeedMbps: 1000}, HasRates: true, RxBps: 12.5e6}}
	s.Filesystems = []model.Filesystem{{Mountpoint: "/", Total: 100, Used: 30, Available: 60}}
	tb, err := Rows(s, Query{View: "machine"})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Row{}
	for _, r := range tb.Rows {
		byName[r.Values[0].(string)+"/"+r.Values[1].(string)] = r
	}
	v := tb.View
	get := func(name, c string) any { return byName[name].Values[v.Col(c)] }
	for name, want := range map[string]float64{"cpu/cpu": 40, "cpu/cpu1": 50, "memory/memory": 25, "net/eth0": 10, "fs//": 33.33333333333333} {
		if got, _ := get(name, "util_pct").(float64); got != want {
			t.Errorf("%s util %v want %v", name, get(name, "util_pct"), want)
		}
	}
	if get("disk/vda", "write_bps") != 1e6 {
		t.Errorf("disk write %v", get("disk/vda", "write_bps"))
	}
	if _, ok := byName["disk/vda1"]; ok {
		t.Error("partitions are not listed as disks")
	}
	if get("disk/vda", "rx_bps") != nil {
		t.Error("a disk has no network rate: nil")
	}
}

func mustFilter(t *testing.T, s string) *Filter {
	f, err := ParseFilter(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFormat(t *testing.T) {
	cases := []struct {
		unit string
		v    any
		want string
	}{
		{UnitPct, 12.5, "12.5"},
		{UnitBytes, 1.2 * (1 << 30), "1.2G"},
		{UnitBps, 340 * 1024.0, "340K/s"},
		{UnitBytes, 512.0, "512B"},
		{UnitSeconds, 75.5, "1:15.50"},
		{UnitCount, 42.0, "42"},
		{UnitPct, nil, "n/a"},
	}
	for _, c := range cases {
		if got := Format(Column{Unit: c.unit, Number: true}, c.v); got != c.want {
			t.Errorf("%s %v: %q want %q", c.unit, c.v, got, c.want)
		}
	}
}

// TestClusterRowsLeaveTheSnapshotAlone: a snapshot is shared by the screen,
// the recorder and batch output; building rows must not write into it,
// even where its slices have spare capacity.
func TestClusterRowsLeaveTheSnapshotAlone(t *testing.T) {
	s := snap()
	apps := make([]model.App, 1, 8)
	apps[0] = model.App{ID: "/other/app", Group: "/other"}
	groups := make([]model.Group, 2, 8)
	groups[0], groups[1] = model.Group{ID: "/"}, model.Group{ID: "/other", Parent: "/"}
	s.Cluster = &model.Cluster{Apps: apps, Groups: groups}
	for _, v := range []string{"marathon-apps", "marathon-groups"} {
		if _, err := Rows(s, Query{View: v}); err != nil {
			t.Fatal(err)
		}
	}
	spare := apps[:cap(apps)]
	for i := 1; i < len(spare); i++ {
		if spare[i].ID != "" {
			t.Fatalf("rows wrote app %q into the snapshot's spare capacity", spare[i].ID)
		}
	}
	if g := groups[:cap(groups)][2]; g.ID != "" {
		t.Fatalf("rows wrote group %q into the snapshot", g.ID)
	}
}
