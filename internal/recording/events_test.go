package recording

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/events"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// TestEventsRecorded: a recording keeps the run's timeline, so a replay's
// events view shows, at each record, what the live one showed then —
// across keyframes, with the oldest let go when the ring is full and the
// count of them, seeking backwards too; an event's secret is not
// recorded.
func TestEventsRecorded(t *testing.T) {
	snaps := snapshots(16, 3, 5, false, 2*time.Second)
	tl := events.New(events.Config{Keep: 6})
	var want []string
	for i, s := range snaps {
		if i%3 != 2 { // some refreshes hear nothing
			for j := 0; j < i%4; j++ {
				tl.Push(model.Event{Time: s.Time.Add(-time.Duration(j) * time.Millisecond), Kind: "died", Source: "docker", ObjectKind: "container",
					Object: fmt.Sprintf("web-%d-%d", i, j), Text: "exit code 1: curl https://user:hunter2@db/"})
			}
		}
		tl.Observe(s)
		want = append(want, printed(t, s, views.EventsView, "json"))
	}
	if d := snaps[len(snaps)-1].Events.Dropped; d == 0 {
		t.Fatalf("the ring never let an event go (%d kept)", len(snaps[len(snaps)-1].Events.List))
	}
	path := writeRecording(t, Header{Host: "node-1", Interval: 2 * time.Second, KeyframeEvery: 5}, snaps)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, i := range []int{0, 3, 4, 5, 9, 15, 14, 7, 1, 10, 11} {
		s, err := r.At(i)
		if err != nil {
			t.Fatal(err)
		}
		got := printed(t, s, views.EventsView, "json")
		if got != want[i] {
			t.Fatalf("record %d: replay shows\n%s\nlive showed\n%s", i, got, want[i])
		}
		if strings.Contains(got, "hunter2") {
			t.Fatalf("record %d: a secret replayed: %s", i, got)
		}
	}
}
