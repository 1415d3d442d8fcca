package ui

import (
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// TestWaitingSaysWhy: before the first sample the header says why none
// came (the monitor publishes the source's error), and a remote node's
// unknown uptime and load read n/a, not 0.
func TestWaitingSaysWhy(t *testing.T) {
	feed := newFakeFeed(nil)
	h := start(t, 120, 30, Options{Feed: feed})
	h.waitText("waiting for the first sample…")
	feed.publish(&model.Snapshot{Time: time.Now(), Errors: []string{"cadvisor http://node:8080: connect: connection refused"}})
	h.waitText("waiting for the first sample… cadvisor http://node:8080: connect: connection refused")

	s := testSnapshot()
	s.Machine.Unknown = model.Unknown{Uptime: true, Load: true}
	feed.publish(s)
	h.waitText("node-7  up n/a  load n/a")
}
