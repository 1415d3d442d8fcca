package views

import (
	"runtime"
	"testing"
	"weak"

	"github.com/ctop-like/ctop-like/internal/model"
)

// TestRowCacheLetsItsSnapshotGo: batch output prints a snapshot's rows
// and drops the snapshot. The row cache must not keep it alive until
// the next one is printed: at --cluster's 100,000 executors it held the
// snapshot's samples and rows (about 90 MB) through the whole next
// collection, the process's peak. A snapshot shown again is still found
// in the cache while its holder keeps it.
func TestRowCacheLetsItsSnapshotGo(t *testing.T) {
	for _, view := range []string{"agents", "containers"} {
		s := clusterSnap()
		s.Containers = []model.Container{{ContainerSample: &model.ContainerSample{ID: "c1", Name: "web", Runtime: model.RuntimeMesos, State: "running", RuntimeFields: &model.RuntimeFields{}}}}
		tb, err := Rows(s, Query{View: view})
		if err != nil || len(tb.Rows) == 0 {
			t.Fatalf("-v %s: %v, no rows", view, err)
		}
		w := weak.Make(s)
		s = nil
		runtime.GC()
		runtime.GC()
		if w.Value() != nil {
			t.Errorf("-v %s: the row cache keeps a snapshot its caller dropped", view)
		}
	}
}
