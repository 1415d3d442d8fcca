package ui

import (
	"fmt"
	"os"
	"os/signal"
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
func newTerminal() (tcell.Screen, error) {
	term := os.Getenv("TERM")
	ti, err := terminalInfo(term)
	if err != nil || ti.SetCursor == "" {
		return nil, unusableTerm(term)
	}
	return tcell.NewTerminfoScreenFromTtyTerminfo(nil, ti)
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
	if a.ctx.Err() != nil {
		return // stopped meanwhile (SIGHUP, SIGTERM)
	}
	if !a.terminalAlive() {
		// The terminal went away while suspended (ssh dropped, the
		// window closed): tcell could not take it back, and a draw into
		// the screen it left behind never returns. Stop before tview
		// draws after this key.
		a.Stop()
		return
	}
	// tcell takes the terminal back believing it still shows the last
	// frame; the shell has drawn over it since.
	a.app.Sync()
}

// terminalAlive reports whether the screen's terminal still answers; a
// simulation screen has none and always does.
func (a *App) terminalAlive() bool {
	tty, ok := a.screen.Tty()
	if !ok {
		return true
	}
	_, err := tty.WindowSize()
	return err == nil
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
