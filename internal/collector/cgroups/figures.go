package cgroups

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/kernfile"
	"github.com/ctop-like/ctop-like/internal/model"
)

// The figures beyond CPU, memory, pids and I/O (model.ContainerFigures)
// that a container's cgroup gives: swap, major faults, the memory
// limit's fail count, hugetlb and, on v2, pressure stall information. A
// file the kernel lacks (no swap accounting, PSI off, hugetlb not
// enabled) leaves its figure n/a; it is looked for again only with the
// limits (limitsTTL), since a failed open costs as much as a read.

// psiPeriod is how often the kernel updates PSI's averages (psi_period,
// 2 s): a cgroup's pressure files, and its hugetlb usage (which moves
// only when huge pages are mapped), are read no more often. Reading them
// every refresh cost 55 % more per v2 cgroup in BenchmarkContainersV2.
const psiPeriod = 2 * time.Second

// slowDue says whether this pass reads g's slow figures.
func (p *cgroupPasses) slowDue(g *keptCgroup) bool {
	return g.slowAt.IsZero() || p.now.Sub(g.slowAt) >= psiPeriod || p.now.Before(g.slowAt)
}

// keepSlow copies the slow figures (PSI, hugetlb) read this pass into
// g, or, on a pass that does not read them, the kept ones into c.
func (p *cgroupPasses) keepSlow(g *keptCgroup, due bool, c *model.ContainerSample) {
	const slowBits = model.KnownPSICPU | model.KnownPSIMem | model.KnownPSIIO | model.KnownHugetlb
	if due {
		g.slowAt = p.now
		g.slow = model.ContainerFigures{}
		if c.Figures != nil {
			g.slow.Known = c.Figures.Known & slowBits
			g.slow.PSI, g.slow.HugetlbBytes = c.Figures.PSI, c.Figures.HugetlbBytes
		}
		return
	}
	if g.slow.Known == 0 {
		return
	}
	fig := c.MoreFigures()
	fig.Known |= g.slow.Known
	fig.PSI, fig.HugetlbBytes = g.slow.PSI, g.slow.HugetlbBytes
}

// maxHugeSizes is how many huge page sizes are read: x86 has two (2MB,
// 1GB), arm64 four.
const maxHugeSizes = 4

// optional reads one of g's files that the kernel may lack: nil when it
// does, and then again only when the limits are due.
func (p *cgroupPasses) optional(g *keptCgroup, which int, limitsDue bool, read func() ([]byte, error)) []byte {
	bit := uint32(1) << which
	if g.missing&bit != 0 && !limitsDue {
		return nil
	}
	b, err := read()
	if err != nil {
		g.missing |= bit
		return nil
	}
	g.missing &^= bit
	return b
}

// memStatFigures takes swap and major faults from memory.stat's lines:
// v1's hierarchical total_swap and total_pgmajfault win over swap and
// pgmajfault, as in readMemory; v2's pgmajfault. swap is absent from v1
// without swap accounting, and then n/a.
type memStatFigures struct {
	swap, pgmajfault  memStatValue
	hasSwap, hasPgMaj bool
}

func (m *memStatFigures) line(k []byte, v uint64) {
	switch string(k) {
	case "swap":
		m.swap.set(v, false)
		m.hasSwap = true
	case "total_swap":
		m.swap.set(v, true)
		m.hasSwap = true
	case "pgmajfault":
		m.pgmajfault.set(v, false)
		m.hasPgMaj = true
	case "total_pgmajfault":
		m.pgmajfault.set(v, true)
		m.hasPgMaj = true
	}
}

func (m *memStatFigures) fill(c *model.ContainerSample, swap bool) {
	if swap && m.hasSwap {
		fig := c.MoreFigures()
		fig.SwapBytes = m.swap.v
		fig.Known |= model.KnownSwap
	}
	if m.hasPgMaj {
		fig := c.MoreFigures()
		fig.PgMajFault = m.pgmajfault.v
		fig.Known |= model.KnownPgMajFault
	}
}

// parsePressure reads a PSI file ("some avg10=1.23 avg60=… total=…" and
// "full avg10=…") into its some and full avg10, in percent.
func parsePressure(data []byte) (some, full float64, hasSome, hasFull bool) {
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		kind, rest, ok := bytes.Cut(line, []byte{' '})
		if !ok {
			continue
		}
		for kv := range bytes.FieldsSeq(rest) {
			k, v, ok := bytes.Cut(kv, []byte{'='})
			if !ok || string(k) != "avg10" {
				continue
			}
			x, err := strconv.ParseFloat(string(v), 64)
			if err != nil || !(x >= 0 && x <= 100) { // NaN too
				break
			}
			switch string(kind) {
			case "some":
				some, hasSome = x, true
			case "full":
				full, hasFull = x, true
			}
			break
		}
	}
	return some, full, hasSome, hasFull
}

// hugeSizesIn lists the huge page sizes ("2MB", "1GB") of the hugetlb
// files in dir ("hugetlb.2MB.usage_in_bytes" on v1, "hugetlb.2MB.current"
// on v2); nil when there are none.
func hugeSizesIn(dir, suffix string) []string {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	var sizes []string
	for _, n := range names {
		size, ok := strings.CutPrefix(n, "hugetlb.")
		if !ok {
			continue
		}
		if size, ok = strings.CutSuffix(size, "."+suffix); ok && !strings.Contains(size, ".") && len(sizes) < maxHugeSizes {
			sizes = append(sizes, size)
		}
	}
	return sizes
}

// addHugetlb adds one size's usage to the container's hugetlb figure.
func addHugetlb(c *model.ContainerSample, b []byte) {
	fig := c.MoreFigures()
	fig.HugetlbBytes += kernfile.Uint(b)
	fig.Known |= model.KnownHugetlb
}
