package cgroups

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"unsafe"

	"github.com/ctop-like/ctop-like/internal/collector/kernfile"
	"github.com/ctop-like/ctop-like/internal/model"
)

// When the process may hold fewer descriptors than a node's cgroup files
// (1,000 containers of 16 files and 6,000 processes of 2 exceed the
// 19,000 of a 20,000 limit), the ones kept are those read on every
// refresh: a steady refresh then opens no file at all. Before, the files
// read once per 5 s (CFS quota and period, memory limit, hugetlb) took
// descriptors in the first pass like the others, and the last containers'
// counters were opened and closed again on every refresh (this test
// failed: 138 of the 446 files opened again in the second pass).
func TestKeptDescriptorsGoToFilesReadEveryPass(t *testing.T) {
	const n = 40
	root := copiesOfFixture(t, n)
	passes := func(budget int) (first, second int64, containers int) {
		defer kernfile.SetBudget(budget)()
		f, _, err := newFinderAt(root, false, fxHostMem)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		o0 := kernfile.Opens()
		cs, err := f.Containers()
		if err != nil {
			t.Fatal(err)
		}
		o1 := kernfile.Opens()
		if _, err := f.Containers(); err != nil {
			t.Fatal(err)
		}
		return o1 - o0, kernfile.Opens() - o1, len(cs)
	}
	// With no descriptor to keep, a pass opens every file it reads: the
	// second pass (limits and slow figures not due) the files read every
	// pass.
	all, every, cs := passes(kernfile.Held())
	if cs < n || every == 0 || all <= every {
		t.Fatalf("no budget: %d containers, %d opens in the first pass, %d in the second", cs, all, every)
	}
	// Room for exactly those: the second pass reads on kept descriptors.
	first, second, _ := passes(kernfile.Held() + int(every))
	if second != 0 {
		t.Errorf("%d containers, room for the %d files read every pass: the second pass opened %d files (the first %d of %d)",
			cs, every, second, first, all)
	}
}

// The files read once per limitsTTL or psiPeriod (CFS quota and period,
// the memory limit; on v2 cpu.max, memory.max and the three PSI files)
// are read on kept descriptors too where the budget has room, from their
// second read on: a pass in which they are due opens no file. Opening one
// costs about three preads: at 500 containers those opens were 6 % of a
// refresh. Before, every such pass opened them all again (this test
// failed: 6 files opened in every pass from the second on v1, 10 on v2).
func TestRarelyReadFilesKeptWhereTheBudgetHasRoom(t *testing.T) {
	for _, tc := range []struct{ name, fixture string }{
		{"v1", "testdata/cgroupv1/separate"},
		{"v2", "testdata/cgroupv2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer kernfile.SetBudget(kernfile.Held() + 10000)()
			f, _, err := newFinderAt(tc.fixture, false, fxHostMem)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var p *cgroupPasses
			switch f := f.(type) {
			case *v1Finder:
				p = &f.cgroupPasses
			case *v2Finder:
				p = &f.cgroupPasses
			}
			// age makes the limits and the slow figures due again.
			age := func() {
				for _, g := range p.cgroups {
					g.limitsAt = g.limitsAt.Add(-2 * limitsTTL)
					g.slowAt = g.slowAt.Add(-2 * limitsTTL)
				}
			}
			var opens [4]int64
			var cs []model.ContainerSample
			for i := range opens {
				o := kernfile.Opens()
				if cs, err = f.Containers(); err != nil {
					t.Fatal(err)
				}
				opens[i] = kernfile.Opens() - o
				age()
			}
			if len(cs) == 0 {
				t.Fatal("no containers in the fixture")
			}
			// 0: every file; 1: the rare ones again, kept from now on.
			if opens[0] == 0 || opens[1] == 0 {
				t.Fatalf("opens per pass %v: the first two passes should open files", opens)
			}
			if opens[2] != 0 || opens[3] != 0 {
				t.Errorf("%d containers, limits due in every pass: opens per pass %v, want none from the third", len(cs), opens)
			}
			// The figures read on kept descriptors are those read afresh.
			g, _, err := newFinderAt(tc.fixture, false, fxHostMem)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			want, err := g.Containers()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cs, want) {
				t.Errorf("read on kept descriptors:\n%+v\nafresh:\n%+v", cs, want)
			}
		})
	}
}

// A steady pass allocates the list it returns, not a sample per
// container besides: visitCgroup's sample, returned by value through a
// func value, escaped to the heap (648 bytes per container and pass,
// a third of the collector's allocations at 500 containers). This test
// failed before: BYTES_OLD bytes allocated per container and pass.
func TestSteadyPassAllocatesNoSamplePerContainer(t *testing.T) {
	root := copiesOfFixture(t, 40)
	f, _, err := newFinderAt(root, false, fxHostMem)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cs, err := f.Containers()
	if err != nil {
		t.Fatal(err)
	}
	const passes = 5
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range passes {
		if _, err := f.Containers(); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	per := (after.TotalAlloc - before.TotalAlloc) / passes / uint64(len(cs))
	// The list itself is one sample per container, and its runtime
	// fields apart.
	size := uint64(unsafe.Sizeof(model.ContainerSample{}) + unsafe.Sizeof(model.RuntimeFields{}))
	if per >= 2*size {
		t.Errorf("%d bytes allocated per container and pass (%d containers), want under two samples (%d)", per, len(cs), 2*size)
	}
	t.Logf("%d bytes per container and pass", per)
}

// copiesOfFixture is the v1 fixture with n-1 copies of its first Docker
// container.
func copiesOfFixture(t *testing.T, n int) string {
	t.Helper()
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("testdata/cgroupv1/separate")); err != nil {
		t.Fatal(err)
	}
	const id0 = "2cf785d7b415351a8e5c5c33ff08bcdf8bcbe118799d7428a5896fe6630009e6"
	ctrls, _ := os.ReadDir(root)
	for _, c := range ctrls {
		src := filepath.Join(root, c.Name(), "docker", id0)
		if _, err := os.Stat(src); err != nil {
			continue
		}
		for i := 1; i < n; i++ {
			id := fmt.Sprintf("%064x", i)
			if err := os.CopyFS(filepath.Join(root, c.Name(), "docker", id), os.DirFS(src)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}
