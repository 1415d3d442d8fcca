package ui

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/gdamore/tcell/v2/terminfo"
)

// newTerminal opens the terminal named by $TERM without its padding
// delays. Terminfo entries of old terminals ask for a pause after some
// sequences (vt100: 5 ms after each cursor move, 50 ms after a clear),
// for hardware that needed it in the 1980s; tcell honours them by
// sleeping, which made one key on TERM=vt100 cost 5 to 15 s of drawing.
// Terminal emulators need no padding, and ncurses' programs (htop) do
// not wait either. A $TERM tcell does not know is left to tcell.
//
// The screen reads and writes /dev/tty through watchedTty, which tells
// lost when the terminal goes away.
func newTerminal(lost *lostTerminal) (tcell.Screen, error) {
	term := os.Getenv("TERM")
	ti, err := terminalInfo(term)
	if err != nil || ti.SetCursor == "" {
		return nil, unusableTerm(term)
	}
	dev, err := tcell.NewDevTty()
	if err != nil {
		return nil, err
	}
	return tcell.NewTerminfoScreenFromTtyTerminfo(&watchedTty{Tty: dev, lost: lost}, ti)
}

// unusableTerm says how to run when $TERM names no terminal the screen can
// draw on: unset (a cron job, ssh host cmd), dumb (an editor's shell),
// or unknown here (a terminfo entry the node lacks).
func unusableTerm(term string) error {
	why := "TERM=" + term + " is a terminal type this system has no terminfo entry for"
	switch term {
	case "":
		why = "TERM is not set, so the terminal type is unknown"
	case "dumb":
		why = "TERM=dumb cannot move the cursor"
	}
	return fmt.Errorf("%s: run TERM=xterm-256color ctop-like for the screen, or ctop-like -o table to print without one", why)
}

// lostTerminal is the word, given once, that the screen's terminal went
// away: the ssh session dropped or the window closed (SIGHUP, end of input
// or EIO on the tty, a write that fails, a size that cannot be read) or
// the terminal cannot be taken back after a shell or Ctrl-Z (the session
// that owned it ended). Run then returns within lostGrace whatever the
// screen is doing, and nothing is drawn any more: tcell's draw into the
// empty buffer a failed resume leaves loops for ever.
type lostTerminal struct {
	once sync.Once
	ch   chan struct{}
}

func newLostTerminal() *lostTerminal { return &lostTerminal{ch: make(chan struct{})} }

// set says the terminal is gone; why is for the reader of the code (and
// a debugger): every caller names its evidence.
func (l *lostTerminal) set(why string) {
	l.once.Do(func() { close(l.ch) })
}

// done is closed once the terminal is gone.
func (l *lostTerminal) done() <-chan struct{} { return l.ch }

// is reports whether the terminal is gone.
func (l *lostTerminal) is() bool {
	select {
	case <-l.ch:
		return true
	default:
		return false
	}
}

// watchedTty is tcell's /dev/tty with every failure that means the
// terminal went away told to lost. tcell itself stops only on a read
// error, and only when its event loop gets to it: a busy or stuck screen
// never did, and a write error or a failed resume it ignores.
type watchedTty struct {
	tcell.Tty
	lost *lostTerminal
	// draining is set while tcell gives the terminal back (Drain, then
	// Stop): it wakes its reader with a deadline and VMIN 0, so a read
	// that ends then is no loss.
	draining atomic.Bool
}

// Start implements tcell.Tty: a terminal that cannot be opened again (no
// controlling terminal any more: its session ended) is gone.
func (t *watchedTty) Start() error {
	if err := t.Tty.Start(); err != nil {
		t.lost.set("the terminal cannot be taken back: " + err.Error())
		return err
	}
	t.draining.Store(false)
	return nil
}

// Drain implements tcell.Tty.
func (t *watchedTty) Drain() error {
	t.draining.Store(true)
	return t.Tty.Drain()
}

// Read implements tcell.Tty: in raw mode a read waits for a key, so one
// that ends (EOF: hung up; EIO: the other side closed) outside a drain
// means the terminal is gone.
func (t *watchedTty) Read(b []byte) (int, error) {
	n, err := t.Tty.Read(b)
	if err != nil && !t.draining.Load() && !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, os.ErrClosed) {
		t.lost.set("reading the terminal: " + err.Error())
	}
	return n, err
}

// Write implements tcell.Tty.
func (t *watchedTty) Write(b []byte) (int, error) {
	n, err := t.Tty.Write(b)
	if err != nil && !errors.Is(err, os.ErrClosed) {
		t.lost.set("writing to the terminal: " + err.Error())
	}
	return n, err
}

// WindowSize implements tcell.Tty: a hung-up terminal answers EIO.
func (t *watchedTty) WindowSize() (tcell.WindowSize, error) {
	ws, err := t.Tty.WindowSize()
	if err != nil {
		t.lost.set("the terminal's size: " + err.Error())
	}
	return ws, err
}

// terminalInfo is the terminfo entry the screen draws with for a $TERM.
func terminalInfo(term string) (*terminfo.Terminfo, error) {
	ti, err := tcell.LookupTerminfo(term)
	if err != nil {
		return nil, err
	}
	return withoutPadding(ti), nil
}

// withoutPadding returns a copy of a terminfo entry that tcell draws
// without sleeping: with no pad character, its TPuts drops the $<n>
// delays instead of waiting them out.
func withoutPadding(ti *terminfo.Terminfo) *terminfo.Terminfo {
	c := *ti
	c.PadChar = ""
	return &c
}

// repaint draws the whole screen again (Ctrl-L), as after a `wall`
// message or anything else that wrote over it behind tcell's back.
func (a *App) repaint(_ *tcell.EventKey) {
	a.app.Sync()
}

// suspend gives the terminal back to the shell (Ctrl-Z) and stops the
// process as the terminal's own Ctrl-Z would; `fg` continues it and the
// screen comes back whole.
func (a *App) suspend(_ *tcell.EventKey) {
	a.app.Suspend(a.stopSelf)
	a.resumed()
}

// resumed follows the screen's return from a suspension (Ctrl-Z, a
// shell): tcell takes the terminal back believing it still shows the last
// frame, which the shell has drawn over since. A terminal that went away
// meanwhile (ssh dropped, the window closed, the session that owned it
// ended) is not drawn on: Run ends the screen.
func (a *App) resumed() {
	if a.ctx.Err() != nil || !a.terminalAlive() {
		return
	}
	a.app.Sync()
}

// terminalAlive reports whether the screen's terminal still answers, and
// if not tells Run it is gone; a simulation screen has none and always
// does.
func (a *App) terminalAlive() bool {
	if a.lost.is() {
		return false
	}
	tty, ok := a.screen.Tty()
	if !ok {
		return true
	}
	if _, err := tty.WindowSize(); err != nil {
		a.lost.set("the terminal's size: " + err.Error())
		return false
	}
	return true
}

// stopSelf stops the process group with SIGTSTP, as the terminal's own
// Ctrl-Z would, and returns once the process is continued (fg).
//
// The stop takes hold when the kernel next handles the signal in one of
// the process's threads, which can be after kill returns: without waiting
// for SIGCONT the screen was taken back first, and the shell printed its
// prompt over a raw terminal. A stop that cannot happen (SIGTSTP ignored,
// or an orphaned process group, where the kernel drops it) gives up after
// two seconds.
func stopSelf() {
	if signal.Ignored(syscall.SIGTSTP) {
		return
	}
	cont := make(chan os.Signal, 1)
	signal.Notify(cont, syscall.SIGCONT)
	defer signal.Stop(cont)
	if syscall.Kill(0, syscall.SIGTSTP) != nil {
		return
	}
	t := time.NewTimer(2 * time.Second)
	defer t.Stop()
	select {
	case <-cont:
	case <-t.C:
	}
}
