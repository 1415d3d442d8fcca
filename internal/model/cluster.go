package model

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Cluster is what the orchestrator last learned from Mesos and Marathon.
// The snapshot carries the last good one; Stale and Errors say how old it is
// and why it could not be refreshed.
type Cluster struct {
	Time        time.Time   `json:"time"`               // when this state was fetched
	Leader      string      `json:"leader,omitempty"`   // Mesos leader URL, credentials removed
	Marathon    string      `json:"marathon,omitempty"` // Marathon URL, credentials removed
	AgentID     string      `json:"agent_id,omitempty"` // this node's Mesos agent id, when found
	Frameworks  []Framework `json:"frameworks"`
	Tasks       []Task      `json:"tasks"`
	Groups      []Group     `json:"groups"`
	Apps        []App       `json:"apps"`
	Stale       bool        `json:"stale"`
	Errors      []string    `json:"errors,omitempty"`
	HasMesos    bool        `json:"has_mesos"`
	HasMarathon bool        `json:"has_marathon"`

	// MarathonFrameworkID is the Mesos framework id of the Marathon polled
	// (its /v2/info), so views can tell which framework owns the groups.
	MarathonFrameworkID string `json:"marathon_framework_id,omitempty"`

	// AgentRead says this node's Mesos agent answered the poll that Tasks
	// come from: only then may a container of this node that no task
	// names be called an orphan. AgentExecutors are the container ids of
	// that agent's live executors.
	AgentRead      bool     `json:"agent_read,omitempty"`
	AgentExecutors []string `json:"agent_executors,omitempty"`

	// Agents are the Mesos agents read with --cluster, so the agents view
	// can show each one's allocation and whether it answered; nil otherwise.
	Agents []Agent `json:"agents,omitempty"`
}

// Agent is one Mesos agent as the cluster-wide source last saw it. Its
// used CPU and memory are the sums of its containers (ContainerSample.Agent
// equals Name).
type Agent struct {
	ID   string `json:"id"`
	Name string `json:"name"` // host name; host:port when several agents share a host
	PID  string `json:"pid"`  // "slave(1)@10.0.3.46:5051"
	// Resources and allocation from the master, in cores and bytes.
	CPUs              float64 `json:"cpus"`
	CPUsAllocated     float64 `json:"cpus_allocated"`
	MemBytes          float64 `json:"mem_bytes"`
	MemAllocatedBytes float64 `json:"mem_allocated_bytes"`
	Active            bool    `json:"active"`
	TasksRunning      int     `json:"tasks_running"` // from the master's task list
	Executors         int     `json:"executors"`     // in its last good answer
	// LastOK is when it last answered /monitor/statistics; zero if never.
	LastOK time.Time `json:"last_ok,omitzero"`
	// Error is why its last request failed ("" when it answered); its rows
	// then carry the last good counters, marked stale.
	Error string `json:"error,omitempty"`
	Stale bool   `json:"stale"`
}

// Framework is a Mesos framework.
type Framework struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Active       bool   `json:"active"`
	TasksRunning int    `json:"tasks_running"` // cluster-wide
	WebUIURL     string `json:"webui_url,omitempty"`
}

// Task is a Mesos task. A master lists 100,000 of them, and while its
// state is read again the last one is still shown: what nearly every task
// of a master lacks (an executor id, a reason, a message, a sandbox, a
// history) is behind one pointer, Detail, which made a task 192 bytes
// instead of 272. Its JSON is the same as with every field in the task.
type Task struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	FrameworkID string `json:"framework_id"`
	State       string `json:"state"`
	AgentID     string `json:"agent_id"`
	AgentHost   string `json:"agent_host"`
	// ContainerIDs are statuses[].container_status.container_id.value.
	ContainerIDs []string `json:"container_ids,omitempty"`
	// Ports are the ports of its agent it was given (its ports resource,
	// "31000/tcp"): on the agent's own network it binds them.
	Ports []string `json:"ports,omitempty"`
	// StateSince is the time of the latest status; zero when the master
	// gave none.
	StateSince time.Time `json:"state_since,omitzero"`
	// Labels are the task's own (TaskInfo's labels; Marathon copies its
	// app's there), not its statuses' or its discovery info's; nil for
	// none. A pointer: tasks share their app's list, and a slice here
	// would cost each of 100,000 tasks 16 bytes more.
	Labels *Labels `json:"labels,omitempty"`
	// detail is nil for a task that has none (see Detail); once set it
	// is never changed, so tasks of two reads of a state may share it.
	detail *TaskDetail
	// Finished is true for a task from a framework's completed_tasks or
	// unreachable_tasks: the master remembers it, nothing of it runs.
	Finished bool `json:"finished,omitempty"`
}

// TaskDetail is what few tasks of a master have: an agent's state gives
// its tasks' executors and sandboxes, a failed task's statuses their
// history.
type TaskDetail struct {
	ExecutorID string `json:"executor_id,omitempty"`
	// History is its statuses, oldest first, where the answer carries
	// them (an agent's or master's state keeps state and time only; the
	// message and reason of each come from the v1 operator API).
	History []TaskStatus `json:"history,omitempty"`
	// Reason and Message are the latest status's, when known: a Mesos
	// master's state does not carry them, Marathon's lastTaskFailure
	// gives the message of each app's latest failure.
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// Sandbox is the task's executor's sandbox directory on this node
	// (the agent state's executors[].directory); "" when this node's
	// agent did not say.
	Sandbox string `json:"sandbox,omitempty"`
}

// IsZero says whether d holds nothing.
func (d *TaskDetail) IsZero() bool {
	return d.ExecutorID == "" && len(d.History) == 0 && d.Reason == "" && d.Message == "" && d.Sandbox == ""
}

// Detail is the task's executor id, history, reason, message and
// sandbox; all empty for a task that has none.
func (t *Task) Detail() TaskDetail {
	if t.detail == nil {
		return TaskDetail{}
	}
	return *t.detail
}

// SetDetail sets them. The task's earlier detail is left as it was:
// another task may share it.
func (t *Task) SetDetail(d TaskDetail) {
	if d.IsZero() {
		t.detail = nil
		return
	}
	t.detail = &d
}

// WithDetail is t with detail d.
func (t Task) WithDetail(d TaskDetail) Task {
	t.SetDetail(d)
	return t
}

// ShareDetail makes t hold p's detail when the two are equal, so that
// t's copy is garbage at once (a state read again while the last is
// shown).
func (t *Task) ShareDetail(p *Task) {
	if t.detail == nil || p.detail == nil || t.detail == p.detail {
		return
	}
	a, b := t.detail, p.detail
	if a.ExecutorID == b.ExecutorID && a.Reason == b.Reason && a.Message == b.Message && a.Sandbox == b.Sandbox && slices.Equal(a.History, b.History) {
		t.detail = p.detail
	}
}

// taskJSON is Task's JSON, every field at the task's level as before
// Detail, in the same order.
type taskJSON struct {
	ID           string       `json:"id"`
	Name         string       `json:"name"`
	FrameworkID  string       `json:"framework_id"`
	State        string       `json:"state"`
	AgentID      string       `json:"agent_id"`
	AgentHost    string       `json:"agent_host"`
	ContainerIDs []string     `json:"container_ids,omitempty"`
	ExecutorID   string       `json:"executor_id,omitempty"`
	Ports        []string     `json:"ports,omitempty"`
	History      []TaskStatus `json:"history,omitempty"`
	Finished     bool         `json:"finished,omitempty"`
	StateSince   time.Time    `json:"state_since,omitzero"`
	Reason       string       `json:"reason,omitempty"`
	Message      string       `json:"message,omitempty"`
	Sandbox      string       `json:"sandbox,omitempty"`
	Labels       *Labels      `json:"labels,omitempty"`
}

// MarshalJSON writes the task with its detail's fields among its own.
func (t Task) MarshalJSON() ([]byte, error) {
	d := t.Detail()
	return json.Marshal(taskJSON{ID: t.ID, Name: t.Name, FrameworkID: t.FrameworkID, State: t.State, AgentID: t.AgentID, AgentHost: t.AgentHost,
		ContainerIDs: t.ContainerIDs, ExecutorID: d.ExecutorID, Ports: t.Ports, History: d.History, Finished: t.Finished, StateSince: t.StateSince,
		Reason: d.Reason, Message: d.Message, Sandbox: d.Sandbox, Labels: t.Labels})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (t *Task) UnmarshalJSON(b []byte) error {
	var j taskJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*t = Task{ID: j.ID, Name: j.Name, FrameworkID: j.FrameworkID, State: j.State, AgentID: j.AgentID, AgentHost: j.AgentHost,
		ContainerIDs: j.ContainerIDs, Ports: j.Ports, Finished: j.Finished, StateSince: j.StateSince, Labels: j.Labels}
	t.SetDetail(TaskDetail{ExecutorID: j.ExecutorID, History: j.History, Reason: j.Reason, Message: j.Message, Sandbox: j.Sandbox})
	return nil
}

// LabelList is the task's labels, nil for none.
func (t *Task) LabelList() Labels {
	if t.Labels == nil {
		return nil
	}
	return *t.Labels
}

// TaskStatus is one status update of a task.
type TaskStatus struct {
	State   string    `json:"state"`
	At      time.Time `json:"at,omitzero"`
	Reason  string    `json:"reason,omitempty"`
	Message string    `json:"message,omitempty"`
	Source  string    `json:"source,omitempty"` // SOURCE_EXECUTOR, SOURCE_AGENT, SOURCE_MASTER
}

// StaleFor says how old the last good answer of a source is, in the words
// every error line uses: "stale 34 s" (whole seconds), as in
// "marathon: connection refused (stale 34 s)".
func StaleFor(age time.Duration) string {
	return fmt.Sprintf("stale %d s", int(age.Seconds()))
}

// Group is a Marathon group; ID is its path ("/", "/shop", "/shop/db").
type Group struct {
	ID     string `json:"id"`
	Parent string `json:"parent"` // "" for the root
}

// ParentGroup is a Marathon id's parent group: "/a/b/app" → "/a/b",
// "/app" → "/", "/" → "". An id without its leading slash, or with a
// trailing one, is read as Marathon reads it ("a/b/" is "/a/b").
func ParentGroup(id string) string {
	if !strings.HasPrefix(id, "/") {
		id = "/" + id
	}
	id = strings.TrimSuffix(id, "/")
	if id == "" {
		return "" // the root has none
	}
	i := strings.LastIndexByte(id, '/')
	if i <= 0 {
		return "/"
	}
	return id[:i]
}

// App is a Marathon app; Group is its id's parent path.
type App struct {
	ID           string   `json:"id"`
	Group        string   `json:"group"`
	Instances    int      `json:"instances"`
	TasksRunning int      `json:"tasks_running"`
	TasksHealthy int      `json:"tasks_healthy"`
	TaskIDs      []string `json:"task_ids,omitempty"`
	// Constraints are its placement constraints ("hostname:UNIQUE").
	Constraints []string `json:"constraints,omitempty"`
	// Ports are the ports of an agent its tasks need ("6379/tcp"): its
	// portDefinitions when it requires them (requirePorts), which
	// Marathon then launches only where they are free.
	Ports []string `json:"ports,omitempty"`
	// DelayS is how long the launch queue still holds it back (its
	// backoff delay's timeLeftSeconds); nil when not delayed or unknown.
	DelayS *float64 `json:"delay_s,omitempty"`
	// What Marathon says of the app's trouble; nil where the answer did
	// not say (an old Marathon, a counter it lacks, no /v2/queue).
	TasksStaged    *int `json:"tasks_staged,omitempty"`
	TasksUnhealthy *int `json:"tasks_unhealthy,omitempty"`
	Deployments    *int `json:"deployments,omitempty"` // deployments under way
	// Delayed is true while the launch queue holds the app back (its
	// backoff delay has time left); nil when the queue was not read.
	Delayed *bool `json:"delayed,omitempty"`
	// LastFailure is lastTaskFailure's message (its state when the message
	// is empty), LastFailureAt its time, LastFailureTask its task id.
	LastFailure     string    `json:"last_failure,omitempty"`
	LastFailureAt   time.Time `json:"last_failure_at,omitzero"`
	LastFailureTask string    `json:"last_failure_task,omitempty"`
	// Queue is its entry in Marathon's launch queue: what it still has to
	// launch and what became of the offers it was made; nil when the
	// queue does not hold it or was not read.
	Queue *LaunchQueue `json:"queue,omitempty"`
	// Labels are the app definition's labels.
	Labels Labels `json:"labels,omitempty"`
}

// ClusterNeeds says what of the cluster a view shows beyond this node's
// own tasks, so that the orchestrator asks the cluster only for that: a
// production master's state is 50-200 MB.
type ClusterNeeds uint8

// What a view may need.
const (
	// NeedMesosTasks: every task of the cluster, and its frameworks (the
	// master's whole state).
	NeedMesosTasks ClusterNeeds = 1 << iota
	// NeedMarathon: Marathon's groups and apps.
	NeedMarathon
	// NeedMarathonEvents: Marathon's event stream (/v2/events).
	NeedMarathonEvents
)
