package model

// Rates turns two consecutive samples into a snapshot. prev may be nil (the
// first sample): every entity then has HasRates false. An entity that is new
// in cur, or whose counters went backwards (a restarted container, a reused
// pid), has no rates for this interval rather than a wrong one.
func Rates(prev, cur *Sample) *Snapshot {
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
	var dt float64
	if prev != nil {
		s.Interval = cur.Time.Sub(prev.Time)
		dt = s.Interval.Seconds()
	}
	ok := prev != nil && dt > 0

	// CPUs
	s.CPUTotal = CPU{Name: cur.CPUTotal.Name}
	if ok {
		s.CPUTotal = cpuRate(prev.CPUTotal, cur.CPUTotal)
	}
	s.CPUs = make([]CPU, len(cur.CPUs))
	var prevCPUs map[string]CPUTimes
	if ok {
		prevCPUs = make(map[string]CPUTimes, len(prev.CPUs))
		for _, c := range prev.CPUs {
			prevCPUs[c.Name] = c
		}
	}
	for i, c := range cur.CPUs {
		if p, found := prevCPUs[c.Name]; found {
			s.CPUs[i] = cpuRate(p, c)
		} else {
			s.CPUs[i] = CPU{Name: c.Name}
		}
	}

	// Disks
	s.Disks = make([]Disk, len(cur.Disks))
	var prevDisks map[string]*DiskCounters
	if ok {
		prevDisks = make(map[string]*DiskCounters, len(prev.Disks))
		for i := range prev.Disks {
			prevDisks[prev.Disks[i].Name] = &prev.Disks[i]
		}
	}
	for i, d := range cur.Disks {
		s.Disks[i].DiskCounters = d
		if p := prevDisks[d.Name]; p != nil && notBack(p.Reads, d.Reads, p.Writes, d.Writes, p.ReadBytes, d.ReadBytes, p.WriteBytes, d.WriteBytes) {
			s.Disks[i].HasRates = true
			s.Disks[i].ReadsPS = float64(d.Reads-p.Reads) / dt
			s.Disks[i].WritesPS = float64(d.Writes-p.Writes) / dt
			s.Disks[i].ReadBps = float64(d.ReadBytes-p.ReadBytes) / dt
			s.Disks[i].WriteBps = float64(d.WriteBytes-p.WriteBytes) / dt
			if d.IOTimeMs >= p.IOTimeMs {
				s.Disks[i].UtilPct = clampPct(float64(d.IOTimeMs-p.IOTimeMs) / 10 / dt)
			}
		}
	}

	// Interfaces
	s.Nets = make([]Net, len(cur.Nets))
	var prevNets map[string]*NetCounters
	if ok {
		prevNets = make(map[string]*NetCounters, len(prev.Nets))
		for i := range prev.Nets {
			prevNets[prev.Nets[i].Name] = &prev.Nets[i]
		}
	}
	for i, n := range cur.Nets {
		s.Nets[i].NetCounters = n
		if p := prevNets[n.Name]; p != nil {
			s.Nets[i].HasRates, s.Nets[i].RxBps, s.Nets[i].TxBps, s.Nets[i].RxPps, s.Nets[i].TxPps = netRate(p, &n, dt)
		}
	}

	// Containers
	s.Containers = make([]Container, len(cur.Containers))
	var prevCont map[string]*ContainerSample
	if ok {
		prevCont = make(map[string]*ContainerSample, len(prev.Containers))
		for i := range prev.Containers {
			prevCont[prev.Containers[i].ID] = &prev.Containers[i]
		}
	}
	for i := range cur.Containers {
		c := &s.Containers[i]
		c.ContainerSample = cur.Containers[i]
		if c.Mem.Limit > 0 {
			c.MemPct = clampPct(float64(c.Mem.Used) / float64(c.Mem.Limit) * 100)
		}
		p := prevCont[c.ID]
		if p == nil || c.CPU.UsageNs < p.CPU.UsageNs {
			continue
		}
		dt := dt
		if !c.SampledAt.IsZero() && !p.SampledAt.IsZero() {
			// A remote source's own clock: the same measurement twice (a
			// source that did not answer again) gives no rate.
			dt = c.SampledAt.Sub(p.SampledAt).Seconds()
			if dt <= 0 {
				continue
			}
		}
		c.HasRates = true
		dns := dt * 1e9
		c.CPUPct = float64(c.CPU.UsageNs-p.CPU.UsageNs) / dns * 100
		c.CPUUserPct = float64(delta(p.CPU.UserNs, c.CPU.UserNs)) / dns * 100
		c.CPUSystemPct = float64(delta(p.CPU.SystemNs, c.CPU.SystemNs)) / dns * 100
		if dp := delta(p.CPU.Periods, c.CPU.Periods); dp > 0 {
			c.ThrottledPct = clampPct(float64(delta(p.CPU.ThrottledPeriods, c.CPU.ThrottledPeriods)) / float64(dp) * 100)
		}
		c.ThrottledS = float64(delta(p.CPU.ThrottledNs, c.CPU.ThrottledNs)) / 1e9
		c.BlkReadBps = float64(delta(p.Blkio.ReadBytes, c.Blkio.ReadBytes)) / dt
		c.BlkWriteBps = float64(delta(p.Blkio.WriteBytes, c.Blkio.WriteBytes)) / dt
		c.BlkReadOps = float64(delta(p.Blkio.ReadOps, c.Blkio.ReadOps)) / dt
		c.BlkWriteOps = float64(delta(p.Blkio.WriteOps, c.Blkio.WriteOps)) / dt
		if c.Net != nil && p.Net != nil {
			_, c.NetRxBps, c.NetTxBps, c.NetRxPps, c.NetTxPps = netRate(p.Net, c.Net, dt)
		}
	}

	// Processes
	s.Processes = make([]Process, len(cur.Processes))
	type pkey struct {
		pid   int
		start uint64
	}
	var prevProc map[pkey]*ProcessSample
	if ok {
		prevProc = make(map[pkey]*ProcessSample, len(prev.Processes))
		for i := range prev.Processes {
			p := &prev.Processes[i]
			prevProc[pkey{p.PID, p.StartTicks}] = p
		}
	}
	memTotal := float64(cur.Memory.Total)
	for i := range cur.Processes {
		pr := &s.Processes[i]
		pr.ProcessSample = cur.Processes[i]
		if memTotal > 0 {
			pr.MemPct = float64(pr.RSS) / memTotal * 100
		}
		p := prevProc[pkey{pr.PID, pr.StartTicks}]
		if p == nil || pr.UserS+pr.SystemS < p.UserS+p.SystemS {
			continue
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
	return s
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
