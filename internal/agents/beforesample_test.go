package agents

import (
	"context"
	"testing"
	"time"
)

// BeforeSample runs once per Collect, after the round's answers are in
// and before any row of the sample is built: the command collects the
// heap there, so that the rows (41 MB at 100,000 executors) are not
// allocated on top of the round's garbage.
func TestBeforeSampleRunsBetweenTheAnswersAndTheRows(t *testing.T) {
	fc := newFakeCluster(t, 4, 3, 2, nil)
	var answered []int // agents with an answer kept, at each call
	var src *Source
	// A round waits for every answer, however slow the machine: what is
	// asserted is where the call comes, not speed.
	_, src = fc.newSource(Config{Timeout: 30 * time.Second, Wait: 30 * time.Second, BeforeSample: func() {
		src.mu.Lock()
		n := 0
		for _, st := range src.state {
			if st.cur != nil {
				n++
			}
		}
		src.mu.Unlock()
		answered = append(answered, n)
	}})
	for round := 1; round <= 2; round++ {
		smp, err := src.Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(answered) != round {
			t.Fatalf("after %d Collects BeforeSample ran %d times, want once each", round, len(answered))
		}
		if answered[round-1] != 4 {
			t.Errorf("round %d: BeforeSample ran with %d of 4 agents' answers kept, want every one (the round's reading done)", round, answered[round-1])
		}
		if len(smp.Containers) != 12 {
			t.Errorf("round %d: %d rows, want 12", round, len(smp.Containers))
		}
	}
}
