package events

import (
	"fmt"
	"sort"

	"github.com/ctop-like/ctop-like/internal/model"
)

// compareContainers finds what the snapshot's containers say happened
// since the last refresh, for the runtimes whose own figures are the
// source (Config.Counters): a container that appeared started, one that
// is gone died, one whose freezer state changed was paused or unpaused,
// one whose OOM counter grew had the OOM killer in it. The first refresh
// says nothing: what ran before it is no news.
func (t *Timeline) compareContainers(s *model.Snapshot, out []model.Event) []model.Event {
	if !t.observed {
		return out
	}
	src := t.cfg.CounterSource
	seen := make(map[string]bool, len(s.Containers))
	for i := range s.Containers {
		c := &s.Containers[i]
		key := c.Key()
		seen[key] = true
		if !t.cfg.Counters(c.Runtime) {
			continue
		}
		was, ok := t.containers[key]
		ev := model.Event{Time: s.Time, Source: src, ObjectKind: "container", Container: key}
		switch {
		case !ok:
			ev.Kind, ev.Text = "started", "its cgroup "+c.Cgroup+" appeared"
			out = append(out, ev)
		case was.paused != (c.State == "paused"):
			ev.Kind, ev.Text = "paused", "its cgroup is frozen"
			if c.State != "paused" {
				ev.Kind, ev.Text = "unpaused", "its cgroup is thawed"
			}
			out = append(out, ev)
		}
		if ok && was.memory && c.Measured("memory") && !s.Machine.Unknown.OOMKills && c.Mem.OOMKills > was.oomKills {
			ev.Kind = "oom"
			n := c.Mem.OOMKills - was.oomKills
			ev.Text = fmt.Sprintf("the OOM killer killed %d process%s in it (%s oom_kill %d → %d)",
				n, plural(n, "", "es"), oomCounter(s.Machine.CgroupVersion), was.oomKills, c.Mem.OOMKills)
			out = append(out, ev)
		}
	}
	var gone []string
	for key, was := range t.containers {
		if !seen[key] && t.cfg.Counters(was.place(t.copies).runtime) {
			gone = append(gone, key)
		}
	}
	sort.Strings(gone)
	for _, key := range gone {
		out = append(out, model.Event{Time: s.Time, Kind: "died", Source: src, ObjectKind: "container",
			Container: key, Text: "its cgroup " + t.placeOf(key).cgroup + " is gone"})
	}
	return out
}

func (t *Timeline) placeOf(key string) placement {
	m := t.containers[key]
	return m.place(t.copies)
}

// oomCounter names the file a cgroup counts its OOM kills in.
func oomCounter(version int) string {
	if version == 2 {
		return "memory.events"
	}
	if version == 1 {
		return "memory.oom_control"
	}
	return "its"
}

func plural(n uint64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
