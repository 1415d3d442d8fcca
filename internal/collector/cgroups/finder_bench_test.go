package cgroups

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/fs"
	"github.com/opencontainers/cgroups/fs2"
)

const benchContainers = 50

// benchTree copies one fixture container n times under a fresh root, for
// each controller folder in ctrls ("" for v2), and returns the root.
func benchTree(b *testing.B, src string, ctrls []string, parent string, n int) string {
	b.Helper()
	root := b.TempDir()
	if len(ctrls) == 0 {
		if err := os.WriteFile(filepath.Join(root, "cgroup.controllers"), []byte("cpu io memory pids\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		ctrls = []string{""}
	}
	for _, c := range ctrls {
		entries, err := os.ReadDir(filepath.Join(src, c))
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			dst := filepath.Join(root, c, fmt.Sprintf(parent, fmt.Sprintf("%064x", i)))
			if err := os.MkdirAll(dst, 0o755); err != nil {
				b.Fatal(err)
			}
			for _, e := range entries {
				data, err := os.ReadFile(filepath.Join(src, c, e.Name()))
				if err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	return root
}

var v1BenchCtrls = []string{"cpu", "cpuacct", "memory", "blkio", "pids"}

func v1BenchTree(b *testing.B) string {
	// The fixture's layout is <ctrl>/docker/<id>; benchTree wants the
	// container folder itself per controller.
	src := b.TempDir()
	for _, c := range v1BenchCtrls {
		if err := os.Symlink(filepath.Join(mustAbs(b, "testdata/cgroupv1/separate"), c, "docker", fxV1Docker), filepath.Join(src, c)); err != nil {
			b.Fatal(err)
		}
	}
	return benchTree(b, src, v1BenchCtrls, "docker/%s", benchContainers)
}

func v2BenchTree(b *testing.B) string {
	return benchTree(b, "testdata/cgroupv2/system.slice/docker-"+fxV2Docker+".scope", nil, "system.slice/docker-%s.scope", benchContainers)
}

func mustAbs(b *testing.B, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// BenchmarkContainersV1 is what a refresh costs with the direct reads.
func BenchmarkContainersV1(b *testing.B) {
	benchFinder(b, v1BenchTree(b), 1)
}

// BenchmarkContainersV2 is what a refresh costs with the direct reads.
func BenchmarkContainersV2(b *testing.B) {
	benchFinder(b, v2BenchTree(b), 2)
}

func benchFinder(b *testing.B, root string, version int) {
	f, v, err := newFinderAt(root, false, fxHostMem)
	if err != nil || v != version {
		b.Fatalf("version %d, err %v", v, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		cs, err := f.Containers()
		if err != nil || len(cs) != benchContainers {
			b.Fatalf("%d containers, err %v", len(cs), err)
		}
	}
}

// BenchmarkGetStatsV1 is the same walk with the library's fs.Manager
// GetStats per container instead (it still lacks cgroup.procs, the CFS
// quota and oom_kill, which would cost extra reads).
func BenchmarkGetStatsV1(b *testing.B) {
	root := v1BenchTree(b)
	useTestMode(b)
	f, _, err := newFinderAt(root, false, fxHostMem)
	if err != nil {
		b.Fatal(err)
	}
	v1 := f.(*v1Finder)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		err := walkCgroups(v1.walk, func(rel, _ string) bool {
			if _, _, ok := ContainerFromCgroup(rel); !ok {
				return false
			}
			paths := map[string]string{}
			for _, c := range v1BenchCtrls {
				paths[c], _ = v1.dir(c, rel)
			}
			m, err := fs.NewManager(&cgroups.Cgroup{Resources: &cgroups.Resources{}}, paths)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := m.GetStats(); err != nil {
				b.Fatal(err)
			}
			n++
			return true
		})
		if err != nil || n != benchContainers {
			b.Fatalf("%d containers, err %v", n, err)
		}
	}
}

// BenchmarkGetStatsV2 is the v2 walk with fs2.Manager GetStats.
func BenchmarkGetStatsV2(b *testing.B) {
	root := v2BenchTree(b)
	useTestMode(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		err := walkCgroups(root, func(rel, dir string) bool {
			if _, _, ok := ContainerFromCgroup(rel); !ok {
				return false
			}
			m, err := fs2.NewManager(&cgroups.Cgroup{Resources: &cgroups.Resources{}}, dir)
			if err != nil {
				b.Fatal(err)
			}
			// Errors for files a fixture lacks (memory.swap.*) are
			// expected; the stats are still filled in.
			_, _ = m.GetStats()
			n++
			return true
		})
		if err != nil || n != benchContainers {
			b.Fatalf("%d containers, err %v", n, err)
		}
	}
}

// useTestMode lets the library read files outside cgroupfs (the fixture
// copies) for the length of the benchmark.
func useTestMode(b *testing.B) {
	cgroups.TestMode = true
	b.Cleanup(func() { cgroups.TestMode = false })
}
