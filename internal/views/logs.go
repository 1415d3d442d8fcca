package views

import (
	"strconv"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// The logs view (DESIGN.md): a line of the log of the scoped container,
// Mesos task or process. Lines are not part of a snapshot: they come from
// the query's LogLines (the log feed), read when the view is built, so the
// view is Live (never cached) and Follow (the cursor stays at the end as
// lines come).
func init() {
	register(&View{
		ID:    "logs",
		Title: "Logs",
		Doc:   "a line of the log of the scoped container, Mesos task or process, oldest first",
		Columns: []Column{
			{ID: "time", Title: "TIME", Width: 24, Priority: 2},
			{ID: "stream", Title: "STREAM", Width: 6, Priority: 1},
			{ID: "text", Title: "TEXT", Width: 0, Escapes: true},
		},
		Rank:        8,
		Scopes:      []string{"container", "task", "pid"},
		NeedsScope:  true,
		Minimum:     []string{"time", "stream", "text"},
		NameColumns: []string{"text"},
		Build:       buildLogs,
		Live:        true,
		Follow:      true,
		Wrap:        true,
		Errors:      logErrors,
	})
}

// LogLine is one line of a log as the logs view shows it.
type LogLine struct {
	// Seq numbers the lines of one log from 1, in the order they were
	// read: the row's key, stable while the line is shown.
	Seq    uint64
	Time   time.Time // zero: unknown (a line that was in a file before it was opened)
	Stream string    // "stdout" or "stderr"
	Text   string    // untrusted: escape sequences still in it
	Cut    bool      // only part of a longer line; Text may end with its mark already
}

// LogLines is where the logs view reads a log: the log feed that the
// command opens and passes in Query.Logs. Lines returns the lines kept for the innermost scope (its
// log is opened on the first call for that scope) and, when the log cannot
// be read or has ended, why, in one sentence ("" while it is read).
type LogLines interface {
	Lines(s *model.Snapshot, scope Scope) (lines []LogLine, status string)
	// Status is Lines' status alone. It must not count as reading the
	// lines: batch output prints each line once, and a status asked after
	// the rows were built would otherwise swallow the lines that came in
	// between (a follow lost one line in about a hundred that way).
	Status(s *model.Snapshot, scope Scope) string
}

// logScope is the scope whose log the view shows: the innermost one, when
// it is a kind that has a log.
func logScope(scope []Scope) (Scope, bool) {
	if len(scope) == 0 {
		return Scope{}, false
	}
	sc := scope[len(scope)-1]
	switch sc.Kind {
	case "container", "task", "pid":
		return sc, true
	}
	return Scope{}, false
}

// readLog asks the query's log feed for its scope's lines.
func readLog(s *model.Snapshot, q Query) ([]LogLine, string) {
	sc, ok := logScope(q.Scope)
	if q.Logs == nil || !ok {
		return nil, ""
	}
	return q.Logs.Lines(s, sc)
}

// cutMark ends a line's text when only its beginning was kept.
const cutMark = " [cut]"

// buildLogs turns the scope's lines into rows: time (RFC 3339, null when
// unknown), stream, text.
func buildLogs(s *model.Snapshot, q Query) []Row {
	lines, _ := readLog(s, q)
	rows := make([]Row, 0, len(lines))
	for _, l := range lines {
		var at any
		if !l.Time.IsZero() {
			at = l.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		}
		text := l.Text
		if l.Cut && !strings.HasSuffix(text, cutMark) {
			text += cutMark
		}
		rows = append(rows, Row{Key: strconv.FormatUint(l.Seq, 10), Values: []any{at, l.Stream, text}})
	}
	return rows
}

// logErrors is why the scope's log cannot be read or ended, if it did.
func logErrors(s *model.Snapshot, q Query) []string {
	sc, ok := logScope(q.Scope)
	if !ok {
		return []string{"the logs view shows the log of one container, task or process: give --scope container=ID, task=ID or pid=PID, or press l on its row"}
	}
	if q.Logs != nil {
		if status := q.Logs.Status(s, sc); status != "" {
			return []string{status}
		}
	}
	return nil
}

// logTarget is where `l` goes from a row keyed by a container id, task id
// or pid.
func logTarget(kind string) func(r Row) (Target, bool) {
	return func(r Row) (Target, bool) {
		if r.Key == "" {
			return Target{}, false
		}
		return Target{View: "logs", Scope: Scope{Kind: kind, ID: r.Key}}, true
	}
}
