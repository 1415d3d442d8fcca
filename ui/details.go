package ui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/ctop-like/ctop-like/model"
	"github.com/ctop-like/ctop-like/views"
)

// showDetails opens the panel for the selected container or process.
func (a *App) showDetails(_ *tcell.EventKey) {
	r := a.table.selected()
	if r == nil {
		return
	}
	view := a.cur().view
	if view != "containers" && view != "processes" {
		a.setMessage(false, "details exist for containers and processes")
		return
	}
	title, text := a.detailsText(view, r.Key)
	tv := tview.NewTextView().SetWrap(true).SetWordWrap(true)
	tv.SetTextStyle(a.th.base)
	tv.SetText(text)
	tv.SetBorder(true).SetTitle(" " + title + " (Esc closes) ")
	tv.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		switch {
		case ev.Key() == tcell.KeyEscape, ev.Key() == tcell.KeyEnter, ev.Key() == tcell.KeyBackspace2, ev.Key() == tcell.KeyBackspace,
			ev.Key() == tcell.KeyRune && (ev.Rune() == 'q' || ev.Rune() == 'd'):
			a.closeOverlay()
			return nil
		}
		return ev
	})
	a.showOverlay("details", &centered{Primitive: tv, w: 100, h: 40}, tv)
	a.detailsKey = view + "\x00" + r.Key
}

// refreshDetails redraws an open details panel from the newest snapshot.
func (a *App) refreshDetails() {
	if a.overlay != "details" || a.detailsKey == "" {
		return
	}
	view, key, _ := strings.Cut(a.detailsKey, "\x00")
	if name, prim := a.root.GetFrontPage(); name == "details" {
		if c, ok := prim.(*centered); ok {
			if tv, ok := c.Primitive.(*tview.TextView); ok {
				_, text := a.detailsText(view, key)
				tv.SetText(text)
			}
		}
	}
}

// detailsText renders the panel; env values are never shown, only names.
func (a *App) detailsText(view, key string) (title, text string) {
	s := a.latest.get()
	var b strings.Builder
	kv := func(k string, v any) { fmt.Fprintf(&b, "%-12s %v\n", k+":", v) }
	na := func(s string) string {
		if s == "" {
			return views.NA
		}
		return s
	}
	switch view {
	case "containers":
		var c *model.Container
		if s != nil {
			c = s.ContainerByID(key)
		}
		if c == nil {
			return "Container " + short(key), "gone: no longer in the latest snapshot\n"
		}
		title = "Container " + c.Name
		kv("id", c.ID)
		kv("name", c.Name)
		kv("image", na(c.Image))
		kv("runtime", c.Runtime)
		kv("state", c.State)
		kv("health", na(c.Health))
		kv("restarts", c.RestartCount)
		if !c.Created.IsZero() {
			kv("created", c.Created.Format(time.RFC3339))
		}
		kv("pid", c.PID)
		kv("cgroup", c.Cgroup)
		lim := views.NA
		if c.Mem.Limit > 0 {
			lim = views.HumanBytes(float64(c.Mem.Limit))
		}
		cpuLim := "unlimited"
		if c.CPU.QuotaCores > 0 {
			cpuLim = strconv.FormatFloat(c.CPU.QuotaCores, 'f', 2, 64) + " cores"
		}
		kv("limits", "memory "+lim+", cpu "+cpuLim)
		kv("network", na(c.NetworkMode))
		kv("ports", na(strings.Join(c.Ports, ", ")))
		kv("mounts", na(strings.Join(c.Mounts, ", ")))
		cl := c.Cluster
		kv("framework", na(cl.Framework))
		kv("task", na(cl.Task)+" "+cl.TaskID)
		kv("app", na(cl.App))
		kv("group", na(cl.Group))
		var labels []string
		for _, k := range sortedKeys(c.Labels) {
			labels = append(labels, k+"="+c.Labels[k])
		}
		kv("labels", na(strings.Join(labels, ", ")))
		kv("env names", na(strings.Join(sortedKeys(c.Env), ", ")))
		cpu, mem, net := a.hist.get(c.ID)
		b.WriteString("\nlast " + strconv.Itoa(a.hist.n) + " samples\n")
		kv("cpu", sparkline(a.th.spark, cpu, 100)+"  "+last(cpu, func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" }))
		kv("memory", sparkline(a.th.spark, mem, 1)+"  "+last(mem, views.HumanBytes))
		kv("net rx+tx", sparkline(a.th.spark, net, 1)+"  "+last(net, func(f float64) string { return views.HumanBytes(f) + "/s" }))
	case "processes":
		pid, _ := strconv.Atoi(key)
		var p *model.Process
		if s != nil {
			for i := range s.Processes {
				if s.Processes[i].PID == pid {
					p = &s.Processes[i]
					break
				}
			}
		}
		if p == nil {
			return "Process " + key, "gone: no longer in the latest snapshot\n"
		}
		title = fmt.Sprintf("Process %d %s", p.PID, p.Name)
		kv("pid", p.PID)
		kv("ppid", p.PPID)
		kv("name", p.Name)
		kv("command", p.Command)
		kv("user", fmt.Sprintf("%s (%d)", na(p.User), p.UID))
		kv("state", p.State)
		kv("nice", p.Nice)
		kv("threads", p.Threads)
		if !p.StartTime.IsZero() {
			kv("started", p.StartTime.Format(time.RFC3339))
		}
		kv("cpu time", views.Duration(p.UserS+p.SystemS))
		kv("rss", views.HumanBytes(float64(p.RSS)))
		kv("vsz", views.HumanBytes(float64(p.VSZ)))
		kv("cgroup", na(p.Cgroup))
		cont := views.NA
		if p.ContainerID != "" {
			cont = short(p.ContainerID)
			if c := s.ContainerByID(p.ContainerID); c != nil {
				cont = c.Name + " (" + short(c.ID) + ")"
			}
		}
		kv("container", cont)
	}
	return title, b.String()
}

// last formats the newest value of a series.
func last(l []float64, f func(float64) string) string {
	if len(l) == 0 || math.IsNaN(l[len(l)-1]) {
		return views.NA
	}
	return f(l[len(l)-1])
}
