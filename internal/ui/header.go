package ui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/rivo/uniseg"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/monitor"
	"github.com/ctop-like/ctop-like/internal/views"
)

// lineView is a one-line widget drawn by a function, so each line (crumbs,
// messages, hints) is computed at draw time from the current state.
type lineView struct {
	*tview.Box
	draw func(screen tcell.Screen, x, y, w int)
}

// Draw implements tview.Primitive.
func (l *lineView) Draw(screen tcell.Screen) {
	l.Box.DrawForSubclass(screen, l)
	x, y, w, h := l.GetInnerRect()
	if h > 0 && w > 0 {
		l.draw(screen, x, y, w)
	}
}

// put writes s at (x, y) within max cells and returns the cells used.
func put(screen tcell.Screen, x, y, max int, s string, st tcell.Style) int {
	used := 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		w := g.Width()
		if used+w > max {
			break
		}
		rs := g.Runes()
		screen.SetContent(x+used, y, rs[0], rs[1:], st)
		used += w
	}
	return used
}

// fill paints n cells with a rune.
func fill(screen tcell.Screen, x, y, n int, r rune, st tcell.Style) {
	for i := 0; i < n; i++ {
		screen.SetContent(x+i, y, r, nil, st)
	}
}

// headerView draws host facts and the CPU, memory and swap bars.
type headerView struct {
	*tview.Box
	a    *App
	look lookSpot // UI goroutine only
	// running is the count of running containers of countOf, taken once
	// per snapshot (UI goroutine only): 1 ms of every frame at 50,000.
	countOf *model.Snapshot
	running int
}

// cpuLayout decides how the CPU bars fit: columns per line and lines, or
// 0 lines for one aggregate bar when there are too many for the height.
func cpuLayout(ncpu, w, h int) (cols, lines int) {
	cols = w / 26
	if cols < 1 {
		cols = 1
	}
	if cols > 4 {
		cols = 4
	}
	maxLines := 1
	switch {
	case h >= 40:
		maxLines = 8
	case h >= 24:
		maxLines = 4
	case h >= 18:
		maxLines = 2
	}
	lines = (ncpu + cols - 1) / cols
	if ncpu <= 1 || lines > maxLines {
		return 1, 0
	}
	return cols, lines
}

// height is how many lines the header wants on a w×h screen.
func (hv *headerView) height(w, h int) int {
	n := 0
	if s := hv.a.latest.get(); s != nil {
		n = len(s.CPUs)
	}
	_, lines := cpuLayout(n, w, h)
	if lines == 0 {
		lines = 1
	}
	return 3 + lines
}

// Draw implements tview.Primitive: the top line, then, once there is a
// sample, the CPU bars, memory and swap, and the counts, as far as the
// height allows.
func (hv *headerView) Draw(screen tcell.Screen) {
	hv.Box.DrawForSubclass(screen, hv)
	x, y, w, h := hv.GetInnerRect()
	if w <= 0 || h <= 0 {
		return
	}
	s := hv.a.latest.get()
	bottom := y + h
	hv.drawTop(screen, s, x, y, w)
	y++
	if monitor.Waiting(s) {
		return
	}
	_, sh := screen.Size()
	y = hv.drawCPUs(screen, s, x, y, w, sh, bottom)
	if y < bottom {
		hv.drawMemory(screen, s, x, y, w)
		y++
	}
	if y < bottom {
		hv.drawCounts(screen, s, x, y, w)
	}
}

// drawTop draws line 1: host, uptime, load; PAUSED and the interval on
// the right, given room first so they stay visible on a narrow screen.
// Before the first sample it says what it waits for.
func (hv *headerView) drawTop(screen tcell.Screen, s *model.Snapshot, x, y, w int) {
	a := hv.a
	th := a.th
	right := "every " + fmtInterval(a.opts.Feed.Interval())
	a.mu.Lock()
	paused := a.paused
	a.mu.Unlock()
	if r, ok := a.replayer(); ok {
		right = r.Status()
		paused = paused || r.Paused()
	}
	if paused {
		right = "PAUSED " + right
	}
	rw := uniseg.StringWidth(right)
	if rw+1 > w {
		right, rw = "", 0
		if paused {
			right, rw = "PAUSED", 6
		}
	}
	lw := w - rw - 1
	if rw == 0 {
		lw = w
	}
	if monitor.Waiting(s) {
		msg := "waiting for the first sample…"
		if s != nil && len(s.Errors) > 0 {
			msg += " " + joinErrors(s.Errors)
		}
		put(screen, x, y, lw, a.fitLine(msg, lw), th.base)
	} else {
		up, load := views.NA, views.NA // what the source cannot tell
		if !s.Machine.Unknown.Uptime {
			up = fmtUptime(s.UptimeS)
		}
		if !s.Machine.Unknown.Load {
			load = fmt.Sprintf("%.2f %.2f %.2f", s.Load[0], s.Load[1], s.Load[2])
		}
		line := a.fitLine(fmt.Sprintf("%s  up %s  load %s", s.Host, up, load), lw)
		host := strings.TrimSuffix(cut(line, uniseg.StringWidth(s.Host)), th.cutMark)
		n := put(screen, x, y, lw, host, th.bold)
		put(screen, x+n, y, lw-n, line[len(host):], th.base)
	}
	if rw > 0 {
		rx := x + w - rw
		if paused {
			rx += put(screen, rx, y, 6, "PAUSED", th.paused)
		}
		put(screen, rx, y, x+w-rx, strings.TrimPrefix(right, "PAUSED"), th.base)
	}
}

// drawCPUs draws a bar per CPU in columns, or one bar for them all when
// they do not fit the screen's height sh, and returns the next line.
func (hv *headerView) drawCPUs(screen tcell.Screen, s *model.Snapshot, x, y, w, sh, bottom int) int {
	th := hv.a.th
	cols, lines := cpuLayout(len(s.CPUs), w, sh)
	if lines == 0 {
		if y < bottom {
			text := fmt.Sprintf("%.1f%% of %d", s.CPUTotal.UtilPct, len(s.CPUs))
			if s.Machine.Unknown.CPU { // no machine CPU counters (--cluster)
				text = views.NA
			}
			hv.bar(screen, x, y, w, "CPU", s.CPUTotal.UtilPct/100, text, cpuStyle(th, s.CPUTotal.UtilPct))
			y++
		}
		return y
	}
	cw := w / cols
	lw := len(fmt.Sprint(len(s.CPUs) - 1))
	for i, c := range s.CPUs {
		row, col := i%lines, i/lines
		if y+row >= bottom {
			continue
		}
		bw := cw - 1
		if col == cols-1 {
			bw = w - col*cw
		}
		hv.bar(screen, x+col*cw, y+row, bw, fmt.Sprintf("%*d", lw, i), c.UtilPct/100, fmt.Sprintf("%.1f%%", c.UtilPct), cpuStyle(th, c.UtilPct))
	}
	return y + lines
}

// drawMemory draws the memory and swap bars side by side.
func (hv *headerView) drawMemory(screen tcell.Screen, s *model.Snapshot, x, y, w int) {
	th := hv.a.th
	m := s.Memory
	half := w / 2
	hv.bar(screen, x, y, half-1, "Mem", ratio(m.Used, m.Total), views.HumanBytes(float64(m.Used))+"/"+views.HumanBytes(float64(m.Total)), th.barMem)
	su := m.SwapTotal - m.SwapFree
	if m.SwapFree > m.SwapTotal {
		su = 0
	}
	hv.bar(screen, x+half, y, w-half, "Swp", ratio(su, m.SwapTotal), views.HumanBytes(float64(su))+"/"+views.HumanBytes(float64(m.SwapTotal)), th.barSwap)
}

// drawCounts draws the counts of CPUs, containers and processes, what
// needs a look, and the orchestrator's state.
func (hv *headerView) drawCounts(screen tcell.Screen, s *model.Snapshot, x, y, w int) {
	if hv.countOf != s {
		hv.running = 0
		for i := range s.Containers {
			if s.Containers[i].State == "running" {
				hv.running++
			}
		}
		hv.countOf = s
	}
	running := hv.running
	cpus := fmt.Sprint(len(s.CPUs))
	if len(s.CPUs) == 0 { // a source without CPU lines (--cluster): its cores, if it knows them
		cpus = views.NA
		if s.Machine.Cores > 0 {
			cpus = fmt.Sprint(s.Machine.Cores)
		}
	}
	line := fmt.Sprintf("%s CPUs  %d containers (%d running)  %d processes", cpus, len(s.Containers), running, len(s.Processes))
	if c, a, t := views.NeedLook(s); c+a+t > 0 {
		line += "  need a look" + hv.a.lookKey() + ": " + views.NeedLookText(c, a, t)
	}
	if c := s.Cluster; c != nil {
		line += "  " + clusterSummary(c, s.Time)
	}
	line = hv.a.fitLine(line, w)
	put(screen, x, y, w, line, hv.a.th.base)
	hv.look = lookSpot{}
	if i := strings.Index(line, "need a look"); i >= 0 {
		// A click on the count opens what it counts.
		end := strings.Index(line[i:], "  ")
		if end < 0 {
			end = len(line) - i
		}
		x0 := x + uniseg.StringWidth(line[:i])
		hv.look = lookSpot{x0: x0, x1: x0 + uniseg.StringWidth(line[i:i+end]), y: y, ok: true}
	}
}

// lookSpot is where the header drew the "need a look" count.
type lookSpot struct {
	x0, x1, y int
	ok        bool
}

// onLook says whether a screen position is on the "need a look" count.
func (hv *headerView) onLook(x, y int) bool {
	l := hv.look
	return l.ok && y == l.y && x >= l.x0 && x < l.x1
}

// lookKey is " (x)": the key of the view that lists what needs a look,
// "" when none has one.
func (a *App) lookKey() string {
	if v := views.Get(views.LookView); v != nil && v.Key != 0 {
		return " (" + string(v.Key) + ")"
	}
	return ""
}

// fitLine is s when it fits w cells, else s cut to end in the theme's
// mark, so that a cut line does not read as whole.
func (a *App) fitLine(s string, w int) string {
	if textWidth(s) <= w {
		return s
	}
	return strings.TrimRight(truncate(s, w, a.th.cutMark), " ")
}

// clusterSummary is the orchestrator's state in a few words.
func clusterSummary(c *model.Cluster, now time.Time) string {
	var parts []string
	if c.Leader != "" {
		parts = append(parts, "mesos "+c.Leader)
	}
	if !c.Time.IsZero() {
		// A cluster read that ended after the refresh's own time (the
		// node's figures are timed when their collection starts; under
		// --cluster a round's answers come in after) is no age at all:
		// it read "data -4000ms old".
		parts = append(parts, "data "+fmtInterval(max(now.Sub(c.Time), 0).Truncate(time.Second))+" old")
	}
	if c.Stale {
		parts = append(parts, "STALE")
	}
	if len(c.Errors) > 0 {
		parts = append(parts, c.Errors[len(c.Errors)-1])
	}
	return strings.Join(parts, "  ")
}

func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func cpuStyle(th *theme, pct float64) tcell.Style {
	switch {
	case pct >= 90:
		return th.barHigh
	case pct >= 60:
		return th.barMid
	}
	return th.barLow
}

// bar draws htop's `label[|||||    text]` in w cells.
func (hv *headerView) bar(screen tcell.Screen, x, y, w int, label string, frac float64, text string, st tcell.Style) {
	th := hv.a.th
	n := put(screen, x, y, w, label, th.barLabel)
	inner := w - n - 2
	if inner < 1 {
		return
	}
	put(screen, x+n, y, 1, "[", th.barFrame)
	bx := x + n + 1
	fill(screen, bx, y, inner, ' ', th.base)
	if frac < 0 || math.IsNaN(frac) {
		frac = 0
	}
	if frac > 1 {
		frac = 1
	}
	cells := frac * float64(inner)
	full := int(cells)
	fill(screen, bx, y, full, th.barFull, st)
	if part := int((cells - float64(full)) * 8); part > 0 && full < inner && len(th.barParts) == 7 {
		screen.SetContent(bx+full, y, th.barParts[part-1], nil, st)
	}
	tw := uniseg.StringWidth(text)
	if tw <= inner {
		put(screen, bx+inner-tw, y, tw, text, th.base)
	}
	put(screen, bx+inner, y, 1, "]", th.barFrame)
}

// fmtUptime is "3d 04:05" or "04:05:06".
func fmtUptime(s float64) string {
	d := int(s)
	days, h, m := d/86400, d%86400/3600, d%3600/60
	if days > 0 {
		return fmt.Sprintf("%dd %02d:%02d", days, h, m)
	}
	return fmt.Sprintf("%02d:%02d:%02d", h, m, d%60)
}

// fmtInterval is a duration as a person reads it: 500ms, 2s, 1m.
func fmtInterval(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	return s
}
