package cgroups

import "testing"

func TestParsePressure(t *testing.T) {
	for _, tt := range []struct {
		in               string
		some, full       float64
		hasSome, hasFull bool
	}{
		{"some avg10=1.23 avg60=4.00 avg300=0.00 total=123\nfull avg10=0.50 avg60=0.00 avg300=0.00 total=9\n", 1.23, 0.5, true, true},
		// cpu.pressure before 5.13 has no full line.
		{"some avg10=99.99 avg60=1 avg300=1 total=1\n", 99.99, 0, true, false},
		{"", 0, 0, false, false},
		{"some avg10=abc total=1\nfull avg10=-1\n", 0, 0, false, false},
		{"some avg10=250.00\n", 0, 0, false, false},
		{"some avg10=NaN\nfull avg10=Inf", 0, 0, false, false},
		{"some avg60=1.00 avg10=2.00", 2, 0, true, false},
	} {
		some, full, hs, hf := parsePressure([]byte(tt.in))
		if some != tt.some || full != tt.full || hs != tt.hasSome || hf != tt.hasFull {
			t.Errorf("%q: %v %v %v %v, want %v %v %v %v", tt.in, some, full, hs, hf, tt.some, tt.full, tt.hasSome, tt.hasFull)
		}
	}
}

func FuzzParsePressure(f *testing.F) {
	f.Add([]byte("some avg10=1.23 avg60=4.00 avg300=0.00 total=123\nfull avg10=0.50 avg60=0.00 avg300=0.00 total=9\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		some, full, _, _ := parsePressure(b)
		if some < 0 || some > 100 || full < 0 || full > 100 || some != some || full != full {
			t.Fatalf("%q: %v %v", b, some, full)
		}
	})
}
