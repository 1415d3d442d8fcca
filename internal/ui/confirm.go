package ui

import (
	"fmt"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/rivo/uniseg"

	"github.com/ctop-like/ctop-like/internal/termtext"
)

// confirmBox asks before an action: the question, wrapped to the box and
// never cut — an id of 5,000 characters shows whole, over as many lines
// as it needs, and a question taller than the screen scrolls — then
// Cancel and the action's button. Cancel has the focus, so Enter alone
// does nothing.
//
// tview's Modal wrapped the question at a third of the screen and grew
// past the screen's height, losing its middle and its buttons; before
// that the question was cut at 300 cells with "…".
type confirmBox struct {
	*tview.Box
	th       *theme
	question string   // terminal-safe (termtext), without line breaks
	buttons  []string // Cancel, then the action's button
	focus    int
	top      int            // first line of the question shown
	done     func(yes bool) // yes: the action's button was pressed

	// As last drawn.
	lines []string
	wrapW int
	rows  int      // lines of the question shown
	spots [][3]int // each button's x, y and width, for clicks
}

func newConfirmBox(th *theme, question, button string, done func(yes bool)) *confirmBox {
	c := &confirmBox{Box: tview.NewBox(), th: th, question: termtext.Line(question, 0), buttons: []string{"Cancel", button}, done: done, wrapW: -1}
	c.SetBorder(true)
	c.SetBorderStyle(th.base)
	c.SetBackgroundColor(tcell.ColorDefault)
	return c
}

// buttonLabel is how a button is drawn.
func buttonLabel(b string) string { return "  " + b + "  " }

// size is the box's width and height on a screen of sw×sh cells, with
// the question wrapped for that width: a third of the screen as tview's
// Modal, wider while the question would be taller than the screen.
func (c *confirmBox) size(sw, sh int) (w, h int) {
	bw := 0
	for _, b := range c.buttons {
		bw += uniseg.StringWidth(buttonLabel(b)) + 2
	}
	w = min(max(sw/3+4, bw+4, 24), sw)
	c.wrap(w - 4)
	for len(c.lines)+4 > sh && w < sw {
		w = min(w+sw/6+1, sw)
		c.wrap(w - 4)
	}
	return w, min(len(c.lines)+4, sh)
}

// wrap breaks the question into lines of at most w cells, again only when
// w changed.
func (c *confirmBox) wrap(w int) {
	if w == c.wrapW {
		return
	}
	c.wrapW = w
	c.lines = wrapWords(c.question, w)
}

// Draw implements tview.Primitive.
func (c *confirmBox) Draw(screen tcell.Screen) {
	sw, sh := screen.Size()
	w, h := c.size(sw, sh)
	c.SetRect((sw-w)/2, (sh-h)/2, w, h)
	c.rows = max(h-4, 0)
	c.scroll(0)
	c.SetTitle("")
	if len(c.lines) > c.rows {
		c.SetTitle(fmt.Sprintf(" lines %d-%d of %d: Up Down PgUp PgDn scroll ", c.top+1, c.top+c.rows, len(c.lines)))
	}
	c.Box.DrawForSubclass(screen, c)
	x, y, iw, ih := c.GetInnerRect()
	if iw <= 0 || ih <= 0 {
		return
	}
	for i := 0; i < c.rows && c.top+i < len(c.lines); i++ {
		l := c.lines[c.top+i]
		put(screen, x+1+max(iw-2-uniseg.StringWidth(l), 0)/2, y+i, iw-2, l, c.th.base)
	}
	total := -2
	for _, b := range c.buttons {
		total += uniseg.StringWidth(buttonLabel(b)) + 2
	}
	bx, by := x+max(iw-total, 0)/2, y+ih-1
	c.spots = c.spots[:0]
	for i, b := range c.buttons {
		st := c.th.base
		if i == c.focus {
			st = c.th.selected
		}
		n := put(screen, bx, by, x+iw-bx, buttonLabel(b), st)
		c.spots = append(c.spots, [3]int{bx, by, n})
		bx += n + 2
	}
}

// scroll moves the question by n lines, within its length.
func (c *confirmBox) scroll(n int) {
	c.top = clamp(c.top+n, 0, max(len(c.lines)-c.rows, 0))
}

// InputHandler implements tview.Primitive: Left, Right and Tab move
// between the buttons, Enter presses one, Esc closes, the arrows and
// pages scroll. (y and n are the confirm's own keys.)
func (c *confirmBox) InputHandler() func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
	return c.WrapInputHandler(func(ev *tcell.EventKey, _ func(p tview.Primitive)) {
		switch ev.Key() {
		case tcell.KeyLeft, tcell.KeyBacktab:
			c.focus = (c.focus + len(c.buttons) - 1) % len(c.buttons)
		case tcell.KeyRight, tcell.KeyTab:
			c.focus = (c.focus + 1) % len(c.buttons)
		case tcell.KeyEnter:
			c.done(c.focus == 1)
		case tcell.KeyEscape:
			c.done(false)
		case tcell.KeyUp:
			c.scroll(-1)
		case tcell.KeyDown:
			c.scroll(1)
		case tcell.KeyPgUp:
			c.scroll(-max(c.rows-1, 1))
		case tcell.KeyPgDn:
			c.scroll(max(c.rows-1, 1))
		case tcell.KeyHome:
			c.top = 0
		case tcell.KeyEnd:
			c.scroll(len(c.lines))
		}
	})
}

// MouseHandler implements tview.Primitive: a click on a button presses
// it, the wheel scrolls.
func (c *confirmBox) MouseHandler() func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (consumed bool, capture tview.Primitive) {
	return c.WrapMouseHandler(func(action tview.MouseAction, ev *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
		x, y := ev.Position()
		if !c.InRect(x, y) {
			return false, nil
		}
		switch action {
		case tview.MouseLeftClick:
			for i, s := range c.spots {
				if y == s[1] && x >= s[0] && x < s[0]+s[2] {
					c.focus = i
					c.done(i == 1)
					break
				}
			}
		case tview.MouseScrollUp:
			c.scroll(-1)
		case tview.MouseScrollDown:
			c.scroll(1)
		}
		return true, nil
	})
}
