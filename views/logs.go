package views

import "github.com/ctop-like/ctop-like/model"

// The logs view (DESIGN.md): a line of the log of the scoped container,
// Mesos task or process. Its declaration is complete — menu rank, the
// scopes it opens in, its columns and their minimum — but its rows are
// empty until a source of log lines exists in the snapshot; the screen,
// batch output, -l and --scope take it as they take every other view.
func init() {
	register(&View{
		ID:    "logs",
		Title: "Logs",
		Columns: []Column{
			{ID: "time", Title: "TIME", Width: 19},
			{ID: "stream", Title: "STREAM", Width: 6, Priority: 1},
			{ID: "text", Title: "TEXT", Width: 0},
		},
		Rank:        8,
		Scopes:      []string{"container", "task", "pid"},
		Minimum:     []string{"time", "stream", "text"},
		NameColumns: []string{"text"},
		Build:       buildLogs,
	})
}

// buildLogs has no lines to show yet: no collector reads logs.
func buildLogs(_ *model.Snapshot, _ []Scope, _ bool) []Row { return nil }
