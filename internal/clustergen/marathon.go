package clustergen

import (
	"net/url"
	"sort"
	"strings"
	"time"
)

// embeds is what a Marathon request asked to embed in its apps.
type embeds struct {
	tasks, counts, deployments, failure, groups, apps bool
}

// groupsEmbeds reads /v2/groups' embed parameters; without any, Marathon
// embeds the subgroups and their apps (GroupsResource's defaults).
func groupsEmbeds(q url.Values) embeds {
	e := q["embed"]
	if len(e) == 0 {
		return embeds{groups: true, apps: true}
	}
	var out embeds
	for _, x := range e {
		switch x {
		case "group.groups":
			out.groups = true
		case "group.apps":
			out.apps = true
		case "group.apps.tasks":
			out.tasks = true
		case "group.apps.counts":
			out.counts = true
		case "group.apps.deployments":
			out.deployments = true
		case "group.apps.lastTaskFailure":
			out.failure = true
		}
	}
	return out
}

// appsEmbeds reads /v2/apps' (prefix "apps.") or /v2/apps/{id}'s ("app.").
func appsEmbeds(q url.Values, prefix string) embeds {
	out := embeds{apps: true}
	for _, x := range q["embed"] {
		switch strings.TrimPrefix(x, prefix) {
		case "tasks":
			out.tasks = true
		case "counts":
			out.counts = true
		case "deployments":
			out.deployments = true
		case "lastTaskFailure":
			out.failure = true
		}
	}
	return out
}

// appendApp writes one app with what e embeds (tasks imply deployments,
// as Marathon's deprecated behaviour has it).
func (c *Cluster) appendApp(dst []byte, app *App, e embeds) []byte {
	dst = marathonApp.render(dst, app.ID, len(app.Tasks))
	dst = dst[:len(dst)-1] // the closing brace: embedded members follow
	if e.tasks {
		dst = append(dst, `,"tasks":[`...)
		for i, t := range app.Tasks {
			if i > 0 {
				dst = append(dst, ',')
			}
			host := c.agentIP(t.AgentID)
			started := time.Unix(int64(t.Started), 0).UTC().Format("2006-01-02T15:04:05.000Z")
			dst = marathonTask.render(dst, t.ID, t.AgentID, host, app.ID, started, host, t.ID)
		}
		dst = append(dst, ']')
	}
	if e.counts || e.tasks {
		n := len(app.Tasks)
		dst = append(dst, `,"tasksStaged":0,"tasksRunning":`...)
		dst = appendValue(dst, n)
		dst = append(dst, `,"tasksHealthy":`...)
		dst = appendValue(dst, n)
		dst = append(dst, `,"tasksUnhealthy":0`...)
	}
	if e.deployments || e.tasks {
		dst = append(dst, `,"deployments":[]`...)
	}
	if e.failure && app.LastFailure != "" && len(app.Tasks) > 0 {
		t := app.Tasks[0]
		dst = append(dst, `,"lastTaskFailure":`...)
		dst = marathonFailure.render(dst, app.ID, c.agentIP(t.AgentID), app.LastFailure, strings.ReplaceAll(app.ID[1:], "/", "_")+".6a1c5e6e-0000-11e6-9066-5a8a388c67a1", t.AgentID)
	}
	return append(dst, '}')
}

func (c *Cluster) agentIP(id string) string {
	if i := strings.LastIndex(id, "-S"); i >= 0 {
		var n int
		for _, r := range id[i+2:] {
			n = n*10 + int(r-'0')
		}
		if n < len(c.Agents) {
			return c.Agents[n].IP
		}
	}
	return ""
}

// Groups is /v2/groups with the embeds the query asks for.
func (c *Cluster) Groups(q url.Values) []byte {
	e := groupsEmbeds(q)
	byGroup := map[string][]*App{}
	var names []string
	for _, a := range c.Apps {
		g := a.ID[:strings.LastIndexByte(a.ID, '/')]
		if byGroup[g] == nil {
			names = append(names, g)
		}
		byGroup[g] = append(byGroup[g], a)
	}
	sort.Strings(names)
	var groups []byte
	groups = append(groups, '[')
	if e.groups {
		for i, g := range names {
			if i > 0 {
				groups = append(groups, ',')
			}
			var apps []byte
			apps = append(apps, '[')
			if e.apps {
				for k, a := range byGroup[g] {
					if k > 0 {
						apps = append(apps, ',')
					}
					apps = c.appendApp(apps, a, e)
				}
			}
			apps = append(apps, ']')
			groups = marathonGroup.render(groups, g, rawJSON(apps), rawJSON("[]"))
		}
	}
	groups = append(groups, ']')
	return marathonGroup.render(nil, "/", rawJSON("[]"), rawJSON(groups))
}

// AppsList is /v2/apps with the embeds the query asks for.
func (c *Cluster) AppsList(q url.Values) []byte {
	e := appsEmbeds(q, "apps.")
	out := []byte(`{"apps":[`)
	for i, a := range c.Apps {
		if i > 0 {
			out = append(out, ',')
		}
		out = c.appendApp(out, a, e)
	}
	return append(out, "]}"...)
}

// AppJSON is /v2/apps/{id}: {"app": ...}; nil when there is no such app.
func (c *Cluster) AppJSON(id string, q url.Values) []byte {
	a := c.appByID(id)
	if a == nil {
		return nil
	}
	out := []byte(`{"app":`)
	out = c.appendApp(out, a, appsEmbeds(q, "app."))
	return append(out, '}')
}

// Info is /v2/info.
func (c *Cluster) Info() []byte {
	return marathonInfo.render(nil, c.Marathon.ID, c.MarathonAddr())
}

// Queue is /v2/queue: nothing waits to launch.
func (c *Cluster) Queue() []byte { return []byte(`{"queue":[]}`) }
