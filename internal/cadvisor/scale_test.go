package cadvisor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
)

// manyCgroups is the recorded v0.60.5 node with n more Docker containers,
// each a copy of the recorded cap-busy (its two stats samples and its spec
// under a new id), and n raw cgroups (systemd services, copies of the
// recorded /mesos, a parent cgroup), as a node with thousands of cgroups
// answers.
func manyCgroups(t testing.TB, n int) *fakeCAdvisor {
	f := realNode(t)
	var stats, spec map[string]json.RawMessage
	if err := json.Unmarshal(f.stats[0], &stats); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(f.spec, &spec); err != nil {
		t.Fatal(err)
	}
	busy := "/docker/" + idBusy
	const raw = "/mesos" // a cgroup that is no container: its parent
	if stats[raw] == nil || spec[raw] == nil {
		t.Fatal("no /mesos in the recording")
	}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("%064x", i+1)
		stats["/docker/"+id] = bytes.ReplaceAll(stats[busy], []byte(idBusy), []byte(id))
		spec["/docker/"+id] = bytes.ReplaceAll(spec[busy], []byte(idBusy), []byte(id))
		stats[fmt.Sprintf("/system.slice/svc%d.service", i)] = stats[raw]
		spec[fmt.Sprintf("/system.slice/svc%d.service", i)] = spec[raw]
	}
	sb, _ := json.Marshal(stats)
	pb, _ := json.Marshal(spec)
	f.set(func(f *fakeCAdvisor) { f.stats = [][]byte{sb}; f.spec = pb })
	return f
}

// TestThousandsOfCgroups: a node with 2,000 containers and as many raw
// cgroups (37 MB of stats and specs) shows every container, holding a
// fraction of the answers (bench/ runs 5,000). (On the code before, every refresh failed:
// "answer too large: over the 16 MB limit of one answer to decode", and
// the tool printed nothing at all.)
func TestThousandsOfCgroups(t *testing.T) {
	const n = 2000
	srv := manyCgroups(t, n)
	// Timeouts far above what the answers need even under -race.
	api, err := httpapi.New(httpapi.Config{Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	src, err := New(srv.URL, api)
	if err != nil {
		t.Fatal(err)
	}
	src.Timeout = 2 * time.Minute
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC() // the answers' makings are let go only by the second
	runtime.ReadMemStats(&before)
	smp, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if len(smp.Containers) != n+7 {
		t.Errorf("%d containers, want %d", len(smp.Containers), n+7)
	}
	for _, e := range smp.Errors {
		t.Errorf("error: %s", e)
	}
	size := len(srv.stats[0]) + len(srv.spec)
	kept := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("answers of %d bytes; heap after the first refresh +%d bytes (%.0f per container)", size, kept, float64(kept)/n)
	if kept > int64(size)/3 {
		t.Errorf("the source keeps %d bytes of %d bytes of answers", kept, size)
	}
}
