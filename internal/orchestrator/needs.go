package orchestrator

import (
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// allNeeds is what a poller without OnDemand reads on every poll.
const allNeeds = model.NeedMesosTasks | model.NeedMarathon

// needBits are the needs one by one, for their times.
var needBits = []model.ClusterNeeds{model.NeedMesosTasks, model.NeedMarathon, model.NeedMarathonEvents}

// wantFor is how long a need lasts after the last Want that named it: a
// view shown (or printed) asks again on every refresh, so a need lapses
// some time after its view was left, and what it alone kept (a 100,000-task
// state) is let go at the next poll.
func (p *Poller) wantFor() time.Duration {
	return max(3*p.cfg.Interval, 30*time.Second)
}

// Want says that a view shows n: the next polls read it (the master's
// whole state, Marathon), and one starts at once when something in n was
// not wanted before, so that a view just opened fills within a poll. With
// OnDemand off every poll reads everything and Want does nothing.
func (p *Poller) Want(n model.ClusterNeeds) {
	if !p.cfg.OnDemand {
		// Every poll reads everything; Marathon's event stream is
		// still read only while a view shows events.
		n &= model.NeedMarathonEvents
	}
	if n == 0 {
		return
	}
	now := time.Now()
	p.mu.Lock()
	fresh := false
	for i, b := range needBits {
		if n&b == 0 {
			continue
		}
		if p.wantAt[i].IsZero() || now.Sub(p.wantAt[i]) > p.wantFor() {
			fresh = true
		}
		p.wantAt[i] = now
	}
	p.mu.Unlock()
	if fresh {
		select {
		case p.kick <- struct{}{}:
		default:
		}
	}
}

// needs is what the next poll reads beyond this node's agent; p.mu is held.
func (p *Poller) needs() model.ClusterNeeds {
	var n model.ClusterNeeds
	if !p.cfg.OnDemand {
		n = allNeeds
	}
	now := time.Now()
	for i, b := range needBits {
		if !p.wantAt[i].IsZero() && now.Sub(p.wantAt[i]) <= p.wantFor() {
			n |= b
		}
	}
	return n
}
