package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/monitor"
)

type oneSample struct{}

func (oneSample) Collect(context.Context) (*model.Sample, error) {
	return &model.Sample{Time: time.Now(), Host: "h"}, nil
}

// TestTimelineOnlyWhereEventsAreShown: the events timeline derives what
// happened from every refresh's containers and keeps a copy of what
// places each one (20 MB at --cluster's 100,000 executors): batch output
// of a view other than events, not recorded, shows none of it and keeps
// none; the events view, a recording, the screen and --listen do.
func TestTimelineOnlyWhereEventsAreShown(t *testing.T) {
	for _, c := range []struct {
		o    options
		want bool
	}{
		{options{view: "agents", output: "json"}, false},
		{options{view: "containers", output: "table"}, false},
		{options{view: "events", output: "json"}, true},
		{options{view: "agents", output: "json", write: "run.rec"}, true},
		{options{view: "agents", output: "json", listen: "127.0.0.1:0"}, true},
		{options{view: "agents"}, true},
	} {
		mon := monitor.New(oneSample{}, time.Second, nil, nil)
		tl := startEvents(context.Background(), &c.o, &node{}, mon, io.Discard)
		if got := tl != nil; got != c.want {
			t.Errorf("-v %s -o %q -w %q --listen %q: a timeline %v, want %v", c.o.view, c.o.output, c.o.write, c.o.listen, got, c.want)
		}
		if s, err := mon.Step(context.Background()); err != nil || (s.Events != nil) != c.want {
			t.Errorf("-v %s -o %q: events %v, err %v", c.o.view, c.o.output, s.Events != nil, err)
		}
	}
}
