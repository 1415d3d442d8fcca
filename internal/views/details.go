package views

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// DetailsEnv is what a details renderer may use beyond the snapshot: the
// screen's recent history of a row and how it draws a series.
type DetailsEnv struct {
	Samples   int                                          // how many samples History keeps
	History   func(key string) (cpu, mem, net []float64)   // nil: none
	Sparkline func(values []float64, floor float64) string // nil: none
}

// DetailsFunc renders the details panel (d key) of the row with this key:
// its title and its text. Env values are never shown, only their names.
type DetailsFunc func(s *model.Snapshot, key string, env DetailsEnv) (title, text string)

// detailsWriter writes "key:        value" lines.
type detailsWriter struct{ strings.Builder }

func (b *detailsWriter) kv(k string, v any) { fmt.Fprintf(b, "%-12s %v\n", k+":", v) }

func orNA(s string) string {
	if s == "" {
		return NA
	}
	return s
}

// containerDetails renders a container: what it is, its limits, its place
// in the cluster, label and env names, and its recent CPU, memory and
// network as sparklines.
func containerDetails(s *model.Snapshot, key string, env DetailsEnv) (string, string) {
	var c *model.Container
	if s != nil {
		c = s.ContainerByID(key)
	}
	if c == nil {
		return "Container " + model.ShortID(key), "gone: no longer in the latest snapshot\n"
	}
	var b detailsWriter
	b.kv("id", c.ID)
	b.kv("name", c.Name)
	b.kv("image", orNA(c.Image))
	b.kv("runtime", c.Runtime)
	if c.ContainerdNamespace != "" {
		b.kv("namespace", c.ContainerdNamespace+" (containerd)")
	}
	b.kv("state", c.State)
	b.kv("health", orNA(c.Health))
	b.kv("restarts", c.RestartCount)
	if !c.Created.IsZero() {
		b.kv("created", c.Created.Format(time.RFC3339))
	}
	b.kv("pid", c.PID)
	b.kv("cgroup", c.Cgroup)
	lim := NA
	if c.Mem.Limit > 0 {
		lim = HumanBytes(float64(c.Mem.Limit))
	}
	cpuLim := "unlimited"
	if c.CPU.QuotaCores > 0 {
		cpuLim = strconv.FormatFloat(c.CPU.QuotaCores, 'f', 2, 64) + " cores"
	}
	b.kv("limits", "memory "+lim+", cpu "+cpuLim)
	b.kv("network", orNA(c.NetworkMode))
	b.kv("ports", orNA(strings.Join(c.Ports, ", ")))
	b.kv("mounts", orNA(strings.Join(c.Mounts, ", ")))
	cl := c.Cluster
	b.kv("framework", orNA(cl.Framework))
	b.kv("task", orNA(cl.Task)+" "+cl.TaskID)
	b.kv("app", orNA(cl.App))
	b.kv("group", orNA(cl.Group))
	labelsDetails(&b, containerLabels(c))
	b.kv("env names", orNA(strings.Join(sortedKeys(c.Env), ", ")))
	if env.History != nil && env.Sparkline != nil {
		cpu, mem, net := env.History(c.Key())
		b.WriteString("\nlast " + strconv.Itoa(env.Samples) + " samples\n")
		b.kv("cpu", env.Sparkline(cpu, 100)+"  "+lastValue(cpu, func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" }))
		b.kv("memory", env.Sparkline(mem, 1)+"  "+lastValue(mem, HumanBytes))
		b.kv("net rx+tx", env.Sparkline(net, 1)+"  "+lastValue(net, func(f float64) string { return HumanBytes(f) + "/s" }))
	}
	return "Container " + c.Name, b.String()
}

// processDetails renders a process.
func processDetails(s *model.Snapshot, key string, _ DetailsEnv) (string, string) {
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
	var b detailsWriter
	b.kv("pid", p.PID)
	b.kv("ppid", p.PPID)
	b.kv("name", p.Name)
	b.kv("command", p.Command)
	b.kv("user", fmt.Sprintf("%s (%d)", orNA(p.User), p.UID))
	b.kv("state", p.State)
	b.kv("nice", p.Nice)
	b.kv("threads", p.Threads)
	if !p.StartTime.IsZero() {
		b.kv("started", p.StartTime.Format(time.RFC3339))
	}
	b.kv("cpu time", Duration(p.UserS+p.SystemS))
	b.kv("rss", HumanBytes(float64(p.RSS)))
	b.kv("vsz", HumanBytes(float64(p.VSZ)))
	b.kv("cgroup", orNA(p.Cgroup))
	cont := NA
	if p.ContainerID != "" {
		cont = model.ShortID(p.ContainerID)
		if c := s.ContainerByID(p.InContainer()); c != nil {
			cont = c.Name + " (" + model.ShortID(c.ID) + ")"
		}
	}
	b.kv("container", cont)
	return fmt.Sprintf("Process %d %s", p.PID, p.Name), b.String()
}

// lastValue formats the newest value of a series.
func lastValue(l []float64, f func(float64) string) string {
	if len(l) == 0 || math.IsNaN(l[len(l)-1]) {
		return NA
	}
	return f(l[len(l)-1])
}

// sortedKeys returns a map's keys in order.
func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
