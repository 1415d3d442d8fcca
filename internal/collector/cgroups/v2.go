package cgroups

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ctop-like/ctop-like/internal/collector/kernfile"
	"github.com/ctop-like/ctop-like/internal/model"
)

// v2Finder reads the unified cgroup v2 hierarchy, where every controller's
// files sit in the container's one folder. Like v1Finder it keeps each
// container's files open between passes.
type v2Finder struct {
	cgroupPasses
	root       string
	all        bool
	hostMemory uint64
	// hugeSizes are the huge page sizes ("2MB"), learnt from the first
	// cgroup with hugetlb files, when the root offers the controller.
	hugeSizes []string
	hugeRoot  int8 // 0: not looked yet, 1: root offers hugetlb, -1: it does not
}

// v2Files are the files a v2 container is read from.
var v2Files = [v2NumFiles]string{
	v2Procs:       "cgroup.procs",
	v2CPUStat:     "cpu.stat",
	v2CPUMax:      "cpu.max",
	v2MemStat:     "memory.stat",
	v2MemCurrent:  "memory.current",
	v2MemMax:      "memory.max",
	v2MemEvents:   "memory.events",
	v2PidsCurrent: "pids.current",
	v2IOStat:      "io.stat",
	v2Events:      "cgroup.events",
	v2MemSwap:     "memory.swap.current",
	v2CPUPressure: "cpu.pressure",
	v2MemPressure: "memory.pressure",
	v2IOPressure:  "io.pressure",
	// v2Hugetlb0…: hugetlb.<size>.current, one per size (hugeSizes)
}

const (
	v2Procs = iota
	v2CPUStat
	v2CPUMax
	v2MemStat
	v2MemCurrent
	v2MemMax
	v2MemEvents
	v2PidsCurrent
	v2IOStat
	v2Events
	v2MemSwap
	v2CPUPressure
	v2MemPressure
	v2IOPressure
	v2Hugetlb0
	v2NumFiles = v2Hugetlb0 + maxHugeSizes
)

// v2Rarely are the files read every limitsTTL or psiPeriod, not every
// pass: they keep a descriptor only where the budget has room to spare
// (cgroupPasses.rarely).
const v2Rarely = 1<<v2CPUMax | 1<<v2MemMax | 1<<v2CPUPressure | 1<<v2MemPressure | 1<<v2IOPressure |
	(1<<maxHugeSizes-1)<<v2Hugetlb0

// Containers walks the unified tree and reads each container's folder.
func (f *v2Finder) Containers() ([]model.ContainerSample, error) {
	return f.scan(f.root, f.all,
		func(g *keptCgroup, _, dir string) ([]byte, error) { return f.file(g, v2Procs, dir) },
		func(g *keptCgroup, _, dir string, c *model.ContainerSample) bool { return f.read(g, dir, c) })
}

// file reads one of a cgroup's files into the finder's buffer (valid until
// the next read).
func (f *v2Finder) file(g *keptCgroup, which int, dir string) ([]byte, error) {
	name := ""
	if which >= v2Hugetlb0 {
		name = "hugetlb." + f.hugeSizes[which-v2Hugetlb0] + ".current"
	} else {
		name = v2Files[which]
	}
	return f.readFile(g, which, func() string { return filepath.Join(dir, name) })
}

// read fills the counters from the kernel's v2 files; a controller not
// enabled for this cgroup is named in Unmeasured. It reports whether a
// read failed (the cgroup may have been removed).
func (f *v2Finder) read(g *keptCgroup, dir string, c *model.ContainerSample) (failed bool) {
	get := func(which int) []byte {
		b, err := f.file(g, which, dir)
		if err != nil {
			failed = true
			return nil
		}
		return b
	}
	kernfile.EachKeyValue(get(v2CPUStat), func(k []byte, v uint64) {
		switch string(k) {
		case "usage_usec":
			c.CPU.UsageNs = v * 1000
		case "user_usec":
			c.CPU.UserNs = v * 1000
		case "system_usec":
			c.CPU.SystemNs = v * 1000
		case "nr_periods":
			c.CPU.Periods = v
		case "nr_throttled":
			c.CPU.ThrottledPeriods = v
		case "throttled_usec":
			c.CPU.ThrottledNs = v * 1000
		}
	})
	limitsDue := f.limitsDue(g)
	if limitsDue {
		g.quota, g.memLimit = 0, 0
		if b := get(v2CPUMax); b != nil {
			g.quota = cpuMaxCores(string(b))
		}
		if b := get(v2MemMax); b != nil {
			g.memLimit = kernfile.Uint(b)
		}
		g.limitsAt = f.now
	}
	c.CPU.QuotaCores = g.quota

	// memory.current, pids.current and io.stat exist only where the
	// parent enabled the controller (cgroup.subtree_control): without
	// them the figures are n/a, and the controller's other files are not
	// tried.
	cur, err := f.file(g, v2MemCurrent, dir)
	switch {
	case err == nil:
		c.Mem.Usage = kernfile.Uint(cur)
		f.readMemory(g, c, get)
		if b := f.optional(g, v2MemSwap, limitsDue, func() ([]byte, error) { return f.file(g, v2MemSwap, dir) }); b != nil {
			fig := c.MoreFigures()
			fig.SwapBytes = kernfile.Uint(b)
			fig.Known |= model.KnownSwap
		}
	case vanished(err):
		failed = true
		c.Unmeasured = append(c.Unmeasured, "memory")
	default:
		failed = true
	}
	if b, err := f.file(g, v2PidsCurrent, dir); err == nil {
		c.Pids = kernfile.Uint(b)
	} else {
		failed = true
		if vanished(err) {
			c.Unmeasured = append(c.Unmeasured, "pids")
		}
	}
	if b, err := f.file(g, v2IOStat, dir); err == nil {
		c.Blkio = ioStatSums(b)
	} else {
		failed = true
		if vanished(err) {
			c.Unmeasured = append(c.Unmeasured, "io")
		}
	}
	// cgroup.events says "frozen 1" once the freezer (cgroup.freeze:
	// `:pause`, `docker pause`) holds every process: paused, whatever its
	// runtime last said.
	if b, err := f.file(g, v2Events, dir); err == nil {
		kernfile.EachKeyValue(b, func(k []byte, v uint64) {
			if string(k) == "frozen" && v == 1 {
				c.State = "paused"
			}
		})
	}
	if slow := f.slowDue(g); slow {
		f.readPressure(g, dir, limitsDue, c)
		f.readHugetlb(g, dir, limitsDue, c)
		f.keepSlow(g, true, c)
	} else {
		f.keepSlow(g, false, c)
	}
	return failed
}

// readPressure reads the cgroup's PSI files: n/a where the kernel has
// PSI off (psi=0) or the controller is not enabled (io.pressure needs io).
func (f *v2Finder) readPressure(g *keptCgroup, dir string, limitsDue bool, c *model.ContainerSample) {
	for _, which := range [...]int{v2CPUPressure, v2MemPressure, v2IOPressure} {
		b := f.optional(g, which, limitsDue, func() ([]byte, error) { return f.file(g, which, dir) })
		if b == nil {
			continue
		}
		some, full, hasSome, hasFull := parsePressure(b)
		if !hasSome {
			continue
		}
		fig := c.MoreFigures()
		switch which {
		case v2CPUPressure:
			fig.PSI.CPUSome = some
			fig.Known |= model.KnownPSICPU
		case v2MemPressure:
			if hasFull {
				fig.PSI.MemSome, fig.PSI.MemFull = some, full
				fig.Known |= model.KnownPSIMem
			}
		case v2IOPressure:
			if hasFull {
				fig.PSI.IOSome, fig.PSI.IOFull = some, full
				fig.Known |= model.KnownPSIIO
			}
		}
	}
}

// readHugetlb sums the cgroup's hugetlb.<size>.current: n/a where the
// controller is not enabled for it. The sizes are the kernel's, the same
// in every cgroup: they are learnt once, from the first cgroup that has
// the files.
func (f *v2Finder) readHugetlb(g *keptCgroup, dir string, limitsDue bool, c *model.ContainerSample) {
	if f.hugeRoot == 0 {
		f.hugeRoot = -1
		if b, err := os.ReadFile(filepath.Join(f.root, "cgroup.controllers")); err == nil && slices.Contains(strings.Fields(string(b)), "hugetlb") {
			f.hugeRoot = 1
		}
	}
	if f.hugeRoot < 0 {
		return
	}
	if f.hugeSizes == nil {
		if !limitsDue {
			return
		}
		if f.hugeSizes = hugeSizesIn(dir, "current"); f.hugeSizes == nil {
			return
		}
	}
	for i := range f.hugeSizes {
		if b := f.optional(g, v2Hugetlb0+i, limitsDue, func() ([]byte, error) { return f.file(g, v2Hugetlb0+i, dir) }); b != nil {
			addHugetlb(c, b)
		}
	}
}

// readMemory reads the memory controller's files but memory.current.
func (f *v2Finder) readMemory(g *keptCgroup, c *model.ContainerSample, get func(int) []byte) {
	var inactive uint64
	var figs memStatFigures
	kernfile.EachKeyValue(get(v2MemStat), func(k []byte, v uint64) {
		figs.line(k, v)
		switch string(k) {
		case "inactive_file":
			inactive = v
		case "anon":
			c.Mem.RSS = v
		case "file":
			c.Mem.Cache = v
		}
	})
	c.Mem.Used = subFloor(c.Mem.Usage, inactive)
	c.Mem.Limit = memLimit(g.memLimit, f.hostMemory)
	// v2's memory.stat has no swap line: memory.swap.current is read
	// instead (v2Finder.read).
	figs.fill(c, false)
	kernfile.EachKeyValue(get(v2MemEvents), func(k []byte, v uint64) {
		switch string(k) {
		case "oom_kill":
			c.Mem.OOMKills = v
		case "max":
			// The times usage was about to go over memory.max: v1's
			// memory.failcnt, as runc reads it.
			fig := c.MoreFigures()
			fig.MemFailcnt = v
			fig.Known |= model.KnownMemFailcnt
		}
	})
}

// cpuMaxCores parses cpu.max ("$MAX $PERIOD", MAX may be "max"; the period
// may be left out and defaults to 100000) into cores; 0 when unlimited.
func cpuMaxCores(s string) float64 {
	fields := strings.Fields(s)
	if len(fields) == 0 || fields[0] == "max" {
		return 0
	}
	quota, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil {
		return 0
	}
	period := int64(100000)
	if len(fields) > 1 {
		if period, err = strconv.ParseInt(fields[1], 10, 64); err != nil {
			return 0
		}
	}
	return quotaCores(quota, period)
}

// ioStatSums sums io.stat ("8:0 rbytes=1 wbytes=2 rios=3 wios=4 ...") over
// devices.
func ioStatSums(data []byte) model.CgroupBlkio {
	var b model.CgroupBlkio
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		first := true
		for kv := range bytes.FieldsSeq(line) {
			if first {
				first = false
				if bytes.IndexByte(kv, ':') < 0 {
					break
				}
				continue
			}
			k, v, ok := bytes.Cut(kv, []byte{'='})
			if !ok {
				continue
			}
			n, ok := kernfile.ParseUnsigned(v)
			if !ok {
				continue
			}
			switch string(k) {
			case "rbytes":
				b.ReadBytes += n
			case "wbytes":
				b.WriteBytes += n
			case "rios":
				b.ReadOps += n
			case "wios":
				b.WriteOps += n
			}
		}
	}
	return b
}
