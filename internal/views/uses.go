package views

import "sync/atomic"

// Uses are the node's figures that cost the collector most beyond the
// kernel's counters, which it reads only while something uses them:
//   - UsesListeners, what processes listen on (model's Listen): a walk of
//     every new process's descriptors and each network namespace's
//     socket tables. Used by a view with a ports column (containers,
//     processes) at every Rows, by Describe (a container's or process's
//     "listens on"), and by the port-conflict rule while the snapshot has
//     a row that wants a port of the node (a failed container with Wants,
//     a task of this node that failed or waits to start with ports, an
//     app below its instances that requires its ports): without such a
//     row the rule has nothing to judge. Its first conflict shows from the
//     refresh after the one where the wanting row appeared.
//   - UsesProcessIO, each process's /proc/<pid>/io (a pread per process
//     per refresh, as many as /proc/<pid>/stat): the processes view's disk
//     columns and Describe.
//   - UsesProcessFigures, what changes of each process: its
//     /proc/<pid>/stat (state, CPU times, threads, memory) and, with
//     UsesProcessIO, its io, a pread per process per refresh (3,000 at
//     500 containers: a third of such a refresh). Without it a pass only
//     lists the processes (model's NoFigures): the containers view takes
//     its figures from the cgroups. Used by the processes view and by
//     Describe of a process.
//   - UsesEventsOnTime, the events as they happen: while it is used, a
//     refresh waits (up to a bound) for the engines' event streams to tell
//     the exits of containers whose main process is gone, so the first
//     refresh after an engine said a container exited carries its death.
//     Used by the events view; a refresh of any other view keeps its
//     pace and the events come a refresh later at most.
//
// The recorder reads everything (cmd/ctop-like).
type Uses uint8

const (
	UsesListeners Uses = 1 << iota
	UsesProcessIO
	UsesEventsOnTime
	UsesProcessFigures
)

// usesHook is told what the views use.
var usesHook atomic.Pointer[func(Uses)]

// SetUsesHook makes the views tell f whenever they use one of Uses (nil:
// no one listens).
func SetUsesHook(f func(Uses)) {
	if f == nil {
		usesHook.Store(nil)
		return
	}
	usesHook.Store(&f)
}

// use tells the hook that u are used.
func use(u Uses) {
	if h := usesHook.Load(); h != nil && u != 0 {
		(*h)(u)
	}
}

// ViewUses is what a view shows of Uses, for the first refresh (0 for an
// unknown view).
func ViewUses(id string) Uses {
	if v := Get(id); v != nil {
		return v.Uses
	}
	return 0
}
