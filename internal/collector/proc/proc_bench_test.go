package proc

import (
	"context"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/process"

	"github.com/ctop-like/ctop-like/internal/benchload"
)

// BenchmarkProcRead compares one pass over every process: this package's
// direct reader, warm (the steady state: cache filled) and cold (a new
// reader each pass), with gopsutil's per-process calls for the same data.
func BenchmarkProcRead(b *testing.B) {
	benchload.Sleepers(b, benchload.Procs(b))
	nproc := 0
	if ps, err := NewReader("/proc", 100, time.Now()).Read(); err == nil {
		nproc = len(ps)
	}
	b.Logf("%d processes", nproc)

	b.Run("direct", func(b *testing.B) {
		r := NewReader("/proc", 100, time.Now())
		if _, err := r.Read(); err != nil {
			b.Log(err)
		}
		defer benchload.ReportCPU(b)()
		for b.Loop() {
			_, _ = r.Read()
		}
	})
	b.Run("direct-cold", func(b *testing.B) {
		defer benchload.ReportCPU(b)()
		for b.Loop() {
			_, _ = NewReader("/proc", 100, time.Now()).Read()
		}
	})
	b.Run("gopsutil", func(b *testing.B) {
		ctx := context.WithValue(context.Background(), common.EnvKey, common.EnvMap{common.HostProcEnvKey: "/proc"})
		defer benchload.ReportCPU(b)()
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
