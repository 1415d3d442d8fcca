package collector

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/opencontainers/cgroups/fscommon"

	"github.com/ctop-like/ctop-like/model"
)

// userHZ is the unit of cpuacct.stat (clock_t, USER_HZ), 100 on every
// architecture Linux containers run on.
const userHZ = 100

// v1Finder reads cgroup v1, where each controller is its own tree and a
// container has the same relative path in each of them.
type v1Finder struct {
	root       string
	dirs       map[string]string // controller -> mount, symlinks resolved
	walk       string            // the mount whose tree is walked
	all        bool
	hostMemory uint64
}

// Containers walks one controller's tree and reads every container's
// counters from the same relative path in the other controllers.
func (f *v1Finder) Containers() ([]model.ContainerSample, error) {
	var out []model.ContainerSample
	err := walkCgroups(f.walk, func(rel, dir string) bool {
		c, ok, skip := visitCgroup(rel, dir, f.all, f.read)
		if ok {
			out = append(out, c)
		}
		return skip
	})
	return out, err
}

// read fills the counters of the cgroup at rel; a controller that is not
// mounted or not readable leaves its fields at zero.
func (f *v1Finder) read(rel string, c *model.ContainerSample) {
	if d, ok := f.dir("cpuacct", rel); ok {
		c.CPU.UsageNs = readUint(d, "cpuacct.usage")
		st := readKeyValues(d, "cpuacct.stat")
		c.CPU.UserNs = st["user"] * (1e9 / userHZ)
		c.CPU.SystemNs = st["system"] * (1e9 / userHZ)
	}
	if d, ok := f.dir("cpu", rel); ok {
		st := readKeyValues(d, "cpu.stat")
		c.CPU.Periods = st["nr_periods"]
		c.CPU.ThrottledPeriods = st["nr_throttled"]
		c.CPU.ThrottledNs = st["throttled_time"]
		c.CPU.QuotaCores = quotaCores(readInt(d, "cpu.cfs_quota_us"), readInt(d, "cpu.cfs_period_us"))
	}
	if d, ok := f.dir("memory", rel); ok {
		st := readKeyValues(d, "memory.stat")
		c.Mem.Usage = readUint(d, "memory.usage_in_bytes")
		c.Mem.Used = subFloor(c.Mem.Usage, hier(st, "inactive_file"))
		c.Mem.RSS = hier(st, "rss")
		c.Mem.Cache = hier(st, "cache")
		c.Mem.Limit = memLimit(readUint(d, "memory.limit_in_bytes"), f.hostMemory)
		c.Mem.OOMKills = readKeyValues(d, "memory.oom_control")["oom_kill"]
	} else {
		c.Mem.Limit = f.hostMemory
	}
	if d, ok := f.dir("pids", rel); ok {
		c.Pids = readUint(d, "pids.current")
	}
	if d, ok := f.dir("blkio", rel); ok {
		c.Blkio.ReadBytes, c.Blkio.WriteBytes = readBlkio(d, "blkio.throttle.io_service_bytes")
		c.Blkio.ReadOps, c.Blkio.WriteOps = readBlkio(d, "blkio.throttle.io_serviced")
	}
}

func (f *v1Finder) dir(controller, rel string) (string, bool) {
	m, ok := f.dirs[controller]
	if !ok {
		return "", false
	}
	return filepath.Join(m, filepath.FromSlash(rel)), true
}

// hier prefers memory.stat's hierarchical total_<key> (which matches
// memory.usage_in_bytes, itself hierarchical) over the local <key>.
func hier(st map[string]uint64, key string) uint64 {
	if v, ok := st["total_"+key]; ok {
		return v
	}
	return st[key]
}

// readInt reads a signed number (cpu.cfs_quota_us is -1 when unlimited);
// missing or garbled is 0.
func readInt(dir, name string) int64 {
	s, err := readString(dir, name)
	if err != nil {
		return 0
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// quotaCores is the CFS quota in cores; 0 when there is none.
func quotaCores(quota, period int64) float64 {
	if quota <= 0 || period <= 0 {
		return 0
	}
	return float64(quota) / float64(period)
}

// readBlkio sums the Read and Write lines ("8:0 Read 4096") of a v1 blkio
// file over all devices; the "Total" line and other ops are ignored.
func readBlkio(dir, name string) (read, write uint64) {
	s, err := readString(dir, name)
	if err != nil {
		return 0, 0
	}
	for line := range strings.SplitSeq(s, "\n") {
		fields := strings.Fields(line)
		if len(fields) != 3 || !strings.Contains(fields[0], ":") {
			continue
		}
		v, err := fscommon.ParseUint(fields[2], 10, 64)
		if err != nil {
			continue
		}
		switch fields[1] {
		case "Read":
			read += v
		case "Write":
			write += v
		}
	}
	return read, write
}
