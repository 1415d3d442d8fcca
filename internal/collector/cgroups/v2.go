package cgroups

import (
	"bytes"
	"path/filepath"
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
	v2NumFiles
)

// Containers walks the unified tree and reads each container's folder.
func (f *v2Finder) Containers() ([]model.ContainerSample, error) {
	return f.scan(f.root, f.all,
		func(g *keptCgroup, _, dir string) ([]byte, error) { return f.file(g, v2Procs, dir) },
		func(g *keptCgroup, _, dir string, c *model.ContainerSample) bool { return f.read(g, dir, c) })
}

// file reads one of a cgroup's files into the finder's buffer (valid until
// the next read).
func (f *v2Finder) file(g *keptCgroup, which int, dir string) ([]byte, error) {
	return f.readFile(g, which, func() string { return filepath.Join(dir, v2Files[which]) })
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
	if f.limitsDue(g) {
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
	return failed
}

// readMemory reads the memory controller's files but memory.current.
func (f *v2Finder) readMemory(g *keptCgroup, c *model.ContainerSample, get func(int) []byte) {
	var inactive uint64
	kernfile.EachKeyValue(get(v2MemStat), func(k []byte, v uint64) {
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
	kernfile.EachKeyValue(get(v2MemEvents), func(k []byte, v uint64) {
		if string(k) == "oom_kill" {
			c.Mem.OOMKills = v
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
