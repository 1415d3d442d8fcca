// Package benchload is what the collector's readers' benchmarks share: a
// node's worth of processes to read (Sleepers), and what a benchmark
// costs in CPU time, not only wall time (ReportCPU): on a machine others
// share, wall time is noisy and CPU time much less.
package benchload

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// ReportCPU adds the process's CPU time (user + system) per operation to
// the benchmark's output as cpu-ms/op. Call as defer
// benchload.ReportCPU(b)().
func ReportCPU(b *testing.B) func() {
	var before syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	return func() {
		var after syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		used := time.Duration(after.Utime.Nano() - before.Utime.Nano() + after.Stime.Nano() - before.Stime.Nano())
		b.ReportMetric(float64(used.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}

// Procs is how many extra processes the process benchmarks start;
// CTOP_BENCH_PROCS=10000 measures a busy node.
func Procs(b *testing.B) int {
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

// Sleepers starts n `sleep 600` processes in one new process group,
// forked by one shell so that the test binary does not fork n times, and
// kills the whole group when the benchmark ends. If the benchmark dies
// they still exit on their own after 10 minutes.
func Sleepers(b *testing.B, n int) {
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
