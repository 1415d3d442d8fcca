package machine

// Fuzz targets for every node-wide kernel file this package parses: the
// kernel is trusted, but --proc-root may point at a copy, and none of it
// may crash the tool.
//
// Run one longer with, e.g.:
//
//	go test -run='^$' -fuzz='^FuzzMeminfo$' -fuzztime=100000x ./internal/collector/machine

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// seedFiles adds the content of every file matching the glob patterns
// (relative to the /proc fixture's folder) as a seed.
func seedFiles(f *testing.F, patterns ...string) {
	f.Helper()
	n := 0
	for _, p := range patterns {
		paths, err := filepath.Glob(filepath.Join(filepath.Dir(procFixture), p))
		if err != nil {
			f.Fatal(err)
		}
		for _, path := range paths {
			b, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
			n++
		}
	}
	if n == 0 {
		f.Fatalf("no seed files match %v", patterns)
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func FuzzNetDev(f *testing.F) {
	seedFiles(f, "proc/net/dev", "proc/[0-9]*/net/dev")
	f.Fuzz(func(t *testing.T, data []byte) {
		ifs, err := ParseNetDev(data)
		if err != nil {
			return
		}
		_ = SumNetDev(ifs)
	})
}

func FuzzDiskstats(f *testing.F) {
	seedFiles(f, "proc/diskstats")
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = parseDiskstats(data, func(string) bool { return false })
	})
}

func FuzzMeminfo(f *testing.F) {
	seedFiles(f, "proc/meminfo")
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = parseMeminfo(data)
	})
}

func FuzzProcStatFile(f *testing.F) { // /proc/stat
	seedFiles(f, "proc/stat")
	f.Fuzz(func(t *testing.T, data []byte) {
		total, cpus, err := parseCPUStat(data, 100)
		if err != nil {
			return
		}
		for _, c := range append(cpus, total) {
			for _, v := range []float64{c.User, c.Nice, c.System, c.Idle, c.IOWait, c.IRQ, c.SoftIRQ, c.Steal} {
				if v < 0 || !finite(v) {
					t.Fatalf("CPU time %v", v)
				}
			}
		}
		_, _ = parseBootTime(data)
	})
}

func FuzzMachineSmallFiles(f *testing.F) { // cpuinfo, loadavg, uptime, mountinfo
	seedFiles(f, "proc/cpuinfo", "proc/loadavg", "proc/uptime", "proc/self/mountinfo")
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = parseCPUInfo(data)
		_, _ = parseLoadavg(data)
		_, _ = parseUptime(data)
		_, _ = parseMountinfo(data)
	})
}
