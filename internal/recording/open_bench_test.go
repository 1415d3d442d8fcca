package recording

import (
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkOpen indexes an hour of a node of 100 containers and 1,000
// processes recorded every 10 s (360 records, with their cluster frames),
// as -r does before it shows anything: every frame's head read and its
// CRC checked.
func BenchmarkOpen(b *testing.B) {
	path := filepath.Join(b.TempDir(), "node.rec")
	w, err := Create(path, Header{Host: "node-1", Interval: 10 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range snapshots(360, 100, 1000, true, 10*time.Second) {
		if err := w.Write(s); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r, err := Open(path)
		if err != nil || r.Len() != 360 {
			b.Fatal(r, err)
		}
		r.Close()
	}
}
