package ui

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
)

// TestSearchFindsRowsOfTheNewestSnapshot: incremental search (/) moves the
// cursor to the first row that shows the text, in any cell and in any
// case; a text no row shows leaves it where it is and says so; when a
// refresh brings a row that shows a text that matched nothing before,
// searching again (Ctrl-F) finds it.
func TestSearchFindsRowsOfTheNewestSnapshot(t *testing.T) {
	h := start(t, 140, 20, Options{})
	h.waitText("job-1")
	h.waitText("1/3") // db-1, the busiest

	h.runes("/JOB")
	h.waitFor("job-1 selected, /JOB", func(s string) bool { return strings.Contains(s, "3/3") && strings.Contains(s, "/JOB") })
	h.key(tcell.KeyEnter)
	h.runes("/") // opens on the last text
	for range "JOB" {
		h.key(tcell.KeyBackspace2)
	}
	h.runes("zebra")
	h.waitFor("the search line", func(s string) bool { return strings.Contains(s, "/zebra") })
	h.key(tcell.KeyEnter)
	h.key(tcell.KeyCtrlF)
	s := h.waitText(`no row matches "zebra"`)
	if !strings.Contains(s, "3/3") {
		t.Fatalf("a search that matches nothing should leave the cursor:\n%s", s)
	}

	next := testSnapshot()
	next.Containers[0].Name = "zebra-web" // web-1, 12.5%: second row
	h.feed.publish(next)
	h.waitText("zebra-web")
	h.key(tcell.KeyCtrlF)
	h.waitFor("zebra-web selected", func(s string) bool { return strings.Contains(s, "2/3") })
}

// TestSearchFormatsEachRowOncePerSnapshot: at every key of an incremental
// search the screen looks for the text in what every row shows. Each
// cell's text is worked out once for the rows of a snapshot, not at every
// key: a key that matches no row of 3,000 allocates (formats) next to
// nothing once the first key has been through them (a string a row).
func TestSearchFormatsEachRowOncePerSnapshot(t *testing.T) {
	const n = 3000
	snap := testSnapshot()
	base := snap.Containers[2]
	for i := 0; i < n-3; i++ {
		c := base
		sample := *base.ContainerSample // a row refers to its own sample
		c.ContainerSample = &sample
		c.ID = fmt.Sprintf("%064x", i+1000)
		c.Name = fmt.Sprintf("svc-%d", i)
		c.CPUPct = float64(i%97) / 10
		c.Mem.Used = uint64(i) << 20
		snap.Containers = append(snap.Containers, c)
	}
	h := start(t, 160, 30, Options{Feed: newFakeFeed(snap)})
	h.waitText(fmt.Sprintf("/%d", n))

	var mallocs []uint64
	var found []bool
	h.app.app.QueueUpdateDraw(func() {
		var m runtime.MemStats
		for _, text := range []string{"zebra", "zebras", "qqq", "XYZ", "svc-2990"} {
			runtime.ReadMemStats(&m)
			before := m.Mallocs
			ok := h.app.findNext(text, 0)
			runtime.ReadMemStats(&m)
			mallocs = append(mallocs, m.Mallocs-before)
			found = append(found, ok)
		}
	})
	if found[0] || found[1] || found[2] || found[3] || !found[4] {
		t.Fatalf("found %v, want only svc-2990", found)
	}
	t.Logf("allocations by key: %v", mallocs)
	if mallocs[0] < n/2 {
		t.Fatalf("the first search should make the %d rows' text: %d allocations", n, mallocs[0])
	}
	for i, m := range mallocs[1:] {
		if m > n/10 {
			t.Errorf("key %d after the first: %d allocations for %d rows, want them formatted once (first key: %d)", i+2, m, n, mallocs[0])
		}
	}
	h.waitText("svc-2990")
}
