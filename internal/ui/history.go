package ui

import (
	"math"
	"sync"

	"github.com/ctop-like/ctop-like/internal/model"
)

// history keeps the last n CPU, memory and network samples per container
// (by key) for the details panel's sparklines; the feed gives only the newest.
type history struct {
	mu sync.Mutex
	n  int
	m  map[string]*series
}

// series is one container's recent samples, oldest first.
type series struct {
	cpu, mem, net []float64
}

func newHistory(n int) *history { return &history{n: n, m: map[string]*series{}} }

// add records a snapshot and forgets containers that are gone.
func (h *history) add(s *model.Snapshot) {
	if s == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	seen := make(map[string]bool, len(s.Containers))
	for i := range s.Containers {
		c := &s.Containers[i]
		key := c.Key()
		seen[key] = true
		if !c.HasRates {
			continue
		}
		sr := h.m[key]
		if sr == nil {
			sr = &series{}
			h.m[key] = sr
		}
		net := math.NaN()
		if c.Net != nil {
			net = c.NetRxBps + c.NetTxBps
		}
		sr.cpu = h.push(sr.cpu, c.CPUPct)
		sr.mem = h.push(sr.mem, float64(c.Mem.Used))
		sr.net = h.push(sr.net, net)
	}
	for id := range h.m {
		if !seen[id] {
			delete(h.m, id)
		}
	}
}

func (h *history) push(l []float64, v float64) []float64 {
	l = append(l, v)
	if len(l) > h.n {
		l = append(l[:0], l[len(l)-h.n:]...)
	}
	return l
}

// get returns copies of a container's series.
func (h *history) get(id string) (cpu, mem, net []float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	sr := h.m[id]
	if sr == nil {
		return nil, nil, nil
	}
	cp := func(l []float64) []float64 { return append([]float64(nil), l...) }
	return cp(sr.cpu), cp(sr.mem), cp(sr.net)
}

// sparkline draws values with the theme's glyphs, scaled to their maximum
// (at least floor); NaN is a gap.
func sparkline(glyphs []rune, values []float64, floor float64) string {
	max := floor
	for _, v := range values {
		if !math.IsNaN(v) && v > max {
			max = v
		}
	}
	out := make([]rune, 0, len(values))
	for _, v := range values {
		if math.IsNaN(v) || max <= 0 {
			out = append(out, ' ')
			continue
		}
		i := int(v / max * float64(len(glyphs)-1))
		if i < 0 {
			i = 0
		}
		if i >= len(glyphs) {
			i = len(glyphs) - 1
		}
		out = append(out, glyphs[i])
	}
	return string(out)
}
