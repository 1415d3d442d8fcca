package collector

import (
	"context"
	"sync"
	"time"
)

const (
	// dockerBackoffMin and dockerBackoffMax bound the wait between
	// reconnection attempts.
	dockerBackoffMin = 250 * time.Millisecond
	dockerBackoffMax = 5 * time.Second
)

// dockerKnock is how often a backing-off runtime checks whether its
// engine is back.
const dockerKnock = 50 * time.Millisecond

// unseenKnock is how often a runtime that never answered in this run is
// knocked on.
const unseenKnock = time.Second

// reconnector is what the handlers that keep a session with their engine
// (Docker's API and Podman's, containerd's gRPC) share: the loop that
// starts a session again after it ends, with a capped exponential backoff
// cut short as soon as the engine's socket accepts a connection, and the
// state Err and WaitReady report. A handler embeds it, calls start, then
// runs loop in a goroutine.
type reconnector struct {
	address string // the engine's socket, for socketMissing
	quiet   bool   // an absent socket is no error (an engine nobody named)
	cancel  context.CancelFunc
	done    chan struct{}
	seen    bool // the engine answered once in this run (only loop reads and writes it)

	mu  sync.RWMutex
	err error

	readyCh   chan struct{} // closed once the first list is done
	readyOnce sync.Once
	triedCh   chan struct{} // closed once the first connection attempt ended
	triedOnce sync.Once
}

// start makes the reconnector ready for loop, or for fail, and returns
// the context that Close cancels.
func (r *reconnector) start(ctx context.Context, quiet bool) context.Context {
	ctx, r.cancel = context.WithCancel(ctx)
	r.quiet = quiet
	r.done = make(chan struct{})
	r.readyCh = make(chan struct{})
	r.triedCh = make(chan struct{})
	return ctx
}

// fail ends a handler that cannot even try its engine: err is its error
// for good, and loop is never run.
func (r *reconnector) fail(err error) {
	r.err = err
	r.triedOnce.Do(func() { close(r.triedCh) })
	close(r.done)
}

// loop runs session until ctx ends, again and again: session talks to
// the engine until that fails, and connected says it got as far as its
// first list. knock is nil when something listens at the engine's address
// (a bare connect, microseconds when nothing does). With knockFirst, each
// round knocks before the session, which is skipped while nobody answers,
// and only such a round's backoff is cut short by a knock (containerd: a
// gRPC session would retry for its whole timeout); without it, every
// backoff is (Docker: the session's own error says why it failed).
func (r *reconnector) loop(ctx context.Context, session func(context.Context) (connected bool, err error), knock func() error, knockFirst bool) {
	defer close(r.done)
	backoff := dockerBackoffMin
	for {
		var connected, down bool
		var err error
		if knockFirst {
			err = knock()
			down = err != nil
		}
		if !down {
			connected, err = session(ctx)
		}
		if ctx.Err() != nil {
			return
		}
		r.setErr(err)
		r.triedOnce.Do(func() { close(r.triedCh) })
		if connected {
			backoff = dockerBackoffMin
			r.seen = true
		}
		if !r.waitBack(ctx, backoff, knock, down || !knockFirst) {
			return
		}
		backoff = min(backoff*2, dockerBackoffMax)
	}
}

// waitBack waits out a reconnect backoff; while knocking it knocks every
// dockerKnock meanwhile and returns early when the engine answers: a
// restarted engine's containers are named again within a refresh or two,
// while one that stays down costs one cheap refused connection per knock.
// It returns false when ctx ends.
func (r *reconnector) waitBack(ctx context.Context, backoff time.Duration, knock func() error, knocking bool) bool {
	deadline := time.Now().Add(backoff)
	// An engine this run has talked to is knocked on every dockerKnock,
	// so that a restart is over within a refresh; one never seen (Podman
	// installed without its service, the usual case) every second: each
	// wake-up of an idle Go program costs more than the connect itself,
	// and 20 a second cost ~20 ms of CPU a second, doubling an idle run.
	every := dockerKnock
	if !r.seen {
		every = unseenKnock
	}
	for {
		wait := time.Until(deadline)
		if knocking {
			wait = min(every, wait)
		}
		t := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		if !time.Now().Before(deadline) || knocking && knock() == nil {
			return true
		}
	}
}

// listed says a session has its first list in: no error, and WaitReady
// returns.
func (r *reconnector) listed() {
	r.setErr(nil)
	r.readyOnce.Do(func() { close(r.readyCh) })
	r.triedOnce.Do(func() { close(r.triedCh) })
}

func (r *reconnector) setErr(err error) {
	if err != nil && r.quiet && socketMissing(r.address) {
		err = nil // not installed or not started: its cgroups still show
	}
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
}

// Err is the last connection error, or nil while connected (and while
// an engine nobody named is simply not installed), so the screen can say
// why names are missing.
func (r *reconnector) Err() error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.err
}

// Ready reports whether the first full list of containers has arrived.
func (r *reconnector) Ready() bool {
	select {
	case <-r.readyCh:
		return true
	default:
		return false
	}
}

// WaitReady waits until the first list is done (nil), the first attempt
// to reach the engine failed (its error), or ctx ends (ctx.Err()), so
// batch mode can print names from the first line without hanging on a
// dead engine.
func (r *reconnector) WaitReady(ctx context.Context) error {
	select {
	case <-r.readyCh:
		return nil
	case <-r.triedCh:
		select {
		case <-r.readyCh:
			return nil
		default:
			return r.Err()
		}
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stop ends loop and waits for it.
func (r *reconnector) stop() {
	r.cancel()
	<-r.done
}
