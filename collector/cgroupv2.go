package collector

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ctop-like/ctop-like/model"
)

// v2Finder reads the unified cgroup v2 hierarchy, where every controller's
// files sit in the container's one folder.
type v2Finder struct {
	root       string
	all        bool
	hostMemory uint64
}

// Containers walks the unified tree and reads each container's folder.
func (f *v2Finder) Containers() ([]model.ContainerSample, error) {
	var out []model.ContainerSample
	err := walkCgroups(f.root, func(rel, dir string) bool {
		c, ok, skip := visitCgroup(rel, dir, f.all, f.read)
		if ok {
			out = append(out, c)
		}
		return skip
	})
	return out, err
}

// read fills the counters from the kernel's v2 files; a file that is
// missing (controller not enabled for this cgroup) leaves zeros.
func (f *v2Finder) read(rel string, c *model.ContainerSample) {
	d := filepath.Join(f.root, filepath.FromSlash(rel))

	cpu := readKeyValues(d, "cpu.stat")
	c.CPU.UsageNs = cpu["usage_usec"] * 1000
	c.CPU.UserNs = cpu["user_usec"] * 1000
	c.CPU.SystemNs = cpu["system_usec"] * 1000
	c.CPU.Periods = cpu["nr_periods"]
	c.CPU.ThrottledPeriods = cpu["nr_throttled"]
	c.CPU.ThrottledNs = cpu["throttled_usec"] * 1000
	if s, err := readString(d, "cpu.max"); err == nil {
		c.CPU.QuotaCores = cpuMaxCores(s)
	}

	mem := readKeyValues(d, "memory.stat")
	c.Mem.Usage = readUint(d, "memory.current")
	c.Mem.Used = subFloor(c.Mem.Usage, mem["inactive_file"])
	c.Mem.RSS = mem["anon"]
	c.Mem.Cache = mem["file"]
	c.Mem.Limit = memLimit(readUint(d, "memory.max"), f.hostMemory)
	c.Mem.OOMKills = readKeyValues(d, "memory.events")["oom_kill"]

	c.Pids = readUint(d, "pids.current")
	c.Blkio = readIOStat(d)
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

// readIOStat sums io.stat ("8:0 rbytes=1 wbytes=2 rios=3 wios=4 ...") over
// devices.
func readIOStat(dir string) model.CgroupBlkio {
	var b model.CgroupBlkio
	s, err := readString(dir, "io.stat")
	if err != nil {
		return b
	}
	for line := range strings.SplitSeq(s, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || !strings.Contains(fields[0], ":") {
			continue
		}
		for _, kv := range fields[1:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				continue
			}
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				continue
			}
			switch k {
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
