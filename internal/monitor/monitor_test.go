package monitor

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// script is a Source that answers from a list: a sample, or an error.
type script struct {
	mu    sync.Mutex
	steps []func() (*model.Sample, error)
	calls int
}

func (s *script) Collect(context.Context) (*model.Sample, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := min(s.calls, len(s.steps)-1)
	s.calls++
	return s.steps[i]()
}

func sample(at time.Time, cpuNs uint64) func() (*model.Sample, error) {
	return func() (*model.Sample, error) {
		return &model.Sample{Time: at, Host: "node1", Containers: []model.ContainerSample{{ID: "c1", CPU: model.CgroupCPU{UsageNs: cpuNs}, RuntimeFields: &model.RuntimeFields{}}}}, nil
	}
}

func fail(msg string) func() (*model.Sample, error) {
	return func() (*model.Sample, error) { return nil, errors.New(msg) }
}

func next(t *testing.T, f Feed) *model.Snapshot {
	t.Helper()
	select {
	case s := <-f.Updates():
		return s
	case <-time.After(5 * time.Second):
		t.Fatal("no snapshot published within 5 s")
		return nil
	}
}

// An unreachable source must not leave the screen "waiting for the first
// sample" with no reason: the reason is published, and Err says it.
func TestRunPublishesTheReasonBeforeTheFirstSample(t *testing.T) {
	t0 := time.Unix(1000, 0)
	src := &script{steps: []func() (*model.Sample, error){
		fail("cadvisor http://node:8080: connection refused"),
		sample(t0, 1e9),
		sample(t0.Add(time.Second), 1.5e9),
	}}
	m := New(src, 100*time.Millisecond, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.Run(ctx)

	s := next(t, m)
	if !Waiting(s) || len(s.Errors) != 1 || !strings.Contains(s.Errors[0], "connection refused") {
		t.Fatalf("first publication = %+v, want a waiting snapshot naming the refusal", s)
	}
	if m.Latest() != nil {
		t.Error("Latest is a real snapshot before any good sample")
	}
	s = next(t, m)
	if Waiting(s) || s.Host != "node1" || len(s.Errors) != 0 {
		t.Fatalf("after the source answers: %+v", s)
	}
	if m.Err() != nil {
		t.Errorf("Err after a good pass = %v", m.Err())
	}
	s = next(t, m)
	if c := s.Containers[0]; !c.HasRates || c.CPUPct < 49.9 || c.CPUPct > 50.1 {
		t.Errorf("second good pass: HasRates %v CPU %.1f%%, want 50%%", c.HasRates, c.CPUPct)
	}
}

// A failure after good samples republishes the newest good snapshot with
// the reason added, once per failure (errors do not pile up).
func TestRunKeepsTheLastSnapshotWithTheReason(t *testing.T) {
	t0 := time.Unix(1000, 0)
	// The first good sample is not published (it has no rates): the second is.
	src := &script{steps: []func() (*model.Sample, error){sample(t0, 1e9), sample(t0.Add(time.Second), 2e9), fail("boom")}}
	m := New(src, 100*time.Millisecond, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.Run(ctx)
	good := next(t, m)
	for i := 0; i < 3; i++ {
		s := next(t, m)
		if Waiting(s) || s.Host != good.Host || len(s.Errors) != 1 || s.Errors[0] != "boom" {
			t.Fatalf("failure %d published %+v", i, s)
		}
	}
	if m.Err() == nil || m.Latest() != good {
		t.Errorf("Err %v, Latest changed: %v", m.Err(), m.Latest() != good)
	}
	if len(good.Errors) != 0 {
		t.Error("the published good snapshot was modified")
	}
}

// Step, as batch mode uses it, returns the source's error unchanged.
func TestStepReturnsTheError(t *testing.T) {
	m := New(&script{steps: []func() (*model.Sample, error){fail("no route")}}, time.Second, nil, nil)
	if _, err := m.Step(context.Background()); err == nil || err.Error() != "no route" {
		t.Fatalf("Step error = %v", err)
	}
}

type cluster struct{}

func (cluster) Latest() *model.Cluster { return &model.Cluster{Leader: "m1"} }
func (cluster) Errors() []string       { return []string{"marathon: 503"} }

// The cluster's errors join the snapshot's, and the joiner sees the cluster.
func TestStepJoinsTheCluster(t *testing.T) {
	var joined *model.Cluster
	m := New(&script{steps: []func() (*model.Sample, error){sample(time.Unix(1, 0), 1)}}, time.Second, cluster{},
		func(_ *model.Snapshot, c *model.Cluster) { joined = c })
	s, err := m.Step(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Cluster == nil || joined != s.Cluster || len(s.Errors) != 1 || s.Errors[0] != "marathon: 503" {
		t.Errorf("cluster %v joined %v errors %v", s.Cluster, joined, s.Errors)
	}
}

// A shorter interval takes effect at once, not after the long one.
func TestSetIntervalWakesTheLoop(t *testing.T) {
	src := &script{steps: []func() (*model.Sample, error){sample(time.Unix(1, 0), 1)}}
	m := New(src, time.Hour, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.Run(ctx)
	next(t, m)
	m.SetInterval(time.Millisecond)
	if m.Interval() != 100*time.Millisecond {
		t.Errorf("interval %v, want the 100 ms floor", m.Interval())
	}
	next(t, m) // would take an hour without the wake-up
}

// A reader that does not keep up gets the newest snapshot, and the loop
// never blocks on it.
func TestSlowReaderGetsTheNewest(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var steps []func() (*model.Sample, error)
	for i := 0; i < 5; i++ {
		steps = append(steps, sample(t0.Add(time.Duration(i)*time.Second), uint64(i)))
	}
	src := &script{steps: steps}
	m := New(src, 100*time.Millisecond, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := 0; i < 5; i++ {
		s, err := m.Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m.publish(s)
	}
	if s := next(t, m); !s.Time.Equal(t0.Add(4 * time.Second)) {
		t.Errorf("reader got %v, want the newest (%v)", s.Time, t0.Add(4*time.Second))
	}
}

// RefreshSoon takes a pass at once and the next one within firstRates,
// as at the start, however long the interval: a view that shows what the
// last pass did not read (the processes' figures) has it, and its rates,
// within half a second.
func TestRefreshSoonTakesTwoPassesNow(t *testing.T) {
	t0 := time.Unix(1000, 0)
	src := &script{steps: []func() (*model.Sample, error){
		sample(t0, 1), sample(t0.Add(time.Second), 2), sample(t0.Add(2*time.Second), 3), sample(t0.Add(3*time.Second), 4),
	}}
	m := New(src, time.Hour, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.Run(ctx)
	next(t, m) // the first two samples: the first published one
	asked := time.Now()
	m.RefreshSoon()
	if s := next(t, m); !s.Time.Equal(t0.Add(2 * time.Second)) {
		t.Fatalf("after RefreshSoon: snapshot of %v, want the third sample's", s.Time)
	}
	if s := next(t, m); !s.Time.Equal(t0.Add(3 * time.Second)) {
		t.Fatalf("the pass after: snapshot of %v, want the fourth sample's", s.Time)
	}
	// next waits 5 s at most: an hour's interval would have failed it;
	// the second pass is due firstRates after the first.
	if took := time.Since(asked); took < firstRates {
		t.Errorf("the two passes took %v, want the second firstRates (%v) after the first", took, firstRates)
	}
}
