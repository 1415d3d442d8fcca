package views

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/actions"
	"github.com/ctop-like/ctop-like/internal/model"
)

// A view is one declaration: these tests hold every view to it, so that
// the screen and batch output can ask the view instead of naming it.

func TestViewsComeInDesignOrder(t *testing.T) {
	want := []string{"containers", "processes", "machine", "marathon-apps", "marathon-groups", "mesos-frameworks", "mesos-tasks", "agents", "logs", "attention", "events"}
	if got := IDs(); !slices.Equal(got, want) {
		t.Errorf("IDs() = %v, want %v", got, want)
	}
	if Default().ID != "containers" {
		t.Errorf("default view %s, want containers", Default().ID)
	}
	ranks := map[int]string{}
	for _, v := range All() {
		if other, ok := ranks[v.Rank]; ok {
			t.Errorf("%s and %s share rank %d", v.ID, other, v.Rank)
		}
		ranks[v.Rank] = v.ID
	}
}

func TestMinimumColumnsAreDeclared(t *testing.T) {
	for _, v := range All() {
		if len(v.Minimum) == 0 {
			t.Errorf("%s declares no minimum columns", v.ID)
		}
		for _, id := range v.Minimum {
			if v.Col(id) < 0 {
				t.Errorf("%s: minimum column %q is not a column", v.ID, id)
			}
		}
		if got := len(v.MinimumCols()); got != len(v.Minimum) {
			t.Errorf("%s: %d minimum columns found of %d", v.ID, got, len(v.Minimum))
		}
	}
	// DESIGN.md's minimum columns of each view are among those it
	// declares: what -o table prints.
	for _, v := range All() {
		want, ok := designMinimum[v.ID]
		if !ok {
			t.Errorf("%s: no minimum columns from DESIGN.md in designMinimum", v.ID)
		}
		for _, id := range want {
			if !slices.Contains(v.Minimum, id) {
				t.Errorf("%s: DESIGN.md's minimum column %q is not in its Minimum %v", v.ID, id, v.Minimum)
			}
		}
	}
}

// designMinimum is DESIGN.md's table "Views and their minimum columns".
var designMinimum = map[string][]string{
	"containers":       {"id", "name", "image", "runtime", "state", "cpu_pct", "throttled_pct", "mem_bytes", "mem_limit_bytes", "mem_pct", "net_rx_bps", "net_tx_bps", "blk_read_bps", "blk_write_bps", "pids", "framework", "group", "app", "task"},
	"processes":        {"pid", "ppid", "user", "state", "cpu_pct", "mem_pct", "rss_bytes", "vsz_bytes", "threads", "read_bps", "write_bps", "container_id", "container", "command"},
	"machine":          {"kind", "name", "util_pct", "read_bps", "write_bps", "rx_bps", "tx_bps", "used_bytes", "total_bytes"},
	"marathon-groups":  {"group", "apps", "containers", "cpu_pct", "mem_bytes", "mem_pct", "net_rx_bps", "net_tx_bps"},
	"marathon-apps":    {"app", "group", "instances", "tasks_running", "tasks_healthy", "containers", "cpu_pct", "mem_bytes", "mem_pct", "net_rx_bps", "net_tx_bps"},
	"mesos-frameworks": {"framework_id", "framework", "active", "tasks", "containers", "cpu_pct", "mem_bytes"},
	"mesos-tasks":      {"task_id", "task", "framework", "state", "agent", "container_id", "cpu_pct", "mem_bytes"},
	"logs":             {"time", "stream", "text"},
	"agents":           {"id", "host", "cpus", "cpu_pct", "mem_bytes", "tasks", "executors", "state"},
	"attention":        {"kind", "id", "name", "attention", "why", "age_s"},
	"events":           {"time", "kind", "object", "runtime", "framework", "app", "task", "text"},
}

func TestTreeColumnIsDeclared(t *testing.T) {
	for _, v := range All() {
		switch {
		case v.Tree && v.TreeCol() < 0:
			t.Errorf("%s is a tree without a tree column", v.ID)
		case !v.Tree && v.TreeColumn != "":
			t.Errorf("%s has a tree column but no tree", v.ID)
		case v.Tree && v.Columns[v.TreeCol()].Number:
			t.Errorf("%s indents a number column", v.ID)
		}
	}
	if Get("processes").TreeColumn != "command" || Get("marathon-groups").TreeColumn != "group" {
		t.Error("processes indent their command, groups their path")
	}
}

func TestScopesAndDrillsAgree(t *testing.T) {
	kinds := append(slices.Clone(ScopeKinds), "pid") // pid: the logs view's, DESIGN.md
	for _, v := range All() {
		if !v.AppliesIn(nil) {
			t.Errorf("%s cannot be shown unscoped", v.ID)
		}
		for _, k := range v.Scopes {
			if !slices.Contains(kinds, k) {
				t.Errorf("%s applies in unknown scope kind %q", v.ID, k)
			}
		}
	}
	// Where a row drills down to, the target view applies in the scope
	// the drill adds.
	rows := map[string]Row{}
	s := clusterSnapshot()
	for _, v := range All() {
		if v.Drill == nil {
			continue
		}
		for _, r := range v.Build(s, Query{}) {
			tg, ok := v.Drill(r)
			if !ok {
				continue
			}
			to := Get(tg.View)
			if to == nil {
				t.Errorf("%s drills to unknown view %q", v.ID, tg.View)
				continue
			}
			var scope []Scope
			if tg.Scope.Kind != "" {
				scope = []Scope{tg.Scope}
			}
			if !to.AppliesIn(scope) {
				t.Errorf("%s drills to %s in scope %v, where it does not apply", v.ID, tg.View, scope)
			}
			rows[v.ID] = r
		}
	}
	for _, id := range []string{"containers", "marathon-groups", "marathon-apps", "mesos-frameworks", "mesos-tasks"} {
		if _, ok := rows[id]; !ok {
			t.Errorf("no %s row drilled in the test snapshot", id)
		}
	}
	// As the screen's menu did: inside a container only it and its
	// processes; inside a framework the cluster views too.
	for kind, want := range map[string][]string{
		"container": {"containers", "processes", "logs"},
		"task":      {"containers", "processes", "mesos-tasks", "logs"},
		"app":       {"containers", "processes", "marathon-apps", "mesos-tasks"},
		"group":     {"containers", "processes", "marathon-apps", "marathon-groups", "mesos-tasks"},
		"framework": {"containers", "processes", "marathon-apps", "marathon-groups", "mesos-tasks"},
	} {
		var got []string
		for _, v := range All() {
			if v.AppliesIn([]Scope{{Kind: kind, ID: "x"}}) {
				got = append(got, v.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("in a %s: %v, want %v", kind, got, want)
		}
	}
}

// clusterSnapshot is a node with a Marathon app's container and a
// process, for drill-downs from every view.
func clusterSnapshot() *model.Snapshot {
	s := &model.Snapshot{}
	c := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}}
	c.ID, c.Name, c.State = strings.Repeat("a", 64), "web-1", "running"
	c.Cluster = model.ClusterFields{Framework: "marathon", FrameworkID: "fw-1", App: "/shop/web", Group: "/shop", Task: "web.1", TaskID: "shop_web.1"}
	s.Containers = []model.Container{c}
	p := model.Process{}
	p.PID, p.Command, p.Name, p.ContainerID = 10, "nginx", "nginx", c.ID
	s.Processes = []model.Process{p}
	s.Cluster = &model.Cluster{
		HasMesos: true, HasMarathon: true,
		Frameworks: []model.Framework{{ID: "fw-1", Name: "marathon", Active: true}},
		Tasks:      []model.Task{{ID: "shop_web.1", Name: "web.1", State: "TASK_RUNNING", FrameworkID: "fw-1"}},
		Groups:     []model.Group{{ID: "/"}, {ID: "/shop", Parent: "/"}},
		Apps:       []model.App{{ID: "/shop/web", Instances: 1}},
	}
	return s
}

// recorder is an Actuator that writes down what it is asked.
type recorder struct{ calls []string }

// said is a Deed that records when it is done.
type said struct {
	r    *recorder
	text string
}

func (d said) Describe() string { return d.text }
func (d said) Do(context.Context) error {
	d.r.calls = append(d.r.calls, d.text)
	return nil
}

func (r *recorder) Container(ref ContainerRef, verb, arg string) (actions.Deed, error) {
	return said{r, verb + " " + ref.Runtime + " " + ref.ID + " " + arg}, nil
}
func (r *recorder) Marathon(ref MarathonRef, verb string, n int) (actions.Deed, error) {
	return said{r, fmt.Sprintf("%s %s %s %d", verb, ref.App, ref.Task, n)}, nil
}
func (r *recorder) Signal(pid int, sig syscall.Signal) error {
	r.calls = append(r.calls, fmt.Sprintf("signal %d %d", pid, sig))
	return nil
}
func (r *recorder) Renice(pid, nice int) error {
	r.calls = append(r.calls, fmt.Sprintf("renice %d %d", pid, nice))
	return nil
}

// What a container of a runtime with an engine (Docker, Podman) and of
// one without (Mesos, containerd, raw) can do (runtime.Can).
const (
	cgroupCan = model.CanStop | model.CanPause | model.CanKill | model.CanShell | model.CanLog
	engineCan = cgroupCan | model.CanRestart | model.CanRemove
)

func TestActionsAreDataBehindAnActuator(t *testing.T) {
	for _, v := range All() {
		keys := map[rune]bool{}
		for _, a := range v.Actions {
			if a.Label == "" || a.Button == "" || (a.Run == nil) == (a.Plan == nil) || (a.Run != nil && !strings.Contains(a.Confirm, "%[1]s")) {
				t.Errorf("%s: action %+v is incomplete", v.ID, a.Label)
			}
			if !a.Dangerous {
				t.Errorf("%s: %s changes the world but is not marked dangerous", v.ID, a.Label)
			}
			if keys[a.Key] || a.Key == 0 {
				t.Errorf("%s: %s has no key of its own", v.ID, a.Label)
			}
			keys[a.Key] = true
		}
		if len(v.Actions) > 0 && v.Target == nil {
			t.Errorf("%s has actions but cannot name their target", v.ID)
		}
	}

	cv := Get("containers")
	tb, err := Rows(clusterSnapshot(), Query{View: "containers"})
	if err != nil {
		t.Fatal(err)
	}
	row := tb.Rows[0]
	row.Values[cv.Col("runtime")] = "docker"
	row.Can = engineCan // what Docker's handler can
	labels := func(r Row) (l []string) {
		for _, a := range cv.Offered(r) {
			l = append(l, a.Label)
		}
		return l
	}
	if got := labels(row); !slices.Equal(got, []string{"Stop", "Restart", "Pause", "Kill"}) {
		t.Errorf("a running container offers %v", got)
	}
	paused := Row{Key: row.Key, Values: slices.Clone(row.Values), Can: row.Can}
	paused.Values[cv.Col("state")] = "paused"
	if got := labels(paused); !slices.Equal(got, []string{"Stop", "Restart", "Unpause", "Kill"}) {
		t.Errorf("a paused container offers %v", got)
	}
	x := &recorder{}
	d, err := cv.Actions[0].Plan(x, cv, row, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Do(context.Background()); err != nil || !slices.Equal(x.calls, []string{"stop docker " + row.Key + " "}) {
		t.Errorf("Stop ran %v, %v", x.calls, err)
	}
	mesos := Row{Key: row.Key, Values: slices.Clone(row.Values), Can: cgroupCan}
	mesos.Values[cv.Col("runtime")] = "mesos"
	if got := labels(mesos); !slices.Equal(got, []string{"Stop", "Pause", "Kill"}) {
		t.Errorf("a Mesos container offers %v (no restart without an engine)", got)
	}
	mesos.Values[cv.Col("state")] = "paused" // its cgroup is frozen
	if got := labels(mesos); !slices.Equal(got, []string{"Stop", "Unpause", "Kill"}) {
		t.Errorf("a frozen Mesos container offers %v", got)
	}

	pv := Get("processes")
	prow := Row{Key: "10", Values: make([]any, len(pv.Columns))}
	prow.Values[pv.Col("command")] = "nginx"
	prow.Values[pv.Col("nice")] = 5.0
	renice := pv.Actions[2]
	if d := renice.Input.Default(pv, prow); d != "5" {
		t.Errorf("renice starts at %q, want the current nice 5", d)
	}
	if _, err := renice.Input.Check("20"); err == nil {
		t.Error("nice 20 accepted")
	}
	v, err := renice.Input.Check(" -3 ")
	if err != nil || v != "-3" {
		t.Fatalf("nice -3: %q %v", v, err)
	}
	x = &recorder{}
	_ = pv.Actions[1].Run(context.Background(), x, prow, "")
	_ = renice.Run(context.Background(), x, prow, v)
	if !slices.Equal(x.calls, []string{"signal 10 9", "renice 10 -3"}) {
		t.Errorf("process actions ran %v", x.calls)
	}
	if got := fmt.Sprintf(renice.Confirm, pv.Target(pv, prow), v); got != "Renice process 10 (nginx) to -3?" {
		t.Errorf("renice confirmation %q", got)
	}
}

func TestDetailsAreRenderedByTheView(t *testing.T) {
	s := clusterSnapshot()
	s.Containers[0].Env = model.EnvOf(map[string]string{"SECRET_TOKEN": "hunter2"})
	title, text := Get("containers").Details(s, s.Containers[0].ID, DetailsEnv{})
	if title != "Container web-1" || !strings.Contains(text, "SECRET_TOKEN") || strings.Contains(text, "hunter2") {
		t.Errorf("container details %q:\n%s", title, text)
	}
	title, text = Get("processes").Details(s, "10", DetailsEnv{})
	if title != "Process 10 nginx" || !strings.Contains(text, "web-1 (aaaaaaaaaaaa)") {
		t.Errorf("process details %q:\n%s", title, text)
	}
	if _, text = Get("processes").Details(s, "11", DetailsEnv{}); !strings.Contains(text, "gone") {
		t.Errorf("a vanished process: %s", text)
	}
	for _, id := range []string{"machine", "logs"} { // their rows say it all: d shows their columns (Describe)
		if Get(id).Details != nil {
			t.Errorf("%s renders details", id)
		}
	}
}

// TestLogsViewIsOneDeclaration: the logs view was added as one file; the
// query path, scopes and minimum columns take it like any other view.
func TestLogsViewIsOneDeclaration(t *testing.T) {
	v := Get("logs")
	if v == nil {
		t.Fatal("no logs view")
	}
	var ids []string
	for _, c := range v.Columns {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, []string{"time", "stream", "text"}) {
		t.Errorf("logs columns %v, want time stream text (DESIGN.md)", ids)
	}
	for _, k := range []string{"container", "task", "pid"} {
		if !v.AppliesIn([]Scope{{Kind: k, ID: "1"}}) {
			t.Errorf("logs does not open in a %s scope", k)
		}
	}
	if v.AppliesIn([]Scope{{Kind: "framework", ID: "1"}}) {
		t.Error("logs opens in a framework")
	}
	tb, err := Rows(clusterSnapshot(), Query{View: "logs", Scope: []Scope{{Kind: "container", ID: "web-1"}}})
	if err != nil || len(tb.Rows) != 0 {
		t.Errorf("logs rows %v, %v; want none without a log feed", tb, err)
	}
	if tb, _ := Rows(clusterSnapshot(), Query{View: "logs"}); len(tb.Errors) != 1 || !strings.Contains(tb.Errors[0], "--scope container=ID") {
		t.Errorf("unscoped logs: errors %q", tb.Errors)
	}
}

// fixedLog is a LogLines with the same lines for every scope.
type fixedLog struct {
	lines  []LogLine
	status string
	asked  []Scope
}

func (f *fixedLog) Lines(_ *model.Snapshot, sc Scope) ([]LogLine, string) {
	f.asked = append(f.asked, sc)
	return f.lines, f.status
}

func (f *fixedLog) Status(*model.Snapshot, Scope) string { return f.status }

// The logs view's rows are the feed's lines of the innermost scope: time
// (null when unknown), stream, text as written (JSON); the screen and
// tables show the text without its escape sequences; why the log ended is
// the view's error. Rows, containers, tasks and processes offer `l`.
func TestLogsRowsFromTheFeed(t *testing.T) {
	at := time.Date(2026, 11, 30, 4, 5, 6, 7e6, time.UTC)
	f := &fixedLog{lines: []LogLine{
		{Seq: 7, Time: at, Stream: "stdout", Text: "ready"},
		{Seq: 8, Stream: "stderr", Text: "\x1b]52;c;aGk=\x07\x1b[31mbind: address in use\x1b[0m", Cut: true},
	}, status: "the log ended: the container exited with code 1"}
	scope := []Scope{{Kind: "app", ID: "/shop"}, {Kind: "container", ID: "web-1"}}
	tb, err := Rows(clusterSnapshot(), Query{View: "logs", Scope: scope, Logs: f})
	if err != nil || len(tb.Rows) != 2 {
		t.Fatalf("rows %v, %v", tb, err)
	}
	if f.asked[0] != scope[1] {
		t.Errorf("the feed was asked for %v, want the innermost scope", f.asked)
	}
	r := tb.Rows[0]
	if r.Key != "7" || r.Values[0] != "2026-11-30T04:05:06.007Z" || r.Values[1] != "stdout" || r.Values[2] != "ready" {
		t.Errorf("first row %v", r)
	}
	r = tb.Rows[1]
	if r.Values[0] != nil || r.Values[2] != "\x1b]52;c;aGk=\x07\x1b[31mbind: address in use\x1b[0m [cut]" {
		t.Errorf("second row %q", r.Values)
	}
	if got := Format(tb.Columns[2], r.Values[2]); got != "bind: address in use [cut]" {
		t.Errorf("shown as %q", got)
	}
	if len(tb.Errors) != 1 || tb.Errors[0] != f.status {
		t.Errorf("errors %v", tb.Errors)
	}
	// Live: a new line shows at the next build of the same snapshot.
	s := clusterSnapshot()
	Rows(s, Query{View: "logs", Scope: scope, Logs: f})
	f.lines = append(f.lines, LogLine{Seq: 9, Stream: "stdout", Text: "again"})
	if tb, _ := Rows(s, Query{View: "logs", Scope: scope, Logs: f}); len(tb.Rows) != 3 {
		t.Errorf("a new line is not shown: %d rows", len(tb.Rows))
	}
	for id, kind := range map[string]string{"containers": "container", "mesos-tasks": "task", "processes": "pid"} {
		tg, ok := Get(id).Log(Row{Key: "k"})
		if !ok || tg.View != "logs" || tg.Scope != (Scope{Kind: kind, ID: "k"}) {
			t.Errorf("%s: l goes to %v %v", id, tg, ok)
		}
	}
	if Get("machine").Log != nil {
		t.Error("a device offers a log")
	}
}

// The log a query shows is the one its own Logs reads: two queries with
// two feeds never see each other's lines, and one without a feed (a
// replay) shows none and opens nothing.
func TestLogsComeFromTheQuery(t *testing.T) {
	scope := []Scope{{Kind: "container", ID: "web-1"}}
	a := &fixedLog{lines: []LogLine{{Seq: 1, Text: "from a"}}}
	b := &fixedLog{lines: []LogLine{{Seq: 1, Text: "from b"}, {Seq: 2, Text: "more b"}}}
	s := clusterSnapshot()
	ta, _ := Rows(s, Query{View: "logs", Scope: scope, Logs: a})
	tb, _ := Rows(s, Query{View: "logs", Scope: scope, Logs: b})
	none, _ := Rows(s, Query{View: "logs", Scope: scope})
	if len(ta.Rows) != 1 || ta.Rows[0].Values[2] != "from a" {
		t.Errorf("query with feed a: %v", ta.Rows)
	}
	if len(tb.Rows) != 2 || tb.Rows[0].Values[2] != "from b" {
		t.Errorf("query with feed b: %v", tb.Rows)
	}
	if len(none.Rows) != 0 || len(none.Errors) != 0 {
		t.Errorf("query without a feed: rows %v, errors %v", none.Rows, none.Errors)
	}
	if len(a.asked) != 1 || len(b.asked) != 1 {
		t.Errorf("feeds asked %d and %d times, want once each", len(a.asked), len(b.asked))
	}
}

// A container row offers what its container can do (Row.Can, from its
// runtime's handler), whatever its runtime is named: a runtime ctop-like
// did not know restarts where its handler can, and Docker's container
// does not where its handler is gone. Before, restart was offered by the
// names "docker" and "podman".
func TestContainerActionsFollowWhatTheContainerCan(t *testing.T) {
	cv := Get("containers")
	tb, err := Rows(clusterSnapshot(), Query{View: "containers"})
	if err != nil {
		t.Fatal(err)
	}
	offers := func(runtime string, can model.Caps) (l []string) {
		r := Row{Key: tb.Rows[0].Key, Values: slices.Clone(tb.Rows[0].Values), Can: can}
		r.Values[cv.Col("runtime")] = runtime
		for _, a := range cv.Offered(r) {
			l = append(l, a.Command)
		}
		return l
	}
	if got := offers("newrt", engineCan); !slices.Equal(got, []string{"stop", "restart", "pause", "kill"}) {
		t.Errorf("a new runtime's container whose handler restarts offers %v", got)
	}
	if got := offers("docker", cgroupCan); !slices.Equal(got, []string{"stop", "pause", "kill"}) {
		t.Errorf("a docker container without an engine offers %v", got)
	}
	if got := offers("docker", 0); len(got) != 0 {
		t.Errorf("a container that can do nothing offers %v", got)
	}
}
