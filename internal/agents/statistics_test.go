package agents

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/httpapi"
)

// TestAnswerKeptWithoutSpareRoom: an agent's answer is kept until the
// next one, for each of thousands of agents: its executors are kept in
// exactly their room (20 executors took room for 32 with append's
// doubling, 3.3 KB an agent unused), the first answer as the next.
func TestAnswerKeptWithoutSpareRoom(t *testing.T) {
	for _, n := range []int{1, 20, 33} {
		var b strings.Builder
		b.WriteByte('[')
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"executor_id":"e%d","framework_id":"fw","statistics":{"cpus_user_time_secs":%d,"timestamp":1.5e9}}`, i, i)
		}
		b.WriteByte(']')
		var prev *answer
		for round := 0; round < 2; round++ {
			var execs []execStats
			err := httpapi.DecodeStream(strings.NewReader(b.String()), func(s *httpapi.Stream) error {
				var err error
				execs, err = readStatistics(s, prev)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(execs) != n || cap(execs) != n {
				t.Errorf("%d executors, answer %d: kept %d in room for %d", n, round+1, len(execs), cap(execs))
			}
			if n > 1 && execs[n-1].ExecutorID != fmt.Sprintf("e%d", n-1) {
				t.Errorf("last executor %q", execs[n-1].ExecutorID)
			}
			prev = &answer{execs: execs}
		}
	}
}
