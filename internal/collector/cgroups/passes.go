package cgroups

import (
	"bytes"
	"fmt"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/kernfile"
	"github.com/ctop-like/ctop-like/internal/model"
)

// cgroupPasses is what a cgroup finder (v1Finder, v2Finder) keeps from one
// pass over the tree to the next: each cgroup's open files and limits, so
// that a pass reads files it already holds open. One pass runs at a time.
type cgroupPasses struct {
	claim   Claim
	cgroups map[string]*keptCgroup // by path relative to the mounts
	// rarely has a bit per file (by the finder's numbers) read far less
	// often than every pass (limits every limitsTTL, PSI and hugetlb every
	// psiPeriod): the descriptors the process may hold (kernfile's budget)
	// go to the files read every pass first, and to those only from what
	// is left (kernfile.File.ReadRarely).
	rarely uint64
	pass   uint64
	now    time.Time // this pass's start
	buf    []byte
	out    []model.ContainerSample // capacity reused for the next pass's guess
	walker walker
	// visit is the cgroup being read (visitCgroup), appended to the pass's
	// list when it is a container: a sample returned by value escaped to
	// the heap, 648 bytes per container and pass.
	visit model.ContainerSample

	// nodeOOM is the node's count of OOM kills (SetNodeOOMKills), nil
	// where not given; oomLast is its value in the last pass that read
	// it, oomMoved whether it moved there, and oomAll whether this pass
	// reads every container's OOM kill count (oomDue).
	nodeOOM            func() (uint64, bool)
	oomLast            uint64
	oomKnown, oomMoved bool
	oomAll             bool
}

// keptCgroup is one cgroup's open files, by the finder's numbers (v1Procs…,
// v2Procs…), and its limits (see limitsTTL).
type keptCgroup struct {
	rel, dir string // its path relative to the walked root, and its folder
	files    [max(v1NumFiles, v2NumFiles)]kernfile.File
	seen     uint64
	limitsAt time.Time // when the limits below were read; zero: never
	quota    float64   // CPU.QuotaCores
	memLimit uint64    // memory.limit_in_bytes or memory.max as read (0 when unreadable)
	// noFreezer: the cgroup was not in the v1 freezer hierarchy when last
	// looked for (with the limits).
	noFreezer bool
	// missing has a bit per optional file (figures.go) the kernel lacked
	// when last looked for.
	missing uint32
	// slowAt is when the slow figures below (PSI, hugetlb) were read;
	// they are reused until psiPeriod has passed (figures.go).
	slowAt time.Time
	slow   model.ContainerFigures
	// oomKills and failcnt are the counters as last read, for the passes
	// that do not read them (oomDue, failcntDue); oomRead and failcntRead
	// say they were read.
	oomKills, failcnt    uint64
	oomRead, failcntRead bool
}

func (g *keptCgroup) close() {
	for i := range g.files {
		g.files[i].Close()
	}
}

// SetClaim implements Finder.
func (p *cgroupPasses) SetClaim(claim Claim) { p.claim = claim }

// SetNodeOOMKills implements Finder.
func (p *cgroupPasses) SetNodeOOMKills(count func() (uint64, bool)) { p.nodeOOM = count }

// countOOMKills decides, once per pass, whether the containers' OOM kill
// counts are read (oomAll): the kernel adds to the node's count at every
// kill, with the victim's cgroup's and its ancestors', so where the node's
// count stood still since the last pass no container's moved. A pass
// where it moved, and the pass after (the two counts are added one after
// the other, and a pass may read between them), read every container's.
// Without the node's count (not given, a kernel before 4.13) every pass
// reads them.
func (p *cgroupPasses) countOOMKills() {
	n, ok := uint64(0), false
	if p.nodeOOM != nil {
		n, ok = p.nodeOOM()
	}
	moved := !ok || !p.oomKnown || n != p.oomLast
	p.oomAll = moved || p.oomMoved
	p.oomLast, p.oomKnown, p.oomMoved = n, ok, moved
}

// oomDue says whether this pass reads g's OOM kill count: when the node's
// count may have moved (countOOMKills), with the limits (a read every
// limitsTTL all the same), and until it has been read once.
func (p *cgroupPasses) oomDue(g *keptCgroup) bool {
	return p.oomAll || !g.oomRead || p.limitsDue(g)
}

// failcntDue says whether this pass reads g's memory limit's fail count:
// the kernel counts a failed charge against the limit that refused it
// only, so the count of a cgroup without a limit of its own (as read with
// the limits) cannot move; it is read with the limits all the same, and
// until it has been read once.
func (p *cgroupPasses) failcntDue(g *keptCgroup, unlimited bool) bool {
	return !unlimited || !g.failcntRead || p.limitsDue(g)
}

// scan is one pass over the tree at root: for every cgroup, procs reads
// its cgroup.procs and read its counters, with its kept files, when it is
// a container (see visitCgroup). Then the cgroups that are gone, and those
// no longer listed (a raw cgroup whose processes left), are closed: their
// files are reopened if needed.
func (p *cgroupPasses) scan(root string, all bool,
	procs func(g *keptCgroup, rel, dir string) ([]byte, error),
	read func(g *keptCgroup, rel, dir string, c *model.ContainerSample) (failed bool),
) ([]model.ContainerSample, error) {
	if p.cgroups == nil {
		p.cgroups = make(map[string]*keptCgroup)
	}
	p.pass++
	p.now = time.Now()
	out := make([]model.ContainerSample, 0, cap(p.out))
	err := p.walker.walk(root, func(relB, dirB []byte) bool {
		g := p.cgroups[string(relB)] // no string made for the lookup
		if g == nil {
			g = &keptCgroup{rel: string(relB), dir: string(dirB)}
			p.cgroups[g.rel] = g
		}
		g.seen = p.pass
		rel, dir := g.rel, g.dir
		count := func() (int, int, error) {
			data, err := procs(g, rel, dir)
			if err != nil {
				return 0, 0, err
			}
			first, n := procsFirstAndCount(data)
			return first, n, nil
		}
		ok, skip := visitCgroup(rel, dir, all, p.claim, count, func(rel string, c *model.ContainerSample) bool { return read(g, rel, dir, c) }, &p.visit)
		if ok {
			out = append(out, p.visit)
		}
		return skip
	})
	for rel, g := range p.cgroups {
		if g.seen != p.pass {
			g.close()
			delete(p.cgroups, rel)
		}
	}
	p.out = out[:0:len(out)]
	p.visit = model.ContainerSample{}
	if err != nil {
		err = fmt.Errorf("walk cgroups %s: %w", root, err)
	}
	return out, err
}

// readFile reads g's file which, at path, into the passes' buffer (valid
// until the next read).
func (p *cgroupPasses) readFile(g *keptCgroup, which int, path func() string) ([]byte, error) {
	var b []byte
	var err error
	if p.rarely&(1<<which) != 0 {
		b, err = g.files[which].ReadRarely(p.buf, 0, path)
	} else {
		b, err = g.files[which].Read(p.buf, 0, path)
	}
	if cap(b) > cap(p.buf) {
		p.buf = b[:0]
	}
	return b, err
}

// limitsDue says whether this pass reads g's limits.
func (p *cgroupPasses) limitsDue(g *keptCgroup) bool {
	return g.limitsAt.IsZero() || p.now.Sub(g.limitsAt) >= limitsTTL || p.now.Before(g.limitsAt)
}

// Close implements Finder: it releases every kept file.
func (p *cgroupPasses) Close() {
	for rel, g := range p.cgroups {
		g.close()
		delete(p.cgroups, rel)
	}
}

// procsFirstAndCount returns the first pid of a cgroup.procs file and how
// many there are.
func procsFirstAndCount(data []byte) (first, n int) {
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		v := kernfile.Int(line)
		if v <= 0 {
			continue
		}
		if n == 0 {
			first = int(v)
		}
		n++
	}
	return first, n
}
