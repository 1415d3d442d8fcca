package main

import (
	"testing"

	"github.com/ctop-like/ctop-like/internal/views"
)

// TestRemoteCounterEventsNameTheirSource: under --cluster the counters
// an event was derived from are the Mesos agents', not a cAdvisor's (the
// events view said "cadvisor" for both).
func TestRemoteCounterEventsNameTheirSource(t *testing.T) {
	for _, c := range []struct {
		o    options
		want string
	}{
		{options{cluster: true, mesos: []string{"http://m:5050"}}, "mesos-agent"},
		{options{cadvisor: "http://n:8080"}, "cadvisor"},
	} {
		if got := counterSource(&c.o); got != c.want {
			t.Errorf("%+v: source %q, want %q", c.o, got, c.want)
		}
	}
}

// TestOnlyTheEventsWaitForLateStreams: a refresh waits for the engines'
// late event streams only while the events are shown (the events view,
// renewed at each use) or recorded; the containers view keeps its pace
// (the 2-minute soak at -d 250 had refreshes 420 ms late when every
// refresh waited).
func TestOnlyTheEventsWaitForLateStreams(t *testing.T) {
	if views.ViewUses(views.EventsView)&views.UsesEventsOnTime == 0 {
		t.Error("the events view does not ask refreshes to wait for the streams")
	}
	if views.ViewUses("containers")&views.UsesEventsOnTime != 0 {
		t.Error("the containers view makes refreshes wait for the streams")
	}
	nd := &node{}
	if nd.onTime.wanted() {
		t.Error("a refresh waits with no events shown")
	}
	wantUses(nd, views.ViewUses(views.EventsView))
	if !nd.onTime.wanted() {
		t.Error("the events view is shown and a refresh does not wait")
	}
	rec := &node{}
	rec.onTime.always.Store(true)
	if !rec.onTime.wanted() {
		t.Error("a recording's refresh does not wait")
	}
}
