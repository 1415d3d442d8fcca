package main

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ctop-like/ctop-like/internal/batch"
	"github.com/ctop-like/ctop-like/internal/recording"
	"github.com/ctop-like/ctop-like/internal/views"
)

// lastRecordErr keeps the screen's last recording error for the exit
// message: the screen owns the terminal while it runs.
var lastRecordErr atomic.Value

// openRecording creates the -w file, or returns nil without -w.
func openRecording(o *options, host string) (*recording.Writer, error) {
	if o.write == "" {
		return nil, nil
	}
	return recording.Create(o.write, recording.Header{
		Host:     host,
		Start:    time.Now(),
		Interval: o.delay,
		Tool:     "ctop-like " + buildVersion(),
		Settings: map[string]string{
			"proc_root":             o.procRoot,
			"cgroup_root":           o.cgroupRoot,
			"all":                   strconv.FormatBool(o.all),
			"orchestrator_interval": o.orchInterval.String(),
			// The recorder strips credentials from URLs again.
			"mesos": strings.Join(o.mesos, ","),
		},
	})
}

// replay shows a recording: printed as live batch mode printed it, or on
// the screen with replay keys.
func replay(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	r, err := recording.Open(o.read)
	if err != nil {
		return err
	}
	defer r.Close()
	if w := r.Warning(); w != "" {
		warn(stderr, w)
	}
	if r.Len() == 0 {
		return errors.New(o.read + ": no records")
	}
	logFeed, stopLogs := startLogs(o, nil)
	defer stopLogs()
	q := views.Query{View: o.view, Scope: o.scope, Filter: o.filter, Sort: o.sort, Desc: o.desc, Logs: logFeed}
	if first, err := r.At(0); err == nil && len(q.Scope) > 0 {
		if err := views.MissingScope(first, q.Scope, false); err != nil {
			return usageError{"--scope: " + err.Error() + " (in the recording's first refresh)"}
		}
	}
	if o.output != "" {
		p := &batch.Printer{Out: stdout, Format: o.output, Query: q, Columns: tableColumns(o, q.View)}
		if !o.iterationsSet || o.iterations == 0 {
			return recording.Print(r, p)
		}
		for i := 0; i < r.Len() && i < o.iterations; i++ {
			s, err := r.At(i)
			if err != nil {
				return err
			}
			if err := p.Print(s); err != nil {
				return err
			}
		}
		return nil
	}
	rp := recording.NewReplay(r)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go rp.Run(ctx)
	return runScreen(o, rp, nil, q)
}
