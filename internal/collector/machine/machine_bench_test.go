package machine

import (
	"context"
	"testing"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/disk"
	"github.com/shirou/gopsutil/v4/load"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/shirou/gopsutil/v4/net"

	"github.com/ctop-like/ctop-like/internal/benchload"
	"github.com/ctop-like/ctop-like/internal/model"
)

// BenchmarkMachineRead compares one refresh of the node-wide counters:
// Reader.Read against gopsutil's calls for the same data, with the
// roots passed through the context as gopsutil v4 allows.
func BenchmarkMachineRead(b *testing.B) {
	b.Run("direct", func(b *testing.B) {
		m, err := NewReader("/proc", "/sys")
		if err != nil {
			b.Fatal(err)
		}
		defer benchload.ReportCPU(b)()
		for b.Loop() {
			var s model.Sample
			_ = m.Read(&s)
		}
	})
	b.Run("gopsutil", func(b *testing.B) {
		ctx := context.WithValue(context.Background(), common.EnvKey,
			common.EnvMap{common.HostProcEnvKey: "/proc", common.HostSysEnvKey: "/sys"})
		defer benchload.ReportCPU(b)()
		for b.Loop() {
			_, _ = cpu.TimesWithContext(ctx, false)
			_, _ = cpu.TimesWithContext(ctx, true)
			_, _ = mem.VirtualMemoryWithContext(ctx)
			_, _ = mem.SwapMemoryWithContext(ctx)
			_, _ = load.AvgWithContext(ctx)
			_, _ = disk.IOCountersWithContext(ctx)
			_, _ = net.IOCountersWithContext(ctx, true)
			parts, _ := disk.PartitionsWithContext(ctx, false)
			for _, p := range parts {
				_, _ = disk.UsageWithContext(ctx, p.Mountpoint)
			}
		}
	})
}
