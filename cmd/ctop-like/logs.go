package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ctop-like/ctop-like/internal/lastlines"
	"github.com/ctop-like/ctop-like/internal/logfeed"
	"github.com/ctop-like/ctop-like/internal/logs"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// startLogs makes the log feed the logs view reads (the queries' Logs),
// with the opener of the node's logs; stop closes the open log. A replay
// or a remote source without an opener leaves the view empty and says why.
func startLogs(o *options, open logfeed.Opener) (feed views.LogLines, stop func()) {
	if open == nil {
		open = func(context.Context, *model.Snapshot, views.Scope) (logs.Source, error) {
			return nil, fmt.Errorf("logs are read on the node itself or, with --cluster, through its agent: not from a recording or --cadvisor")
		}
	}
	// Batch output prints each line once: the last --tail lines, then,
	// with -n 0 or -n > 1, the lines that came since the last refresh.
	batch := o.output != ""
	follow := !batch || o.iterations != 1
	f := logfeed.New(open, o.tail, follow, batch)
	return f, f.Close
}

// startLast makes the reader of containers' last log lines (the attention
// view's why, the details panel) over the node's log opener; nil where
// no log can be read (a replay, --cadvisor). Batch output waits for a
// read it starts, at most lastWait, so that the refresh it prints has
// the lines; the screen shows them a refresh later instead.
func startLast(o *options, open logfeed.Opener) (views.LastLines, func()) {
	if open == nil {
		return nil, func() {}
	}
	wait := time.Duration(0)
	if o.output != "" {
		wait = lastWait
	}
	r := lastlines.New(open, wait)
	return r, r.Close
}

// lastWait bounds how long a batch refresh waits for a container's last
// log lines.
const lastWait = 3 * time.Second

// checkLogScope makes a batch run of the logs view whose container= scope
// names more than one container a usage error naming them. (The screen's
// scope comes from a row, keyed by the full id; one given with --scope
// says so in the message line.)
func checkLogScope(ctx context.Context, open logfeed.Opener, s *model.Snapshot, q views.Query) error {
	if q.View != "logs" || open == nil || len(q.Scope) == 0 || q.Scope[len(q.Scope)-1].Kind != "container" {
		return nil
	}
	var amb *logfeed.AmbiguousError
	if _, err := open(ctx, s, q.Scope[len(q.Scope)-1]); errors.As(err, &amb) {
		return usageError{"--scope " + amb.Error()}
	}
	return nil
}
