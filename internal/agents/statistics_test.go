package agents

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
)

// TestAnswerKeptWithoutSpareRoom: an agent's answer is kept until the
// next one, for each of thousands of agents: its executors are kept in
// exactly their room (20 executors took room for 32 with append's
// doubling, 3.3 KB an agent unused), the first answer as the next.
func TestAnswerKeptWithoutSpareRoom(t *testing.T) {
	for _, n := range []int{1, 20, 33} {
		var b strings.Builder
		b.WriteByte('[')
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"executor_id":"e%d","framework_id":"fw","statistics":{"cpus_user_time_secs":%d,"timestamp":1.5e9}}`, i, i)
		}
		b.WriteByte(']')
		var prev *answer
		for round := 0; round < 2; round++ {
			var execs []execStats
			err := httpapi.DecodeStream(strings.NewReader(b.String()), func(s *httpapi.Stream) error {
				var err error
				execs, err = readStatistics(s, prev)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(execs) != n || cap(execs) != n {
				t.Errorf("%d executors, answer %d: kept %d in room for %d", n, round+1, len(execs), cap(execs))
			}
			if n > 1 && execs[n-1].ExecutorID != fmt.Sprintf("e%d", n-1) {
				t.Errorf("last executor %q", execs[n-1].ExecutorID)
			}
			prev = &answer{execs: execs}
		}
	}
}

// TestRowIDsKeptFromAnswerToAnswer: an executor of an agent that names
// no container id (before Mesos 0.27) has a row id made of its
// executor, agent and framework: made once, not for every answer (at
// 100,000 executors that was 100,000 strings a refresh, kept in both
// generations of the model).
func TestRowIDsKeptFromAnswerToAnswer(t *testing.T) {
	fc := newFakeCluster(t, 3, 4, 2, nil)
	_, a := fc.newSource(Config{Timeout: 10 * time.Second, Wait: 10 * time.Second})
	ctx := context.Background()
	first := map[string]*byte{}
	var s *model.Sample
	for deadline := time.Now().Add(time.Minute); len(first) < 12 && time.Now().Before(deadline); {
		s, _ = a.Collect(ctx)
		for _, c := range s.Containers {
			first[c.ID] = unsafe.StringData(c.ID)
		}
	}
	if len(first) != 12 {
		t.Fatalf("%d rows", len(first))
	}
	for round := 0; round < 2; round++ {
		s, _ = a.Collect(ctx)
		if len(s.Containers) != 12 {
			t.Fatalf("%d rows", len(s.Containers))
		}
		for _, c := range s.Containers {
			if !strings.Contains(c.ID, "@") {
				t.Fatalf("row id %q: the fake names no container id", c.ID)
			}
			if unsafe.StringData(c.ID) != first[c.ID] {
				t.Errorf("round %d: the row id %q was made again", round, c.ID)
			}
		}
	}
}

// TestSourceStartsSmall: the source's request queues have room for
// every agent of a large cluster, and it allocates that room at start
// (and every GC scans it): a few bytes a slot, not a copy of the agent
// (14.7 MB for the two queues' 131,072 slots).
func TestSourceStartsSmall(t *testing.T) {
	fc := newFakeCluster(t, 1, 1, 1, nil)
	tr := guard(t, nil, nil)
	p := guardPoller(t, tr, fc.master.URL, fc.master.URL)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	a := New(p, Config{Transport: tr})
	runtime.ReadMemStats(&m1)
	runtime.KeepAlive(a)
	if n := m1.TotalAlloc - m0.TotalAlloc; n > 4<<20 {
		t.Errorf("a new source allocated %.1f MB", float64(n)/1e6)
	}
}

// TestAnswerSharesItsFrameworkIDs: an agent's executors run under a few
// frameworks, and each answer is kept for thousands of agents: the
// executors of one framework share one id, not a copy each (100,000
// executors' copies of a 40-odd byte id were 4.8 MB), and the "source"
// (the task id again, unused) is not kept at all.
func TestAnswerSharesItsFrameworkIDs(t *testing.T) {
	const fw = "20260101-000000-0100007f-5050-0000-0042"
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < 20; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		f := fw
		if i >= 15 {
			f = fw + "-other"
		}
		fmt.Fprintf(&b, `{"executor_id":"e%d","framework_id":%q,"source":"app.task-%d","statistics":{"cpus_user_time_secs":%d,"timestamp":1.5e9}}`, i, f, i, i)
	}
	b.WriteByte(']')
	var execs []execStats
	if err := httpapi.DecodeStream(strings.NewReader(b.String()), func(s *httpapi.Stream) error {
		var err error
		execs, err = readStatistics(s, nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	distinct := map[*byte]bool{}
	for i, e := range execs {
		want := fw
		if i >= 15 {
			want = fw + "-other"
		}
		if e.FrameworkID != want {
			t.Fatalf("executor %d: framework %q", i, e.FrameworkID)
		}
		distinct[unsafe.StringData(e.FrameworkID)] = true
	}
	if len(distinct) != 2 {
		t.Errorf("20 executors of 2 frameworks keep %d copies of their ids, want 2", len(distinct))
	}
}

// TestExecutorIDInItsRowID: an executor without a container id in its
// agent's answer (agents' /monitor/statistics name none) has the row id
// "<executor>@<agent>/<framework>", kept while the agent answers; its
// executor id, the row's name and task, is that id's first part, not a
// string of its own (64 bytes an executor of a Marathon task id's 60:
// 5.8 MB at --cluster's 90,000 answering executors). The ids' values
// are unchanged.
func TestExecutorIDInItsRowID(t *testing.T) {
	const n = 5000
	const fw = "20260101-000000-0100007f-5050-0000-0001"
	ag := agentInfo{ID: "20260101-000000-0100007f-5050-0000-S17", Name: "agent-017"}
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"executor_id":"group%d_app%d.%08x-aaaa-bbbb-cccc-%012x","framework_id":%q,"statistics":{"cpus_user_time_secs":%d,"timestamp":1.5e9}}`,
			i%7, i, i, i, fw, i)
	}
	b.WriteByte(']')
	decode := func() []execStats {
		var execs []execStats
		if err := httpapi.DecodeStream(strings.NewReader(b.String()), func(s *httpapi.Stream) error {
			var err error
			execs, err = readStatistics(s, nil)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return execs
	}
	heap := func() int64 {
		runtime.GC()
		runtime.GC() // and what sync.Pools kept for one collection more
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	// What an answer's ids hold: the answer with them and without it.
	held := func(copyIDs bool) float64 {
		kept := decode()
		keepRowIDs(ag, kept, nil)
		if copyIDs {
			for i := range kept {
				kept[i].ExecutorID = strings.Clone(kept[i].ExecutorID)
			}
		}
		with := heap()
		runtime.KeepAlive(kept)
		return float64(with-heap()) / n
	}
	// The least of three: goroutines of other tests may allocate while
	// one is measured.
	own, copied := held(false), held(true)
	for range 2 {
		own, copied = min(own, held(false)), min(copied, held(true))
	}
	execs := decode()
	keepRowIDs(ag, execs, nil)
	for i := range execs {
		e := &execs[i]
		want := fmt.Sprintf("group%d_app%d.%08x-aaaa-bbbb-cccc-%012x", i%7, i, i, i)
		if e.ExecutorID != want || e.rowID != want+"@"+ag.ID+"/"+fw {
			t.Fatalf("executor %d: id %q, row id %q", i, e.ExecutorID, e.rowID)
		}
	}
	t.Logf("%d executors: an answer holds %.0f bytes an executor, %.0f with its executor ids apart", n, own, copied)
	// A 55-byte id apart is 64 bytes (52 measured); half of it is the bound.
	if own > copied-32 {
		t.Errorf("an answer holds %.0f bytes an executor, %.0f with its executor ids apart: the ids are copies", own, copied)
	}
	// The next answer shares them, as before.
	next := decode()
	keepRowIDs(ag, next, &answer{execs: execs})
	for i := range next {
		if unsafe.StringData(next[i].rowID) != unsafe.StringData(execs[i].rowID) || next[i].ExecutorID != execs[i].ExecutorID {
			t.Fatalf("executor %d: the next answer's ids are new", i)
		}
	}
	runtime.KeepAlive(execs)
}

// TestAnswerKeepsNoNetworkNames: an agent's executors' network counters
// are kept with each answer, for thousands of agents, in one exact array
// the sample's rows point at; an interface's name and state, which an
// agent never says, are empty. 2,000 answers of 20 executors, as a real agent
// gives, their ids shared with the first.
func TestAnswerKeepsNoNetworkNames(t *testing.T) {
	const answers, n = 2000, 20
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"executor_id":"e%d","framework_id":"fw","statistics":{"cpus_user_time_secs":%d,"net_rx_bytes":%d,"net_tx_bytes":7,"net_rx_errors":3,"net_tx_dropped":2,"timestamp":1.5e9}}`, i, i, 1000+i)
	}
	b.WriteByte(']')
	decode := func(prev *answer) []execStats {
		var execs []execStats
		if err := httpapi.DecodeStream(strings.NewReader(b.String()), func(s *httpapi.Stream) error {
			var err error
			execs, err = readStatistics(s, prev)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return execs
	}
	first := &answer{execs: decode(nil)}
	heap := func() int64 {
		runtime.GC()
		runtime.GC() // and what sync.Pools kept for one collection more
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	base := heap()
	kept := make([][]execStats, answers)
	for i := range kept {
		kept[i] = decode(first)
	}
	per := float64(heap()-base) / (answers * n)
	e := kept[answers-1][n-1]
	if got := e.net; got == nil || got.RxBytes != 1000+n-1 || got.TxBytes != 7 || got.RxErrors != 3 || got.TxDrops != 2 || got.SpeedMbps != -1 || got.Name != "" {
		t.Errorf("network counters %+v", got)
	}
	t.Logf("%d answers of %d executors: %.0f bytes an executor", answers, n, per)
	// 20 executors of 168 bytes in a 3,456-byte block and their
	// counters of 104 in 2,304: 288, which the sample's rows point at.
	// With the counters in each executor, 232 bytes in 4,864 (243), and
	// the sample's copy of 104 beside; with model.NetCounters in each
	// executor, 272 bytes in 6,144: 307.
	if per > 295 {
		t.Errorf("an answer holds %.0f bytes an executor, want at most 295", per)
	}
	runtime.KeepAlive(kept)
}
