package logfeed

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docker/docker/client"

	"github.com/ctop-like/ctop-like/internal/batch"
	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/logs"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// liveHeap samples the live heap (as of the last collection) until stop,
// collecting often so that the samples follow what is reachable, and
// returns the highest sample.
func liveHeap(t *testing.T) (stop func() uint64) {
	t.Helper()
	old := debug.SetGCPercent(5)
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		debug.SetGCPercent(old)
		return peak.Load()
	}
}

// The logs view of a big Docker log printed as JSON holds its lines once:
// 2,000 lines of 16 KB (32 MB) read with --tail 100000 and printed raise
// the live heap by at most 1.5x the text of the lines printed. (The JSON
// line was built whole beside the lines, in a buffer that doubles: 10,000
// such lines made ctop-like peak at 631 MB, 4x the text.) bench/logmem
// measures the binary's peak RSS at full size.
func TestBigLogIsHeldOnce(t *testing.T) {
	dockertest.Require(t)
	name := fmt.Sprintf("logmem-big-%d", rand.Int63())
	id := dockertest.Run(t, []string{"--name", name}, "sh", "-c",
		`l=$(head -c 16000 /dev/zero | tr '\0' a); i=0; while [ $i -lt 2000 ]; do i=$((i+1)); echo "$i $l"; done; echo done; sleep 3600`)
	for end := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		out, _ := exec.Command("docker", "logs", "--tail", "1", id).Output()
		if strings.TrimSpace(string(out)) == "done" {
			break
		}
		if time.Now().After(end) {
			t.Fatal("the container did not log its lines")
		}
	}
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	sc := views.Scope{Kind: "container", ID: id}
	f := New(func(context.Context, *model.Snapshot, views.Scope) (logs.Source, error) {
		return logs.Engine{API: cli, ID: id, Runtime: "docker"}, nil
	}, 100000, false, true)
	defer f.Close()
	out := &measured{}
	p := &batch.Printer{Out: out, Format: "json", Query: views.Query{View: "logs", Scope: []views.Scope{sc}, Logs: f}}

	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	base := s[0].Value.Uint64()
	stop := liveHeap(t)
	err = p.Print(&model.Snapshot{Time: time.Now(), Host: "node"})
	peak := stop()
	if err != nil {
		t.Fatal(err)
	}
	held := 0
	f.cur.mu.Lock()
	for _, l := range f.cur.ring[f.cur.head:] {
		held += len(l.Text)
	}
	f.cur.mu.Unlock()
	t.Logf("printed %d bytes; text held %.1f MB; live heap %.1f MB before, peak %.1f MB: %.2fx the text",
		out.n, float64(held)/1e6, float64(base)/1e6, float64(peak)/1e6, float64(peak-base)/float64(held))
	if held < 2000*16002 || out.n < int64(held) {
		t.Fatalf("held %d bytes, printed %d: want the 2,001 lines", held, out.n)
	}
	if float64(peak-base) > 1.5*float64(held) {
		t.Errorf("the live heap grew by %.1f MB for %.1f MB of lines: more than 1.5x", float64(peak-base)/1e6, float64(held)/1e6)
	}
}

// measured counts what is written.
type measured struct{ n int64 }

func (m *measured) Write(p []byte) (int, error) { m.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*measured)(nil)
