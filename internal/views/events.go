package views

import (
	"strconv"

	"github.com/ctop-like/ctop-like/internal/model"
)

// The events view (DESIGN.md; the screen's E): the node's and its
// cluster's timeline, newest first — a container that started, died with
// its exit code, was OOM-killed, restarted or paused; a process the OOM
// killer killed; a task's new state with its message; a Marathon
// deployment; an app's new failure. Enter goes to the row the event is
// about: its container, else its task, else its app. Batch output prints
// each event once (Stream): `-o json -n 0 -v events` is a feed.
func init() {
	register(&View{
		ID:    EventsView,
		Title: "Events",
		Doc:   "something that happened on this node or in its cluster: a container created, started, died (with its exit code), OOM-killed, restarted or paused, a process the OOM killer killed, a task's new state, a Marathon deployment or failure; newest first",
		Columns: []Column{
			{ID: "time", Title: "TIME", Width: 19, Clip: 19},
			{ID: "kind", Title: "KIND", Width: 12},
			{ID: "object", Title: "OBJECT", Width: 20, Explains: true},
			{ID: "runtime", Title: "RUNTIME", Null: "for an event about no container", Width: 10, Priority: 3},
			{ID: "framework", Title: "FRAMEWORK", Null: "for an event Mesos placed nowhere", Width: 12, Priority: 4},
			{ID: "app", Title: "APP", Null: "for an event no Marathon app placed", Width: 16, Priority: 2, KeepEnd: true},
			{ID: "task", Title: "TASK", Null: "for an event no Mesos task placed", Width: 16, Priority: 3},
			{ID: "text", Title: "TEXT", Width: 0, Escapes: true},
			{ID: "object_kind", Title: "ON", Width: 9, Priority: 5},
			{ID: "source", Title: "SOURCE", Width: 10, Priority: 5},
			{ID: "exit_code", Title: "EXIT", Null: "for an event that is no container's exit", Unit: UnitCount, Number: true, Width: 5, Priority: 4},
			{ID: "pid", Title: "PID", Null: "for an event about no process", Unit: UnitCount, Number: true, Width: 7, Priority: 5},
			{ID: "container", Title: "CONTAINER", Null: "for an event about no container", Width: 12, Clip: 12, Priority: 5},
			{ID: "task_id", Title: "TASK ID", Null: "for an event about no Mesos task", Width: 20, Priority: 6},
			{ID: "seq", Title: "SEQ", Unit: UnitCount, Number: true, Width: 6, Priority: 6},
		},
		Rank:        10,
		DefaultSort: "time",
		DefaultDesc: true,
		Key:         'E',
		KeyDoc:      "the events view: what happened, newest first; Enter goes to what it is about",
		Minimum:     []string{"time", "kind", "object", "runtime", "framework", "app", "task", "text"},
		NameColumns: []string{"object"},
		Build:       buildEvents,
		Needs:       model.NeedMarathonEvents,
		Uses:        UsesEventsOnTime,
		Drill:       eventDrill,
		Stream:      eventSeq,
		Wrap:        true,
		Errors: func(s *model.Snapshot, _ Query) []string {
			if s.Events != nil && s.Events.Dropped > 0 {
				return []string{"events: " + strconv.FormatUint(s.Events.Dropped, 10) + " older events were let go (the timeline keeps the newest " + strconv.Itoa(s.Events.Keep) + ")"}
			}
			return nil
		},
	})
}

// EventsView is the id of the events view.
const EventsView = "events"

// Where the columns that name an event's object are: Drill reads them.
const (
	evColObjectKind = 8
	evColContainer  = 12
	evColTaskID     = 13
	evColApp        = 5
	evColSeq        = 14
)

// buildEvents lists the snapshot's timeline, newest first.
func buildEvents(s *model.Snapshot, _ Query) []Row {
	if s.Events == nil {
		return nil
	}
	list := s.Events.List
	rows := make([]Row, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		e := &list[i]
		var exit, pid any
		if e.ExitCode != nil {
			exit = float64(*e.ExitCode)
		}
		if e.PID > 0 {
			pid = float64(e.PID)
		}
		ts := any(nil)
		if !e.Time.IsZero() {
			ts = e.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		}
		rows = append(rows, Row{
			Key:       strconv.FormatUint(e.Seq, 10),
			Attention: e.Kind == "oom" || e.Kind == "oom-kill" || (e.Kind == "died" && e.ExitCode != nil && *e.ExitCode != 0) || e.Kind == "task-failed" || e.Kind == "app-failed",
			Values: []any{
				ts, e.Kind, text(e.Object), text(e.Runtime), text(e.Cluster.Framework), text(e.Cluster.App), text(e.Cluster.Task),
				e.Text, text(e.ObjectKind), text(e.Source), exit, pid, text(e.Container), text(e.Cluster.TaskID), float64(e.Seq),
			},
		})
	}
	return rows
}

// eventDrill goes to the row the event is about: its container in the
// containers view, else its task, else its app.
func eventDrill(r Row) (Target, bool) {
	str := func(i int) string {
		s, _ := r.Values[i].(string)
		return s
	}
	kind := str(evColObjectKind)
	switch {
	case (kind == "task" || str(evColContainer) == "") && str(evColTaskID) != "":
		return Target{View: "mesos-tasks", Select: str(evColTaskID)}, true
	case str(evColContainer) != "":
		return Target{View: "containers", Select: str(evColContainer)}, true
	case str(evColApp) != "":
		return Target{View: "marathon-apps", Select: str(evColApp)}, true
	}
	return Target{}, false
}

// eventSeq is a row's place in the run's timeline.
func eventSeq(r Row) uint64 {
	f, _ := r.Values[evColSeq].(float64)
	return uint64(f)
}
