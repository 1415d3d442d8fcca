package views

import (
	"sort"
	"strings"

	"github.com/ctop-like/ctop-like/internal/model"
)

// The marathon-groups view (DESIGN.md): every Marathon group, as a tree,
// with this node's figures of the containers below it.
func init() {
	register(&View{
		ID:    "marathon-groups",
		Title: "Marathon Groups",
		Doc:   "a Marathon group (a tree: its figures include its subgroups')",
		Columns: []Column{
			{ID: "group", Title: "GROUP", Width: 0},
			{ID: "apps", Title: "APPS", Unit: UnitCount, Number: true, Width: 5},
			colContainers,
			colCPUPct,
			colMemBytes,
			colMemPct.at(2),
			colNetRxBps.at(1),
			colNetTxBps.at(1),
			{ID: "attention", Title: "ATTENTION", Width: 10},
		},
		DefaultSort: "group",
		Tree:        true,
		Rank:        4,
		Scopes:      []string{"group", "framework"},
		Minimum:     []string{"group", "apps", "containers", "cpu_pct", "mem_bytes", "mem_pct", "net_rx_bps", "net_tx_bps"},
		TreeColumn:  "group",
		NameColumns: []string{"group"},
		Build:       buildMarathonGroups,
		Needs:       model.NeedMarathon,
		Drill: func(r Row) (Target, bool) {
			return Target{View: "marathon-apps", Scope: Scope{Kind: "group", ID: r.Key}}, true
		},
	})
}

// buildMarathonGroups lists every group; a group's figures include its
// subgroups'. In tree mode rows come parent first with Depth relative to
// the shallowest row.
func buildMarathonGroups(s *model.Snapshot, q Query) []Row {
	ix := newClusterIndex(s)
	cs := containersInScope(s, q.Scope)
	capps := appsOf(cs)
	var rows []Row
	for _, g := range ix.groups {
		if !ix.marathonIDInScope(g.ID, false, q.Scope, capps) {
			continue
		}
		apps, look := 0, 0
		for i := range ix.apps {
			a := &ix.apps[i]
			if InGroup(a.Group, g.ID) && ix.marathonIDInScope(a.ID, true, q.Scope, capps) {
				apps++
				if appAttention(a, s.Time) != "" {
					look++
				}
			}
		}
		var f figures
		for _, c := range cs {
			if c.Cluster.Group != "" && InGroup(c.Cluster.Group, g.ID) {
				f.add(c)
			}
		}
		rows = append(rows, Row{Key: g.ID, Depth: groupDepth(g.ID), Attention: look > 0, Values: []any{
			g.ID, float64(apps), float64(f.n), f.cpuValue(), f.mem, f.memPct(s), f.rxValue(), f.txValue(), countOf(look, "app"),
		}})
	}
	if q.Tree {
		sortTree(rows)
	}
	return rows
}

// groupDepth is the number of path segments: "/" 0, "/a" 1, "/a/b" 2.
func groupDepth(id string) int {
	if id == "/" || id == "" {
		return 0
	}
	return strings.Count(strings.TrimSuffix(id, "/"), "/")
}

// sortTree orders group rows depth-first (a parent before its children,
// siblings by name) and makes Depth relative to the shallowest row.
func sortTree(rows []Row) {
	sort.SliceStable(rows, func(i, j int) bool {
		return treeKey(rows[i].Key) < treeKey(rows[j].Key)
	})
	minDepth := -1
	for _, r := range rows {
		if minDepth < 0 || r.Depth < minDepth {
			minDepth = r.Depth
		}
	}
	for i := range rows {
		rows[i].Depth -= minDepth
	}
}

// treeKey sorts paths so that "/a" < "/a/b" < "/a-b": '/' sorts first.
func treeKey(id string) string {
	if id == "/" {
		return ""
	}
	return strings.ReplaceAll(id, "/", "\x00")
}
