// Package monitor runs the refresh loop: it takes a sample from a Source
// (this node's collector, a remote cAdvisor, the cluster's agents) each
// interval, turns it into a snapshot with rates, joins the last good
// cluster state and publishes the result — or why there is none — for the
// screen, batch output and the recorder.
package monitor

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// Source produces one sample per call: the local node's collector, a
// remote node's cAdvisor and the --cluster agents all are one. It is
// declared here, where it is consumed, so that the screen (which imports
// this package for Feed) does not link the Docker client.
type Source interface {
	Collect(ctx context.Context) (*model.Sample, error)
}

// ClusterSource gives the orchestrator's last good cluster state without
// blocking (nil when there is none) and its current errors, which exist
// before the first success too.
type ClusterSource interface {
	Latest() *model.Cluster
	Errors() []string
}

// Joiner places a snapshot's containers in the cluster (orchestrator.Match).
type Joiner func(s *model.Snapshot, c *model.Cluster)

// Feed is what the screen reads: a stream of snapshots.
type Feed interface {
	// Updates delivers each new snapshot; a slow reader misses old ones,
	// never blocks the loop.
	Updates() <-chan *model.Snapshot
	// Latest is the newest snapshot, nil before the first.
	Latest() *model.Snapshot
	// Interval is the refresh interval now in force.
	Interval() time.Duration
	// SetInterval changes it from the next tick on (+ and - keys).
	SetInterval(time.Duration)
}

// Monitor is the live Feed.
type Monitor struct {
	src      Source
	cluster  ClusterSource
	join     Joiner
	interval atomic.Int64
	updates  Handoff
	kick     chan struct{}
	soon     chan struct{} // RefreshSoon's
	// observe sees each snapshot once placed, before it is published
	// (the events timeline: Observe); nil: none.
	observe func(*model.Snapshot)

	// handled: the caller keeps no snapshot once Step returned it
	// (batch output prints it and drops it; see Handled).
	handled bool

	mu     sync.Mutex
	prev   *model.Earlier
	latest *model.Snapshot
	err    error // why the newest pass failed; nil after a good one
}

// New makes a monitor; cluster and join may be nil.
func New(src Source, interval time.Duration, cluster ClusterSource, join Joiner) *Monitor {
	m := &Monitor{src: src, cluster: cluster, join: join, updates: NewHandoff(), kick: make(chan struct{}, 1), soon: make(chan struct{}, 1)}
	m.interval.Store(int64(interval))
	return m
}

// Observe has f see each snapshot once it is placed in the cluster,
// before it is published: the events timeline derives what happened
// since the last and gives the snapshot its events. Set before Run.
func (m *Monitor) Observe(f func(*model.Snapshot)) { m.observe = f }

// Handled says the caller keeps no snapshot once it has handled it
// (batch output prints each and drops it) and reads them from Step
// only, not from Latest, Updates or Run. The monitor then keeps of each
// sample only the counters its next rates need, not the sample nor the
// snapshot: at --cluster's 100,000 executors the sample, its network
// counters and the snapshot's rows were about 100 MB kept while the
// next sample was built. Set before the first Step.
func (m *Monitor) Handled() { m.handled = true }

// Step takes one sample and returns the snapshot it makes with the
// previous one. The first call's snapshot has no rates.
func (m *Monitor) Step(ctx context.Context) (*model.Snapshot, error) {
	cur, err := m.src.Collect(ctx)
	m.mu.Lock()
	m.err = err
	if err != nil {
		m.mu.Unlock()
		return nil, err
	}
	prev := m.prev
	m.prev = nil
	m.mu.Unlock()
	snap := model.RatesSince(prev, cur)
	prev = model.Remember(cur, m.handled)
	m.mu.Lock()
	m.prev = prev
	m.mu.Unlock()
	if m.cluster != nil {
		snap.Cluster = m.cluster.Latest()
		if errs := m.cluster.Errors(); len(errs) > 0 {
			snap.Errors = append(append([]string(nil), snap.Errors...), errs...)
		}
	}
	if m.join != nil {
		m.join(snap, snap.Cluster)
	}
	if m.observe != nil {
		m.observe(snap)
	}
	if !m.handled {
		m.mu.Lock()
		m.latest = snap
		m.mu.Unlock()
	}
	return snap, nil
}

// firstRates is the longest wait between the first two samples.
const firstRates = 500 * time.Millisecond

// Run refreshes every interval until ctx ends, publishing each snapshot.
// A failed pass never stops the loop and is published too (see failed),
// so the screen says why it has nothing new instead of waiting silently.
//
// Rates need two samples: the first good one is taken at once but not
// published (it would show 0 % and n/a everywhere), and the second follows
// it after at most firstRates, so that the screen's first frame has rates
// instead of waiting a whole interval for them.
func (m *Monitor) Run(ctx context.Context) {
	quick := false // the pass follows a RefreshSoon: the next one comes soon too
	for first := true; ; first = false {
		start := time.Now()
		snap, err := m.Step(ctx)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			m.publish(m.failed(start, err))
		case !first:
			m.publish(snap)
		}
		interval := time.Duration(m.interval.Load())
		if first || quick {
			interval = min(interval, firstRates)
		}
		quick = false
		wait := interval - time.Since(start)
		if wait < 0 {
			wait = 0
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-m.kick:
			t.Stop()
		case <-m.soon:
			t.Stop()
			quick = true
		}
	}
}

// failed is what a failed pass publishes: before the first good sample a
// snapshot with nothing but its time and the reason (Waiting reports it);
// after one, the newest good snapshot again at the failure's time (so that
// the recording and the history keep going forward), its errors joined by
// the reason, since a source that cannot answer has nothing newer to show.
func (m *Monitor) failed(at time.Time, err error) *model.Snapshot {
	m.mu.Lock()
	last := m.latest
	m.mu.Unlock()
	if last == nil {
		return &model.Snapshot{Time: at, Errors: []string{err.Error()}}
	}
	s := *last
	s.Time = at
	s.Errors = append(append([]string(nil), last.Errors...), err.Error())
	return &s
}

// Waiting reports whether s is what a failed pass publishes before the
// first good sample: no host, no figures, only the reason in Errors.
func Waiting(s *model.Snapshot) bool {
	return s == nil || s.Host == "" && len(s.CPUs) == 0 && len(s.Containers) == 0 && s.Machine == (model.MachineInfo{})
}

// Err is why the newest pass failed, nil after a good one.
func (m *Monitor) Err() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

func (m *Monitor) publish(s *model.Snapshot) { m.updates.Put(s) }

// Updates implements Feed.
func (m *Monitor) Updates() <-chan *model.Snapshot { return m.updates }

// Latest implements Feed.
func (m *Monitor) Latest() *model.Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.latest
}

// Interval implements Feed.
func (m *Monitor) Interval() time.Duration { return time.Duration(m.interval.Load()) }

// RefreshSoon takes a pass at once, and the next one after at most
// firstRates, as at the start: the source reads from now on what it did
// not (the processes' figures, once a view shows them), and the screen
// gets them now and their rates within half a second, not in one or two
// intervals.
func (m *Monitor) RefreshSoon() {
	select {
	case m.soon <- struct{}{}:
	default:
	}
}

// SetInterval implements Feed; the loop wakes at once so a shorter interval
// takes effect without waiting out the long one.
func (m *Monitor) SetInterval(d time.Duration) {
	if d < 100*time.Millisecond {
		d = 100 * time.Millisecond
	}
	m.interval.Store(int64(d))
	select {
	case m.kick <- struct{}{}:
	default:
	}
}
