package recording

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/batch"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// writeRecording writes snaps to a new recording in a temporary folder.
func writeRecording(t testing.TB, h Header, snaps []*model.Snapshot) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "node.rec")
	w, err := Create(path, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps {
		if err := w.Write(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func snapshots(n, nc, np int, cluster bool, d time.Duration) []*model.Snapshot {
	node := newFakeNode(1, nc, np, cluster)
	out := make([]*model.Snapshot, n)
	for i := range out {
		out[i] = node.next(d)
	}
	return out
}

// printed is what batch mode prints for a snapshot in a view.
func printed(t testing.TB, s *model.Snapshot, view, format string) string {
	t.Helper()
	var b bytes.Buffer
	p := &batch.Printer{Out: &b, Format: format, Query: views.Query{View: view}}
	if err := p.Print(s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// wholeJSON is the snapshot as JSON with env values dropped (a recording
// never holds them): what a replayed snapshot must equal.
func wholeJSON(t testing.TB, s *model.Snapshot) string {
	t.Helper()
	c := *s
	c.Containers = append([]model.Container(nil), s.Containers...)
	for i := range c.Containers {
		cs := *c.Containers[i].ContainerSample
		c.Containers[i].ContainerSample = &cs
		c.Containers[i].Env = c.Containers[i].Env.NamesOnly()
	}
	if s.Cluster != nil {
		cl := *s.Cluster
		cl.Leader, cl.Marathon = "http://master:5050", "http://marathon:8080"
		cl.Frameworks = append([]model.Framework(nil), cl.Frameworks...)
		cl.Frameworks[0].WebUIURL = "http://marathon:8080"
		c.Cluster = &cl
	}
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func checkSame(t *testing.T, r *Reader, i int, want *model.Snapshot) {
	t.Helper()
	got, err := r.At(i)
	if err != nil {
		t.Fatalf("At(%d): %v", i, err)
	}
	if !got.Time.Equal(want.Time) || !r.Time(i).Equal(want.Time) {
		t.Errorf("record %d: time %v (index %v), want %v", i, got.Time, r.Time(i), want.Time)
	}
	for _, v := range views.IDs() {
		for _, f := range []string{"json", "table"} {
			if g, w := printed(t, got, v, f), printed(t, want, v, f); g != w {
				k := 0
				for k < len(g) && k < len(w) && g[k] == w[k] {
					k++
				}
				t.Fatalf("record %d, view %s -o %s differs at byte %d:\nreplay: …%.300s\nlive:   …%.300s", i, v, f, k, g[max(0, k-100):], w[max(0, k-100):])
			}
		}
	}
	if g, w := wholeJSON(t, got), wholeJSON(t, want); g != w {
		t.Errorf("record %d: snapshot differs beyond the views:\nreplay: %.800s\nlive:   %.800s", i, g, w)
	}
}

func TestRoundTripThreeRefreshes(t *testing.T) {
	snaps := snapshots(3, 6, 40, true, 2*time.Second)
	path := writeRecording(t, Header{Host: "node-1", Interval: 2 * time.Second, Tool: "ctop-like test"}, snaps)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Len() != 3 || r.Warning() != "" {
		t.Fatalf("Len %d, warning %q", r.Len(), r.Warning())
	}
	if h := r.Header(); h.Host != "node-1" || h.Interval != 2*time.Second || h.Version != Version || h.KeyframeEvery != DefaultKeyframeEvery {
		t.Errorf("header %+v", h)
	}
	for i, s := range snaps {
		checkSame(t, r, i, s)
	}
	// Rows and figures the user compares, spelled out.
	got, _ := r.At(2)
	live, _ := views.Rows(snaps[2], views.Query{View: "containers"})
	back, _ := views.Rows(got, views.Query{View: "containers"})
	for i := range live.Rows {
		if live.Rows[i].Key != back.Rows[i].Key || live.Rows[i].Values[5] != back.Rows[i].Values[5] || live.Rows[i].Values[7] != back.Rows[i].Values[7] {
			t.Errorf("row %d: live %v replay %v", i, live.Rows[i].Values[:8], back.Rows[i].Values[:8])
		}
	}
	// Batch replay prints what live batch mode printed.
	var out, want bytes.Buffer
	p := &batch.Printer{Out: &out, Format: "json", Query: views.Query{View: "processes"}}
	if err := Print(r, p); err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps {
		want.WriteString(printed(t, s, "processes", "json"))
	}
	if out.String() != want.String() {
		t.Errorf("Print differs from live batch output")
	}
}

func TestRoundTripKeyframesAndDeltas(t *testing.T) {
	snaps := snapshots(23, 12, 150, true, 2*time.Second)
	// Churn the cluster and drop a field that was set: deltas must carry
	// removals too.
	snaps[9].Errors = []string{"marathon: http://marathon:8080: connection refused (stale 34 s)"}
	snaps[9].Cluster.Stale = true
	snaps[9].Cluster.Errors = snaps[9].Errors
	snaps[12].Cluster.Apps = snaps[12].Cluster.Apps[:3:3] // views append to Apps
	snaps[15].Containers = snaps[15].Containers[2:]
	snaps[16].Containers[1].Labels = nil
	snaps[16].Containers[2].Health = "unhealthy"
	path := writeRecording(t, Header{Host: "node-1", Interval: 2 * time.Second, KeyframeEvery: 7}, snaps)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Len() != len(snaps) || r.Warning() != "" {
		t.Fatalf("Len %d, warning %q", r.Len(), r.Warning())
	}
	keys, clusters := 0, len(r.clusters)
	for _, f := range r.recs {
		if f.kind == kindKey {
			keys++
		}
	}
	if keys != 4 || clusters != 3 { // keyframes at 0 7 14 21; clusters at 0, 12 and 13 (content back)
		t.Errorf("%d keyframes, %d cluster frames", keys, clusters)
	}
	// Backwards too: the keyframe cache must not leak between segments.
	for i := len(snaps) - 1; i >= 0; i-- {
		checkSame(t, r, i, snaps[i])
	}
}

func TestCreateIsPrivateAndNeverOverwrites(t *testing.T) {
	path := writeRecording(t, Header{Host: "n"}, nil)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	if _, err := Create(path, Header{}); err == nil {
		t.Error("Create overwrote an existing recording")
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != 0 || r.Warning() != "" || r.Index(time.Now()) != -1 {
		t.Errorf("empty recording: Len %d warning %q", r.Len(), r.Warning())
	}
}

func BenchmarkRecordSize(b *testing.B) {
	const n = DefaultKeyframeEvery // one whole run: a keyframe and its deltas
	snaps := snapshots(n, 100, 1000, true, 10*time.Second)
	b.ResetTimer()
	var size int64
	for i := 0; i < b.N; i++ {
		path := filepath.Join(b.TempDir(), "node.rec")
		w, err := Create(path, Header{Host: "node-1", Interval: 10 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range snaps {
			if err := w.Write(s); err != nil {
				b.Fatal(err)
			}
		}
		w.Close()
		st, _ := os.Stat(path)
		size = st.Size()
	}
	b.ReportMetric(float64(size)/n, "bytes/snapshot")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n)/1000, "ms/write")
}

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }
