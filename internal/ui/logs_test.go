package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/logfeed"
	"github.com/ctop-like/ctop-like/internal/logs"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// fileLogs sets a log feed whose every container's log is one file, and
// returns a function that appends a line to it.
func fileLogs(t *testing.T) (feed views.LogLines, opened *[]views.Scope, appendLine func(string)) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stdout")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	var scopes []views.Scope
	f2 := logfeed.New(func(_ context.Context, _ *model.Snapshot, sc views.Scope) (logs.Source, error) {
		scopes = append(scopes, sc)
		return logs.File{Path: path, Std: logs.Stdout}, nil
	}, 100, true, false)
	t.Cleanup(func() { f2.Close() })
	return f2, &scopes, func(s string) { fmt.Fprintln(f, s) }
}

// `l` on a container row opens its log, scoped to it: its lines, with
// escape sequences gone; a new line shows without a new snapshot and the
// cursor stays at the end; `/` searches the lines; Esc comes back to the
// container, still selected. A row without a log (a device) has no `l`.
func TestLogKeyOpensTheRowsLog(t *testing.T) {
	feed, opened, write := fileLogs(t)
	for i := 1; i <= 60; i++ {
		write(fmt.Sprintf("line %d", i))
	}
	write("\x1b]52;c;aGk=\x07\x1b[2Jbind: address in use")
	h := start(t, 120, 30, Options{Logs: feed})
	h.waitText("web-1")
	h.waitText("lLog")
	h.key(tcell.KeyDown)
	h.waitText("2/3")
	h.runes("l")
	h.waitText("Containers › web-1 › Logs")
	s := h.waitText("bind: address in use")
	if strings.Contains(s, "52;c") || strings.Contains(s, "[2J") {
		t.Errorf("escape sequences reached the screen:\n%s", s)
	}
	if len(*opened) != 1 || (*opened)[0].Kind != "container" {
		t.Errorf("opened %v, want the selected container's log", *opened)
	}
	if !strings.Contains(s, "61/61") {
		t.Errorf("the cursor is not on the last line:\n%s", s)
	}
	write("a new line")
	s = h.waitText("a new line")
	if !strings.Contains(s, "62/62") {
		t.Errorf("the cursor did not follow the new line:\n%s", s)
	}
	// Moved up, the cursor stays where the user put it.
	h.key(tcell.KeyUp)
	h.waitText("61/62")
	write("one more")
	// The line is read (63 lines) and the cursor stays on line 61.
	h.waitText("61/63")
	h.runes("/line 7")
	h.key(tcell.KeyEnter)
	h.waitText("7/63")

	h.key(tcell.KeyEscape)
	h.waitGone("› Logs")
	s = h.waitText("db-1")
	if !strings.Contains(s, "2/3") {
		t.Errorf("back in containers, web-1 is not selected:\n%s", s)
	}
	h.runes(":machine")
	h.key(tcell.KeyEnter)
	h.waitText("Machine")
	h.waitGone("lLog")
}

// w wraps a long line onto the rows below, and again cuts it; the key is
// offered only where the view wraps.
func TestWrapTogglesLongLines(t *testing.T) {
	feed, _, write := fileLogs(t)
	write("short")
	write("begin " + strings.Repeat("x", 200) + " THE-END")
	h := start(t, 100, 30, Options{Logs: feed})
	h.waitText("web-1")
	h.runes("l")
	h.waitText("begin xxx")
	if s := h.screen(); strings.Contains(s, "THE-END") {
		t.Fatalf("the long line is not cut before w:\n%s", s)
	}
	h.runes("w")
	s := h.waitText("THE-END")
	if !strings.Contains(line(s, "begin"), "begin xxx") {
		t.Errorf("the wrapped line does not start on its own row:\n%s", s)
	}
	write("after")
	h.waitText("after")
	h.runes("w")
	h.waitGone("THE-END")
	h.key(tcell.KeyEscape)
	h.waitGone("› Logs")
	h.runes("?")
	s = h.waitText("Help: Containers")
	if strings.Contains(s, "wrap long lines") {
		t.Errorf("help offers w where nothing wraps:\n%s", s)
	}
}
