package cgroups

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/kernfile"
	"github.com/ctop-like/ctop-like/internal/model"
)

// userHZ is the unit of cpuacct.stat (clock_t, USER_HZ), 100 on every
// architecture Linux containers run on.
const userHZ = 100

// v1Finder reads cgroup v1, where each controller is its own tree and a
// container has the same relative path in each of them. It keeps each
// container's files open between passes (see kernfile.File); Containers is
// called from one goroutine at a time.
type v1Finder struct {
	cgroupPasses
	dirs       map[string]string // controller -> mount, symlinks resolved
	walk       string            // the mount whose tree is walked
	all        bool
	hostMemory uint64
	hugeSizes  []string // of the hugetlb hierarchy's files ("2MB")
}

// v1Files are the files a v1 container is read from, by controller.
var v1Files = [v1NumFiles]struct{ ctrl, name string }{
	v1Procs:         {"", "cgroup.procs"}, // in the walked mount
	v1CPUUsage:      {"cpuacct", "cpuacct.usage"},
	v1CPUAcctStat:   {"cpuacct", "cpuacct.stat"},
	v1CPUStat:       {"cpu", "cpu.stat"},
	v1Quota:         {"cpu", "cpu.cfs_quota_us"},
	v1Period:        {"cpu", "cpu.cfs_period_us"},
	v1MemStat:       {"memory", "memory.stat"},
	v1MemUsage:      {"memory", "memory.usage_in_bytes"},
	v1MemLimit:      {"memory", "memory.limit_in_bytes"},
	v1OOMControl:    {"memory", "memory.oom_control"},
	v1PidsCurrent:   {"pids", "pids.current"},
	v1BlkioBytes:    {"blkio", "blkio.throttle.io_service_bytes"},
	v1BlkioServiced: {"blkio", "blkio.throttle.io_serviced"},
	v1Freezer:       {"freezer", "freezer.state"},
	v1MemFailcnt:    {"memory", "memory.failcnt"},
	// v1Hugetlb0…: hugetlb.<size>.usage_in_bytes, one per size (hugeSizes)
}

const (
	v1Procs = iota
	v1CPUUsage
	v1CPUAcctStat
	v1CPUStat
	v1Quota
	v1Period
	v1MemStat
	v1MemUsage
	v1MemLimit
	v1OOMControl
	v1PidsCurrent
	v1BlkioBytes
	v1BlkioServiced
	v1Freezer
	v1MemFailcnt
	v1Hugetlb0
	v1NumFiles = v1Hugetlb0 + maxHugeSizes
)

// v1Rarely are the files read every limitsTTL or psiPeriod, not every
// pass: they keep a descriptor only where the budget has room to spare
// (cgroupPasses.rarely).
const v1Rarely = 1<<v1Quota | 1<<v1Period | 1<<v1MemLimit | (1<<maxHugeSizes-1)<<v1Hugetlb0

// limitsTTL is how long a container's configured limits (CFS quota and
// period, memory limit) are reused before they are read again: they change
// only with an update of the container, and re-reading them costs as much
// as a fifth of a container's reads.
const limitsTTL = 5 * time.Second

// Containers walks one controller's tree and reads every container's
// counters from the same relative path in the other controllers.
func (f *v1Finder) Containers() ([]model.ContainerSample, error) {
	f.countOOMKills() // v2's memory.events has more than the OOM kills: read every pass
	return f.scan(f.walk, f.all,
		func(g *keptCgroup, rel, _ string) ([]byte, error) { return f.file(g, v1Procs, rel) },
		func(g *keptCgroup, rel, _ string, c *model.ContainerSample) bool { return f.read(g, rel, c) })
}

// file reads one of a cgroup's files into the finder's buffer (valid until
// the next read); a controller that is not mounted is fs.ErrNotExist.
func (f *v1Finder) file(g *keptCgroup, which int, rel string) ([]byte, error) {
	spec := v1Files[which]
	if which >= v1Hugetlb0 {
		spec.ctrl, spec.name = "hugetlb", "hugetlb."+f.hugeSizes[which-v1Hugetlb0]+".usage_in_bytes"
	}
	mount := f.walk
	if spec.ctrl != "" {
		m, ok := f.dirs[spec.ctrl]
		if !ok {
			return nil, &os.PathError{Op: "open", Path: spec.ctrl, Err: fs.ErrNotExist}
		}
		mount = m
	}
	return f.readFile(g, which, func() string {
		return filepath.Join(mount, filepath.FromSlash(rel), spec.name)
	})
}

// read fills the counters of the cgroup at rel; a controller that is not
// mounted or not readable leaves its fields at zero. It reports whether a
// read failed (the cgroup may have been removed meanwhile).
func (f *v1Finder) read(g *keptCgroup, rel string, c *model.ContainerSample) (failed bool) {
	limitsDue := f.limitsDue(g)
	get := func(which int) []byte {
		b, err := f.file(g, which, rel)
		if err != nil {
			failed = true
			return nil
		}
		return b
	}
	f.readCPU(g, c, get)
	// A controller that is not mounted, or holds no folder for this
	// cgroup, leaves its figures n/a.
	if _, ok := f.dirs["memory"]; !ok {
		c.Unmeasured = append(c.Unmeasured, "memory")
	} else if usage, err := f.file(g, v1MemUsage, rel); err != nil {
		failed = true
		if vanished(err) {
			c.Unmeasured = append(c.Unmeasured, "memory")
		}
	} else {
		c.Mem.Usage = kernfile.Uint(usage)
		f.readMemory(g, rel, c, get)
	}
	if f.limitsDue(g) {
		g.limitsAt = f.now
	}
	if _, ok := f.dirs["pids"]; !ok {
		c.Unmeasured = append(c.Unmeasured, "pids")
	} else if b, err := f.file(g, v1PidsCurrent, rel); err != nil {
		failed = true
		if vanished(err) {
			c.Unmeasured = append(c.Unmeasured, "pids")
		}
	} else {
		c.Pids = kernfile.Uint(b)
	}
	if _, ok := f.dirs["blkio"]; !ok {
		c.Unmeasured = append(c.Unmeasured, "io")
	} else {
		c.Blkio.ReadBytes, c.Blkio.WriteBytes = blkioSums(get(v1BlkioBytes))
		c.Blkio.ReadOps, c.Blkio.WriteOps = blkioSums(get(v1BlkioServiced))
	}
	if f.frozen(g, rel, limitsDue) {
		c.State = "paused"
	}
	f.readHugetlb(g, rel, c, limitsDue)
	return failed
}

// readHugetlb reads the hugetlb controller's usage of each page size, in
// the slow period only (keepSlow keeps it between).
func (f *v1Finder) readHugetlb(g *keptCgroup, rel string, c *model.ContainerSample, limitsDue bool) {
	if _, ok := f.dirs["hugetlb"]; ok && !f.slowDue(g) {
		f.keepSlow(g, false, c)
	} else if ok {
		for i := range f.hugeSizes {
			if b := f.optional(g, v1Hugetlb0+i, limitsDue, func() ([]byte, error) { return f.file(g, v1Hugetlb0+i, rel) }); b != nil {
				addHugetlb(c, b)
			}
		}
		f.keepSlow(g, true, c)
	}
}

// readCPU reads the cpuacct and cpu controllers' files.
func (f *v1Finder) readCPU(g *keptCgroup, c *model.ContainerSample, get func(int) []byte) {
	if _, ok := f.dirs["cpuacct"]; ok {
		if b := get(v1CPUUsage); b != nil {
			c.CPU.UsageNs = kernfile.Uint(b)
		}
		kernfile.EachKeyValue(get(v1CPUAcctStat), func(k []byte, v uint64) {
			switch string(k) {
			case "user":
				c.CPU.UserNs = v * (1e9 / userHZ)
			case "system":
				c.CPU.SystemNs = v * (1e9 / userHZ)
			}
		})
	}
	if _, ok := f.dirs["cpu"]; ok {
		kernfile.EachKeyValue(get(v1CPUStat), func(k []byte, v uint64) {
			switch string(k) {
			case "nr_periods":
				c.CPU.Periods = v
			case "nr_throttled":
				c.CPU.ThrottledPeriods = v
			case "throttled_time":
				c.CPU.ThrottledNs = v
			}
		})
		if f.limitsDue(g) {
			var quota, period int64
			if b := get(v1Quota); b != nil {
				quota = kernfile.Int(b)
			}
			if b := get(v1Period); b != nil {
				period = kernfile.Int(b)
			}
			g.quota = quotaCores(quota, period)
		}
		c.CPU.QuotaCores = g.quota
	}
}

// frozen says whether the freezer holds the cgroup (see read).
func (f *v1Finder) frozen(g *keptCgroup, rel string, limitsDue bool) bool {
	// A cgroup the freezer holds (`:pause`, `docker pause`, `ctr task
	// pause`) is paused whatever its runtime last said; FREEZING is a
	// freeze under way, its processes already stopping. A cgroup that is
	// not in the freezer hierarchy is no failure, and is looked for again
	// only with the limits (a failed open costs as much as a read).
	if _, ok := f.dirs["freezer"]; !ok || g.noFreezer && !limitsDue {
		return false
	}
	b, err := f.file(g, v1Freezer, rel)
	g.noFreezer = err != nil
	return err == nil && (bytes.HasPrefix(b, []byte("FROZEN")) || bytes.HasPrefix(b, []byte("FREEZING")))
}

// readMemory reads the memory controller's files but
// memory.usage_in_bytes.
func (f *v1Finder) readMemory(g *keptCgroup, rel string, c *model.ContainerSample, get func(int) []byte) {
	// hier: memory.stat's hierarchical total_<key> (which matches
	// memory.usage_in_bytes, itself hierarchical) wins over <key>.
	var inactive, rss, cache memStatValue
	var figs memStatFigures
	kernfile.EachKeyValue(get(v1MemStat), func(k []byte, v uint64) {
		figs.line(k, v)
		switch string(k) {
		case "inactive_file":
			inactive.set(v, false)
		case "total_inactive_file":
			inactive.set(v, true)
		case "rss":
			rss.set(v, false)
		case "total_rss":
			rss.set(v, true)
		case "cache":
			cache.set(v, false)
		case "total_cache":
			cache.set(v, true)
		}
	})
	c.Mem.Used = subFloor(c.Mem.Usage, inactive.v)
	c.Mem.RSS = rss.v
	c.Mem.Cache = cache.v
	figs.fill(c, true)
	if f.limitsDue(g) {
		g.memLimit = 0
		if b := get(v1MemLimit); b != nil {
			g.memLimit = kernfile.Uint(b)
		}
	}
	c.Mem.Limit = memLimit(g.memLimit, f.hostMemory)
	if f.failcntDue(g, g.memLimit == 0 || g.memLimit >= unlimitedMemory) {
		g.failcntRead = false
		if b := get(v1MemFailcnt); b != nil {
			g.failcnt, g.failcntRead = kernfile.Uint(b), true
		}
	}
	if g.failcntRead {
		fig := c.MoreFigures()
		fig.MemFailcnt = g.failcnt
		fig.Known |= model.KnownMemFailcnt
	}
	if f.oomDue(g) {
		g.oomKills, g.oomRead = 0, false
		if b := get(v1OOMControl); b != nil {
			g.oomRead = true
			kernfile.EachKeyValue(b, func(k []byte, v uint64) {
				if string(k) == "oom_kill" {
					g.oomKills = v
				}
			})
		}
	}
	c.Mem.OOMKills = g.oomKills
}

// memStatValue is one memory.stat figure: the hierarchical total_<key>
// when the file has it, else <key>; the last line of a kind wins, as in a
// map.
type memStatValue struct {
	v     uint64
	total bool
}

func (m *memStatValue) set(v uint64, total bool) {
	if total || !m.total {
		m.v, m.total = v, total || m.total
	}
}

// quotaCores is the CFS quota in cores; 0 when there is none.
func quotaCores(quota, period int64) float64 {
	if quota <= 0 || period <= 0 {
		return 0
	}
	return float64(quota) / float64(period)
}

// dir is the folder of the cgroup at rel in a controller's mount.
func (f *v1Finder) dir(controller, rel string) (string, bool) {
	m, ok := f.dirs[controller]
	if !ok {
		return "", false
	}
	return filepath.Join(m, filepath.FromSlash(rel)), true
}

// blkioSums sums the Read and Write lines ("8:0 Read 4096") of a v1 blkio
// file over all devices; the Total line and other ops are ignored.
func blkioSums(data []byte) (read, write uint64) {
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		var f [4][]byte
		n := 0
		for fl := range bytes.FieldsSeq(line) {
			if n == len(f) {
				n++
				break
			}
			f[n] = fl
			n++
		}
		if n != 3 || bytes.IndexByte(f[0], ':') < 0 {
			continue
		}
		v, ok := kernfile.ParseUint(f[2])
		if !ok {
			continue
		}
		switch string(f[1]) {
		case "Read":
			read += v
		case "Write":
			write += v
		}
	}
	return read, write
}
