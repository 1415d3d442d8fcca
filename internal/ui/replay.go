package ui

import (
	"time"

	"github.com/gdamore/tcell/v2"
)

// Replayer is a feed that plays a recording back (recording.Replay): when
// the screen's feed is one, it offers keys to pause, step, jump and seek,
// and the header says where in the recording it is.
type Replayer interface {
	Pause(on bool)
	Paused() bool
	Step(n int)
	Jump(d time.Duration)
	Seek(t time.Time)
	Clock(hhmm string) (time.Time, error)
	Status() string // "Replay: node.rec 03:12:40 (412/2880)"
}

// replayer returns the feed as a Replayer when it is one.
func (a *App) replayer() (Replayer, bool) {
	r, ok := a.opts.Feed.(Replayer)
	return r, ok
}

func (a *App) isReplay() bool { _, ok := a.replayer(); return ok }

// replayBindings come before the others so that, in a replay, p and Space
// stop the playback rather than freeze the display.
func replayBindings() []*binding {
	return []*binding{
		{keys: []keySpec{rkey('p'), {key: tcell.KeyRune, r: ' ', name: "Space"}}, desc: "pause or resume the playback", when: (*App).isReplay, do: func(a *App, _ *tcell.EventKey) {
			r, _ := a.replayer()
			r.Pause(!r.Paused()) // the screen redraws after every key
		}},
		{keys: []keySpec{fkey(tcell.KeyRight, "Right")}, desc: "replay: one snapshot forward (pauses)", when: (*App).isReplay, do: func(a *App, _ *tcell.EventKey) { a.replayMove(func(r Replayer) { r.Step(1) }) }},
		{keys: []keySpec{fkey(tcell.KeyLeft, "Left")}, desc: "replay: one snapshot back (pauses)", when: (*App).isReplay, do: func(a *App, _ *tcell.EventKey) { a.replayMove(func(r Replayer) { r.Step(-1) }) }},
		{keys: []keySpec{rkey(']')}, desc: "replay: one minute forward (pauses)", when: (*App).isReplay, do: func(a *App, _ *tcell.EventKey) { a.replayMove(func(r Replayer) { r.Jump(time.Minute) }) }},
		{keys: []keySpec{rkey('[')}, desc: "replay: one minute back (pauses)", when: (*App).isReplay, do: func(a *App, _ *tcell.EventKey) { a.replayMove(func(r Replayer) { r.Jump(-time.Minute) }) }},
		{keys: []keySpec{rkey('g')}, desc: "replay: go to a time of day (HH:MM or HH:MM:SS)", when: (*App).isReplay, do: (*App).replayGoTo},
	}
}

// replayMove pauses the playback and moves it; the feed publishes the
// snapshot it lands on, which redraws the table.
func (a *App) replayMove(move func(Replayer)) {
	r, _ := a.replayer()
	r.Pause(true)
	move(r)
}

// replayGoTo asks for a time of day and seeks there.
func (a *App) replayGoTo(_ *tcell.EventKey) {
	a.ask("Go to (HH:MM): ", "", nil, func(text string, key tcell.Key) {
		if key != tcell.KeyEnter {
			return
		}
		r, _ := a.replayer()
		t, err := r.Clock(text)
		if err != nil {
			a.setMessage(true, "%v", err)
			return
		}
		a.replayMove(func(r Replayer) { r.Seek(t) })
	})
}
