package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/monitor"
	"github.com/ctop-like/ctop-like/internal/views"
)

// scopeWait is how long a scope that matches nothing waits for the
// runtimes' first lists before it is a usage error: a loaded daemon may
// not have named its containers within the first interval.
const scopeWait = 5 * time.Second

// scopeFound checks --scope against a snapshot of the node (DESIGN: a
// scope that matches nothing is a usage error naming what exists). On a
// miss it waits for the runtimes to name their containers and looks at a
// new snapshot, which it returns; the cluster's kinds are not judged while
// Mesos and Marathon have not answered.
func scopeFound(ctx context.Context, nd *node, mon *monitor.Monitor, snap *model.Snapshot, scope []views.Scope) (*model.Snapshot, error) {
	err := views.MissingScope(snap, scope, pending(nd.cluster))
	if err == nil {
		return snap, nil
	}
	if nd.ready != nil {
		wctx, cancel := context.WithTimeout(ctx, scopeWait)
		nd.ready(wctx)
		cancel()
		if again, serr := mon.Step(ctx); serr == nil {
			snap = again
			err = views.MissingScope(snap, scope, pending(nd.cluster))
		}
	}
	if err != nil {
		return nil, usageError{"--scope: " + err.Error()}
	}
	return snap, nil
}

// scopeBeforeScreen takes a first snapshot to check --scope before the
// screen opens; the monitor's loop then has its previous sample, so the
// screen's first frame has rates at once.
func scopeBeforeScreen(ctx context.Context, o *options, nd *node, mon *monitor.Monitor, scope []views.Scope) error {
	if nd.ready != nil {
		wctx, cancel := context.WithTimeout(ctx, o.delay)
		nd.ready(wctx)
		cancel()
	}
	waitCluster(ctx, nd.cluster, time.Now().Add(o.delay))
	snap, err := mon.Step(ctx)
	if err != nil {
		return err
	}
	_, err = scopeFound(ctx, nd, mon, snap, scope)
	return err
}

// pending says whether Mesos and Marathon were asked and have not
// answered yet.
func pending(cl monitor.ClusterSource) bool { return cl != nil && cl.Latest() == nil }

// hearing remembers whether the cluster source of a batch run (-m's Mesos
// and Marathon, --cluster's agents) ever answered.
type hearing struct {
	cl    monitor.ClusterSource // nil: none asked
	heard bool
}

func answered(cl monitor.ClusterSource) *hearing { return &hearing{cl: cl, heard: cl == nil} }

// check notes an answer, if there is one by now.
func (h *hearing) check() {
	if !h.heard && h.cl.Latest() != nil {
		h.heard = true
	}
}

// verdict is the run's error when no source named on the command line
// answered in the whole run: the lines printed hold no cluster at all, and
// a script must not take them for an empty one. It names each source and
// why it did not answer.
func (h *hearing) verdict() error {
	if h.check(); h.heard {
		return nil
	}
	why := strings.Join(h.cl.Errors(), "; ")
	if why == "" {
		why = "no answer yet"
	}
	return fmt.Errorf("no source answered in the whole run: %s", why)
}
