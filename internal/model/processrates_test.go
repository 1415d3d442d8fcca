package model

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
	"unsafe"
)

// processSamples is n processes in rising pid order, as the collector
// reads them, with CPU times and io that grow with step.
func processSamples(n, step int) []ProcessSample {
	ps := make([]ProcessSample, n)
	for i := range ps {
		ps[i] = ProcessSample{PID: 100 + 3*i, StartTicks: uint64(i), UserS: float64(i+step) / 10, SystemS: float64(step) / 100,
			HasIO: true, ReadBytes: uint64(i * step * 4096), WriteBytes: uint64(step * 512)}
	}
	return ps
}

// A refresh's process rates find each process of the sample before by
// walking it beside the new one where both are in pid order, as this
// node's collector hands them, and make nothing but the rows: at 2,000
// containers a map of the 12,000 processes before was 0.44 MB of
// garbage every refresh.
func TestProcessRatesMakeOnlyTheRows(t *testing.T) {
	const n = 12000
	t0 := time.Unix(1000, 0)
	prev := &Sample{Time: t0, Processes: processSamples(n, 1)}
	cur := &Sample{Time: t0.Add(time.Second), Processes: processSamples(n, 2)}
	processRates(prev, cur, 1) // warm
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out := processRates(prev, cur, 1)
	runtime.ReadMemStats(&after)
	rows := uint64(cap(out)) * uint64(sizeofProcess())
	if got := after.TotalAlloc - before.TotalAlloc; got > rows+4096 {
		t.Errorf("process rates of %d processes made %d bytes, want the rows' %d and at most 4 KiB more", n, got, rows)
	}
	for i := range out {
		if !out[i].HasRates {
			t.Fatalf("process %d (pid %d) has no rates", i, out[i].PID)
		}
	}
}

func sizeofProcess() uintptr { return unsafe.Sizeof(Process{}) }

// The rates are the same whether the samples come in pid order (walked
// beside each other) or not (found by a map): new processes, gone ones
// and a pid reused by a new process (another start time) included.
func TestProcessRatesInAnyOrder(t *testing.T) {
	t0 := time.Unix(1000, 0)
	prevPs := processSamples(500, 1)
	curPs := processSamples(500, 3)
	curPs = append(curPs[:100], curPs[110:]...)    // gone
	prevPs = append(prevPs[:200], prevPs[205:]...) // new in cur
	curPs[300].StartTicks += 7                     // pid reused
	curPs[301].UserS = 0                           // counters went back
	curPs = append(curPs, ProcessSample{PID: 1 << 20, StartTicks: 1, UserS: 5})
	sorted := processRates(&Sample{Time: t0, Processes: prevPs}, &Sample{Time: t0.Add(2 * time.Second), Processes: curPs}, 2)

	shuffle := func(ps []ProcessSample) []ProcessSample {
		c := append([]ProcessSample(nil), ps...)
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
		return c
	}
	mixed := processRates(&Sample{Time: t0, Processes: shuffle(prevPs)}, &Sample{Time: t0.Add(2 * time.Second), Processes: shuffle(curPs)}, 2)
	byPID := make(map[int]Process, len(mixed))
	for _, p := range mixed {
		byPID[p.PID] = p
	}
	with := 0
	for _, p := range sorted {
		m := byPID[p.PID]
		if p.HasRates != m.HasRates || p.CPUPct != m.CPUPct || p.CPUUserPct != m.CPUUserPct || p.CPUSystemPct != m.CPUSystemPct || p.ReadBps != m.ReadBps || p.WriteBps != m.WriteBps {
			t.Errorf("pid %d: in pid order %+v, in any order %+v", p.PID, p, m)
		}
		if p.HasRates {
			with++
		}
	}
	if want := 490 - 5 - 2; with != want {
		t.Errorf("%d processes have rates, want %d (the new, the reused pid and the one whose counters went back have none)", with, want)
	}
}

// BenchmarkProcessRates12k is the process rates of the 2,000-container
// node's 12,000 processes.
func BenchmarkProcessRates12k(b *testing.B) {
	t0 := time.Unix(1000, 0)
	prev := &Sample{Time: t0, Processes: processSamples(12000, 1)}
	cur := &Sample{Time: t0.Add(time.Second), Processes: processSamples(12000, 2)}
	b.ReportAllocs()
	for b.Loop() {
		processRates(prev, cur, 1)
	}
}
