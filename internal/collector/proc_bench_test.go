package collector

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/process"

	"github.com/ctop-like/ctop-like/internal/benchcpu"
)

// benchProcs is how many extra processes the process benchmarks start;
// CTOP_BENCH_PROCS=10000 measures a busy node.
func benchProcs(b *testing.B) int {
	n := 1000
	if s := os.Getenv("CTOP_BENCH_PROCS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			b.Fatalf("CTOP_BENCH_PROCS=%q: want a count", s)
		}
		n = v
	}
	return n
}

// startSleepers starts n `sleep 600` processes in one new process group,
// forked by one shell so that the test binary does not fork n times, and
// kills the whole group when the benchmark ends. If the benchmark dies
// they still exit on their own after 10 minutes.
func startSleepers(b *testing.B, n int) {
	b.Helper()
	if n == 0 {
		return
	}
	cmd := exec.Command("sh", "-c", `i=0; while [ $i -lt "$1" ]; do sleep 600 & i=$((i+1)); done; echo ready; wait`, "sh", strconv.Itoa(n))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		b.Fatalf("starting %d sleepers: %q, %v", n, line, err)
	}
	time.Sleep(200 * time.Millisecond) // let the last children exec
}

// BenchmarkProcRead compares one pass over every process: this package's
// direct reader, warm (the steady state: cache filled) and cold (a new
// reader each pass), with gopsutil's per-process calls for the same data.
func BenchmarkProcRead(b *testing.B) {
	startSleepers(b, benchProcs(b))
	nproc := 0
	if ps, err := NewProcReader("/proc", 100, time.Now()).Read(); err == nil {
		nproc = len(ps)
	}
	b.Logf("%d processes", nproc)

	b.Run("direct", func(b *testing.B) {
		r := NewProcReader("/proc", 100, time.Now())
		if _, err := r.Read(); err != nil {
			b.Log(err)
		}
		defer benchcpu.Report(b)()
		for b.Loop() {
			_, _ = r.Read()
		}
	})
	b.Run("direct-cold", func(b *testing.B) {
		defer benchcpu.Report(b)()
		for b.Loop() {
			_, _ = NewProcReader("/proc", 100, time.Now()).Read()
		}
	})
	b.Run("gopsutil", func(b *testing.B) {
		ctx := context.WithValue(context.Background(), common.EnvKey, common.EnvMap{common.HostProcEnvKey: "/proc"})
		defer benchcpu.Report(b)()
		for b.Loop() {
			gopsutilPass(ctx)
		}
	})
}

// gopsutilPass reads what a ProcessSample holds the way a gopsutil user
// would: one call per field and process (the cgroup file, which gopsutil
// does not read, is left out, in gopsutil's favour).
func gopsutilPass(ctx context.Context) int {
	procs, err := process.ProcessesWithContext(ctx)
	if err != nil {
		return 0
	}
	n := 0
	for _, p := range procs {
		if _, err := p.PpidWithContext(ctx); err != nil {
			continue
		}
		_, _ = p.NameWithContext(ctx)
		_, _ = p.StatusWithContext(ctx)
		_, _ = p.NiceWithContext(ctx)
		_, _ = p.NumThreadsWithContext(ctx)
		_, _ = p.TimesWithContext(ctx)
		_, _ = p.CreateTimeWithContext(ctx)
		_, _ = p.MemoryInfoWithContext(ctx)
		_, _ = p.UsernameWithContext(ctx)
		_, _ = p.IOCountersWithContext(ctx)
		_, _ = p.CmdlineWithContext(ctx)
		n++
	}
	return n
}
