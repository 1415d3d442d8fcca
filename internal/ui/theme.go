package ui

import (
	"os"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// theme holds every style and glyph the screen draws with, so that
// --color never and a non-UTF-8 locale are decided in one place.
type theme struct {
	color bool
	utf8  bool

	base, bold, header, sortHeader, selected tcell.Style
	crumb, crumbSep, msgErr, msgInfo, paused tcell.Style
	hintKey, hintLabel, barLabel, barFrame   tcell.Style
	barLow, barMid, barHigh, barMem, barSwap tcell.Style

	up, down, crumbArrow, treeBranch, ellipsis string
	treeTee, treeLine                          string // ├─ and │ of tree mode
	cutMark                                    string // ends a cut cell
	colsLeft, colsRight                        string // columns off screen that way
	barFull                                    rune
	barParts                                   []rune // partial cells, 1/8 .. 7/8
	spark                                      []rune
}

// wantColor decides --color auto|always|never; NO_COLOR turns auto off.
func wantColor(mode string) bool {
	switch mode {
	case "never":
		return false
	case "always":
		return true
	}
	return os.Getenv("NO_COLOR") == ""
}

// localeUTF8 reports whether the locale's character set is UTF-8, looking
// at LC_ALL, LC_CTYPE and LANG in the order the C library does.
func localeUTF8() bool {
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if s := os.Getenv(v); s != "" {
			s = strings.ToLower(s)
			return strings.Contains(s, "utf-8") || strings.Contains(s, "utf8")
		}
	}
	return false
}

func newTheme(color, utf8 bool) *theme {
	d := tcell.StyleDefault
	t := &theme{color: color, utf8: utf8}
	t.base = d
	t.bold = d.Bold(true)
	t.selected = d.Reverse(true)
	t.header = d.Bold(true)
	t.sortHeader = d.Bold(true).Underline(true)
	t.crumb = d.Bold(true)
	t.crumbSep = d
	t.msgErr = d.Bold(true)
	t.msgInfo = d
	t.paused = d.Reverse(true).Bold(true)
	t.hintKey = d
	t.hintLabel = d.Reverse(true)
	t.barLabel = d.Bold(true)
	t.barFrame = d.Bold(true)
	t.barLow, t.barMid, t.barHigh, t.barMem, t.barSwap = d, d, d, d, d
	if color {
		// Black text is never bold: xterm (boldColors, on by default) and
		// others draw bold black as bright black, dark grey, which on teal
		// left the sorted column's title hard to read. htop's pair for it
		// is black on cyan, plain.
		t.header = d.Foreground(tcell.ColorBlack).Background(tcell.ColorGreen)
		t.sortHeader = d.Foreground(tcell.ColorBlack).Background(tcell.ColorTeal)
		t.selected = d.Foreground(tcell.ColorBlack).Background(tcell.ColorTeal)
		t.crumb = d.Foreground(tcell.ColorTeal).Bold(true)
		t.msgErr = d.Foreground(tcell.ColorRed).Bold(true)
		t.msgInfo = d.Foreground(tcell.ColorYellow)
		t.paused = d.Foreground(tcell.ColorBlack).Background(tcell.ColorYellow)
		t.hintKey = d
		t.hintLabel = d.Foreground(tcell.ColorBlack).Background(tcell.ColorTeal)
		t.barLabel = d.Foreground(tcell.ColorTeal).Bold(true)
		t.barLow = d.Foreground(tcell.ColorGreen)
		t.barMid = d.Foreground(tcell.ColorYellow)
		t.barHigh = d.Foreground(tcell.ColorRed)
		t.barMem = d.Foreground(tcell.ColorGreen)
		t.barSwap = d.Foreground(tcell.ColorRed)
	}
	if utf8 {
		t.up, t.down, t.crumbArrow, t.treeBranch, t.ellipsis = "▲", "▼", " › ", "└─ ", "… "
		t.treeTee, t.treeLine, t.cutMark = "├─ ", "│  ", "…"
		t.colsLeft, t.colsRight = "◂", "▸"
		t.barFull = '█'
		t.barParts = []rune("▏▎▍▌▋▊▉")
		t.spark = []rune("▁▂▃▄▅▆▇█")
	} else {
		t.up, t.down, t.crumbArrow, t.treeBranch, t.ellipsis = "^", "v", " > ", "`- ", "... "
		t.treeTee, t.treeLine, t.cutMark = "|- ", "|  ", "~"
		t.colsLeft, t.colsRight = "<", ">"
		t.barFull = '|'
		t.spark = []rune("_.-=+*#@")
	}
	return t
}

// applyTview sets tview's global styles so that its own widgets (menus,
// prompts, modals) follow the theme; without colour every one is default.
func (t *theme) applyTview() {
	def := tcell.ColorDefault
	s := &tview.Styles
	s.PrimitiveBackgroundColor = def
	s.ContrastBackgroundColor = def
	s.MoreContrastBackgroundColor = def
	s.BorderColor = def
	s.TitleColor = def
	s.GraphicsColor = def
	s.PrimaryTextColor = def
	s.SecondaryTextColor = def
	s.TertiaryTextColor = def
	s.InverseTextColor = def
	s.ContrastSecondaryTextColor = def
	if t.color {
		s.ContrastBackgroundColor = tcell.ColorTeal
		s.MoreContrastBackgroundColor = tcell.ColorGreen
		s.BorderColor = tcell.ColorTeal
		s.TitleColor = tcell.ColorTeal
		s.SecondaryTextColor = tcell.ColorYellow
		s.TertiaryTextColor = tcell.ColorGreen
		s.InverseTextColor = tcell.ColorBlack
	}
	if !t.utf8 {
		b := &tview.Borders
		b.Horizontal, b.Vertical = '-', '|'
		b.TopLeft, b.TopRight, b.BottomLeft, b.BottomRight = '+', '+', '+', '+'
		b.HorizontalFocus, b.VerticalFocus = '=', '|'
		b.TopLeftFocus, b.TopRightFocus, b.BottomLeftFocus, b.BottomRightFocus = '+', '+', '+', '+'
	}
}
