package main

import (
	"context"
	"time"

	"github.com/ctop-like/ctop-like/internal/exepages"
)

// releaseLater is when the executable's pages are let go a second time:
// by then the first refreshes have run, and what only they read (the
// runtimes' first listings, the first pass's opens) is not read again.
const releaseLater = 4 * time.Second

// releaseStartPages lets go of the executable's pages that starting
// mapped (exepages) now, when start is over and no refresh has run: the
// first refresh makes the heap's peak (GOGC 400 lets the heap reach 20 MB
// before the first collection), and the pages it reads fault back in
// alone. Then once more, in the background, after releaseLater.
func releaseStartPages(ctx context.Context) {
	_, _ = exepages.Release() // a saving: nothing to do if it fails
	go func() {
		t := time.NewTimer(releaseLater)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
			_, _ = exepages.Release()
		}
	}()
}
