package cgroups

import (
	"bytes"
	"os"
	"strconv"
	"strings"

	"github.com/ctop-like/ctop-like/internal/collector/kernfile"
	"github.com/ctop-like/ctop-like/internal/model"
)

// The figures beyond CPU, memory, pids and I/O (model.ContainerFigures)
// that a container's cgroup gives: swap, major faults, the memory
// limit's fail count, hugetlb and, on v2, pressure stall information. A
// file the kernel lacks (no swap accounting, PSI off, hugetlb not
// enabled) leaves its figure n/a; it is looked for again only with the
// limits (limitsTTL), since a failed open costs as much as a read.

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
