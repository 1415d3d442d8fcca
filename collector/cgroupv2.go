package collector

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/model"
)

// v2Finder reads the unified cgroup v2 hierarchy, where every controller's
// files sit in the container's one folder. Like v1Finder it keeps each
// container's files open between passes.
type v2Finder struct {
	root       string
	all        bool
	claim      claimFunc
	hostMemory uint64

	cgroups map[string]*v2Cgroup
	pass    uint64
	now     time.Time
	buf     []byte
	out     []model.ContainerSample
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
	v2NumFiles
)

// v2Cgroup is one cgroup's open files and its limits (see limitsTTL).
type v2Cgroup struct {
	files    [v2NumFiles]keptFile
	seen     uint64
	limitsAt time.Time
	quota    float64
	memMax   uint64
}

func (g *v2Cgroup) close() {
	for i := range g.files {
		g.files[i].close()
	}
}

// setClaim makes the finder recognise the cgroups claim names too.
func (f *v2Finder) setClaim(claim claimFunc) { f.claim = claim }

// Containers walks the unified tree and reads each container's folder.
func (f *v2Finder) Containers() ([]model.ContainerSample, error) {
	if f.cgroups == nil {
		f.cgroups = make(map[string]*v2Cgroup)
	}
	f.pass++
	f.now = time.Now()
	out := make([]model.ContainerSample, 0, cap(f.out))
	err := walkCgroups(f.root, func(rel, dir string) bool {
		g := f.cgroups[rel]
		if g == nil {
			g = &v2Cgroup{}
			f.cgroups[rel] = g
		}
		g.seen = f.pass
		procs := func() (int, int, error) {
			data, err := f.file(g, v2Procs, dir)
			if err != nil {
				return 0, 0, err
			}
			first, n := procsFirstAndCount(data)
			return first, n, nil
		}
		c, ok, skip := visitCgroup(rel, dir, f.all, f.claim, procs, func(_ string, c *model.ContainerSample) bool { return f.read(g, dir, c) })
		if ok {
			out = append(out, c)
		}
		return skip
	})
	for rel, g := range f.cgroups {
		if g.seen != f.pass {
			g.close()
			delete(f.cgroups, rel)
		}
	}
	f.out = out[:0:len(out)]
	return out, err
}

// close releases every kept file.
func (f *v2Finder) close() {
	for rel, g := range f.cgroups {
		g.close()
		delete(f.cgroups, rel)
	}
}

// file reads one of a cgroup's files into the finder's buffer (valid until
// the next read).
func (f *v2Finder) file(g *v2Cgroup, which int, dir string) ([]byte, error) {
	b, err := g.files[which].read(f.buf, 0, func() string { return filepath.Join(dir, v2Files[which]) })
	if cap(b) > cap(f.buf) {
		f.buf = b[:0]
	}
	return b, err
}

// read fills the counters from the kernel's v2 files; a controller not
// enabled for this cgroup is named in Unmeasured. It reports whether a
// read failed (the cgroup may have been removed).
func (f *v2Finder) read(g *v2Cgroup, dir string, c *model.ContainerSample) (failed bool) {
	get := func(which int) []byte {
		b, err := f.file(g, which, dir)
		if err != nil {
			failed = true
			return nil
		}
		return b
	}
	eachKeyValue(get(v2CPUStat), func(k []byte, v uint64) {
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
	due := g.limitsAt.IsZero() || f.now.Sub(g.limitsAt) >= limitsTTL || f.now.Before(g.limitsAt)
	if due {
		g.quota, g.memMax = 0, 0
		if b := get(v2CPUMax); b != nil {
			g.quota = cpuMaxCores(string(b))
		}
		if b := get(v2MemMax); b != nil {
			g.memMax = uintValue(b)
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
		c.Mem.Usage = uintValue(cur)
		f.readMemory(g, c, get)
	case vanished(err):
		failed = true
		c.Unmeasured = append(c.Unmeasured, "memory")
	default:
		failed = true
	}
	if b, err := f.file(g, v2PidsCurrent, dir); err == nil {
		c.Pids = uintValue(b)
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
	return failed
}

// readMemory reads the memory controller's files but memory.current.
func (f *v2Finder) readMemory(g *v2Cgroup, c *model.ContainerSample, get func(int) []byte) {
	var inactive uint64
	eachKeyValue(get(v2MemStat), func(k []byte, v uint64) {
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
	c.Mem.Limit = memLimit(g.memMax, f.hostMemory)
	eachKeyValue(get(v2MemEvents), func(k []byte, v uint64) {
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
			n, ok := parseUnsigned(v)
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
