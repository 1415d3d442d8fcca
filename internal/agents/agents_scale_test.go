package agents

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// cpuTime is this process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestScale500Agents: 500 loopback agents with 20 executors each, 10 of
// them dead (they accept and never answer). Once every live agent
// answered, a refresh has all their rows and never waits for the dead:
// they are asked within their own budget.
func TestScale500Agents(t *testing.T) {
	if testing.Short() {
		t.Skip("500 listeners")
	}
	dead := map[int]bool{}
	for i := 0; i < 10; i++ {
		dead[i*50] = true
	}
	fc := newFakeCluster(t, 500, 20, 20, dead)
	// A timeout far above what 490 live agents need even under -race on
	// a loaded 2-core machine, so that what is asserted is where requests
	// wait, not speed, which BenchmarkClusterRefresh500 measures.
	const timeout = 10 * time.Second
	_, a := fc.newSource(Config{Timeout: timeout, Wait: timeout})
	ctx := context.Background()
	start := time.Now()
	s1, _ := a.Collect(ctx)
	for deadline := time.Now().Add(2 * time.Minute); len(s1.Containers) < 490*20 && time.Now().Before(deadline); {
		s1, _ = a.Collect(ctx)
	}
	first := time.Since(start)
	if len(s1.Containers) != 490*20 {
		t.Fatalf("%d containers, want %d; errors %q", len(s1.Containers), 490*20, s1.Errors)
	}
	// The dead agents' first requests end at their timeout; from then on
	// they are failing.
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		failing := 0
		for _, ag := range a.Agents() {
			if ag.Error != "" {
				failing++
			}
		}
		if failing == 10 {
			break
		}
	}
	var worst time.Duration
	cpu0 := cpuTime()
	for i := 0; i < 3; i++ {
		start = time.Now()
		s, _ := a.Collect(ctx)
		d := time.Since(start)
		worst = max(worst, d)
		if len(s.Containers) != 490*20 {
			t.Errorf("refresh %d: %d containers", i, len(s.Containers))
		}
	}
	cpuPer := (cpuTime() - cpu0) / 3
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("500 agents × 20 executors, 10 dead, timeout %v: every live agent in %v, later refreshes ≤ %v, %v CPU each (servers included), max %d requests in flight, heap %d MB",
		timeout, first.Round(time.Millisecond), worst.Round(time.Millisecond), cpuPer.Round(time.Millisecond), a.MaxInFlight(), ms.HeapAlloc>>20)
	if worst >= timeout {
		t.Errorf("a later refresh took %v: it waited for the dead agents (timeout %v)", worst, timeout)
	}
	if n := DefaultParallel + DefaultFailingParallel + DefaultFirstParallel; a.MaxInFlight() > n {
		t.Errorf("%d requests in flight, want at most %d", a.MaxInFlight(), n)
	}
}

// BenchmarkClusterRefresh500 reports one full refresh of 500 live agents
// with 20 executors each (all on loopback, servers in this process).
func BenchmarkClusterRefresh500(b *testing.B) {
	fc := newFakeCluster(b, 500, 20, 20, nil)
	_, a := fc.newSource(Config{Timeout: 5 * time.Second})
	ctx := context.Background()
	if s, _ := a.Collect(ctx); len(s.Containers) != 500*20 {
		b.Fatalf("%d containers", len(s.Containers))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if s, _ := a.Collect(ctx); len(s.Errors) > 0 {
			b.Fatal(s.Errors[0])
		}
	}
	b.ReportMetric(float64(a.MaxInFlight()), "max-in-flight")
}
