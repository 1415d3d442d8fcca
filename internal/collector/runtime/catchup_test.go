package runtime

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// exited is the pid of a process that exited and was reaped: Gone.
func exited(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if !ProcGone("/proc")(pid) {
		t.Skipf("pid %d was reused at once", pid)
	}
	return pid
}

// CatchUp waits while a container the handler thinks runs has lost its
// process, until the handler is told (Tell) its exit; one whose exit
// never comes is waited for once, then given up; a living process is no
// reason to wait.
func TestLagWaitsForTheExitsOfGoneProcesses(t *testing.T) {
	var l Lag
	gone := ProcGone("/proc")
	var mu sync.Mutex
	running := map[string]int{"alive": 1, "dead": exited(t)} // pid 1 always exists
	list := func(yield func(string, int)) {
		mu.Lock()
		defer mu.Unlock()
		for k, p := range running {
			yield(k, p)
		}
	}
	done := make(chan error, 1)
	go func() { done <- l.CatchUp(context.Background(), gone, list) }()
	// Its exit is told: the wait ends.
	mu.Lock()
	delete(running, "dead")
	mu.Unlock()
	l.Tell()
	if err := <-done; err != nil {
		t.Fatalf("CatchUp after the exit was told: %v", err)
	}
	if err := l.CatchUp(cancelled(), gone, list); err != nil {
		t.Errorf("nothing lags (pid 1 lives), yet CatchUp says %v", err)
	}

	// An exit never told: CatchUp ends with its context, and says so,
	// then does not wait for that process again.
	mu.Lock()
	running["late"] = exited(t)
	mu.Unlock()
	if err := l.CatchUp(cancelled(), gone, list); err == nil {
		t.Fatal("CatchUp with an exit never told: no error")
	}
	if err := l.CatchUp(cancelled(), gone, list); err != nil {
		t.Errorf("CatchUp waited again for a process it gave up on: %v", err)
	}
}

func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// BenchmarkCatchUp is a refresh's cost of CatchUp on a node of 50 and
// 500 running containers none of which exited: one kill(pid, 0) each.
func BenchmarkCatchUp(b *testing.B) {
	for _, n := range []int{50, 500} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var l Lag
			gone := ProcGone("/proc")
			keys := make([]string, n)
			for i := range keys {
				keys[i] = fmt.Sprint("c", i)
			}
			list := func(yield func(string, int)) {
				for _, k := range keys {
					yield(k, 1)
				}
			}
			for i := 0; i < b.N; i++ {
				if err := l.CatchUp(context.Background(), gone, list); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// ProcGone reads the proc root it is given (--proc-root: the host's
// /proc mounted in the container ctop-like runs in, whose own pids
// differ): a pid whose folder is there is not gone, one whose folder is
// not is.
func TestProcGoneReadsItsProcRoot(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "4242"), 0o755); err != nil {
		t.Fatal(err)
	}
	gone := ProcGone(root)
	if gone(4242) || !gone(1) {
		t.Errorf("in a proc root holding 4242 only: gone(4242) %v, gone(1) %v", gone(4242), gone(1))
	}
}
