package docker

import (
	"fmt"
	"sync"
	"time"

	"github.com/docker/docker/api/types/events"
)

// resumeKept is how many applied events resume remembers to tell a
// replayed one from a new one: dockerd replays at most the 256 it keeps
// (daemon/events' eventsLimit), and a replay starts at the last event
// seen, so only those at its very nanosecond are seen twice.
const resumeKept = 256

// resume is where a new session's events stream starts, so that what
// happened while no stream was read (dockerd restarted, its socket cut)
// is told once, with its exit code: Docker's events API replays from
// `since` what it kept, then streams on, all on one stream.
type resume struct {
	mu sync.Mutex
	// at is the engine's time (UnixNano) of the last event applied, else
	// when the first listed session subscribed; 0: no session listed yet,
	// nothing to catch up on.
	at int64
	// seen holds the keys of the last resumeKept events applied, oldest
	// first in order: a replayed one is not applied or told again.
	seen  map[string]struct{}
	order []string
}

// since is the `since` of the next subscription ("seconds.nanoseconds",
// as the API takes it), "" when there is nothing to catch up on.
func (r *resume) since() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.at == 0 {
		return ""
	}
	return fmt.Sprintf("%d.%09d", r.at/1e9, r.at%1e9)
}

// listed says a session subscribed at subscribed and then listed every
// container: what follows is on its stream.
func (r *resume) listed(subscribed time.Time) {
	r.mu.Lock()
	if r.at == 0 {
		r.at = subscribed.UnixNano()
	}
	r.mu.Unlock()
}

// first says whether m is applied for the first time, and remembers it.
func (r *resume) first(m events.Message) bool {
	key := m.Actor.ID + "/" + string(m.Action) + "/" + fmt.Sprint(m.TimeNano)
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.seen[key]; ok {
		return false
	}
	if r.seen == nil {
		r.seen = make(map[string]struct{}, resumeKept)
	}
	if len(r.order) == resumeKept {
		delete(r.seen, r.order[0])
		r.order = append(r.order[:0], r.order[1:]...)
	}
	r.seen[key] = struct{}{}
	r.order = append(r.order, key)
	if m.TimeNano > r.at {
		r.at = m.TimeNano
	}
	return true
}
