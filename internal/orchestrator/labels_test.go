package orchestrator

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

// wantLabels is what a generic walk of a Mesos labels array (or a
// Marathon labels object) says a row holds, within model's bounds.
func wantLabels(v any) model.Labels {
	var set model.LabelSet
	for _, lv := range list(v) {
		l := obj(lv)
		set.Add(str(l["key"]), str(l["value"]))
	}
	for k, val := range obj(v) {
		set.Add(k, str(val))
	}
	return set.Take()
}

// TestMesosTaskLabelsFixtures: every task of every real state, master's
// and agent's, live and finished, holds its own labels array, whatever
// the labels of its statuses, discovery info and network infos say.
func TestMesosTaskLabelsFixtures(t *testing.T) {
	states := append(append([]string(nil), masterStates...),
		"mesos/agent_state_mesos-1.5.0_docker-container-id.json",
		"mesos/pairB_agent_state_mesos-0.27.0.json",
		"mesos/pairC_agent_state_mesos-0.22.0.json")
	total := 0
	for _, name := range states {
		t.Run(filepath.Base(name), func(t *testing.T) {
			want := map[string]string{}
			walk := func(v any) {
				for _, tv := range list(v) {
					tk := obj(tv)
					if id := str(tk["id"]); id != "" {
						want[id] = wantLabels(tk["labels"]).String()
					}
				}
			}
			for _, fv := range list(generic(t, name)["frameworks"]) {
				f := obj(fv)
				walk(f["tasks"])
				walk(f["completed_tasks"])
				for _, ev := range list(f["executors"]) {
					walk(obj(ev)["tasks"])
					walk(obj(ev)["completed_tasks"])
				}
			}
			st, err := decodeMesosState(bytes.NewReader(fixture(t, name)))
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range append(st.Tasks, st.Finished...) {
				w, ok := want[tk.ID]
				if !ok {
					t.Fatalf("task %s is in no generic walk", tk.ID)
				}
				if got := tk.LabelList().String(); got != w {
					t.Errorf("task %s: labels %q, want %q", tk.ID, got, w)
				}
				if len(tk.LabelList()) > 0 {
					total++
				}
			}
		})
	}
	if total < 100 {
		t.Errorf("only %d tasks with labels in the fixtures: the walk reads none", total)
	}
}

// TestEdgeCaseStatusLabelsAreNotTheTasks: mesos-dns's edge cases put
// labels on statuses (foo=bar, Docker.NetworkSettings.IPAddress) and on
// discovery info (dc, canary) of most of its tasks, and none on a task
// itself: no task has labels.
func TestEdgeCaseStatusLabelsAreNotTheTasks(t *testing.T) {
	c := parseFixtures(t, "mesos/master_state_mesos-dns-fake_edge-cases.json", "")
	if len(c.Tasks) < 8 {
		t.Fatalf("%d tasks", len(c.Tasks))
	}
	for _, tk := range c.Tasks {
		if tk.Labels != nil {
			t.Errorf("task %s: labels %q from its statuses or discovery info", tk.ID, tk.LabelList().String())
		}
	}
	// And the one real task labels of pair A are read whole: the
	// Confluent Kafka broker's three, an empty value among them.
	c = parseFixtures(t, "mesos/pairA_master_state_mesos-1.2.0.json", "")
	for _, tk := range c.Tasks {
		if strings.HasPrefix(tk.ID, "broker-0__") {
			if got := tk.LabelList().String(); got != "offer_attributes=, target_configuration=57be52ec-b0e8-4959-af91-bcbb8f68e692, task_type=broker" {
				t.Errorf("broker labels %q", got)
			}
			if v, ok := tk.LabelList().Get("offer_attributes"); !ok || v != "" {
				t.Errorf("an empty value is a value: %q %v", v, ok)
			}
		}
	}
}

// TestMarathonAppLabelsFixtures: an app's labels object, as Marathon
// answers /v2/groups and /v2/apps.
func TestMarathonAppLabelsFixtures(t *testing.T) {
	for _, name := range []string{"marathon/pairA_v2_groups_embed-tasks.json", "marathon/marathon-lb_v2_apps_embed-tasks_zdd.json",
		"marathon/marathon-lb_v2_apps_embed-tasks_marathon-1.5.json", "marathon/marathon-docs_v2_apps.json", "marathon/marathon-docs_v2_groups.json"} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			c := parseFixtures(t, "", name)
			want := map[string]string{}
			for _, av := range appsOf(generic(t, name)) {
				want[normPath(str(obj(av)["id"]))] = wantLabels(obj(av)["labels"]).String()
			}
			for _, a := range c.Apps {
				if got := a.Labels.String(); got != want[a.ID] {
					t.Errorf("app %s: labels %q, want %q", a.ID, got, want[a.ID])
				}
			}
		})
	}
	c := parseFixtures(t, "", "marathon/marathon-lb_v2_apps_embed-tasks_zdd.json")
	for _, a := range c.Apps {
		if v, _ := a.Labels.Get("HAPROXY_GROUP"); v != "external" {
			t.Errorf("%s: HAPROXY_GROUP=%q", a.ID, v)
		}
	}
	c = parseFixtures(t, "", "marathon/pairA_v2_groups_embed-tasks.json")
	for _, a := range c.Apps {
		if a.ID != "/confluent-kafka" {
			continue
		}
		// 2.7 KB of base64: cut at 256 bytes and marked.
		v, _ := a.Labels.Get("DCOS_PACKAGE_METADATA")
		if len(v) != model.MaxLabelValue+len(model.LabelCut) || !strings.HasSuffix(v, model.LabelCut) || !strings.HasPrefix(v, "eyJwYWNrYWdpbmdWZXJzaW9uIjoiMy4wIiwibmFt") {
			t.Errorf("DCOS_PACKAGE_METADATA held as %d bytes: %.40q…", len(v), v)
		}
	}
}

// TestMatchGivesContainersTheirTaskAndAppLabels: pair A's Kafka task
// carries its app's DC/OS labels and Marathon's DCOS_SPACE; its
// container has them all, and a logging container its task's space.
func TestMatchGivesContainersTheirTaskAndAppLabels(t *testing.T) {
	c := parseFixtures(t, "mesos/pairA_master_state_mesos-1.2.0.json", "marathon/pairA_v2_groups_embed-tasks.json")
	s := &model.Snapshot{Containers: []model.Container{
		ctr("kafka", "kafka", model.RuntimeDocker, "", map[string]string{"MESOS_TASK_ID": "confluent-kafka.4e941eb7-c642-11e6-9066-5a8a388c67a1"}),
		ctr("logging", "logging", model.RuntimeMesos, "", map[string]string{"MESOS_TASK_ID": "development_logging.a6f0bb45-c64b-11e6-9066-5a8a388c67a1"}),
		ctr("env-only", "env-only", model.RuntimeDocker, "", map[string]string{"MARATHON_APP_ID": "/confluent-kafka"}),
		ctr("plain", "plain", model.RuntimeDocker, "/docker/plain", nil),
	}}
	Match(s, c)
	kafka := s.Containers[0].ClusterLabels
	if v, _ := kafka.Get("DCOS_SPACE"); v != "/confluent-kafka" {
		t.Errorf("kafka: DCOS_SPACE=%q (%q)", v, kafka.String())
	}
	if v, _ := kafka.Get("DCOS_PACKAGE_NAME"); v != "confluent-kafka" {
		t.Errorf("kafka: DCOS_PACKAGE_NAME=%q", v)
	}
	var task model.Task
	for _, tk := range c.Tasks {
		if tk.ID == "confluent-kafka.4e941eb7-c642-11e6-9066-5a8a388c67a1" {
			task = tk
		}
	}
	if len(kafka) == 0 || &kafka[0] != &task.LabelList()[0] {
		t.Error("the task's labels, which hold its app's, are copied rather than shared")
	}
	if got := s.Containers[1].ClusterLabels.String(); got != "DCOS_SPACE=/development/logging" {
		t.Errorf("logging: %q", got)
	}
	// Known from the env only: the app's labels, no task's.
	if v, _ := s.Containers[2].ClusterLabels.Get("DCOS_PACKAGE_NAME"); v != "confluent-kafka" {
		t.Errorf("env-only: %q", s.Containers[2].ClusterLabels.String())
	}
	if _, ok := s.Containers[2].ClusterLabels.Get("DCOS_SPACE"); ok {
		t.Error("env-only: a task's label without a task")
	}
	if s.Containers[3].ClusterLabels != nil {
		t.Errorf("plain: %q", s.Containers[3].ClusterLabels.String())
	}
}

// TestHostileTaskLabels: 200 labels on one task, keys and values that are
// long, escaped, not strings, duplicated, or in the v1 API's wrapper;
// every other task keeps its own, and the answer decodes.
func TestHostileTaskLabels(t *testing.T) {
	var many []string
	for i := range 200 {
		many = append(many, fmt.Sprintf(`{"key":"k%03d","value":"v%d"}`, i, i))
	}
	long := strings.Repeat("\\u00e9", 3000)
	state := `{"id":"m","pid":"master@10.0.0.1:5050","frameworks":[{"id":"fw","name":"marathon","active":true,"tasks":[` +
		`{"id":"many","state":"TASK_RUNNING","labels":[` + strings.Join(many, ",") + `]},` +
		`{"id":"hostile","state":"TASK_RUNNING","labels":[{"key":"` + long + `","value":"` + long + `"},` +
		`{"key":"esc","value":"\u001b[2J\u001b]0;owned\u0007\u202e"},{"key":"n","value":42},{"value":"no key"},` +
		`{"key":"dup","value":"1"},{"key":"dup","value":"2"},{"key":"API_TOKEN","value":"s3cret"},{"key":"url","value":"http://u:pw@h/"},7,null]},` +
		`{"id":"wrapped","state":"TASK_RUNNING","labels":{"labels":[{"key":"team","value":"payments"}]}},` +
		`{"id":"nested","state":"TASK_RUNNING","labels":{"labels":{"labels":[{"key":"deep","value":"x"}]}}},` +
		`{"id":"null","state":"TASK_RUNNING","labels":null},` +
		`{"id":"text","state":"TASK_RUNNING","labels":"team=payments"}]}]}`
	st, err := decodeMesosState(strings.NewReader(state))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]model.Labels{}
	for _, tk := range st.Tasks {
		got[tk.ID] = tk.LabelList()
	}
	if l := got["many"]; len(l) != model.MaxLabels+1 || l.More() != 200-model.MaxLabels {
		t.Errorf("200 labels: %d held, %d more", len(l), l.More())
	}
	h := got["hostile"]
	if v, _ := h.Get("esc"); v != "\x1b[2J\x1b]0;owned\a\u202e" {
		t.Errorf("esc = %q: JSON keeps text exact", v)
	}
	if v, ok := h.Get("n"); !ok || v != "" {
		t.Errorf("a number value: %q %v", v, ok)
	}
	if v, _ := h.Get("dup"); v != "2" {
		t.Errorf("dup = %q, want the last", v)
	}
	if v, _ := h.Get("API_TOKEN"); v != "xxx" {
		t.Errorf("API_TOKEN = %q", v)
	}
	if v, _ := h.Get("url"); strings.Contains(v, "pw") {
		t.Errorf("url = %q", v)
	}
	for _, x := range h {
		if len(x.Key) > model.MaxLabelKey+3 || len(x.Value) > model.MaxLabelValue+3 {
			t.Errorf("%d-byte key, %d-byte value", len(x.Key), len(x.Value))
		}
	}
	if got["wrapped"].String() != "team=payments" {
		t.Errorf("wrapped: %q", got["wrapped"].String())
	}
	for _, id := range []string{"nested", "null", "text"} {
		if got[id] != nil {
			t.Errorf("%s: %q", id, got[id].String())
		}
	}
}

// TestTaskLabelsShareAndAreBounded: the tasks of one app share one list;
// past maxLabelBytes tasks keep none and the errors say how many.
func TestTaskLabelsShareAndAreBounded(t *testing.T) {
	var tasks []string
	for i := range 50 {
		tasks = append(tasks, fmt.Sprintf(`{"id":"shop_api.%d","state":"TASK_RUNNING","labels":[{"key":"DCOS_SPACE","value":"/shop/api"},{"key":"team","value":"shop"}]}`, i))
	}
	for i := range 50 {
		tasks = append(tasks, fmt.Sprintf(`{"id":"unique.%d","state":"TASK_RUNNING","labels":[{"key":"build","value":"%0200d"}]}`, i, i))
	}
	state := `{"id":"m","pid":"master@10.0.0.1:5050","frameworks":[{"id":"fw","name":"marathon","active":true,"tasks":[` + strings.Join(tasks, ",") + `]}]}`
	defer func(n int64) { maxLabelBytes = n }(maxLabelBytes)
	maxLabelBytes = 40 * (24 + 32 + 5 + 203)
	st, err := decodeMesosState(strings.NewReader(state))
	if err != nil {
		t.Fatal(err)
	}
	first := st.Tasks[0].Labels
	for _, tk := range st.Tasks[:50] {
		if tk.Labels != first {
			t.Fatalf("%s: its app's labels not shared", tk.ID)
		}
	}
	without := 0
	for _, tk := range st.Tasks[50:] {
		if tk.Labels == nil {
			without++
		}
	}
	if len(st.Tasks) != 100 || without == 0 || without != st.LabelsDropped {
		t.Errorf("%d tasks, %d without labels, %d counted", len(st.Tasks), without, st.LabelsDropped)
	}
	if e := droppedError(st); !strings.Contains(e, fmt.Sprintf("%d tasks listed without their labels", without)) {
		t.Errorf("error %q", e)
	}
}

// TestLabelListsDoNotCollide: two tasks whose labels would read alike if
// keys and values were only joined (a NUL in a value) keep their own.
func TestLabelListsDoNotCollide(t *testing.T) {
	state := `{"id":"m","pid":"master@10.0.0.1:5050","frameworks":[{"id":"fw","name":"marathon","active":true,"tasks":[` +
		`{"id":"one","state":"TASK_RUNNING","labels":[{"key":"a","value":"b"},{"key":"c","value":"d"}]},` +
		`{"id":"two","state":"TASK_RUNNING","labels":[{"key":"a","value":"b\u0000c\u0000d"}]}]}]}`
	st, err := decodeMesosState(strings.NewReader(state))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, tk := range st.Tasks {
		got[tk.ID] = len(tk.LabelList())
	}
	if got["one"] != 2 || got["two"] != 1 {
		t.Errorf("labels per task %v, want one 2, two 1", got)
	}
}
