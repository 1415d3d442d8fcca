// Package benchstats summarises a benchmark's samples the one way the
// bench tools report them: median, min, max, mean and count.
package benchstats

import "slices"

// Stats summarises samples: median, min, max, and the mean (work that
// comes every few windows, as the orchestrator's polls, is in it).
type Stats struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Mean   float64 `json:"mean"`
	N      int     `json:"n"`
}

// Summarise is v's Stats; the median of an even count is the mean of
// the two middle samples. No samples give the zero Stats.
func Summarise(v []float64) Stats {
	if len(v) == 0 {
		return Stats{}
	}
	s := slices.Clone(v)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	return Stats{Median: m, Min: s[0], Max: s[len(s)-1], Mean: sum / float64(len(s)), N: len(s)}
}
