package recording

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFullDiskCountsLostRecords: when the disk fills mid-run (here
// /dev/full, which answers every write with ENOSPC), each Write fails,
// the records before it stay readable, and Close says how many of the
// run's records are missing.
func TestFullDiskCountsLostRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.rec")
	w, err := Create(path, Header{Host: "node-1", Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	snaps := snapshots(20, 5, 20, true, time.Second)
	for _, s := range snaps[:4] {
		if err := w.Write(s); err != nil {
			t.Fatal(err)
		}
	}
	// The disk fills: the same writer now writes where nothing fits.
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	good := w.f
	w.mu.Lock()
	w.f = full
	w.mu.Unlock()
	for _, s := range snaps[4:] {
		if err := w.Write(s); !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("write on a full disk: %v, want ENOSPC", err)
		}
	}
	err = w.Close()
	good.Close()
	var loss *LossError
	if !errors.As(err, &loss) || loss.Lost != 16 || loss.Total != 20 || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Close: %v; want 16 of 20 records lost to ENOSPC", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "lost 16 of 20 records") || !strings.Contains(msg, "no space left on device") {
		t.Errorf("Close's message %q does not say what was lost and why", msg)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Len() != 4 {
		t.Errorf("the file holds %d records, want the 4 written before the disk filled", r.Len())
	}
}
