package logs

import (
	"context"
	"testing"
	"time"
)

// run streams src in the background; lines arrive on the returned channel
// and the Stream error on done.
func run(t *testing.T, src Source, tail int, follow bool) (ctx context.Context, lines chan Line, done chan error, stop func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	lines = make(chan Line, 100000)
	done = make(chan error, 1)
	go func() { done <- src.Stream(ctx, tail, follow, lines) }()
	t.Cleanup(cancel)
	return ctx, lines, done, cancel
}

// collect reads n lines or fails after wait.
func collect(t *testing.T, lines <-chan Line, n int, wait time.Duration) []Line {
	t.Helper()
	var got []Line
	deadline := time.After(wait)
	for len(got) < n {
		select {
		case l := <-lines:
			got = append(got, l)
		case <-deadline:
			t.Fatalf("got %d of %d lines in %v: %v", len(got), n, wait, texts(got))
		}
	}
	return got
}

// drain returns every line sent until the stream returned, and its error.
func drain(t *testing.T, lines chan Line, done chan error, wait time.Duration) ([]Line, error) {
	t.Helper()
	var got []Line
	deadline := time.After(wait)
	for {
		select {
		case l := <-lines:
			got = append(got, l)
		case err := <-done:
			for {
				select {
				case l := <-lines:
					got = append(got, l)
				default:
					return got, err
				}
			}
		case <-deadline:
			t.Fatalf("stream did not end in %v; lines so far %v", wait, texts(got))
		}
	}
}

func texts(ls []Line) []string {
	var s []string
	for _, l := range ls {
		s = append(s, l.Text)
	}
	return s
}

func byStream(ls []Line, stream string) []string {
	var s []string
	for _, l := range ls {
		if l.Stream == stream {
			s = append(s, l.Text)
		}
	}
	return s
}
