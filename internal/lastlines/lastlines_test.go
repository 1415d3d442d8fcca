package lastlines

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/logs"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// fileOpener opens the log of every container as a real file's lines
// (logs.File, the source of a Mesos task's sandbox), counting the opens.
func fileOpener(path string, opens *atomic.Int32) func(context.Context, *model.Snapshot, views.Scope) (logs.Source, error) {
	return func(_ context.Context, _ *model.Snapshot, sc views.Scope) (logs.Source, error) {
		opens.Add(1)
		if sc.Kind != "container" {
			return nil, errors.New("not a container")
		}
		return logs.File{Path: path, Std: logs.Stderr}, nil
	}
}

func exited(code int, since time.Time) *model.Container {
	c := &model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}}
	c.ID, c.Name, c.State, c.ExitCode, c.StateSince = "c1", "redis", "exited", &code, since
	return c
}

// TestLastLinesOfAStoppedContainer: the last lines that say something
// (trailing empty lines dropped), read once for the state it stopped in,
// again when it stops anew; batch output (wait) gets them at once, the
// screen (no wait) at the next refresh.
func TestLastLinesOfAStoppedContainer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stderr")
	body := "starting\n1:M * Ready to accept connections\nsome line\n# Could not create server TCP listening socket *:6379: bind: Address already in use\n\n\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var opens atomic.Int32
	s := &model.Snapshot{Time: time.Now()}
	c := exited(1, time.Now().Add(-time.Minute))

	screen := New(fileOpener(path, &opens), 0)
	defer screen.Close()
	if lines, status := screen.Last(s, c); lines != nil || status != "reading…" {
		t.Errorf("first ask on the screen: %v %q, want reading…", lines, status)
	}
	deadline := time.Now().Add(20 * time.Second)
	var lines []views.LogLine
	for time.Now().Before(deadline) {
		if lines, _ = screen.Last(s, c); lines != nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(lines) != 4 || !strings.Contains(lines[3].Text, "Address already in use") || lines[0].Text != "starting" || lines[3].Stream != logs.Stderr {
		t.Fatalf("lines %v", lines)
	}
	for i := 0; i < 5; i++ {
		screen.Last(s, c)
	}
	if n := opens.Load(); n != 1 {
		t.Errorf("%d reads of one stopped state, want 1", n)
	}
	// It ran again and stopped again: its log is read again.
	if err := os.WriteFile(path, []byte("second run\nfatal: out of luck\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c2 := exited(2, time.Now())
	batch := New(fileOpener(path, &opens), 20*time.Second)
	defer batch.Close()
	if lines, status := batch.Last(s, c2); len(lines) != 2 || lines[1].Text != "fatal: out of luck" {
		t.Errorf("batch: %v %q", lines, status)
	}
}

// TestLastLinesSaysWhyNone: a log that cannot be opened says why.
func TestLastLinesSaysWhyNone(t *testing.T) {
	r := New(func(context.Context, *model.Snapshot, views.Scope) (logs.Source, error) {
		return nil, logs.ErrNoLogs
	}, 20*time.Second)
	defer r.Close()
	if lines, status := r.Last(&model.Snapshot{}, exited(1, time.Time{})); lines != nil || status != logs.ErrNoLogs.Error() {
		t.Errorf("%v %q", lines, status)
	}
}
