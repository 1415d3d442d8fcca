package recording

import (
	"context"
	"fmt"

	"github.com/ctop-like/ctop-like/internal/batch"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/monitor"
)

// Print writes every record with p, as live batch mode printed them: same
// rows, same time field (the recorded snapshot's). A record that cannot be
// decoded stops it with an error that names the record.
func Print(r *Reader, p *batch.Printer) error {
	for i := 0; i < r.Len(); i++ {
		s, err := r.At(i)
		if err != nil {
			return err
		}
		if err := p.Print(s); err != nil {
			return fmt.Errorf("replay %s: print record %d: %w", r.name, i, err)
		}
	}
	return nil
}

// Tee records every snapshot of a live feed and passes it on: the screen
// reads the returned feed, the recording gets each snapshot the monitor
// publishes even when the screen is slow to take them. Write errors go to
// onErr (nil: ignored); recording goes on with the next snapshot. The
// goroutine ends with ctx; the wiring then closes w.
func Tee(ctx context.Context, f monitor.Feed, w *Writer, onErr func(error)) monitor.Feed {
	t := &tee{Feed: f, out: monitor.NewHandoff()}
	go func() {
		in := f.Updates()
		for {
			select {
			case <-ctx.Done():
				return
			case s := <-in:
				if s == nil {
					continue
				}
				if err := w.Write(s); err != nil && onErr != nil {
					onErr(err)
				}
				t.out.Put(s)
			}
		}
	}()
	return t
}

// tee is the feed Tee returns: the inner feed with its own Updates channel.
type tee struct {
	monitor.Feed
	out monitor.Handoff
}

func (t *tee) Updates() <-chan *model.Snapshot { return t.out }
