package views

import (
	"slices"
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

func keysOf(rows []Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Key)
	}
	return out
}

// TestTasksAndAppsHaveTheirLabels: the fixture's tasks and apps show
// their own labels (pair A: DC/OS's DCOS_SPACE on Marathon's tasks, the
// Kafka scheduler's task_type on its broker), sorted by key.
func TestTasksAndAppsHaveTheirLabels(t *testing.T) {
	s := pairASnapshot(t)
	v, tasks, _ := rowsByKey(t, "mesos-tasks", s, nil, false)
	broker := tasks["broker-0__110e02b3-b6a3-4979-be56-7e5535757ebf"]
	l, ok := val(v, broker, "labels").(*model.Labels)
	if !ok || l.String() != "offer_attributes=, target_configuration=57be52ec-b0e8-4959-af91-bcbb8f68e692, task_type=broker" {
		t.Errorf("broker's labels: %v", val(v, broker, "labels"))
	}
	a, apps, _ := rowsByKey(t, "marathon-apps", s, nil, false)
	mu, _ := val(a, apps["/marathon-user"], "labels").(*model.Labels)
	if got, _ := mu.Get("DCOS_PACKAGE_NAME"); got != "marathon" {
		t.Errorf("/marathon-user's labels: %v", mu)
	}
	if meta, _ := mu.Get("DCOS_PACKAGE_METADATA"); len(meta) > model.MaxLabelValue+len(model.LabelCut) || !strings.HasSuffix(meta, model.LabelCut) {
		t.Errorf("the 1.7 KB package metadata is cut and marked: %d bytes", len(meta))
	}
	if x := val(a, apps["/lbexample"], "labels"); x != nil {
		t.Errorf("an app without labels has null labels, got %v", x)
	}
}

// TestLabelFilterAndSort: -f label.KEY=value keeps the rows with that
// label, -s label.KEY sorts by it with the rows lacking it last, and the
// column the filter or sort names is in the table, null where missing.
func TestLabelFilterAndSort(t *testing.T) {
	s := pairASnapshot(t)
	tab, err := Rows(s, Query{View: "mesos-tasks", Filter: mustFilter(t, "label.DCOS_SPACE=/development/logging")})
	if err != nil {
		t.Fatal(err)
	}
	// Every task of the app, live or finished, has the label; no other.
	var want []string
	for _, tk := range s.Cluster.Tasks {
		if strings.HasPrefix(tk.ID, "development_logging.") {
			want = append(want, tk.ID)
		}
	}
	got := keysOf(tab.Rows)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || !slices.Contains(got, "development_logging.a6f0bb45-c64b-11e6-9066-5a8a388c67a1") {
		t.Errorf("label.DCOS_SPACE=/development/logging kept %d tasks, want the %d of /development/logging", len(got), len(want))
	}
	last := tab.Columns[len(tab.Columns)-1]
	if last.ID != "label.DCOS_SPACE" || len(tab.Columns) != len(Get("mesos-tasks").Columns)+1 {
		t.Errorf("the filter's label is a column at the end: %v", last.ID)
	}
	for _, r := range tab.Rows {
		if r.Values[len(r.Values)-1] != "/development/logging" {
			t.Errorf("row %s: label column %v", r.Key, r.Values[len(r.Values)-1])
		}
	}

	// A person types the key in lower case; the label is DC/OS's.
	tab, err = Rows(s, Query{View: "mesos-tasks", Sort: "label.dcos_space"})
	if err != nil {
		t.Fatal(err)
	}
	col := len(tab.Columns) - 1
	if tab.Columns[col].ID != "label.dcos_space" || tab.SortCol != col {
		t.Fatalf("sort column %d %v", tab.SortCol, tab.Columns[col].ID)
	}
	var seenNull bool
	prev := ""
	for _, r := range tab.Rows {
		switch x := r.Values[col].(type) {
		case nil:
			seenNull = true
		case string:
			if seenNull {
				t.Errorf("row %s has the label after a row without it", r.Key)
			}
			if x < prev {
				t.Errorf("row %s: %q after %q", r.Key, x, prev)
			}
			prev = x
		}
	}
	if !seenNull || prev == "" {
		t.Errorf("the fixture has tasks with and without DCOS_SPACE: null %v, last %q", seenNull, prev)
	}

	// The missing label is null: label.x=null keeps the tasks without it.
	tab, err = Rows(s, Query{View: "mesos-tasks", Filter: mustFilter(t, "label.task_type=null")})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tab.Rows {
		if strings.HasPrefix(r.Key, "broker-") {
			t.Errorf("the broker has task_type: kept by label.task_type=null")
		}
	}
	if len(tab.Rows) == 0 {
		t.Error("no task lacks task_type")
	}

	// A bare word finds a label's text.
	tab, err = Rows(s, Query{View: "marathon-apps", Filter: mustFilter(t, "universe.mesosphere")})
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(tab.Rows); len(got) != 2 {
		t.Errorf("the two DC/OS packages' apps name their source: %v", got)
	}
}

// TestLabelColumnsWhereRowsHaveNone: a view whose rows carry no labels
// (groups, frameworks roll none up) refuses label.KEY as an unknown
// column; the query's Columns add a label's column as the filter does.
func TestLabelColumnsWhereRowsHaveNone(t *testing.T) {
	s := pairASnapshot(t)
	for _, view := range []string{"marathon-groups", "mesos-frameworks", "processes"} {
		if _, err := Rows(s, Query{View: view, Sort: "label.team"}); err == nil || !strings.Contains(err.Error(), "no labels") {
			t.Errorf("%s -s label.team: %v", view, err)
		}
		f := mustFilter(t, "label.team=x")
		if err := f.Check(Get(view)); err == nil {
			t.Errorf("%s -f label.team=x passed Check", view)
		}
	}
	if _, err := Rows(s, Query{View: "mesos-tasks", Sort: "label."}); err == nil {
		t.Error("label. with no key is a column")
	}
	tab, err := Rows(s, Query{View: "marathon-apps", Columns: []string{"name", "label.DCOS_PACKAGE_NAME", "label.DCOS_PACKAGE_NAME"}})
	if err != nil {
		t.Fatal(err)
	}
	n := len(Get("marathon-apps").Columns)
	if len(tab.Columns) != n+1 || tab.Columns[n].ID != "label.DCOS_PACKAGE_NAME" {
		t.Fatalf("columns asked for: %d, last %v", len(tab.Columns), tab.Columns[len(tab.Columns)-1].ID)
	}
	for _, r := range tab.Rows {
		want := any(nil)
		if r.Key == "/marathon-user" {
			want = "marathon"
		}
		if r.Key == "/confluent-kafka" {
			want = "confluent-kafka"
		}
		if r.Values[n] != want {
			t.Errorf("%s: %v, want %v", r.Key, r.Values[n], want)
		}
	}
	// The rows the cache keeps are not widened: the next query has none.
	tab, err = Rows(s, Query{View: "marathon-apps"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tab.Rows {
		if len(r.Values) != n {
			t.Fatalf("row %s has %d values after a label query, want %d", r.Key, len(r.Values), n)
		}
	}
}

// TestContainerLabels: a container's labels are its runtime's but
// Kubernetes' plumbing, then its task's and app's the runtime lacks.
func TestContainerLabels(t *testing.T) {
	s := pairASnapshot(t)
	for i := range s.Containers {
		c := &s.Containers[i]
		switch c.ID {
		case "kafka":
			c.Labels = map[string]string{"task_type": "runtime-says", "team": "streams"}
		case "plain":
			c.Labels = map[string]string{"io.kubernetes.pod.name": "p", "io.kubernetes.container.name": "c", "app.kubernetes.io/name": "web"}
		}
	}
	v, rows, _ := rowsByKey(t, "containers", s, nil, false)
	lab := func(key string) string {
		l, _ := val(v, rows[key], "labels").(*model.Labels)
		return l.String()
	}
	if got := lab("kafka"); got != "offer_attributes=, target_configuration=57be52ec-b0e8-4959-af91-bcbb8f68e692, task_type=runtime-says, team=streams" {
		t.Errorf("kafka: %s", got)
	}
	if got := lab("log1"); got != "DCOS_SPACE=/development/logging" {
		t.Errorf("log1 has its task's label: %q", got)
	}
	if got := lab("plain"); got != "app.kubernetes.io/name=web" {
		t.Errorf("plain: io.kubernetes.* left out: %q", got)
	}
	tab, err := Rows(s, Query{View: "containers", Filter: mustFilter(t, "label.team=streams")})
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(tab.Rows); len(got) != 1 || !strings.HasSuffix(got[0], "kafka") {
		t.Errorf("label.team=streams: %v", got)
	}
	_, text := containerDetails(s, rows["kafka"].Key, DetailsEnv{})
	if !strings.Contains(text, "  team=streams\n") || !strings.Contains(text, "  target_configuration=57be52ec-b0e8-4959-af91-bcbb8f68e692\n") {
		t.Errorf("details show each label whole on its line:\n%s", text)
	}
}

// TestTaskAndAppDetailsShowTheirLabelsWhole: d on a task or an app lists
// its labels one a line, each value whole within the bounds (the 1.7 KB
// package metadata to its 256 bytes, where the screen's column cuts it
// to its width).
func TestTaskAndAppDetailsShowTheirLabelsWhole(t *testing.T) {
	s := pairASnapshot(t)
	_, text := Get("mesos-tasks").Details(s, "broker-0__110e02b3-b6a3-4979-be56-7e5535757ebf", DetailsEnv{})
	for _, want := range []string{"  offer_attributes=\n", "  target_configuration=57be52ec-b0e8-4959-af91-bcbb8f68e692\n", "  task_type=broker\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("task details lack %q:\n%s", want, text)
		}
	}
	_, text = Get("marathon-apps").Details(s, "/marathon-user", DetailsEnv{})
	var mu model.Labels
	for _, a := range s.Cluster.Apps {
		if a.ID == "/marathon-user" {
			mu = a.Labels
		}
	}
	meta, _ := mu.Get("DCOS_PACKAGE_METADATA")
	if len(meta) < model.MaxLabelValue || !strings.Contains(text, "  DCOS_PACKAGE_METADATA="+meta+"\n") || !strings.Contains(text, "  DCOS_PACKAGE_NAME=marathon\n") {
		t.Errorf("app details:\n%s", text)
	}
	if _, text = Get("marathon-apps").Details(s, "/lbexample", DetailsEnv{}); !strings.Contains(text, "labels:      n/a") {
		t.Errorf("an app without labels: %s", text)
	}
}

// TestHostileLabelKeysAreNotOfferedAsColumns: the chooser offers the
// keys a terminal shows as written; a column named by a hostile key (in
// -f) has a harmless title.
func TestHostileLabelKeysAreNotOfferedAsColumns(t *testing.T) {
	var set model.LabelSet
	set.Add("team", "a")
	set.Add("evil\x1b]52;c;x\x07", "b")
	set.Add("bidi\u202e", "c")
	set.Add(strings.Repeat("k", 65), "d")
	rows := []Row{{Labels: set.Take()}, {Labels: model.Labels{{Key: "team", Value: "b"}}}}
	if got := LabelKeys(rows, 10); !slices.Equal(got, []string{"team"}) {
		t.Errorf("offered %q, want only team", got)
	}
	c := LabelColumn("evil\x1b]52;c;x\x07" + strings.Repeat("w", 100))
	if strings.ContainsAny(c.Title, "\x1b\x07") || len([]rune(c.Title)) > maxLabelTitle {
		t.Errorf("title %q", c.Title)
	}
}

// TestAttentionRowsCarryTheirRowsLabels: a row of the attention view has
// the labels of the app, task or container it stands for, so that
// label.KEY filters what needs a look.
func TestAttentionRowsCarryTheirRowsLabels(t *testing.T) {
	s := pairASnapshot(t)
	tab, err := Rows(s, Query{View: LookView, Filter: mustFilter(t, "label.DCOS_PACKAGE_NAME=marathon")})
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(tab.Rows); len(got) != 1 || got[0] != attentionKey("app", "/marathon-user") {
		t.Fatalf("what needs a look with DCOS_PACKAGE_NAME=marathon: %v", got)
	}
	v := Get(LookView)
	if l, _ := tab.Rows[0].Values[v.Col("labels")].(*model.Labels); l == nil || !strings.Contains(l.String(), "DCOS_SERVICE_NAME=marathon-user") {
		t.Errorf("the app's labels: %v", tab.Rows[0].Values[v.Col("labels")])
	}
}
