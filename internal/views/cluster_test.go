package views

import (
	"os"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
)

// pairASnapshot is a node (agent S1 of pair A) running three Marathon tasks,
// the Kafka broker, a container that only MARATHON_APP_ID places in a
// nested group, and a plain container.
func pairASnapshot(t *testing.T) *model.Snapshot {
	t.Helper()
	ms, err := os.Open("../orchestrator/testdata/mesos/pairA_master_state_mesos-1.2.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	mr, err := os.Open("../orchestrator/testdata/marathon/pairA_v2_groups_embed-tasks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer mr.Close()
	c, err := orchestrator.ParseCluster(ms, mr, "10.0.3.46", nil)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(id string, env map[string]string, cpu float64, mem uint64, rx float64) model.Container {
		return model.Container{
			ContainerSample: &model.ContainerSample{ID: id, Name: id, Runtime: model.RuntimeDocker, RuntimeFields: &model.RuntimeFields{Env: model.EnvOf(env)},
				Mem: model.CgroupMemory{Used: mem}, Net: &model.NetCounters{}},
			HasRates: true, CPUPct: cpu, NetRxBps: rx, NetTxBps: rx / 2,
		}
	}
	s := &model.Snapshot{
		Memory: model.Memory{Total: 1000},
		Containers: []model.Container{
			mk("log1", map[string]string{"MESOS_TASK_ID": "development_logging.a6f0bb45-c64b-11e6-9066-5a8a388c67a1"}, 10, 100, 1000),
			mk("log2", map[string]string{"MESOS_TASK_ID": "development_logging.b8d78e66-c64b-11e6-9066-5a8a388c67a1"}, 20, 200, 2000),
			mk("vol", map[string]string{"MESOS_TASK_ID": "mlunoe_volume-app.72a7640d-c643-11e6-9066-5a8a388c67a1"}, 5, 50, 0),
			mk("kafka", map[string]string{"MESOS_TASK_ID": "broker-0__110e02b3-b6a3-4979-be56-7e5535757ebf"}, 40, 400, 0),
			mk("api", map[string]string{"MARATHON_APP_ID": "/development/backend/api"}, 1, 10, 0),
			mk("plain", nil, 3, 30, 0),
		},
		Cluster: c,
	}
	orchestrator.Match(s, c)
	return s
}

func rowsByKey(t *testing.T, view string, s *model.Snapshot, scope []Scope, tree bool) (*View, map[string]Row, []Row) {
	t.Helper()
	v := Get(view)
	tab, err := Rows(s, Query{View: view, Scope: scope, Tree: tree})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]Row{}
	for _, r := range tab.Rows {
		if len(r.Values) != len(v.Columns) {
			t.Fatalf("row %s: %d values, %d columns", r.Key, len(r.Values), len(v.Columns))
		}
		for i, c := range v.Columns {
			if x := r.Values[i]; x != nil {
				if _, isNum := x.(float64); isNum != c.Number {
					t.Errorf("row %s column %s: %T", r.Key, c.ID, x)
				}
			}
		}
		m[r.Key] = r
	}
	return v, m, tab.Rows
}

func val(v *View, r Row, col string) any { return r.Values[v.Col(col)] }

func TestMarathonGroupsRollUp(t *testing.T) {
	s := pairASnapshot(t)
	v, rows, ordered := rowsByKey(t, "marathon-groups", s, nil, true)
	// Every group of Marathon, plus /development/backend implied by an env app.
	for _, g := range []string{"/", "/development", "/development/backend", "/mlunoe", "/production"} {
		if _, ok := rows[g]; !ok {
			t.Errorf("group %s missing", g)
		}
	}
	dev := rows["/development"]
	if got := val(v, dev, "containers"); got != 3.0 {
		t.Errorf("/development containers %v, want 3 (two logging + backend/api)", got)
	}
	if got := val(v, dev, "cpu_pct"); got != 31.0 {
		t.Errorf("/development cpu %v, want 31", got)
	}
	if got := val(v, dev, "apps"); got != 4.0 {
		t.Errorf("/development apps %v, want 4 (logging, sleep, web-service, backend/api)", got)
	}
	if got := val(v, dev, "mem_pct"); got != 31.0 {
		t.Errorf("/development mem%% %v, want 31", got)
	}
	if got := val(v, dev, "net_rx_bps"); got != 3000.0 {
		t.Errorf("/development rx %v", got)
	}
	root := rows["/"]
	// The root holds every Marathon container: not kafka (another framework), not plain.
	if got := val(v, root, "containers"); got != 4.0 {
		t.Errorf("/ containers %v, want 4", got)
	}
	if got := val(v, rows["/production"], "containers"); got != 0.0 {
		t.Errorf("/production containers %v, want 0", got)
	}
	if got := val(v, rows["/production"], "cpu_pct"); got != 0.0 {
		t.Errorf("/production cpu %v, want 0", got)
	}
	// Tree order: parent before children, with depth.
	var order []string
	for _, r := range ordered {
		order = append(order, r.Key)
	}
	want := []string{"/", "/development", "/development/backend", "/mlunoe", "/production"}
	if len(order) != len(want) {
		t.Fatalf("order %v", order)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v", order, want)
		}
	}
	if ordered[2].Depth != 2 || ordered[0].Depth != 0 {
		t.Errorf("depths %d %d", ordered[0].Depth, ordered[2].Depth)
	}
}

func TestMarathonGroupsScope(t *testing.T) {
	s := pairASnapshot(t)
	_, rows, ordered := rowsByKey(t, "marathon-groups", s, []Scope{{Kind: "group", ID: "/development"}}, true)
	if len(rows) != 2 || rows["/development"].Key == "" || rows["/development/backend"].Key == "" {
		t.Errorf("rows %v", rows)
	}
	if ordered[0].Depth != 0 || ordered[1].Depth != 1 {
		t.Errorf("relative depth %d %d", ordered[0].Depth, ordered[1].Depth)
	}
	// Drilled from the marathon framework: every group.
	_, rows, _ = rowsByKey(t, "marathon-groups", s, []Scope{{Kind: "framework", ID: "c116a0cf-3d63-45f5-898d-5bc2136e2c5b-0001"}}, false)
	if len(rows) != 5 {
		t.Errorf("framework scope: %d groups", len(rows))
	}
	_, rows, _ = rowsByKey(t, "marathon-groups", s, []Scope{{Kind: "framework", ID: "confluent-kafka"}}, false)
	if len(rows) != 0 {
		t.Errorf("kafka scope: %d groups", len(rows))
	}
}

func TestMarathonApps(t *testing.T) {
	s := pairASnapshot(t)
	v, rows, _ := rowsByKey(t, "marathon-apps", s, nil, false)
	if len(rows) != 9 { // 8 of Marathon + the env-only /development/backend/api
		t.Errorf("%d apps", len(rows))
	}
	lg := rows["/development/logging"]
	if val(v, lg, "instances") != 2.0 || val(v, lg, "tasks_running") != 2.0 || val(v, lg, "containers") != 2.0 || val(v, lg, "cpu_pct") != 30.0 || val(v, lg, "group") != "/development" {
		t.Errorf("logging %v", lg.Values)
	}
	// An app with nothing on this node is still listed, with 0.
	lb := rows["/lbexample"]
	if val(v, lb, "containers") != 0.0 || val(v, lb, "cpu_pct") != 0.0 || val(v, lb, "mem_bytes") != 0.0 {
		t.Errorf("lbexample %v", lb.Values)
	}
	api := rows["/development/backend/api"]
	if val(v, api, "instances") != nil || val(v, api, "containers") != 1.0 {
		t.Errorf("env-only app %v", api.Values)
	}
	_, rows, _ = rowsByKey(t, "marathon-apps", s, []Scope{{Kind: "group", ID: "/development"}}, false)
	if len(rows) != 4 {
		t.Errorf("group scope: %d apps", len(rows))
	}
	_, rows, _ = rowsByKey(t, "marathon-apps", s, []Scope{{Kind: "group", ID: "/dev"}}, false)
	if len(rows) != 0 {
		t.Errorf("/dev is not /development: %d apps", len(rows))
	}
}

func TestMesosFrameworks(t *testing.T) {
	s := pairASnapshot(t)
	v, rows, _ := rowsByKey(t, "mesos-frameworks", s, nil, false)
	if len(rows) != 3 {
		t.Fatalf("%d frameworks", len(rows))
	}
	mar := rows["c116a0cf-3d63-45f5-898d-5bc2136e2c5b-0001"]
	if val(v, mar, "tasks") != 4.0 || val(v, mar, "containers") != 3.0 || val(v, mar, "cpu_pct") != 35.0 || val(v, mar, "active") != "yes" {
		t.Errorf("marathon %v", mar.Values)
	}
	met := rows["c116a0cf-3d63-45f5-898d-5bc2136e2c5b-0000"]
	if val(v, met, "containers") != 0.0 || val(v, met, "cpu_pct") != 0.0 {
		t.Errorf("metronome %v", met.Values)
	}
	if tg, ok := v.Drill(mar); !ok || tg.View != "marathon-groups" {
		t.Errorf("marathon drills to %v", tg)
	}
	if tg, ok := v.Drill(rows["c116a0cf-3d63-45f5-898d-5bc2136e2c5b-0003"]); !ok || tg.View != "mesos-tasks" {
		t.Errorf("kafka drills to %v", tg)
	}
}

func TestMesosTasks(t *testing.T) {
	s := pairASnapshot(t)
	v, rows, _ := rowsByKey(t, "mesos-tasks", s, nil, false)
	if n := running(v, rows); n != 5 || len(rows) != 5+100 { // and the newest 100 finished ones
		t.Fatalf("%d tasks, %d running", len(rows), n)
	}
	b := rows["broker-0__110e02b3-b6a3-4979-be56-7e5535757ebf"]
	if val(v, b, "container_id") != "kafka" || val(v, b, "cpu_pct") != 40.0 || val(v, b, "framework") != "confluent-kafka" || val(v, b, "agent") != "10.0.3.46" {
		t.Errorf("broker %v", b.Values)
	}
	k := rows["confluent-kafka.4e941eb7-c642-11e6-9066-5a8a388c67a1"]
	if val(v, k, "container_id") != nil || val(v, k, "cpu_pct") != nil {
		t.Errorf("remote task %v", k.Values)
	}
	_, rows, _ = rowsByKey(t, "mesos-tasks", s, []Scope{{Kind: "framework", ID: "c116a0cf-3d63-45f5-898d-5bc2136e2c5b-0003"}}, false)
	if len(rows) != 1 {
		t.Errorf("kafka framework: %d tasks", len(rows))
	}
	_, rows, _ = rowsByKey(t, "mesos-tasks", s, []Scope{{Kind: "group", ID: "/development"}}, false)
	if n := running(v, rows); n != 2 || len(rows) < 3 {
		t.Errorf("group scope: %d tasks, %d running", len(rows), n)
	}
}

// running counts the rows in TASK_RUNNING.
func running(v *View, rows map[string]Row) int {
	n := 0
	for _, r := range rows {
		if val(v, r, "state") == "TASK_RUNNING" {
			n++
		}
	}
	return n
}

func TestClusterViewsWithoutCluster(t *testing.T) {
	s := &model.Snapshot{Containers: []model.Container{{ContainerSample: &model.ContainerSample{ID: "x", RuntimeFields: &model.RuntimeFields{}}}}}
	for _, id := range []string{"marathon-groups", "marathon-apps", "mesos-frameworks", "mesos-tasks"} {
		if _, rows, _ := rowsByKey(t, id, s, nil, true); len(rows) != 0 {
			t.Errorf("%s: %d rows", id, len(rows))
		}
	}
}
