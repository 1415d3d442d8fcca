package logfeed

import (
	"context"
	"errors"
	"fmt"
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

// logFile is a real file with n numbered lines, and a function to append.
func logFile(t *testing.T, n int) (string, func(string)) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stdout")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	f.WriteString(b.String())
	return path, func(s string) { f.WriteString(s + "\n") }
}

func waitLines(t *testing.T, f *Feed, sc views.Scope, ok func([]views.LogLine) bool) []views.LogLine {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, status := f.Lines(nil, sc)
		if ok(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("lines %d, status %q", len(got), status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var scope = views.Scope{Kind: "container", ID: "c1"}

// The first Lines shows the last lines already; the ring never keeps more
// than MinKeep (or --tail) lines, numbered without gaps, and says how many
// older ones it dropped. (It said nothing: the screen showed 2000 lines as
// if they were the whole log.)
func TestFeedKeepsABoundedRing(t *testing.T) {
	path, write := logFile(t, 5000)
	f := New(func(context.Context, *model.Snapshot, views.Scope) (logs.Source, error) {
		return logs.File{Path: path, Std: logs.Stdout, Poll: 20 * time.Millisecond}, nil
	}, -1, true, false)
	defer f.Close()
	got, status := f.Lines(nil, scope)
	if len(got) != MinKeep || got[0].Text != "line 3001" || got[len(got)-1].Text != "line 5000" {
		t.Fatalf("first Lines: %d lines %q…, status %q", len(got), got[0].Text, status)
	}
	if want := "3000 older lines were dropped: the logs view holds the last 2000 lines and at most 128 MiB"; status != want {
		t.Errorf("status %q, want %q", status, want)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq != got[i-1].Seq+1 {
			t.Fatalf("seq %d after %d", got[i].Seq, got[i-1].Seq)
		}
	}
	write("line 5001")
	got = waitLines(t, f, scope, func(l []views.LogLine) bool { return l[len(l)-1].Text == "line 5001" })
	if len(got) != MinKeep || got[0].Text != "line 3002" {
		t.Errorf("after one more: %d lines from %q", len(got), got[0].Text)
	}
	if status := f.Status(nil, scope); !strings.HasPrefix(status, "3001 older lines were dropped") {
		t.Errorf("after one more: status %q", status)
	}
}

// The kept text is bounded in bytes as well as lines: 100 lines of 1 KiB
// with 16 KiB allowed keep the last 15, and the screen says the rest were
// dropped.
func TestFeedBoundsItsBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stdout")
	var b strings.Builder
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&b, "%04d %s\n", i, strings.Repeat("b", 1019))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f := New(func(context.Context, *model.Snapshot, views.Scope) (logs.Source, error) {
		return logs.File{Path: path, Std: logs.Stdout}, nil
	}, -1, false, false)
	f.MaxBytes = 16 << 10
	defer f.Close()
	got, status := f.Lines(nil, scope)
	held := 0
	for _, l := range got {
		held += len(l.Text)
	}
	if held > 16<<10 || len(got) != 16 || !strings.HasPrefix(got[0].Text, "0085 ") || got[0].Seq != 85 {
		t.Errorf("%d lines, %d bytes, first %.5q (seq %d): want the last 16 lines within 16 KiB", len(got), held, got[0].Text, got[0].Seq)
	}
	if want := "84 older lines were dropped: the logs view holds the last 2000 lines and at most 16 KiB"; status != want {
		t.Errorf("status %q, want %q", status, want)
	}
}

// In batch output (fresh) more lines between two refreshes than the feed
// holds are dropped, and that refresh says how many; the next one, with
// nothing lost, says nothing. (Following a busy log printed 2000 lines a
// refresh and dropped the rest without a word.)
func TestFreshSaysHowManyWereDropped(t *testing.T) {
	path, write := logFile(t, 3)
	f := New(func(context.Context, *model.Snapshot, views.Scope) (logs.Source, error) {
		return logs.File{Path: path, Std: logs.Stdout, Poll: 10 * time.Millisecond}, nil
	}, 10, true, true)
	defer f.Close()
	if got, status := f.Lines(nil, scope); len(got) != 3 || status != "" {
		t.Fatalf("first refresh: %d lines, %q", len(got), status)
	}
	var b strings.Builder
	for i := 4; i <= 5003; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	write(strings.TrimSuffix(b.String(), "\n"))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		f.cur.mu.Lock()
		seq := f.cur.seq
		f.cur.mu.Unlock()
		if seq == 5003 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("read %d lines of 5003", seq)
		}
	}
	got, _ := f.Lines(nil, scope)
	status := f.Status(nil, scope)
	if len(got) != MinKeep || got[0].Text != "line 3004" {
		t.Errorf("second refresh: %d lines from %q", len(got), got[0].Text)
	}
	if want := "3000 lines were dropped before they could be printed: the logs view holds at most 2000 lines and 128 MiB between refreshes"; status != want {
		t.Errorf("second refresh: status %q, want %q", status, want)
	}
	if got, status := f.Lines(nil, scope); len(got) != 0 || status != "" {
		t.Errorf("third refresh: %d lines, status %q", len(got), status)
	}
}

// A line of which only the start was kept ends with the cut mark once, in
// the feed (so that no refresh copies it to mark it) and in the view.
func TestCutLinesAreMarkedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stdout")
	if err := os.WriteFile(path, []byte("short\n"+strings.Repeat("c", 20000)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := New(func(context.Context, *model.Snapshot, views.Scope) (logs.Source, error) {
		return logs.File{Path: path, Std: logs.Stdout}, nil
	}, 10, false, false)
	defer f.Close()
	tb, err := views.Rows(&model.Snapshot{}, views.Query{View: "logs", Scope: []views.Scope{scope}, Logs: f})
	if err != nil || len(tb.Rows) != 2 {
		t.Fatalf("rows %v, %v", tb, err)
	}
	if text := tb.Rows[1].Values[2].(string); text != strings.Repeat("c", logs.MaxLine)+" [cut]" {
		t.Errorf("the long line: %d bytes ending %q", len(text), text[len(text)-12:])
	}
}

// fresh (batch output): each Lines gives only the lines not given before.
func TestFeedFreshGivesEachLineOnce(t *testing.T) {
	path, write := logFile(t, 10)
	f := New(func(context.Context, *model.Snapshot, views.Scope) (logs.Source, error) {
		return logs.File{Path: path, Std: logs.Stdout, Poll: 20 * time.Millisecond}, nil
	}, 3, true, true)
	defer f.Close()
	got, _ := f.Lines(nil, scope)
	if len(got) != 3 || got[0].Text != "line 8" {
		t.Fatalf("first: %+v", got)
	}
	if again, _ := f.Lines(nil, scope); len(again) != 0 {
		t.Errorf("nothing new, yet %+v", again)
	}
	write("line 11")
	write("line 12")
	var all []string
	waitLines(t, f, scope, func(l []views.LogLine) bool {
		for _, x := range l {
			all = append(all, x.Text)
		}
		return len(all) >= 2
	})
	if strings.Join(all, ",") != "line 11,line 12" {
		t.Errorf("new lines %q", all)
	}
}

// Another scope closes the open log; a log that cannot be opened or that
// ended says why, and what was read stays.
func TestFeedScopesAndEnds(t *testing.T) {
	path, _ := logFile(t, 4)
	var dead atomic.Bool
	var open []context.Context
	f := New(func(ctx context.Context, _ *model.Snapshot, sc views.Scope) (logs.Source, error) {
		open = append(open, ctx)
		if sc.ID == "none" {
			return nil, fmt.Errorf("docker container none: its log driver is \"none\": %w", logs.ErrNoLogs)
		}
		return logs.File{Path: path, Std: logs.Stdout, Poll: 20 * time.Millisecond, Alive: func() error {
			if dead.Load() {
				return errors.New("the container exited with code 1")
			}
			return nil
		}}, nil
	}, 100, true, false)
	defer f.Close()
	if got, _ := f.Lines(nil, scope); len(got) != 4 {
		t.Fatalf("%d lines", len(got))
	}
	if got, status := f.Lines(nil, views.Scope{Kind: "container", ID: "none"}); len(got) != 0 || !strings.Contains(status, `log driver is "none"`) {
		t.Errorf("a none driver: %v %q", got, status)
	}
	if open[0].Err() == nil {
		t.Error("the first log is still open after another scope was asked for")
	}
	f.Lines(nil, scope)
	dead.Store(true)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, status := f.Lines(nil, scope)
		if status != "" {
			if status != "the log ended: the container exited with code 1" || len(got) != 4 {
				t.Errorf("ended: %d lines, %q", len(got), status)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the end of the log was never said")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// In batch output (fresh) asking for the status between two refreshes
// takes no line: a line written after the rows were built comes with the
// next refresh. (The logs view asked for its errors through Lines, which
// counted as reading: a follow lost the lines written in between.)
func TestStatusTakesNoLines(t *testing.T) {
	path, write := logFile(t, 3)
	f := New(func(context.Context, *model.Snapshot, views.Scope) (logs.Source, error) {
		return logs.File{Path: path, Std: logs.Stdout, Poll: 10 * time.Millisecond}, nil
	}, 10, true, true)
	defer f.Close()
	if got, _ := f.Lines(nil, scope); len(got) != 3 {
		t.Fatalf("first refresh: %d lines, want 3", len(got))
	}
	write("line 4")
	// Wait until the feed has read line 4, asking only for the status.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if f.Status(nil, scope) != "" {
			t.Fatal("the log ended")
		}
		f.cur.mu.Lock()
		seq := f.cur.seq
		f.cur.mu.Unlock()
		if seq == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("line 4 was never read")
		}
	}
	if got, _ := f.Lines(nil, scope); len(got) != 1 || got[0].Text != "line 4" {
		t.Errorf("next refresh: %+v, want line 4", got)
	}
}

// slow is a log read once that sends its lines with pauses longer than
// quiet, the last past settle: an engine's log API on a loaded machine.
type slow struct{ gap time.Duration }

func (s slow) Stream(ctx context.Context, tail int, follow bool, out chan<- logs.Line) error {
	for i := 1; i <= 3; i++ {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(s.gap):
		}
		out <- logs.Line{Stream: logs.Stdout, Text: fmt.Sprintf("line %d", i)}
	}
	return nil
}

// A log read once (batch -n 1) is waited for to its end: its one refresh
// is all it prints. (It waited only for a pause of 200 ms or 2 s, so a
// slow engine's log printed without its last lines; found by CI.)
func TestReadOnceWaitsForTheEnd(t *testing.T) {
	f := New(func(context.Context, *model.Snapshot, views.Scope) (logs.Source, error) {
		return slow{gap: 800 * time.Millisecond}, nil
	}, 10, false, true)
	defer f.Close()
	got, status := f.Lines(nil, scope)
	var texts []string
	for _, l := range got {
		texts = append(texts, l.Text)
	}
	if strings.Join(texts, ",") != "line 1,line 2,line 3" || status != "" {
		t.Errorf("read once: %q, %q", texts, status)
	}
}
