package logs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func writeLines(t *testing.T, path string, from, to int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := from; i <= to; i++ {
		fmt.Fprintf(f, "line %d\n", i)
	}
}

func want(from, to int) []string {
	var s []string
	for i := from; i <= to; i++ {
		s = append(s, fmt.Sprintf("line %d", i))
	}
	return s
}

func TestFileTailGivesTheLastLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stdout")
	writeLines(t, path, 1, 5000)
	for _, tc := range []struct {
		tail     int
		from, to int
	}{{10, 4991, 5000}, {1, 5000, 5000}, {5000, 1, 5000}, {9000, 1, 5000}, {-1, 1, 5000}} {
		_, lines, done, _ := run(t, File{Path: path, Std: Stdout}, tc.tail, false)
		got, err := drain(t, lines, done, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(texts(got), want(tc.from, tc.to)) {
			t.Errorf("tail %d: got %d lines %q…", tc.tail, len(got), texts(got)[:min(3, len(got))])
		}
		for _, l := range got {
			if l.Stream != Stdout || !l.Time.IsZero() || l.Cut {
				t.Fatalf("tail %d: line %+v: want stdout, no time (it predates the reader), not cut", tc.tail, l)
			}
		}
	}
	// A last line without its newline is a line too.
	os.WriteFile(path, []byte("a\nb\nc"), 0o644)
	_, lines, done, _ := run(t, File{Path: path, Std: Stdout}, 2, false)
	if got, _ := drain(t, lines, done, 5*time.Second); !reflect.DeepEqual(texts(got), []string{"b", "c"}) {
		t.Errorf("unterminated last line: %q", texts(got))
	}
}

// A line of megabytes keeps MaxLine bytes, is marked cut, and the lines
// around it are intact.
func TestFileLongLineIsCut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stdout")
	big := strings.Repeat("x", 8<<20)
	os.WriteFile(path, []byte("before\n"+big+"\nafter\n"), 0o644)
	_, lines, done, _ := run(t, File{Path: path, Std: Stdout}, -1, false)
	got, err := drain(t, lines, done, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Text != "before" || got[2].Text != "after" {
		t.Fatalf("got %d lines", len(got))
	}
	if len(got[1].Text) != MaxLine || !got[1].Cut || got[0].Cut || got[2].Cut {
		t.Errorf("long line: %d bytes cut=%v; want %d bytes, cut", len(got[1].Text), got[1].Cut, MaxLine)
	}
}

// Binary output and escape sequences stay data: each run of invalid UTF-8 becomes
// one U+FFFD, ESC stays in the text for the terminal-safe printer to show.
func TestFileLinesAreData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stderr")
	os.WriteFile(path, []byte("\x1b[31mred\x1b[0m \xff\xfe end\r\n"), 0o644)
	_, lines, done, _ := run(t, File{Path: path, Std: Stderr}, 10, false)
	got, _ := drain(t, lines, done, 5*time.Second)
	if len(got) != 1 || got[0].Text != "\x1b[31mred\x1b[0m \uFFFD end" || got[0].Stream != Stderr {
		t.Errorf("got %+q", texts(got))
	}
}

// A gigabyte log is tailed from its end: a sparse 1 GiB file whose last
// lines were appended gives them in milliseconds, and one with no newline
// at all gives one cut line after reading at most tail×MaxLine bytes.
func TestFileTailGigabyteFromTheEnd(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "stdout")
	f, _ := os.Create(path)
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	writeLines(t, path, 1, 20)
	start := time.Now()
	_, lines, done, _ := run(t, File{Path: path, Std: Stdout}, 5, false)
	got, err := drain(t, lines, done, 10*time.Second)
	took := time.Since(start)
	if err != nil || !reflect.DeepEqual(texts(got), want(16, 20)) {
		t.Fatalf("tail 5 of 1 GiB: %q, %v", texts(got), err)
	}
	t.Logf("tail 5 lines of a 1 GiB file: %v", took)

	noNL := filepath.Join(dir, "zeros")
	f, _ = os.Create(noNL)
	f.Truncate(1 << 30)
	f.Close()
	start = time.Now()
	_, lines, done, _ = run(t, File{Path: noNL, Std: Stdout}, 5, false)
	got, err = drain(t, lines, done, 10*time.Second)
	t.Logf("tail 5 lines of 1 GiB without a newline: %v", time.Since(start))
	if err != nil || len(got) != 1 || !got[0].Cut || len(got[0].Text) != MaxLine {
		t.Fatalf("1 GiB without newline: %d lines, %v", len(got), err)
	}
}

func BenchmarkTailGigabyte(b *testing.B) {
	path := filepath.Join(b.TempDir(), "stdout")
	f, _ := os.Create(path)
	f.Truncate(1 << 30)
	f.Seek(0, io.SeekEnd)
	for i := 0; i < 200; i++ {
		fmt.Fprintf(f, "line %d\n", i)
	}
	f.Close()
	for i := 0; i < b.N; i++ {
		lines := make(chan Line, 200)
		if err := (File{Path: path, Std: Stdout}).Stream(b.Context(), 100, false, lines); err != nil || len(lines) != 100 {
			b.Fatal(err, len(lines))
		}
	}
}

// A followed file goes on through a rotation (rename + new file: the rest
// of the old one, then the new one from its start) and a truncation.
func TestFileFollowsRotationAndTruncation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "stdout")
	writeLines(t, path, 1, 3)
	_, lines, _, _ := run(t, File{Path: path, Std: Stdout, Poll: 20 * time.Millisecond}, 2, true)
	if got := collect(t, lines, 2, 5*time.Second); !reflect.DeepEqual(texts(got), want(2, 3)) {
		t.Fatalf("tail: %q", texts(got))
	}
	writeLines(t, path, 4, 5)
	got := collect(t, lines, 2, 5*time.Second)
	if !reflect.DeepEqual(texts(got), want(4, 5)) || got[0].Time.IsZero() {
		t.Fatalf("appended: %+v", got)
	}

	// Rotation: the writer's last lines go to the renamed file, then a new
	// file starts.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "line 6\n")
	f.Close()
	writeLines(t, path, 7, 8)
	if got := collect(t, lines, 3, 5*time.Second); !reflect.DeepEqual(texts(got), want(6, 8)) {
		t.Fatalf("after rotation: %q", texts(got))
	}

	// Truncation in place (copytruncate, `: > file`).
	time.Sleep(100 * time.Millisecond)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	writeLines(t, path, 9, 9)
	if got := collect(t, lines, 1, 5*time.Second); !reflect.DeepEqual(texts(got), want(9, 9)) {
		t.Fatalf("after truncation: %q", texts(got))
	}
}

// When its process ends, a followed file is read to the end and the stream
// ends with the reason.
func TestFileEndsWithReason(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stdout")
	writeLines(t, path, 1, 1)
	gone := make(chan struct{})
	alive := func() error {
		select {
		case <-gone:
			return errors.New("process 42 exited")
		default:
			return nil
		}
	}
	_, lines, done, _ := run(t, File{Path: path, Std: Stdout, Alive: alive, Poll: 20 * time.Millisecond}, 10, true)
	collect(t, lines, 1, 5*time.Second)
	writeLines(t, path, 2, 2)
	close(gone)
	got, err := drain(t, lines, done, 5*time.Second)
	var ended *EndedError
	if !errors.As(err, &ended) || ended.Reason != "process 42 exited" {
		t.Fatalf("err %v", err)
	}
	if !reflect.DeepEqual(texts(got), want(2, 2)) {
		t.Errorf("the last line written before the end is kept: %q", texts(got))
	}
}
