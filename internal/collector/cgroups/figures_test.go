package cgroups

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

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

// PSI is read at most every psiPeriod (the kernel updates avg10 no more
// often) and kept in between; a pass after it reads the file again.
func TestPressureReadAtItsPeriod(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("testdata/cgroupv2")); err != nil {
		t.Fatal(err)
	}
	f, _, err := newFinderAt(root, false, fxHostMem)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	psi := func() float64 {
		t.Helper()
		cs, err := f.Containers()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.ID == fxV2Docker {
				if !c.Has(model.KnownPSIMem) {
					t.Fatalf("no memory pressure: %+v", c.Figures)
				}
				return c.Figures.PSI.MemSome
			}
		}
		t.Fatal("container not found")
		return 0
	}
	if got := psi(); got != 41.25 {
		t.Fatalf("first pass: %v, want 41.25", got)
	}
	file := filepath.Join(root, "system.slice/docker-"+fxV2Docker+".scope/memory.pressure")
	if err := os.WriteFile(file, []byte("some avg10=77.00 avg60=1 avg300=1 total=1\nfull avg10=1.00 avg60=1 avg300=1 total=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := psi(); got != 41.25 {
		t.Errorf("a pass within the period: %v, want the kept 41.25", got)
	}
	for _, g := range f.(*v2Finder).cgroups {
		g.slowAt = g.slowAt.Add(-psiPeriod)
	}
	if got := psi(); got != 77 {
		t.Errorf("a pass after the period: %v, want 77 read again", got)
	}
}
