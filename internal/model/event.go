package model

import "time"

// Event is one thing that happened on the node or in its cluster — a
// container created, started, died, OOM-killed, restarted or paused, a
// process the OOM killer killed, a task that changed state, a Marathon
// deployment — with the object it is about, placed in the cluster, and
// its facts. It is a plain value: the events package gathers them from
// their sources and keeps the newest in a ring; the events view shows them.
type Event struct {
	// Seq numbers the events of one run from 1 in the order they were
	// kept: a row's key, and what batch output and a recording remember
	// as "printed" or "written".
	Seq uint64 `json:"seq"`
	// Time is when it happened, as its source says (Docker's event
	// time, the kernel log's, a task status's timestamp); when the
	// source does not say, when it was noticed.
	Time time.Time `json:"time"`
	// Kind is what happened, one word a filter can name: created,
	// started, died, oom, restarted, paused, unpaused, destroyed, health,
	// gone (a container); oom-kill (a process); task-running,
	// task-failed… (a Mesos task's new state, TASK_ cut off, lower case);
	// deployment-started, deployment-finished, deployment-failed.
	Kind string `json:"kind"`
	// Source is where it was heard: docker, podman, containerd, cgroup
	// (a container's own cgroup and its counters), kernel (the kernel
	// log), mesos, marathon.
	Source string `json:"source"`
	// ObjectKind is what the event is about: container, process, task,
	// app or deployment; Object names it for a person (a container's
	// name, "python3 (pid 4242)", a task's name, an app's id) and ID
	// finds it (a container's key, a pid, a task's id, an app's id, a
	// deployment's id).
	ObjectKind string `json:"object_kind"`
	Object     string `json:"object"`
	ID         string `json:"id,omitempty"`
	// Container is the key (ContainerSample.Key) of the container the
	// event is about or happened in, "" for none; Cgroup its cgroup, or
	// the killed process's.
	Container string `json:"container,omitempty"`
	Cgroup    string `json:"cgroup,omitempty"`
	Runtime   string `json:"runtime,omitempty"`
	Image     string `json:"image,omitempty"`
	// Cluster places the object: its framework, group, app and task.
	Cluster ClusterFields `json:"cluster"`
	// PID is the process an oom-kill killed.
	PID int `json:"pid,omitempty"`
	// ExitCode is a died container's exit code, when its source says.
	ExitCode *int `json:"exit_code,omitempty"`
	// Text is the facts in a few words ("exit code 137 after 3m12s",
	// "TASK_RUNNING → TASK_FAILED: Command exited with status 1").
	Text string `json:"text"`
	// Dedup names this occurrence the same way whichever source heard it
	// (a live stream and a history; Marathon's stream and a poll), so
	// that it is kept once; "" is never taken for another.
	Dedup string `json:"-"`
}

// Events is the timeline a snapshot carries: the newest events kept,
// oldest first, and how many older ones were let go. It is shared by the
// snapshots of a run and never modified once published.
type Events struct {
	List []Event `json:"list"`
	// Dropped counts the events let go: older ones the ring had no room
	// for, and those that came faster than a refresh could take.
	Dropped uint64 `json:"dropped,omitempty"`
	// Keep is how many events the ring holds.
	Keep int `json:"keep"`
}
