package monitor

import (
	"context"
	"testing"
	"time"
	"unsafe"

	"github.com/ctop-like/ctop-like/internal/model"
)

// TestHandledKeepsNoSample: batch output prints each snapshot and drops
// it (Handled). The monitor then keeps of the last sample only what the
// next rates need, so that between two refreshes the process holds no
// refresh's samples: at --cluster's 100,000 executors the sample kept
// for the next rates, its network counters and the snapshot's rows were
// about 100 MB alive while the next sample was collected (the peak).
func TestHandledKeepsNoSample(t *testing.T) {
	const n = 20000
	src := &executors{n: n, t0: time.Unix(1000, 0)}
	m := New(src, time.Second, nil, nil)
	m.Handled()
	ctx := context.Background()
	base := heapAfterGC()
	for i := 0; i < 3; i++ {
		s, err := m.Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && (len(s.Containers) != n || !s.Containers[n-1].HasRates || s.Containers[n-1].CPUPct != 100) {
			t.Fatalf("refresh %d: %d containers, rates %v, %.1f %%", i, len(s.Containers), s.Containers[n-1].HasRates, s.Containers[n-1].CPUPct)
		}
	}
	held := heapAfterGC() - base
	t.Logf("%d containers: %d bytes held (%d a container); a sample's container is %d bytes", n, held, held/n, unsafe.Sizeof(model.ContainerSample{}))
	// The counters (192 bytes) and a slot of their keys' map: about 250
	// bytes. Keeping the sample for the next rates held a 744-byte
	// sample's container and more (970 bytes); the bound is half that.
	if held/n > 372 {
		t.Errorf("a monitor whose snapshots are handled holds %d bytes a container, want at most 372", held/n)
	}
	if m.Latest() != nil {
		t.Error("Latest keeps a handled snapshot")
	}
}
