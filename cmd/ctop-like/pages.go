package main

import (
	"context"
	"time"

	"github.com/ctop-like/ctop-like/internal/exepages"
)

// releaseAfter is when the executable's pages that starting mapped are let
// go (exepages): start, the runtimes' first listings and the first
// refreshes have run by then, and the peak of the heap is still to come.
var releaseAfter = []time.Duration{1500 * time.Millisecond, 4 * time.Second}

// releaseStartPages lets go of them in the background until ctx ends.
func releaseStartPages(ctx context.Context) {
	go func() {
		var waited time.Duration
		for _, d := range releaseAfter {
			t := time.NewTimer(d - waited)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			waited = d
			_, _ = exepages.Release() // a saving: nothing to do if it fails
		}
	}()
}
