// Package benchcpu reports what a benchmark costs in CPU time, not only
// wall time: on a machine others share, wall time is noisy and CPU time
// much less. The collector's readers' benchmarks use it.
package benchcpu

import (
	"syscall"
	"testing"
	"time"
)

// Report adds the process's CPU time (user + system) per operation to the
// benchmark's output as cpu-ms/op. Call as defer benchcpu.Report(b)().
func Report(b *testing.B) func() {
	var before syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	return func() {
		var after syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		used := time.Duration(after.Utime.Nano() - before.Utime.Nano() + after.Stime.Nano() - before.Stime.Nano())
		b.ReportMetric(float64(used.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}
