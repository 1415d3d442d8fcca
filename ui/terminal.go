package ui

import (
	"os"
	"syscall"

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
	if ti, err := tcell.LookupTerminfo(os.Getenv("TERM")); err == nil {
		return tcell.NewTerminfoScreenFromTtyTerminfo(nil, withoutPadding(ti))
	}
	return tcell.NewScreen()
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
	a.screen.Sync()
}

// suspend gives the terminal back to the shell (Ctrl-Z) and stops the
// process as the terminal's own Ctrl-Z would; `fg` continues it and the
// screen comes back whole.
func (a *App) suspend(_ *tcell.EventKey) {
	a.app.Suspend(a.stopSelf)
}

// stopSelf stops the process group with SIGTSTP, as a shell's job control
// expects; it returns once the process is continued (SIGCONT).
func stopSelf() {
	_ = syscall.Kill(0, syscall.SIGTSTP)
}
