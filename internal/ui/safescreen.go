package ui

import (
	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/termtext"
)

// safeScreen is the screen tview draws on: every character reaches the
// terminal through SetContent, so this is the one place where untrusted
// text (container names, labels, cluster ids, error bodies, log lines) is
// made unable to act on the terminal, whichever widget draws it. A C0/C1
// control (ESC starts a sequence; U+009B is a CSI by itself) or a bidi
// override/isolate (it reorders the rest of the line) is drawn as '?', the
// rule termtext applies to batch output and stderr.
//
// It also draws nothing once the terminal is gone (lost), and tells lost
// when tcell cannot take the terminal back after a suspension.
type safeScreen struct {
	tcell.Screen
	lost *lostTerminal
}

// Show implements tcell.Screen.
func (s safeScreen) Show() {
	if !s.lost.is() {
		s.Screen.Show()
	}
}

// Sync implements tcell.Screen.
func (s safeScreen) Sync() {
	if !s.lost.is() {
		s.Screen.Sync()
	}
}

// Resume implements tcell.Screen. tview ignores its error and draws on,
// into the empty cell buffer the suspension left: tcell's draw then never
// ends (it steps back one cell for each cell of width 0).
func (s safeScreen) Resume() error {
	err := s.Screen.Resume()
	if err != nil {
		s.lost.set("the terminal cannot be taken back: " + err.Error())
	}
	return err
}

func (s safeScreen) SetContent(x, y int, primary rune, combining []rune, style tcell.Style) {
	if unsafeRune(primary) {
		primary = '?'
	}
	for i, r := range combining {
		if unsafeRune(r) {
			// Drop them from a copy: the slice belongs to the caller.
			kept := append([]rune(nil), combining[:i]...)
			for _, r := range combining[i+1:] {
				if !unsafeRune(r) {
					kept = append(kept, r)
				}
			}
			combining = kept
			break
		}
	}
	if len(combining) == 0 && primary >= ' ' && primary < 0x7f {
		// tcell's SetContent makes a new string of the runes for each
		// cell: an allocation a cell, 8,000 a frame of 160x50 drawn
		// once, a quarter of a cursor key's at 10,000 rows.
		s.Screen.Put(x, y, asciiCells[primary], style)
		return
	}
	s.Screen.SetContent(x, y, primary, combining, style)
}

// asciiCells are the strings of one printable ASCII character, made once.
var asciiCells = func() (a [0x7f]string) {
	for c := ' '; c < 0x7f; c++ {
		a[c] = string(c)
	}
	return a
}()

func unsafeRune(r rune) bool { return termtext.IsControl(r) || termtext.IsBidi(r) }
