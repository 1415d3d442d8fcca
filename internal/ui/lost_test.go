package ui

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
)

// stuckScreen is a simulation screen whose Show, once armed, never
// returns until released: a draw stuck as tcell's was on the buffer a
// failed resume left (keys no longer answered, tview's lock held).
type stuckScreen struct {
	tcell.SimulationScreen
	armed   atomic.Bool
	once    sync.Once
	inShow  chan struct{} // closed when a Show is stuck
	release chan struct{}
	// resumeErr, when set, is what Resume answers: the terminal cannot
	// be taken back.
	resumeErr error
	// showsAfterResume counts the Shows after a Resume.
	resumed          atomic.Bool
	showsAfterResume atomic.Int32
}

func newStuckScreen() *stuckScreen {
	return &stuckScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8"), inShow: make(chan struct{}), release: make(chan struct{})}
}

func (s *stuckScreen) Show() {
	if s.resumed.Load() {
		s.showsAfterResume.Add(1)
	}
	if s.armed.Load() {
		s.once.Do(func() { close(s.inShow) })
		<-s.release
	}
	s.SimulationScreen.Show()
}

func (s *stuckScreen) Sync() {
	if s.resumed.Load() {
		s.showsAfterResume.Add(1)
	}
	s.SimulationScreen.Sync()
}

func (s *stuckScreen) Resume() error {
	s.resumed.Store(true)
	if s.resumeErr != nil {
		return s.resumeErr
	}
	return s.SimulationScreen.Resume()
}

// runStuck starts an App on scr and returns Run's answer channel.
func runStuck(t *testing.T, scr *stuckScreen) (*App, chan error) {
	t.Helper()
	t.Setenv("LANG", "C.UTF-8")
	a, err := New(scr, Options{Feed: newFakeFeed(testSnapshot())})
	if err != nil {
		t.Fatal(err)
	}
	scr.SetSize(120, 30)
	done := make(chan error, 1)
	go func() { done <- a.Run() }()
	t.Cleanup(func() {
		// The abandoned event loop goes on from its draw and ends: let it,
		// before the next test's screen is built.
		close(scr.release)
		select {
		case <-a.loopEnded:
		case <-time.After(30 * time.Second):
			t.Error("the event loop did not end once its draw returned")
		}
	})
	return a, done
}

// ended waits for Run to return; the bound is for a loaded machine, not a
// speed: the old screen never returned at all.
func ended(t *testing.T, done chan error, what string) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after %s: %v, want nil (a quit)", what, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("Run did not return after %s", what)
	}
}

// A screen stuck in a draw still ends when asked (SIGTERM, q from another
// goroutine) and when its terminal goes away (SIGHUP, EOF or EIO on the
// tty): before, Stop waited for tview's lock, which the stuck draw held,
// and the process outlived its ssh session.
func TestAScreenStuckInADrawEnds(t *testing.T) {
	for _, how := range []string{"Stop", "the terminal lost"} {
		t.Run(how, func(t *testing.T) {
			scr := newStuckScreen()
			a, done := runStuck(t, scr)
			scr.armed.Store(true)
			scr.InjectKey(tcell.KeyDown, 0, tcell.ModNone)
			select {
			case <-scr.inShow:
			case <-time.After(30 * time.Second):
				t.Fatal("no draw after a key")
			}
			if how == "Stop" {
				go a.Stop()
			} else {
				a.lost.set("test: hung up")
			}
			ended(t, done, how)
		})
	}
}

// A terminal that cannot be taken back after Ctrl-Z (its session ended
// while the screen was suspended) ends the screen, and nothing is drawn
// into the empty buffer the suspension left: tcell's draw never returns
// there.
func TestAFailedResumeEndsTheScreen(t *testing.T) {
	scr := newStuckScreen()
	scr.resumeErr = errors.New("open /dev/tty: no such device or address")
	a, done := runStuck(t, scr)
	a.app.QueueUpdate(func() { a.stopSelf = func() {} })
	scr.InjectKey(tcell.KeyCtrlZ, 0, tcell.ModCtrl)
	ended(t, done, "a failed resume")
	if n := scr.showsAfterResume.Load(); n != 0 {
		t.Errorf("%d draws after the terminal could not be taken back", n)
	}
}
