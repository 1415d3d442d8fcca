package actuator

import (
	"errors"
	"fmt"

	"github.com/ctop-like/ctop-like/internal/actions"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// Marathon implements views.Actuator: verb through the Marathon the
// cluster state came from, with the credentials given for it and nowhere
// else. A task's app is the one Marathon lists it under.
func (x *Actuator) Marathon(ref views.MarathonRef, verb string, n int) (actions.Deed, error) {
	// Refused before a confirmation is asked: ids a proxy would resolve
	// to another app's path.
	if ref.Task != "" {
		if err := actions.CheckTaskID(ref.Task); err != nil {
			return nil, err
		}
	} else if err := actions.CheckAppID(ref.App); err != nil {
		return nil, err
	}
	var c *model.Cluster
	if x.Cluster != nil {
		c = x.Cluster.Latest()
	}
	if c == nil || !c.HasMarathon || c.Marathon == "" || x.MarathonWriter == nil {
		return nil, errors.New("Marathon has not answered: no Marathon to act through (-m)")
	}
	app, err := appOf(c, ref)
	if err != nil {
		return nil, err
	}
	api, at, err := x.MarathonWriter(c.Marathon)
	if err != nil {
		return nil, err
	}
	m := &actions.Marathon{API: api, At: at}
	switch verb {
	case "restart":
		return m.Restart(app), nil
	case "scale":
		return m.Scale(app, n), nil
	case "suspend":
		return m.Suspend(app), nil
	case "kill":
		return m.KillTask(app, ref.Task, false), nil
	case "kill-scale":
		return m.KillTask(app, ref.Task, true), nil
	}
	return nil, fmt.Errorf("Marathon has no %q action", verb)
}

// appOf is the app a Marathon row names, with its instances where the row
// did not say: a task's app as Marathon lists it.
func appOf(c *model.Cluster, ref views.MarathonRef) (actions.App, error) {
	app := actions.App{ID: ref.App, Instances: ref.Instances}
	if ref.Task != "" {
		for _, a := range c.Apps {
			for _, t := range a.TaskIDs {
				if t == ref.Task {
					app.ID = a.ID
				}
			}
		}
		if app.ID == "" {
			return app, fmt.Errorf("task %s belongs to no Marathon app that Marathon listed", ref.Task)
		}
	}
	if app.Instances < 0 {
		for _, a := range c.Apps {
			if a.ID == app.ID {
				app.Instances = a.Instances
			}
		}
	}
	// The app a task id was found under.
	return app, actions.CheckAppID(app.ID)
}
