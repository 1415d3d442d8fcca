package clustergen

import (
	"embed"
	"encoding/json"
)

//go:embed shapes/*.json
var shapeFiles embed.FS

func load(name string) any {
	b, err := shapeFiles.ReadFile("shapes/" + name)
	if err != nil {
		panic("clustergen: " + err.Error())
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		panic("clustergen: " + name + ": " + err.Error())
	}
	return v
}

// The Mesos 1.8 master: its /master/state, one slave, one framework
// (Marathon's), one task and its statuses.
var (
	masterState = func() *tmpl {
		st := clone(load("master_state_mesos-1.8.0_container-id.json")).(map[string]any)
		for _, k := range []string{"id", "pid", "hostname", "leader", "leader_info.id", "leader_info.pid", "leader_info.hostname",
			"activated_slaves", "start_time", "elected_time", "slaves", "frameworks"} {
			set(st, k, hole(k))
		}
		return compile(st, "id", "pid", "hostname", "leader", "leader_info.id", "leader_info.pid", "leader_info.hostname",
			"activated_slaves", "start_time", "elected_time", "slaves", "frameworks")
	}()
	masterSlave = func() *tmpl {
		s := clone(get(load("master_state_mesos-1.8.0_container-id.json"), "slaves.0")).(map[string]any)
		names := []string{"id", "hostname", "pid", "registered_time", "used_resources.cpus", "used_resources.mem"}
		for _, k := range names {
			set(s, k, hole(k))
		}
		return compile(s, names...)
	}()
	masterFramework = func() *tmpl {
		var fw map[string]any
		for _, f := range get(load("master_state_mesos-1.8.0_container-id.json"), "frameworks").([]any) {
			if f.(map[string]any)["name"] == "marathon" {
				fw = clone(f).(map[string]any)
			}
		}
		names := []string{"id", "name", "webui_url", "registered_time", "tasks", "completed_tasks", "unreachable_tasks"}
		for _, k := range names {
			set(fw, k, hole(k))
		}
		return compile(fw, names...)
	}()
	masterTask = func() *tmpl {
		var t map[string]any
		for _, f := range get(load("master_state_mesos-1.8.0_container-id.json"), "frameworks").([]any) {
			if f.(map[string]any)["name"] == "marathon" {
				t = clone(get(f, "tasks.0")).(map[string]any)
			}
		}
		names := []string{"id", "name", "framework_id", "slave_id", "state", "statuses", "discovery.name"}
		for _, k := range names {
			set(t, k, hole(k))
		}
		return compile(t, names...)
	}()
	masterStatus = func() *tmpl {
		var s map[string]any
		for _, f := range get(load("master_state_mesos-1.8.0_container-id.json"), "frameworks").([]any) {
			if f.(map[string]any)["name"] == "marathon" {
				s = clone(get(f, "tasks.0.statuses.1")).(map[string]any)
			}
		}
		names := []string{"state", "timestamp", "container_status.container_id.value"}
		for _, k := range names {
			set(s, k, hole(k))
		}
		return compile(s, names...)
	}()
)

// The master's /master/state-summary (pair A's, Mesos 1.2): one slave, one
// framework with their task counts.
var (
	summary = func() *tmpl {
		s := clone(load("pairA_master_state-summary_mesos-1.2.0.json")).(map[string]any)
		names := []string{"hostname", "slaves", "frameworks"}
		for _, k := range names {
			set(s, k, hole(k))
		}
		return compile(s, names...)
	}()
	summarySlave = func() *tmpl {
		s := clone(get(load("pairA_master_state-summary_mesos-1.2.0.json"), "slaves.0")).(map[string]any)
		names := []string{"id", "pid", "hostname", "used_resources.cpus", "used_resources.mem", "TASK_RUNNING", "TASK_FINISHED", "TASK_KILLED", "TASK_FAILED", "framework_ids"}
		for _, k := range names {
			set(s, k, hole(k))
		}
		return compile(s, names...)
	}()
	summaryFramework = func() *tmpl {
		s := clone(get(load("pairA_master_state-summary_mesos-1.2.0.json"), "frameworks.0")).(map[string]any)
		names := []string{"id", "name", "webui_url", "TASK_RUNNING", "TASK_FINISHED", "TASK_KILLED", "TASK_FAILED", "slave_ids"}
		for _, k := range names {
			set(s, k, hole(k))
		}
		return compile(s, names...)
	}()
)

// agentShape is the state of an agent of one Mesos version: the whole
// state, its framework, executor, task and a task's status.
type agentShape struct {
	state, framework, executor, task, status *tmpl
	// withContainerStatus: statuses name the container (1.x), or only
	// executors do (0.22, 0.27).
	withContainerStatus bool
}

var agentShapes = map[string]*agentShape{
	"1.5.0":  newAgentShape("agent_state_mesos-1.5.0_docker-container-id.json", true),
	"0.27.0": newAgentShape("pairB_agent_state_mesos-0.27.0.json", false),
	"0.22.0": newAgentShape("pairC_agent_state_mesos-0.22.0.json", false),
}

func newAgentShape(file string, containerStatus bool) *agentShape {
	st := clone(load(file)).(map[string]any)
	fw := clone(get(st, "frameworks.0")).(map[string]any)
	ex := clone(get(fw, "executors.0")).(map[string]any)
	task := clone(get(ex, "tasks.0")).(map[string]any)
	statuses := get(task, "statuses").([]any)
	status := clone(statuses[len(statuses)-1]).(map[string]any)
	sh := &agentShape{withContainerStatus: containerStatus}

	top := []string{"id", "pid", "hostname", "master_hostname", "start_time", "frameworks"}
	for _, k := range top {
		set(st, k, hole(k))
	}
	sh.state = compile(st, top...)
	fwNames := []string{"id", "name", "executors"}
	for _, k := range fwNames {
		set(fw, k, hole(k))
	}
	sh.framework = compile(fw, fwNames...)
	exNames := []string{"id", "name", "source", "container", "directory", "tasks"}
	for _, k := range exNames {
		set(ex, k, hole(k))
	}
	sh.executor = compile(ex, exNames...)
	taskNames := []string{"id", "name", "framework_id", "slave_id", "statuses"}
	if get(task, "discovery.name") != nil {
		taskNames = append(taskNames, "discovery.name")
	}
	if get(task, "container.docker.parameters.0.value") != nil {
		taskNames = append(taskNames, "container.docker.parameters.0.value")
	}
	for _, k := range taskNames {
		set(task, k, hole(k))
	}
	sh.task = compile(task, taskNames...)
	stNames := []string{"timestamp"}
	if containerStatus {
		stNames = append(stNames, "container_status.container_id.value")
	}
	for _, k := range stNames {
		set(status, k, hole(k))
	}
	sh.status = compile(status, stNames...)
	return sh
}

// statistics is one executor of /monitor/statistics, in the shape of the
// Mesos docs' real output (network-port-mapping.md) without the members
// only the port-mapping and perf isolators add.
var statistics = func() *tmpl {
	e := clone(get(load("agent_monitor_statistics_mesos-docs_network-port-mapping.json"), "0")).(map[string]any)
	st := e["statistics"].(map[string]any)
	delete(st, "net_traffic_control_statistics")
	delete(st, "perf")
	names := []string{"executor_id", "executor_name", "framework_id", "source",
		"statistics.timestamp", "statistics.cpus_user_time_secs", "statistics.cpus_system_time_secs",
		"statistics.cpus_nr_periods", "statistics.cpus_nr_throttled", "statistics.cpus_throttled_time_secs",
		"statistics.mem_rss_bytes", "statistics.mem_total_bytes", "statistics.mem_anon_bytes",
		"statistics.net_rx_bytes", "statistics.net_rx_packets", "statistics.net_tx_bytes", "statistics.net_tx_packets"}
	for _, k := range names {
		set(e, k, hole(k))
	}
	return compile(e, names...)
}()

// Marathon: an app (pair A's /development/logging, which has every member
// the embeds add), an embedded task, a lastTaskFailure, a group and /v2/info.
var (
	marathonApp, marathonTask, marathonFailure *tmpl
	marathonGroup, marathonInfo                *tmpl
	// appEmbedded are the members of an app that only an embed adds.
	appEmbedded = []string{"tasks", "tasksStaged", "tasksRunning", "tasksHealthy", "tasksUnhealthy", "deployments", "lastTaskFailure", "taskStats"}
)

func init() {
	root := load("pairA_v2_groups_embed-tasks.json")
	var app map[string]any
	var walk func(g any)
	walk = func(g any) {
		for _, a := range get(g, "apps").([]any) {
			if a.(map[string]any)["id"] == "/development/logging" {
				app = clone(a).(map[string]any)
			}
		}
		for _, s := range get(g, "groups").([]any) {
			walk(s)
		}
	}
	walk(root)
	task := clone(get(app, "tasks.0")).(map[string]any)
	task["healthCheckResults"] = []any{get(task, "healthCheckResults.0")}
	tn := []string{"id", "slaveId", "host", "appId", "startedAt", "ipAddresses.0.ipAddress", "healthCheckResults.0.taskId"}
	for _, k := range tn {
		set(task, k, hole(k))
	}
	marathonTask = compile(task, tn...)
	fail := clone(app["lastTaskFailure"]).(map[string]any)
	fn := []string{"appId", "host", "message", "taskId", "slaveId"}
	for _, k := range fn {
		set(fail, k, hole(k))
	}
	marathonFailure = compile(fail, fn...)
	for _, k := range appEmbedded {
		delete(app, k)
	}
	an := []string{"id", "instances"}
	for _, k := range an {
		set(app, k, hole(k))
	}
	marathonApp = compile(app, an...)
	g := clone(root).(map[string]any)
	delete(g, "pods")
	gn := []string{"id", "apps", "groups"}
	for _, k := range gn {
		set(g, k, hole(k))
	}
	marathonGroup = compile(g, gn...)
	info := clone(load("marathon-docs_v2_info.json")).(map[string]any)
	in := []string{"frameworkId", "leader"}
	for _, k := range in {
		set(info, k, hole(k))
	}
	marathonInfo = compile(info, in...)
}
