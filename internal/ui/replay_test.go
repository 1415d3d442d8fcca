package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/recording"
)

// replayFeed writes a recording of five snapshots 10 s apart, in which
// web-1's CPU is 10, 20, 30, 40, 50 %, and plays it back.
func replayFeed(t *testing.T) *recording.Replay {
	t.Helper()
	path := filepath.Join(t.TempDir(), "node.rec")
	start := time.Date(2026, 11, 22, 3, 12, 0, 0, time.UTC)
	w, err := recording.Create(path, recording.Header{Host: "node-7", Start: start, Interval: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		s := testSnapshot()
		s.Time = start.Add(time.Duration(i) * 10 * time.Second)
		s.Interval = 10 * time.Second
		s.Containers = []model.Container{s.Containers[0]}
		s.Containers[0].CPUPct = float64(10 * (i + 1))
		if err := w.Write(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := recording.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	rp := recording.NewReplay(r)
	rp.Pause(true)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go rp.Run(ctx)
	return rp
}

// replayHarness is start() for a replay feed (start's fake feed is not one).
func replayHarness(t *testing.T, rp *recording.Replay) *harness {
	t.Helper()
	t.Setenv("LANG", "C.UTF-8")
	scr := tcell.NewSimulationScreen("UTF-8")
	a, err := New(scr, Options{Feed: rp, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	scr.SetSize(120, 30)
	h := &harness{t: t, scr: scr, app: a, done: make(chan error, 1)}
	go func() { h.done <- a.Run() }()
	t.Cleanup(func() {
		a.Stop()
		<-h.done
	})
	return h
}

// cpuOfWeb is web-1's CPU% as the screen shows it, under the title.
func cpuOfWeb(s string) string {
	f := strings.Fields(line(s, "web-1"))
	for i, t := range strings.Fields(line(s, "CPU%")) {
		if strings.HasPrefix(t, "CPU%") && i < len(f) {
			return f[i]
		}
	}
	return ""
}

func TestReplayKeys(t *testing.T) {
	h := replayHarness(t, replayFeed(t))
	s := h.waitFor("the first snapshot", func(s string) bool {
		return strings.Contains(s, "Replay: node.rec 03:12:00 (1/5)") && strings.Contains(s, "web-1")
	})
	if !strings.Contains(s, "PAUSED") || cpuOfWeb(s) != "10.0" {
		t.Fatalf("replay starts paused at the first snapshot:\n%s", s)
	}

	h.key(tcell.KeyRight)
	h.waitText("(2/5)")
	h.waitFor("the second snapshot's figures", func(s string) bool { return cpuOfWeb(s) == "20.0" })

	h.key(tcell.KeyRight)
	h.key(tcell.KeyRight)
	h.waitText("03:12:30 (4/5)")
	h.key(tcell.KeyLeft)
	h.waitFor("one back", func(s string) bool { return strings.Contains(s, "(3/5)") && cpuOfWeb(s) == "30.0" })

	// A minute forward from 03:12:20 is past the end: the last snapshot.
	h.runes("]")
	h.waitFor("the end", func(s string) bool { return strings.Contains(s, "(5/5)") && cpuOfWeb(s) == "50.0" })
	h.runes("[")
	h.waitText("(1/5)")

	// g then a time of day.
	h.runes("g")
	h.waitText("Go to")
	h.runes("03:12:20")
	h.key(tcell.KeyEnter)
	h.waitFor("03:12:20", func(s string) bool { return strings.Contains(s, "03:12:20 (3/5)") && cpuOfWeb(s) == "30.0" })

	// p plays: it reaches the end by itself.
	h.runes("+++++")
	h.runes("p")
	h.waitFor("playback to the end", func(s string) bool { return strings.Contains(s, "(5/5)") && !strings.Contains(s, "PAUSED") })

	// Help lists the replay keys.
	h.runes("?")
	s = h.waitText("Help: ")
	for _, want := range []string{"one snapshot forward", "one minute back", "go to a time"} {
		if !strings.Contains(s, want) {
			t.Errorf("help lacks %q:\n%s", want, s)
		}
	}
}
