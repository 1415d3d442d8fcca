package views

import (
	"strconv"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

func init() {
	register(&View{
		ID:    "containers",
		Title: "Containers",
		Uses:  UsesListeners,
		Doc:   "a container on this node: Docker, Podman, containerd, CRI-O, a Mesos containerizer cgroup (/mesos/<id>), or with -a any other cgroup as runtime raw",
		Columns: append([]Column{
			{ID: "id", Title: "ID", Width: 12, Clip: 12},
			{ID: "name", Title: "NAME", Width: 20},
			{ID: "image", Title: "IMAGE", Width: 18, Priority: 6},
			{ID: "runtime", Title: "RUNTIME", Width: 7, Priority: 7},
			{ID: "state", Title: "STATE", Width: 7, Priority: 2},
			colCPUPct,
			{ID: "throttled_pct", Title: "THR%", Null: "without a CPU quota", Unit: UnitPct, Number: true, Width: 5, Priority: 6},
			colMemBytes,
			{ID: "mem_limit_bytes", Title: "LIMIT", Unit: UnitBytes, Number: true, Width: 6, Priority: 4},
			colMemPct.at(1),
			colNetRxBps.at(2).nullWhen("in the host's network namespace"),
			colNetTxBps.at(2).nullWhen("in the host's network namespace"),
			{ID: "blk_read_bps", Title: "BLK R", Unit: UnitBps, Number: true, Width: 7, Priority: 3},
			{ID: "blk_write_bps", Title: "BLK W", Unit: UnitBps, Number: true, Width: 7, Priority: 3},
			{ID: "pids", Title: "PIDS", Unit: UnitCount, Number: true, Width: 5, Priority: 4},
			{ID: "framework", Title: "FRAMEWORK", Null: "where no Mesos framework placed the container", Width: 10, Priority: 5},
			{ID: "group", Title: "GROUP", Null: "where no Marathon app placed the container", Width: 12, Priority: 5, KeepEnd: true},
			{ID: "app", Title: "APP", Null: "where no Marathon app placed the container (MARATHON_APP_ID in its env names one without -m)", Width: 16, KeepEnd: true}, // the placement: on the first page
			{ID: "task", Title: "TASK", Null: "where no Mesos task placed the container", Width: 20, Priority: 8},
			// Beyond the minimum of DESIGN.md.
			{ID: "cpu_user_pct", Title: "USR%", Unit: UnitPct, Number: true, Width: 5, Priority: 9},
			{ID: "cpu_system_pct", Title: "SYS%", Unit: UnitPct, Number: true, Width: 5, Priority: 9},
			{ID: "throttled_s", Title: "THR S", Unit: UnitSeconds, Number: true, Width: 6, Priority: 9},
			{ID: "rss_bytes", Title: "RSS", Unit: UnitBytes, Number: true, Width: 6, Priority: 9},
			{ID: "cache_bytes", Title: "CACHE", Unit: UnitBytes, Number: true, Width: 6, Priority: 9},
			{ID: "oom_kills", Title: "OOM", Unit: UnitCount, Number: true, Width: 4, Priority: 9},
			{ID: "net_rx_pps", Title: "RX PK/S", Unit: UnitPerSec, Number: true, Width: 7, Priority: 9},
			{ID: "net_tx_pps", Title: "TX PK/S", Unit: UnitPerSec, Number: true, Width: 7, Priority: 9},
			{ID: "blk_read_ps", Title: "R OPS", Unit: UnitPerSec, Number: true, Width: 6, Priority: 9},
			{ID: "blk_write_ps", Title: "W OPS", Unit: UnitPerSec, Number: true, Width: 6, Priority: 9},
			{ID: "restarts", Title: "RESTARTS", Null: "where no runtime API described the container", Unit: UnitCount, Number: true, Width: 4, Priority: 9},
			{ID: "health", Title: "HEALTH", Width: 9, Priority: 9},
			{ID: "pid", Title: "PID", Unit: UnitCount, Number: true, Width: 7, Priority: 9},
			{ID: "framework_id", Title: "FRAMEWORK ID", Width: 20, Priority: 10},
			{ID: "task_id", Title: "TASK ID", Width: 20, Priority: 10},
			{ID: "cgroup", Title: "CGROUP", Width: 30, Priority: 10, KeepEnd: true},
			// The Mesos agent (or remote node) a --cluster row comes from.
			{ID: "agent", Title: "AGENT", Width: 15, Priority: 9}, // only --cluster fills it
			// DESIGN.md "Further columns": why a container stopped (-a
			// lists stopped ones) and which Kubernetes pod it belongs to.
			{ID: "exit_code", Title: "EXIT", Null: "while the container runs", Unit: UnitCount, Number: true, Width: 4, Priority: 9},
			{ID: "oom_killed", Title: "OOMKILLED", Null: "where no runtime API described the container", Width: 5, Priority: 9},
			{ID: "state_age_s", Title: "FOR", Unit: UnitSeconds, Number: true, Width: 8, Priority: 9},
			{ID: "pod", Title: "POD", Width: 20, Priority: 9},
			{ID: "namespace", Title: "NAMESPACE", Width: 12, Priority: 9},
			// What its processes listen on, and why it needs a look.
			{ID: "ports", Title: "PORTS", Null: `when they could not be read; "" when nothing listens`, Width: 14, Priority: 6},
			{ID: "attention", Title: "ATTENTION", Null: "when nothing needs a look", Width: 16, Explains: true},
			// containerd's namespace: one id may run in two of them.
			{ID: "containerd_namespace", Title: "CTRD NS", Null: "for every runtime but containerd", Width: 10, Priority: 9},
			// The runtime's labels, then its task's and app's.
			colLabels,
		}, figureColumns...),
		DefaultSort: "cpu_pct",
		DefaultDesc: true,
		Rank:        0,
		Scopes:      []string{"container", "task", "app", "group", "framework", "agent"},
		Minimum:     []string{"id", "name", "image", "runtime", "state", "cpu_pct", "throttled_pct", "mem_bytes", "mem_limit_bytes", "mem_pct", "net_rx_bps", "net_tx_bps", "blk_read_bps", "blk_write_bps", "pids", "framework", "group", "app", "task", "attention"},
		NameColumns: []string{"name"},
		Details:     containerDetails,
		Actions:     containerActions,
		NoAction:    containerUnoffered,
		Target:      containerTarget,
		Shell:       true,
		Build:       buildContainers,
		Drill: func(r Row) (Target, bool) {
			return Target{View: "processes", Scope: Scope{Kind: "container", ID: r.Key}}, true
		},
		Log: logTarget("container"),
	})
}

func buildContainers(s *model.Snapshot, q Query) []Row {
	rows := make([]Row, 0, len(s.Containers))
	for i := range s.Containers {
		c := &s.Containers[i]
		if !ContainerInScope(c, q.Scope) {
			continue
		}
		vals := containerValues(c, s.Time, s.Machine.Unknown)
		why := containerLook(s, c)
		labels := containerLabels(c)
		vals = append(vals, listenText(c.Listen), text(why), text(c.ContainerdNamespace), labelsValue(&labels))
		vals = append(vals, figureValues(c)...)
		rows = append(rows, Row{Key: c.Key(), Values: vals, Attention: why != "", Labels: labels, Can: c.Can})
	}
	return rows
}

// listenText is a ports value: "6379/tcp 8125/udp"; "" when nothing
// listens; nil (n/a) when it was not read.
func listenText(l []string) any {
	if l == nil {
		return nil
	}
	return strings.Join(l, " ")
}

// containerValues is one container's row. A figure whose controller the
// container lacks (Unmeasured: a v2 cgroup without it, a stopped
// container), or that the node's source cannot tell (unknown), is n/a,
// never 0.
func containerValues(c *model.Container, now time.Time, unknown model.Unknown) []any {
	cpu := c.HasRates && c.Measured("cpu")
	r := c.HasRates
	mem := c.Measured("memory")
	io := r && c.Measured("io")
	net := r && c.Net != nil
	limit := mem && c.Mem.Limit > 0
	return []any{
		c.ID,
		text(c.Name),
		text(c.Image),
		c.Runtime,
		text(c.State),
		rate(cpu, c.CPUPct),
		rate(cpu && c.CPU.Periods > 0, c.ThrottledPct),
		rate(mem, float64(c.Mem.Used)),
		rate(limit, float64(c.Mem.Limit)),
		rate(limit, c.MemPct),
		rate(net, c.NetRxBps),
		rate(net, c.NetTxBps),
		rate(io, c.BlkReadBps),
		rate(io, c.BlkWriteBps),
		rate(c.Measured("pids") && !unknown.Pids, float64(c.Pids)),
		text(c.Cluster.Framework),
		text(c.Cluster.Group),
		text(c.Cluster.App),
		text(c.Cluster.Task),
		rate(cpu, c.CPUUserPct),
		rate(cpu, c.CPUSystemPct),
		rate(cpu && c.CPU.Periods > 0, c.ThrottledS),
		rate(mem, float64(c.Mem.RSS)),
		rate(mem, float64(c.Mem.Cache)),
		rate(mem && !unknown.OOMKills, float64(c.Mem.OOMKills)),
		rate(net, c.NetRxPps),
		rate(net, c.NetTxPps),
		rate(io, c.BlkReadOps),
		rate(io, c.BlkWriteOps),
		rate(described(c) && !unknown.Restarts, float64(c.RestartCount)),
		text(c.Health),
		rate(c.PID > 0, float64(c.PID)),
		text(c.Cluster.FrameworkID),
		text(c.Cluster.TaskID),
		c.Cgroup,
		text(c.Agent),
		exitCode(c.ExitCode),
		oomKilled(c),
		stateAge(c.StateSince, now),
		text(c.Pod),
		text(c.Namespace),
	}
}

// exitCode is a stopped container's exit code, nil while it runs.
func exitCode(code *int) any {
	if code == nil {
		return nil
	}
	return float64(*code)
}

// described says whether an engine that counts restarts and OOM kills
// (Docker, Podman) described the container: it always says when it was
// created. Podman's containers without its API service are not.
func described(c *model.Container) bool {
	return (c.Runtime == model.RuntimeDocker || c.Runtime == model.RuntimePodman) && !c.Created.IsZero()
}

// oomKilled is whether the OOM killer ended the container's last run, nil
// where no engine said.
func oomKilled(c *model.Container) any {
	if !described(c) {
		return nil
	}
	return c.OOMKilled
}

// stateAge is how long the container has been in its state, nil when the
// runtime did not say since when.
func stateAge(since, now time.Time) any {
	if since.IsZero() || now.Before(since) {
		return nil
	}
	return now.Sub(since).Seconds()
}

// text is a string value, nil when empty (n/a on screen, null in JSON).
func text(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// rate is a number value, nil when it does not apply.
func rate(ok bool, f float64) any {
	if !ok {
		return nil
	}
	return f
}

func itoa(i int) string { return strconv.Itoa(i) }
