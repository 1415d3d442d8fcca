package ui

import (
	"os"
	"testing"
	"time"
)

// TestManualRun opens the real terminal with a synthetic feed, for trying
// the screen by hand or in tmux without Docker:
//
//	go test -c -o /tmp/ui.test ./ui && CTOP_UI_MANUAL=1 /tmp/ui.test -test.run TestManualRun
func TestManualRun(t *testing.T) {
	if os.Getenv("CTOP_UI_MANUAL") == "" {
		t.Skip("set CTOP_UI_MANUAL=1 to run on the terminal")
	}
	feed := newFakeFeed(bigSnapshot())
	stop := make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(feed.Interval()):
			}
			s := bigSnapshot()
			for j := range s.Containers {
				s.Containers[j].CPUPct = float64((i*31 + j*17) % 100)
			}
			select {
			case <-feed.ch:
			default:
			}
			feed.publish(s)
		}
	}()
	err := Run(Options{Feed: feed, Actions: &fakeActions{}, Color: os.Getenv("CTOP_UI_COLOR")})
	close(stop)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("CTOP_UI_PANIC") != "" {
		panic("after run")
	}
}
