package main

import "testing"

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
