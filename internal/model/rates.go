package model

import (
	"time"
	"weak"
)

// Rates turns two consecutive samples into a snapshot. prev may be nil (the
// first sample): every entity then has HasRates false. An entity that is new
// in cur, or whose counters went backwards (a restarted container, a reused
// pid), has no rates for this interval rather than a wrong one.
//
// A remote source that keeps its own history (cAdvisor) hands its earlier
// measurement in cur.Before: the machine's and the containers' rates then
// come from the source's two samples and their timestamps, not from this
// tool's interval; processes use prev unless Before has its own (see
// processRates).
//
// The snapshot's container rows refer to cur's containers (no copy): cur
// belongs to the snapshot from then on and is not changed once it is
// published.
func Rates(prev, cur *Sample) *Snapshot {
	return RatesSince(Remember(prev, false), cur)
}

// Earlier is what the next Rates needs of a sample: its machine's and
// processes' figures as they are, and of each container its counters by
// Key, either in the sample itself (kept whole) or copied out of it.
type Earlier struct {
	rest Sample // the sample without its containers
	keys map[string]int32
	// whole is the sample's containers, nil when compact holds their
	// counters instead.
	whole   []ContainerSample
	compact []counters
	// first is the sample's first container, to tell a source that
	// hands the same containers again (containerRates); weak, so that a
	// compact Earlier does not keep them.
	first weak.Pointer[ContainerSample]
}

// counters is what a container's rates need of its earlier sample: 152
// bytes where the sample is 744 (--cluster's 100,000 executors: 15 MB
// where the sample kept 74 MB, and its network counters and rows 27
// more, alive until the next rates).
type counters struct {
	cpu        CgroupCPU
	blkio      CgroupBlkio
	sampledAt  time.Time
	rx, tx     uint64
	rxp, txp   uint64
	rxErr      uint64
	txErr      uint64
	rxDrop     uint64
	txDrop     uint64
	pgMajFault uint64
	hasNet     bool
	hasMajFlt  bool
}

func countersOf(c *ContainerSample) counters {
	k := counters{cpu: c.CPU, blkio: c.Blkio, sampledAt: c.SampledAt}
	if n := c.Net; n != nil {
		k.hasNet = true
		k.rx, k.tx, k.rxp, k.txp = n.RxBytes, n.TxBytes, n.RxPackets, n.TxPackets
		k.rxErr, k.txErr, k.rxDrop, k.txDrop = n.RxErrors, n.TxErrors, n.RxDrops, n.TxDrops
	}
	if c.Has(KnownPgMajFault) {
		k.hasMajFlt, k.pgMajFault = true, c.Figures.PgMajFault
	}
	return k
}

// Remember keeps what the next Rates needs of s (nil for none). compact
// copies each container's counters out of s, so that s's containers
// (and a snapshot's rows that refer to them) can be freed once the
// snapshot is handled: for a caller that keeps no snapshot (batch
// output). Otherwise the containers are kept whole, which costs nothing
// where a reader holds the snapshot anyway (the screen).
func Remember(s *Sample, compact bool) *Earlier {
	if s == nil {
		return nil
	}
	e := &Earlier{rest: *s}
	e.rest.Containers = nil
	e.rest.Before = nil
	e.rest.OwnEarlier = nil
	if len(s.Containers) > 0 {
		e.first = weak.Make(&s.Containers[0])
	}
	if compact && s.OwnEarlier != nil {
		// The next sample's source hands its own: a copy here was a
		// second one of what it keeps.
		return e
	}
	if !compact {
		// The keys' map is made by the next rates, as they made one of
		// the sample before: kept from now on it was 44 bytes a
		// container more between refreshes.
		e.whole = s.Containers
		return e
	}
	e.keys = make(map[string]int32, len(s.Containers))
	e.compact = make([]counters, len(s.Containers))
	for i := range s.Containers {
		c := &s.Containers[i]
		e.compact[i] = countersOf(c)
		e.keys[c.Key()] = int32(i) // the last of a key, as a map of them kept
	}
	return e
}

// OwnCounters are a container's earlier counters as a source that keeps
// them hands them (Sample.OwnEarlier): its CPU's, when they were measured,
// and its network's where HasNet.
type OwnCounters struct {
	CPU       CgroupCPU
	SampledAt time.Time
	Net       NetCounters
	HasNet    bool
}

func (o *OwnCounters) counters() counters {
	k := counters{cpu: o.CPU, sampledAt: o.SampledAt, hasNet: o.HasNet}
	if o.HasNet {
		n := &o.Net
		k.rx, k.tx, k.rxp, k.txp = n.RxBytes, n.TxBytes, n.RxPackets, n.TxPackets
		k.rxErr, k.txErr, k.rxDrop, k.txDrop = n.RxErrors, n.TxErrors, n.RxDrops, n.TxDrops
	}
	return k
}

// counters are the earlier counters of the container with this key.
func (e *Earlier) counters(key string) (counters, bool) {
	if e.keys == nil && e.whole != nil {
		e.keys = make(map[string]int32, len(e.whole))
		for i := range e.whole {
			e.keys[e.whole[i].Key()] = int32(i)
		}
	}
	i, ok := e.keys[key]
	if !ok {
		return counters{}, false
	}
	if e.whole != nil {
		return countersOf(&e.whole[i]), true
	}
	return e.compact[i], true
}

// RatesSince is Rates against what Remember kept of the sample before.
func RatesSince(earlier *Earlier, cur *Sample) *Snapshot {
	var prev *Sample
	if earlier != nil {
		prev = &earlier.rest
	}
	s := &Snapshot{
		Time:        cur.Time,
		Host:        cur.Host,
		Machine:     cur.Machine,
		Memory:      cur.Memory,
		Load:        cur.Load,
		UptimeS:     cur.UptimeS,
		Filesystems: cur.Filesystems,
		Errors:      cur.Errors,
	}
	var dt float64 // this tool's interval
	if prev != nil {
		dt = cur.Time.Sub(prev.Time).Seconds()
	}
	mprev := prev // the machine's earlier counters
	if cur.Before != nil {
		mprev = cur.Before
	}
	if mprev != nil {
		s.Interval = measuredAt(cur).Sub(measuredAt(mprev))
	}
	mdt := s.Interval.Seconds()
	if mdt <= 0 {
		mprev = nil
	}
	if dt <= 0 {
		prev, earlier = nil, nil
	}
	s.CPUTotal, s.CPUs = cpuRates(mprev, cur)
	s.Disks = diskRates(mprev, cur, mdt)
	s.Nets = netRates(mprev, cur, mdt)
	s.Containers = containerRates(earlier, cur, dt)
	s.Processes = processRates(prev, cur, dt)
	return s
}

// measuredAt is when a sample's machine counters were read: the source's
// own clock when it says, else the sample's time.
func measuredAt(s *Sample) time.Time {
	if !s.SampledAt.IsZero() {
		return s.SampledAt
	}
	return s.Time
}

// cpuRates gives the total's and each CPU's shares; prev nil gives names only.
func cpuRates(prev, cur *Sample) (CPU, []CPU) {
	total := CPU{Name: cur.CPUTotal.Name}
	cpus := make([]CPU, len(cur.CPUs))
	var before map[string]CPUTimes
	if prev != nil {
		total = cpuRate(prev.CPUTotal, cur.CPUTotal)
		before = make(map[string]CPUTimes, len(prev.CPUs))
		for _, c := range prev.CPUs {
			before[c.Name] = c
		}
	}
	for i, c := range cur.CPUs {
		if p, found := before[c.Name]; found {
			cpus[i] = cpuRate(p, c)
		} else {
			cpus[i] = CPU{Name: c.Name}
		}
	}
	return total, cpus
}

// diskRates gives each block device's throughput, operations and busy share.
func diskRates(prev, cur *Sample, dt float64) []Disk {
	out := make([]Disk, len(cur.Disks))
	var before map[string]*DiskCounters
	if prev != nil {
		before = make(map[string]*DiskCounters, len(prev.Disks))
		for i := range prev.Disks {
			before[prev.Disks[i].Name] = &prev.Disks[i]
		}
	}
	for i, d := range cur.Disks {
		out[i].DiskCounters = d
		p := before[d.Name]
		if p == nil || !notBack(p.Reads, d.Reads, p.Writes, d.Writes, p.ReadBytes, d.ReadBytes, p.WriteBytes, d.WriteBytes) {
			continue
		}
		out[i].HasRates = true
		out[i].ReadsPS = float64(d.Reads-p.Reads) / dt
		out[i].WritesPS = float64(d.Writes-p.Writes) / dt
		out[i].ReadBps = float64(d.ReadBytes-p.ReadBytes) / dt
		out[i].WriteBps = float64(d.WriteBytes-p.WriteBytes) / dt
		if d.IOTimeMs >= p.IOTimeMs {
			out[i].UtilPct = clampPct(float64(d.IOTimeMs-p.IOTimeMs) / 10 / dt)
		}
	}
	return out
}

// netRates gives each interface's throughput and packet rates.
func netRates(prev, cur *Sample, dt float64) []Net {
	out := make([]Net, len(cur.Nets))
	var before map[string]*NetCounters
	if prev != nil {
		before = make(map[string]*NetCounters, len(prev.Nets))
		for i := range prev.Nets {
			before[prev.Nets[i].Name] = &prev.Nets[i]
		}
	}
	for i, n := range cur.Nets {
		out[i].NetCounters = n
		if p := before[n.Name]; p != nil {
			out[i].HasRates, out[i].RxBps, out[i].TxBps, out[i].RxPps, out[i].TxPps = netRate(p, &n, dt)
		}
	}
	return out
}

// containerRates gives each container's rates against its earlier counters
// (the same Key: containerd's namespaces may share an id): the source's own
// (cur.Before) when it has them, else prev's over dt.
func containerRates(prev *Earlier, cur *Sample, dt float64) []Container {
	out := make([]Container, len(cur.Containers))
	conts := cur.Containers
	if prev != nil && len(conts) > 0 && prev.first.Value() == &conts[0] {
		// A source that says the same again (cAdvisor's stale answer)
		// hands the containers of a published snapshot: the rows get
		// their own, which Match may write.
		conts = append([]ContainerSample(nil), conts...)
	}
	var own map[string]*ContainerSample // the source's own win
	if b := cur.Before; b != nil {
		own = make(map[string]*ContainerSample, len(b.Containers))
		for i := range b.Containers {
			own[b.Containers[i].Key()] = &b.Containers[i]
		}
	}
	for i := range cur.Containers {
		c := &out[i]
		c.ContainerSample = &conts[i]
		if c.RuntimeFields == nil {
			// A source (or a test) that set none: the shared zero, so
			// that reading c.Cgroup never panics; never written to.
			c.RuntimeFields = NoRuntimeFields
		}
		if c.Mem.Limit > 0 {
			c.MemPct = clampPct(float64(c.Mem.Used) / float64(c.Mem.Limit) * 100)
		}
		if cur.OwnEarlier != nil {
			// The source's own, or none: not prev's, which a compact
			// Remember did not keep.
			if o, ok := cur.OwnEarlier(i); ok {
				k := o.counters()
				containerRate(c, &k, dt)
			}
			continue
		}
		if own == nil && prev == nil {
			continue
		}
		key := c.Key()
		if p := own[key]; p != nil {
			k := countersOf(p)
			containerRate(c, &k, dt)
		} else if prev != nil {
			if k, ok := prev.counters(key); ok {
				containerRate(c, &k, dt)
			}
		}
	}
	return out
}

// containerRate fills c's rates from p, its earlier counters, dt seconds
// before unless both carry the source's own timestamps.
func containerRate(c *Container, p *counters, dt float64) {
	if c.CPU.UsageNs < p.cpu.UsageNs {
		return
	}
	if !c.SampledAt.IsZero() && !p.sampledAt.IsZero() {
		// A remote source's own clock: the same measurement twice (a
		// source that did not answer again) gives no rate.
		dt = c.SampledAt.Sub(p.sampledAt).Seconds()
	}
	if dt <= 0 {
		return
	}
	c.HasRates = true
	dns := dt * 1e9
	c.CPUPct = float64(c.CPU.UsageNs-p.cpu.UsageNs) / dns * 100
	c.CPUUserPct = float64(delta(p.cpu.UserNs, c.CPU.UserNs)) / dns * 100
	c.CPUSystemPct = float64(delta(p.cpu.SystemNs, c.CPU.SystemNs)) / dns * 100
	if dp := delta(p.cpu.Periods, c.CPU.Periods); dp > 0 {
		c.ThrottledPct = clampPct(float64(delta(p.cpu.ThrottledPeriods, c.CPU.ThrottledPeriods)) / float64(dp) * 100)
	}
	c.ThrottledS = float64(delta(p.cpu.ThrottledNs, c.CPU.ThrottledNs)) / 1e9
	c.BlkReadBps = float64(delta(p.blkio.ReadBytes, c.Blkio.ReadBytes)) / dt
	c.BlkWriteBps = float64(delta(p.blkio.WriteBytes, c.Blkio.WriteBytes)) / dt
	c.BlkReadOps = float64(delta(p.blkio.ReadOps, c.Blkio.ReadOps)) / dt
	c.BlkWriteOps = float64(delta(p.blkio.WriteOps, c.Blkio.WriteOps)) / dt
	if c.Net != nil && p.hasNet {
		pn := NetCounters{RxBytes: p.rx, TxBytes: p.tx, RxPackets: p.rxp, TxPackets: p.txp}
		_, c.NetRxBps, c.NetTxBps, c.NetRxPps, c.NetTxPps = netRate(&pn, c.Net, dt)
	}
	figureRates(c, p, dt)
}

// processRates gives each process's CPU and I/O rates; a process is the
// same one when both its pid and its start time match. A source whose
// process times are coarse (cAdvisor's ps: whole seconds) hands an older
// list in cur.Before with its Time, and the rates span that longer window.
func processRates(prev, cur *Sample, dt float64) []Process {
	if b := cur.Before; b != nil && !b.Time.IsZero() && b.Processes != nil {
		prev, dt = b, cur.Time.Sub(b.Time).Seconds()
		if dt <= 0 {
			prev = nil
		}
	}
	out := make([]Process, len(cur.Processes))
	var find func(*ProcessSample) *ProcessSample
	if prev != nil {
		find = processBefore(prev.Processes, cur.Processes)
	}
	memTotal := float64(cur.Memory.Total)
	for i := range cur.Processes {
		pr := &out[i]
		pr.ProcessSample = cur.Processes[i]
		if memTotal > 0 {
			pr.MemPct = float64(pr.RSS) / memTotal * 100
		}
		var p *ProcessSample
		if find != nil {
			p = find(&pr.ProcessSample)
		}
		if p == nil || p.NoFigures || pr.NoFigures || pr.UserS+pr.SystemS < p.UserS+p.SystemS {
			continue // no rates over a pass that did not read the figures
		}
		pr.HasRates = true
		pr.CPUUserPct = nonNeg(pr.UserS-p.UserS) / dt * 100
		pr.CPUSystemPct = nonNeg(pr.SystemS-p.SystemS) / dt * 100
		pr.CPUPct = pr.CPUUserPct + pr.CPUSystemPct
		if pr.HasIO && p.HasIO {
			pr.ReadBps = float64(delta(p.ReadBytes, pr.ReadBytes)) / dt
			pr.WriteBps = float64(delta(p.WriteBytes, pr.WriteBytes)) / dt
		}
	}
	return out
}

// processBefore returns what finds a process of cur (by pid and start
// time) in before, to be called in cur's order. Where both are in rising
// pid order, as this node's collector reads them, it walks before once
// beside cur; else it builds a map of before (12,000 entries, 0.44 MB
// made every refresh at 2,000 containers).
func processBefore(before, cur []ProcessSample) func(*ProcessSample) *ProcessSample {
	if risingPIDs(before) && risingPIDs(cur) {
		j := 0
		return func(c *ProcessSample) *ProcessSample {
			for j < len(before) && before[j].PID < c.PID {
				j++
			}
			if j < len(before) && before[j].PID == c.PID && before[j].StartTicks == c.StartTicks {
				return &before[j]
			}
			return nil
		}
	}
	type pkey struct {
		pid   int
		start uint64
	}
	m := make(map[pkey]*ProcessSample, len(before))
	for i := range before {
		p := &before[i]
		m[pkey{p.PID, p.StartTicks}] = p
	}
	return func(c *ProcessSample) *ProcessSample { return m[pkey{c.PID, c.StartTicks}] }
}

// risingPIDs says whether ps is in strictly rising pid order.
func risingPIDs(ps []ProcessSample) bool {
	for i := 1; i < len(ps); i++ {
		if ps[i].PID <= ps[i-1].PID {
			return false
		}
	}
	return true
}

func cpuRate(p, c CPUTimes) CPU {
	total := c.Total() - p.Total()
	r := CPU{Name: c.Name}
	if total <= 0 {
		return r
	}
	pct := func(a, b float64) float64 { return clampPct(nonNeg(b-a) / total * 100) }
	r.UserPct = pct(p.User+p.Nice, c.User+c.Nice)
	r.SystemPct = pct(p.System+p.IRQ+p.SoftIRQ, c.System+c.IRQ+c.SoftIRQ)
	r.IOWaitPct = pct(p.IOWait, c.IOWait)
	r.StealPct = pct(p.Steal, c.Steal)
	r.IdlePct = pct(p.Idle, c.Idle)
	r.UtilPct = clampPct(100 - r.IdlePct - r.IOWaitPct)
	return r
}

func netRate(p, c *NetCounters, dt float64) (ok bool, rx, tx, rxp, txp float64) {
	if c.RxBytes < p.RxBytes || c.TxBytes < p.TxBytes {
		return false, 0, 0, 0, 0
	}
	return true,
		float64(c.RxBytes-p.RxBytes) / dt,
		float64(c.TxBytes-p.TxBytes) / dt,
		float64(delta(p.RxPackets, c.RxPackets)) / dt,
		float64(delta(p.TxPackets, c.TxPackets)) / dt
}

// delta is b-a for a counter, 0 when it went backwards (reset).
func delta(a, b uint64) uint64 {
	if b < a {
		return 0
	}
	return b - a
}

// notBack reports whether no pair (prev, cur) went backwards.
func notBack(pairs ...uint64) bool {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] < pairs[i] {
			return false
		}
	}
	return true
}

func nonNeg(f float64) float64 {
	if f < 0 {
		return 0
	}
	return f
}

func clampPct(f float64) float64 {
	if f < 0 {
		return 0
	}
	if f > 100 {
		return 100
	}
	return f
}
