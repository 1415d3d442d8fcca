package views

import "github.com/ctop-like/ctop-like/internal/model"

// The marathon-apps view (DESIGN.md): every Marathon app with Marathon's
// counts and this node's figures of its containers.
func init() {
	register(&View{
		ID:    "marathon-apps",
		Title: "Marathon Apps",
		Doc:   "a Marathon app",
		Columns: []Column{
			{ID: "app", Title: "APP", Width: 0, KeepEnd: true},
			{ID: "group", Title: "GROUP", Width: 14, Priority: 3, KeepEnd: true},
			{ID: "instances", Title: "INST", Unit: UnitCount, Number: true, Width: 4},
			{ID: "tasks_running", Title: "RUN", Unit: UnitCount, Number: true, Width: 4},
			{ID: "tasks_healthy", Title: "HLTHY", Unit: UnitCount, Number: true, Width: 5, Priority: 2},
			colContainers,
			colCPUPct,
			colMemBytes,
			colMemPct.at(2),
			colNetRxBps.at(1),
			colNetTxBps.at(1),
			{ID: "tasks_staged", Title: "STAGED", Unit: UnitCount, Number: true, Width: 4, Priority: 9},
			{ID: "tasks_unhealthy", Title: "UNHLTHY", Unit: UnitCount, Number: true, Width: 4, Priority: 3},
			{ID: "deployments", Title: "DEPLOY", Unit: UnitCount, Number: true, Width: 4, Priority: 9},
			{ID: "delayed", Title: "DELAYED", Width: 5, Priority: 9},
			{ID: "last_failure", Title: "LAST FAILURE", Width: 24, Priority: 5, Explains: true},
			{ID: "last_failure_s", Title: "FAILED", Unit: UnitSeconds, Number: true, Width: 8, Priority: 4},
			{ID: "attention", Title: "ATTENTION", Width: 16, Explains: true},
			// Marathon's launch queue (1.4 on): the offers of the launch
			// attempt and the reason that declined most of the last ones.
			{ID: "offers_processed", Title: "OFFERS", Null: "where the launch queue does not hold the app or its Marathon gives no offer summary (before 1.4)", Unit: UnitCount, Number: true, Width: 6, Priority: 9},
			{ID: "offers_declined", Title: "DECLINED", Null: "where offers_processed is", Unit: UnitCount, Number: true, Width: 6, Priority: 9},
			{ID: "decline_reason", Title: "DECLINE REASON", Null: "where no offer was declined, or offers_processed is null", Width: 21, Priority: 6},
			// Its failed tasks within the crash-loop window on the nodes
			// where it loops (settings: crash_loop).
			{ID: "crash_failures", Title: "CRASHES", Null: "where it loops on no node the data covers", Unit: UnitCount, Number: true, Width: 7, Priority: 5},
			colLabels,
		},
		DefaultSort: "cpu_pct",
		DefaultDesc: true,
		Rank:        3,
		Scopes:      []string{"app", "group", "framework"},
		Minimum:     []string{"app", "group", "instances", "tasks_running", "tasks_healthy", "containers", "cpu_pct", "mem_bytes", "mem_pct", "net_rx_bps", "net_tx_bps", "tasks_unhealthy", "last_failure", "last_failure_s", "attention"},
		NameColumns: []string{"app", "group"},
		Details:     appDetails,
		Build:       buildMarathonApps,
		Needs:       model.NeedMarathon,
		Actions:     marathonAppActions,
		Target:      marathonTarget,
		Drill: func(r Row) (Target, bool) {
			return Target{View: "containers", Scope: Scope{Kind: "app", ID: r.Key}}, true
		},
	})
}

// buildMarathonApps lists every app with Marathon's cluster-wide counts and
// this node's containers and figures.
func buildMarathonApps(s *model.Snapshot, q Query) []Row {
	ix := newClusterIndex(s)
	more := reasonsOf(s)
	cs := containersInScope(s, q.Scope)
	capps := appsOf(cs)
	var rows []Row
	for i := range ix.apps {
		a := &ix.apps[i]
		if !ix.marathonIDInScope(a.ID, true, q.Scope, capps) {
			continue
		}
		var f figures
		for _, c := range cs {
			if c.Cluster.App == a.ID {
				f.add(c)
			}
		}
		// Instances -1: an app known only from a container's env.
		known := a.Instances >= 0
		why := appLook(s, a)
		var failedS any
		if !a.LastFailureAt.IsZero() {
			failedS = max(s.Time.Sub(a.LastFailureAt).Seconds(), 0)
		}
		processed, declined, reason := offerValues(a)
		rows = append(rows, Row{Key: a.ID, Attention: why != "", Labels: a.Labels, Values: []any{
			a.ID, text(a.Group),
			rate(known, float64(a.Instances)), rate(known, float64(a.TasksRunning)), rate(known, float64(a.TasksHealthy)),
			float64(f.n), f.cpuValue(), f.mem, f.memPct(s), f.rxValue(), f.txValue(),
			count(a.TasksStaged), count(a.TasksUnhealthy), count(a.Deployments), flag(a.Delayed),
			text(a.LastFailure), failedS, text(why),
			processed, declined, reason, more.appFailures(a.ID), labelsValue(&a.Labels),
		}})
	}
	return rows
}
