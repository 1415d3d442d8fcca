package ui

import (
	"fmt"
	"testing"
)

// TestHeaderRunningCountFollowsSnapshots: the header's count of running
// containers, taken once per snapshot rather than at every frame, is
// each new snapshot's.
func TestHeaderRunningCountFollowsSnapshots(t *testing.T) {
	snap := testSnapshot()
	feed := newFakeFeed(snap)
	h := start(t, 160, 30, Options{Feed: feed})
	all := len(snap.Containers)
	h.waitText(fmt.Sprintf("%d containers (%d running)", all, all))
	next := testSnapshot()
	sample := *next.Containers[0].ContainerSample
	sample.State = "exited"
	next.Containers[0].ContainerSample = &sample
	feed.publish(next)
	h.waitText(fmt.Sprintf("%d containers (%d running)", all, all-1))
	h.runes("j") // frames of the same snapshot
	h.waitText(fmt.Sprintf("%d containers (%d running)", all, all-1))
}
