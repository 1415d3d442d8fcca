package cgroups

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/cgrouptest"
	"github.com/ctop-like/ctop-like/internal/model"
)

// mountsText is Mounts in a line per hierarchy ("cpu,cpuacct /dir root"),
// sorted, V2 last as "v2 /dir root".
func mountsText(m Mounts) string {
	var lines []string
	for k, mt := range m.V1 {
		lines = append(lines, fmt.Sprintf("%s %s %s", k, mt.Dir, mt.Root))
	}
	sort.Strings(lines)
	if m.V2.Dir != "" {
		lines = append(lines, fmt.Sprintf("v2 %s %s", m.V2.Dir, m.V2.Root))
	}
	return strings.Join(lines, "\n")
}

// v1Lines are the hierarchies of this machine's cgroup v1 mounts under
// dir, each with root.
func v1Lines(dir, root string, names ...string) []string {
	var out []string
	for _, n := range names {
		key, sub := n, n
		if n == "systemd" {
			key = "name=systemd"
		}
		out = append(out, fmt.Sprintf("%s %s/%s %s", key, dir, sub, root))
	}
	return out
}

// The locator on the mount tables of real nodes (testdata/mountinfo, see
// SOURCES.md): which hierarchy each of Locate's users reaches, under the
// cgroup root they were given.
func TestLocateMountTables(t *testing.T) {
	all := []string{"blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids", "systemd"}
	const docker = "/docker/13a77339efeef32b00c9cf60e4ef467c2069412e9092d0e0fa271ba0aff92fed"
	const dockerHost = "/docker/1c5207b1aecf0b78de13129fc273623cf67e590dc07bb09c44285b8c789a3bb6"
	tests := []struct {
		file, root string
		want       []string
	}{
		// This machine: v1, and cgroup2 in "unified" (hybrid).
		{"hybrid", "/sys/fs/cgroup", append(v1Lines("/sys/fs/cgroup", "/", all...), "v2 /sys/fs/cgroup/unified /")},
		// A v1 node without the freezer: :pause says so.
		{"v1-no-freezer", "/sys/fs/cgroup", v1Lines("/sys/fs/cgroup", "/", "blkio", "cpu", "cpuacct", "cpuset", "devices", "memory", "pids", "systemd")},
		// A v2 node; its tree mounted again elsewhere is not under the root.
		{"v2", "/sys/fs/cgroup", []string{"v2 /sys/fs/cgroup /"}},
		{"v2", "/", []string{"v2 /sys/fs/cgroup /"}},
		// In a cgroup namespace: the mounts made outside show the whole
		// tree from above the namespace's root ("/../.."); the one made
		// inside shows it from there, and is taken over them.
		{"v2-cgroupns", "/sys/fs/cgroup", []string{"v2 /sys/fs/cgroup /../.."}},
		{"v2-cgroupns", "/mnt/inns", []string{"v2 /mnt/inns /"}},
		{"v2-cgroupns", "/", []string{"v2 /mnt/inns /"}},
		// In a Docker container on a v1 node: its own cgroups only.
		{"docker-v1-container", "/sys/fs/cgroup", v1Lines("/sys/fs/cgroup", docker, all...)},
		// ctop-like in a container with the host's cgroups at
		// /host/sys/fs/cgroup (--cgroup-root): the host's, not its own.
		{"docker-v1-host-mounted", "/host/sys/fs/cgroup", append(v1Lines("/host/sys/fs/cgroup", "/", all...), "v2 /host/sys/fs/cgroup/unified /")},
		{"docker-v1-host-mounted", "/sys/fs/cgroup", v1Lines("/sys/fs/cgroup", dockerHost, all...)},
		// The same with a cgroup namespace of its own (the container's
		// mounts now show "/", the host's "/../.."): still the host's.
		{"docker-v1-cgroupns-host-mounted", "/host/sys/fs/cgroup", append(v1Lines("/host/sys/fs/cgroup", "/../..", all...), "v2 /host/sys/fs/cgroup/unified /../..")},
		{"docker-v1-cgroupns-host-mounted", "/sys/fs/cgroup", v1Lines("/sys/fs/cgroup", "/", all...)},
	}
	for _, tt := range tests {
		t.Run(tt.file+" under "+tt.root, func(t *testing.T) {
			m, err := FromMountinfo(filepath.Join("testdata/mountinfo", tt.file), tt.root)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(tt.want)
			sort.Slice(want, func(i, j int) bool {
				vi, vj := strings.HasPrefix(want[i], "v2 "), strings.HasPrefix(want[j], "v2 ")
				return !vi && vj || vi == vj && want[i] < want[j]
			})
			if got := mountsText(m); got != strings.Join(want, "\n") {
				t.Errorf("mounts:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
			}
		})
	}
	m, err := FromMountinfo("testdata/mountinfo/v1-no-freezer", "/sys/fs/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	if mt, ok := m.Controller("freezer"); ok {
		t.Errorf("a freezer where none is mounted: %+v", mt)
	}
	if mt, ok := m.Controller("memory"); !ok || mt.Dir != "/sys/fs/cgroup/memory" {
		t.Errorf("memory: %+v, %v", mt, ok)
	}
}

// The mount table keeps the hierarchies by their controllers, one that
// shows the whole hierarchy over one that shows a part, the first cgroup2
// mount, with mountinfo's escapes (\040 for a space) undone. (It was
// internal/actions' TestMountsFromTable.)
func TestMountsFromTable(t *testing.T) {
	table := `27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
33 31 0:30 / /mnt/my\040freezer rw,relatime - cgroup cgroup rw,nosuid,freezer
34 31 0:30 /nested /elsewhere/freezer rw,relatime - cgroup cgroup rw,freezer
35 31 0:31 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,release_agent=/x,name=systemd
36 31 0:32 / /sys/fs/cgroup/none rw,relatime - cgroup cgroup rw,xattr
41 31 0:38 / /sys/fs/cgroup/unified\040v2 rw,relatime - cgroup2 cgroup2 rw,nsdelegate
42 31 0:39 / /second/unified rw,relatime - cgroup2 cgroup2 rw
`
	path := filepath.Join(t.TempDir(), "mountinfo")
	if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := FromMountinfo(path, "/")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"cpu,cpuacct":  "/sys/fs/cgroup/cpu,cpuacct",
		"freezer":      "/mnt/my freezer",
		"name=systemd": "/sys/fs/cgroup/systemd",
	}
	got := map[string]string{}
	for k, mt := range c.V1 {
		got[k] = mt.Dir
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("V1 = %v, want %v", got, want)
	}
	if c.V2.Dir != "/sys/fs/cgroup/unified v2" {
		t.Errorf("V2 = %q, want the first cgroup2 mount, unescaped", c.V2.Dir)
	}
	if m, ok := c.Controller("freezer"); !ok || m.Dir != "/mnt/my freezer" {
		t.Errorf("Controller(freezer) = %q, %v", m.Dir, ok)
	}
	if m, ok := c.Controller("cpuacct"); !ok || m.Dir != "/sys/fs/cgroup/cpu,cpuacct" {
		t.Errorf("Controller(cpuacct) = %q, %v", m.Dir, ok)
	}
}

// Where no cgroup filesystem is mounted under the root (a copy of a tree,
// the fixtures), its folders are taken by their names, links resolved.
func TestLocateFolders(t *testing.T) {
	const v1 = "testdata/cgroupv1"
	for _, tt := range []struct {
		root string
		want []string
	}{
		{v1 + "/separate", []string{"blkio " + v1 + "/separate/blkio /", "cpu " + v1 + "/separate/cpu /",
			"cpuacct " + v1 + "/separate/cpuacct /", "hugetlb " + v1 + "/separate/hugetlb /", "memory " + v1 + "/separate/memory /",
			"pids " + v1 + "/separate/pids /"}},
		{v1 + "/combined", []string{"blkio " + v1 + "/combined/blkio /", "cpu " + v1 + "/combined/cpu,cpuacct /",
			"cpu,cpuacct " + v1 + "/combined/cpu,cpuacct /", "cpuacct " + v1 + "/combined/cpu,cpuacct /",
			"memory " + v1 + "/combined/memory /", "pids " + v1 + "/combined/pids /"}},
		{"testdata/cgroupv2", []string{"v2 testdata/cgroupv2 /"}},
	} {
		m, err := Locate("/proc", tt.root)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := mountsText(m), strings.Join(tt.want, "\n"); got != want {
			t.Errorf("%s:\n%s\nwant:\n%s", tt.root, got, want)
		}
	}
	if _, err := Locate("/proc", "testdata/nonexistent"); err == nil {
		t.Error("no error for a missing root")
	}
}

// liveCgroup makes a Mesos cgroup in this node's hierarchies that hold
// memory (the one the finder walks), cpuacct and pids (the v2 tree where
// there is no v1 one), with a process
// in it, and returns the located mounts, the cgroup's path, its folders
// and the process.
func liveCgroup(t *testing.T) (Mounts, string, []string, int) {
	t.Helper()
	cgrouptest.RequireRoot(t)
	m, err := Locate("/proc", "/sys/fs/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	var mounts []string
	for _, c := range []string{"memory", "cpuacct", "pids"} {
		if mt, ok := m.Controller(c); ok && !slices.Contains(mounts, mt.Dir) {
			mounts = append(mounts, mt.Dir)
		}
	}
	if len(mounts) == 0 {
		mounts = []string{m.V2.Dir}
	}
	sort.Strings(mounts)
	rel := cgrouptest.Mesos(t, "locate", mounts...)
	var dirs []string
	for _, mt := range mounts {
		dirs = append(dirs, filepath.Join(mt, rel))
	}
	cmd, _ := cgrouptest.Start(t, "exec sleep 600", nil, dirs...)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", cmd.Process.Pid))
		if strings.Count(string(b), rel) >= len(dirs) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the process never showed in %s: %s", rel, b)
		}
	}
	return m, rel, dirs, cmd.Process.Pid
}

// The locator on this node's own cgroups: a cgroup made in some of its
// hierarchies is found in exactly those from its path (what :kill and
// :pause act on, and the logs of its processes read), in those again from
// its process's /proc/<pid>/cgroup (what a shell joins), and the finder
// of the located hierarchies lists it.
func TestLocateLiveCgroup(t *testing.T) {
	m, rel, dirs, pid := liveCgroup(t)
	if got := m.Dirs(rel); !slices.Equal(got, dirs) {
		t.Errorf("Dirs(%s) = %q, want %q", rel, got, dirs)
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	got := m.ProcessDirs(data)
	for _, d := range dirs {
		if !slices.Contains(got, d) {
			t.Errorf("ProcessDirs misses %s: %q", d, got)
		}
	}
	for _, d := range got {
		b, _ := os.ReadFile(filepath.Join(d, "cgroup.procs"))
		if !slices.Contains(strings.Fields(string(b)), strconv.Itoa(pid)) {
			t.Errorf("ProcessDirs gave %s, which does not hold the process: %q", d, b)
		}
	}
	f, _, err := NewFinder(m, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	conts, _ := f.Containers()
	if !slices.ContainsFunc(conts, func(c model.ContainerSample) bool { return c.Cgroup == rel && c.PID == pid }) {
		t.Errorf("the finder of the located mounts does not list %s with pid %d", rel, pid)
	}
}

// --cgroup-root: the node's hierarchies mounted again elsewhere, as in a
// container that has the host's at /host/sys/fs/cgroup, are found there,
// not at this process's own /sys/fs/cgroup. The mounts are made in a mount
// namespace of the test's own (unshare -m), which ends with it: the
// node's mount table is left as it was.
func TestLocateUnderAnotherRoot(t *testing.T) {
	if root := os.Getenv("CTOP_LOCATE_ROOT"); root != "" {
		// The child, in its own mount namespace.
		if err := syscall.Mount("/sys/fs/cgroup", root, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
			t.Fatal(err)
		}
		m, err := Locate("/proc", root)
		if err != nil {
			t.Fatal(err)
		}
		rel, pid := os.Getenv("CTOP_LOCATE_CGROUP"), os.Getenv("CTOP_LOCATE_PID")
		dirs := m.Dirs(rel)
		if len(dirs) == 0 {
			t.Fatalf("%s found nowhere under %s: %s", rel, root, mountsText(m))
		}
		for _, d := range dirs {
			b, _ := os.ReadFile(filepath.Join(d, "cgroup.procs"))
			if !strings.HasPrefix(d, root+"/") || !slices.Contains(strings.Fields(string(b)), pid) {
				t.Errorf("Dirs(%s) gave %s, holding %q; want a folder under %s holding %s", rel, d, b, root, pid)
			}
		}
		return
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("unshare (util-linux) is needed")
		}
		t.Skip("unshare (util-linux) is needed")
	}
	_, rel, _, pid := liveCgroup(t)
	root := filepath.Join(t.TempDir(), "host", "sys", "fs", "cgroup")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unshare", "-m", "--propagation", "private", os.Args[0], "-test.run=^TestLocateUnderAnotherRoot$", "-test.v")
	cmd.Env = append(os.Environ(), "CTOP_LOCATE_ROOT="+root, "CTOP_LOCATE_CGROUP="+rel, "CTOP_LOCATE_PID="+strconv.Itoa(pid))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("in a mount namespace with the hierarchies under %s: %v\n%s", root, err, out)
	}
}
