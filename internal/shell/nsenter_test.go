package shell

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/collector/cgroups"
)

// cgroupProcs finds the container's cgroup.procs in every hierarchy from
// its /proc/<pid>/cgroup and our mountinfo, mount points and roots with
// spaces (escaped as \040) included.
func TestCgroupProcsEscapedMounts(t *testing.T) {
	dir := t.TempDir()
	procRoot := filepath.Join(dir, "proc")
	cpu := filepath.Join(dir, "cg v1", "cpu,cpuacct")
	unified := filepath.Join(dir, "cg v2")
	for _, d := range []string{
		filepath.Join(procRoot, "self"), filepath.Join(procRoot, "42"),
		filepath.Join(cpu, "docker", "abc"), filepath.Join(unified, "docker", "abc"),
	} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{filepath.Join(cpu, "docker", "abc"), filepath.Join(unified, "docker", "abc")} {
		if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), []byte("42\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The v2 mount's root is the container's parent (a cgroup namespace's
	// view): its path in /proc/<pid>/cgroup is under that root.
	table := fmt.Sprintf(`27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
32 27 0:29 / %s rw,relatime - cgroup cgroup rw,cpu,cpuacct
33 27 0:30 / /nowhere/freezer rw,relatime - cgroup cgroup rw,freezer
41 27 0:38 /in\040ns %s rw,relatime - cgroup2 cgroup2 rw,nsdelegate
`, escapeSpaces(cpu), escapeSpaces(unified))
	if err := os.WriteFile(filepath.Join(procRoot, "self", "mountinfo"), []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
	cgroup := "4:cpu,cpuacct:/docker/abc\n3:freezer:/docker/abc\n0::/in ns/docker/abc\n"
	if err := os.WriteFile(filepath.Join(procRoot, "42", "cgroup"), []byte(cgroup), 0o644); err != nil {
		t.Fatal(err)
	}
	mounts, err := cgroups.Locate(procRoot, dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cgroupProcs(mounts, procRoot, 42)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join(cpu, "docker", "abc", "cgroup.procs"),
		filepath.Join(unified, "docker", "abc", "cgroup.procs"),
	}
	if !slices.Equal(got, want) {
		t.Errorf("cgroupProcs = %q, want %q", got, want)
	}
}

// escapeSpaces writes a path as mountinfo does a space.
func escapeSpaces(s string) string { return strings.ReplaceAll(s, " ", `\040`) }
