package orchestrator

import (
	"fmt"
	"io"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
)

// ParseCluster builds a Cluster from a Mesos master state and a Marathon
// /v2/groups (or /v2/apps) answer, either of which may be nil, as the
// poller would. Only tests call it (here, in views and in ui: the real
// fixtures turned into the Cluster the screen gets, without a server);
// replays read the recorded Cluster, never raw answers.
func ParseCluster(mesos, marathon io.Reader, hostname string, addrs []string) (*model.Cluster, error) {
	c := &model.Cluster{Time: time.Now(), Frameworks: []model.Framework{}, Tasks: []model.Task{}, Groups: []model.Group{}, Apps: []model.App{}}
	if mesos != nil {
		st, err := decodeMesosState(mesos)
		if err != nil {
			return nil, fmt.Errorf("mesos state: %w", err)
		}
		mp := buildMesos(st, hostname, addrs)
		c.HasMesos = true
		c.AgentID, c.Frameworks, c.Tasks = mp.AgentID, mp.Frameworks, mp.Tasks
		for _, f := range c.Frameworks {
			if f.Name == "marathon" && f.Active && c.MarathonFrameworkID == "" {
				c.MarathonFrameworkID = f.ID
			}
		}
	}
	if marathon != nil {
		// A /v2/groups answer, or /v2/apps (its apps, no id).
		var g marathonGroup
		var mr marathonRead
		if err := httpapi.DecodeStream(marathon, func(s *httpapi.Stream) error { return mr.group(s, &g, 0) }); err != nil {
			return nil, fmt.Errorf("marathon: %w", err)
		}
		if g.ID == "" { // a /v2/apps answer
			g.ID = "/"
		}
		mp := buildMarathon(&g)
		c.HasMarathon = true
		c.Groups, c.Apps = mp.Groups, mp.Apps
	}
	return c, nil
}
