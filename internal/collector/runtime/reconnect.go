package runtime

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

// Knock is how often a backing-off handler checks whether its engine is
// back, and how long one such check waits for a connection.
const Knock = 50 * time.Millisecond

// unseenKnock is how often a runtime that never answered in this run is
// knocked on.
const unseenKnock = time.Second

// Reconnector is what the handlers that keep a session with their engine
// (Docker's API and Podman's, containerd's gRPC) share: the loop that
// starts a session again after it ends, with a capped exponential backoff
// cut short as soon as the engine's socket accepts a connection, and the
// state Err and WaitReady report. A handler holds one, calls Start, then
// runs Loop in a goroutine, and answers Err, Ready and WaitReady with it.
type Reconnector struct {
	// Address is the engine's socket, for SocketMissing; the handler
	// sets it before Loop, and Loop's session and knock may change it.
	Address string
	quiet   bool // an absent socket is no error (an engine nobody named)
	cancel  context.CancelFunc
	done    chan struct{}
	seen    bool // the engine answered once in this run (only Loop reads and writes it)

	mu  sync.RWMutex
	err error

	readyCh   chan struct{} // closed once the first list is done
	readyOnce sync.Once
	triedCh   chan struct{} // closed once the first connection attempt ended
	triedOnce sync.Once
}

// Start makes the reconnector ready for Loop, or for Fail, and returns
// the context that Stop cancels.
func (r *Reconnector) Start(ctx context.Context, quiet bool) context.Context {
	ctx, r.cancel = context.WithCancel(ctx)
	r.quiet = quiet
	r.done = make(chan struct{})
	r.readyCh = make(chan struct{})
	r.triedCh = make(chan struct{})
	return ctx
}

// Fail ends a handler that cannot even try its engine: err is its error
// for good, and Loop is never run.
func (r *Reconnector) Fail(err error) {
	r.err = err
	r.triedOnce.Do(func() { close(r.triedCh) })
	close(r.done)
}

// Loop runs session until ctx ends, again and again: session talks to
// the engine until that fails, and connected says it got as far as its
// first list. knock is nil when something listens at the engine's address
// (a bare connect, microseconds when nothing does). With knockFirst, each
// round knocks before the session, which is skipped while nobody answers,
// and only such a round's backoff is cut short by a knock (containerd: a
// gRPC session would retry for its whole timeout); without it, every
// backoff is (Docker: the session's own error says why it failed).
func (r *Reconnector) Loop(ctx context.Context, session func(context.Context) (connected bool, err error), knock func() error, knockFirst bool) {
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
// Knock meanwhile and returns early when the engine answers: a
// restarted engine's containers are named again within a refresh or two,
// while one that stays down costs one cheap refused connection per knock.
// It returns false when ctx ends.
func (r *Reconnector) waitBack(ctx context.Context, backoff time.Duration, knock func() error, knocking bool) bool {
	deadline := time.Now().Add(backoff)
	// An engine this run has talked to is knocked on every Knock,
	// so that a restart is over within a refresh; one never seen (Podman
	// installed without its service, the usual case) every second: each
	// wake-up of an idle Go program costs more than the connect itself,
	// and 20 a second cost ~20 ms of CPU a second, doubling an idle run.
	every := Knock
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

// Listed says a session has its first list in: no error, and WaitReady
// returns.
func (r *Reconnector) Listed() {
	r.setErr(nil)
	r.readyOnce.Do(func() { close(r.readyCh) })
	r.triedOnce.Do(func() { close(r.triedCh) })
}

func (r *Reconnector) setErr(err error) {
	if err != nil && r.quiet && SocketMissing(r.Address) {
		err = nil // not installed or not started: its cgroups still show
	}
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
}

// Err is the last connection error, or nil while connected (and while
// an engine nobody named is simply not installed), so the screen can say
// why names are missing.
func (r *Reconnector) Err() error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.err
}

// Ready reports whether the first full list of containers has arrived.
func (r *Reconnector) Ready() bool {
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
func (r *Reconnector) WaitReady(ctx context.Context) error {
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

// Stop ends Loop and waits for it.
func (r *Reconnector) Stop() {
	r.cancel()
	<-r.done
}
