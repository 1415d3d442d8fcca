package recording

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/monitor"
)

// Replay plays a recording as a monitor.Feed, so the screen shows the past
// with the same code that shows the present, plus the controls a recording
// needs (pause, step, jump, seek).
//
// Pace: record i+1 follows record i after the gap between their recorded
// times, scaled by Interval()/recorded interval. Interval starts at the
// recorded interval (real time); SetInterval (the screen's + and - keys)
// makes the replay faster or slower in proportion. Playback stops at the
// last record and stays there.
type Replay struct {
	r       *Reader
	updates monitor.Handoff
	wake    chan struct{}
	rec     time.Duration // recorded interval

	mu       sync.Mutex
	pos      int
	paused   bool
	interval time.Duration
	latest   *model.Snapshot
}

// NewReplay prepares a replay of r positioned at its first record; call Run
// to play it. The first record is available from Latest at once.
func NewReplay(r *Reader) *Replay {
	rec := r.h.Interval
	if rec <= 0 {
		rec = medianGap(r)
	}
	p := &Replay{r: r, updates: monitor.NewHandoff(), wake: make(chan struct{}, 1), rec: rec, interval: rec}
	p.mu.Lock()
	p.show()
	p.mu.Unlock()
	return p
}

// medianGap guesses the recorded interval from the record times when the
// header does not say.
func medianGap(r *Reader) time.Duration {
	var gaps []time.Duration
	for i := 1; i < r.Len() && i < 64; i++ {
		if g := r.Time(i).Sub(r.Time(i - 1)); g > 0 {
			gaps = append(gaps, g)
		}
	}
	if len(gaps) == 0 {
		return 2 * time.Second
	}
	for i := 1; i < len(gaps); i++ { // insertion sort: at most 63
		for j := i; j > 0 && gaps[j] < gaps[j-1]; j-- {
			gaps[j], gaps[j-1] = gaps[j-1], gaps[j]
		}
	}
	return gaps[len(gaps)/2]
}

// Run plays until ctx ends, like monitor.Monitor.Run.
func (p *Replay) Run(ctx context.Context) {
	p.mu.Lock()
	p.publish(p.latest)
	p.mu.Unlock()
	for {
		p.mu.Lock()
		wait, ok := p.nextWait()
		p.mu.Unlock()
		var tc <-chan time.Time
		var t *time.Timer
		if ok {
			t = time.NewTimer(wait)
			tc = t.C
		}
		select {
		case <-ctx.Done():
			if t != nil {
				t.Stop()
			}
			return
		case <-p.wake:
			if t != nil {
				t.Stop()
			}
		case <-tc:
			p.mu.Lock()
			if _, ok := p.nextWait(); ok {
				p.pos++
				p.show()
			}
			p.mu.Unlock()
		}
	}
}

// nextWait is how long until the next record is due; ok is false when
// paused or at the end. Called with mu held.
func (p *Replay) nextWait() (time.Duration, bool) {
	if p.paused || p.pos+1 >= p.r.Len() {
		return 0, false
	}
	gap := p.r.Time(p.pos + 1).Sub(p.r.Time(p.pos))
	if gap < 0 {
		gap = 0
	}
	if gap > 10*p.rec {
		gap = 10 * p.rec // a pause in recording is not replayed in full
	}
	return time.Duration(float64(gap) * float64(p.interval) / float64(p.rec)), true
}

// show decodes the record at pos and publishes it; a record that cannot be
// decoded is shown as an empty snapshot whose error says why. Called with
// mu held.
func (p *Replay) show() {
	if p.r.Len() == 0 {
		return
	}
	s, err := p.r.At(p.pos)
	if err != nil {
		s = &model.Snapshot{Time: p.r.Time(p.pos), Host: p.r.h.Host, Errors: []string{err.Error()}}
	}
	p.latest = s
	p.publish(s)
}

// publish hands s to the reader of Updates, replacing one not yet taken, as
// the live monitor does.
func (p *Replay) publish(s *model.Snapshot) {
	if s != nil {
		p.updates.Put(s)
	}
}

func (p *Replay) kick() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Updates implements monitor.Feed.
func (p *Replay) Updates() <-chan *model.Snapshot { return p.updates }

// Latest implements monitor.Feed: the snapshot at the current position.
func (p *Replay) Latest() *model.Snapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.latest
}

// Interval implements monitor.Feed: the wall time between snapshots at
// the current speed, for a recording made at its recorded interval.
func (p *Replay) Interval() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.interval
}

// SetInterval implements monitor.Feed: it sets the replay speed to
// recorded interval / d (half the interval plays twice as fast).
func (p *Replay) SetInterval(d time.Duration) {
	if d < time.Millisecond {
		d = time.Millisecond
	}
	p.mu.Lock()
	p.interval = d
	p.mu.Unlock()
	p.kick()
}

// Pause stops (true) or resumes (false) playback; the controls below work
// either way.
func (p *Replay) Pause(on bool) {
	p.mu.Lock()
	p.paused = on
	p.mu.Unlock()
	p.kick()
}

// Paused reports whether playback is paused.
func (p *Replay) Paused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

// Step moves n records (negative: back), staying within the recording, and
// shows that record at once. It does not pause: the screen's step keys
// should call Pause(true) first.
func (p *Replay) Step(n int) {
	p.mu.Lock()
	p.moveTo(p.pos + n)
	p.mu.Unlock()
}

// Jump moves by recorded time (±1 minute for the screen's keys) to the
// record at or before the new time; it moves at least one record when
// there is one in that direction.
func (p *Replay) Jump(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.r.Len() == 0 {
		return
	}
	i := p.r.Index(p.r.Time(p.pos).Add(d))
	if d > 0 && i <= p.pos {
		i = p.pos + 1
	}
	if d < 0 && i >= p.pos {
		i = p.pos - 1
	}
	p.moveTo(i)
}

// Seek moves to the record at or before t (the first record when t is
// earlier than the recording).
func (p *Replay) Seek(t time.Time) {
	p.mu.Lock()
	p.moveTo(p.r.Index(t))
	p.mu.Unlock()
}

// moveTo clamps i to the recording and shows it. Called with mu held.
func (p *Replay) moveTo(i int) {
	if p.r.Len() == 0 {
		return
	}
	i = max(0, min(i, p.r.Len()-1))
	if i != p.pos || p.latest == nil {
		p.pos = i
		p.show()
	}
	p.kick()
}

// Clock resolves a wall-clock time typed by the user ("03:12" or
// "03:12:40", the recorded node's clock) to a time in the recording: the
// first such time at or after the current position, else the last one
// before it, so "g 03:00" in a recording of several days goes to the next
// 3 a.m.
func (p *Replay) Clock(hhmm string) (time.Time, error) {
	parts := strings.Split(strings.TrimSpace(hhmm), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return time.Time{}, fmt.Errorf("time %q: want HH:MM or HH:MM:SS", hhmm)
	}
	var v [3]int
	limits := [3]int{23, 59, 59}
	for i, s := range parts {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > limits[i] {
			return time.Time{}, fmt.Errorf("time %q: want HH:MM or HH:MM:SS", hhmm)
		}
		v[i] = n
	}
	n := p.r.Len()
	if n == 0 {
		return time.Time{}, fmt.Errorf("time %q: the recording is empty", hhmm)
	}
	_, _, cur := p.Position()
	first, last := p.r.Time(0).In(cur.Location()), p.r.Time(n-1).In(cur.Location())
	at := func(day time.Time) time.Time {
		y, m, d := day.Date()
		return time.Date(y, m, d, v[0], v[1], v[2], 0, day.Location())
	}
	var before time.Time
	for day := first.AddDate(0, 0, -1); !at(day).After(last.AddDate(0, 0, 1)); day = day.AddDate(0, 0, 1) {
		t := at(day)
		if t.Before(first) || t.After(last) {
			continue
		}
		if !t.Before(cur) {
			return t, nil
		}
		before = t
	}
	if before.IsZero() {
		return time.Time{}, fmt.Errorf("time %s is not in the recording (%s to %s)", hhmm,
			first.Format("2006-01-02 15:04:05"), last.Format("2006-01-02 15:04:05"))
	}
	return before, nil
}

// Position returns the current record's index (0-based, as for At), the
// number of records and the record's time in the recorded node's zone.
func (p *Replay) Position() (i, n int, t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t = p.r.Time(p.pos)
	if p.latest != nil && p.latest.Time.Equal(t) {
		t = p.latest.Time // in the recorded node's zone
	}
	return p.pos, p.r.Len(), t
}

// Status is the screen's header line for a replay, e.g.
// "Replay: node.rec 03:12:40 (412/2880)"; the position shown counts from 1.
func (p *Replay) Status() string {
	i, n, t := p.Position()
	if n == 0 {
		return fmt.Sprintf("Replay: %s (empty)", p.r.name)
	}
	return fmt.Sprintf("Replay: %s %s (%d/%d)", p.r.name, t.Format("15:04:05"), i+1, n)
}
