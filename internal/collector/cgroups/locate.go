package cgroups

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/moby/sys/mountinfo"
)

// Mount is where one cgroup hierarchy is mounted.
type Mount struct {
	// Dir is the mount point.
	Dir string
	// Root is the cgroup the mount shows at Dir, named as
	// /proc/<pid>/cgroup names cgroups: "/" (or "") for a hierarchy
	// mounted whole, a container's own cgroup where only its subtree is
	// mounted (Docker on cgroup v1, a cgroup namespace).
	Root string
}

// Mounts is where a node's cgroup hierarchies are: the one answer to
// "where is this cgroup's directory" for the finder, the actions on a
// cgroup, the shell that joins a container's cgroups and the logs of a
// container's processes. Locate finds them.
type Mounts struct {
	// V1 maps each cgroup v1 hierarchy's controllers, sorted and joined
	// with "," as /proc/<pid>/cgroup lists them ("cpu,cpuacct",
	// "name=systemd"), to its mount.
	V1 map[string]Mount
	// V2 is the cgroup v2 tree's mount (Dir "" when there is none): the
	// whole of a v2 node's, the "unified" one of a hybrid node.
	V2 Mount

	root string // the cgroup root they were located under, for errors
}

// v1Known are the v1 controllers a hierarchy's mount options or folder
// name may list (the kernel's, as /proc/cgroups lists them); any other
// option of a cgroup mount (rw, xattr, release_agent=...) is not one.
// "name=<name>" marks a named hierarchy (name=systemd).
var v1Known = []string{"blkio", "cpu", "cpuacct", "cpuset", "debug", "devices", "freezer", "hugetlb",
	"memory", "misc", "net_cls", "net_prio", "perf_event", "pids", "rdma"}

// Locate finds the cgroup hierarchies mounted at or under cgroupRoot
// (/sys/fs/cgroup, or a host's mounted elsewhere: --cgroup-root) in this
// process's mount table, <procRoot>/self/mountinfo (--proc-root). Where
// no cgroup filesystem is mounted there (a copy of a tree, a test's
// folders), the folders of cgroupRoot are taken by the names systemd and
// the distributions give the mount points: "cpu,cpuacct", "memory",
// "systemd", a v2 tree's cgroup.controllers at the root or in "unified".
func Locate(procRoot, cgroupRoot string) (Mounts, error) {
	return FromMountinfo(filepath.Join(procRoot, "self", "mountinfo"), cgroupRoot)
}

// FromMountinfo is Locate with the mount table read from path.
func FromMountinfo(path, cgroupRoot string) (Mounts, error) {
	if cgroupRoot == "" {
		cgroupRoot = "/sys/fs/cgroup"
	}
	if data, err := os.ReadFile(path); err == nil {
		if m, err := parseMounts(data, cgroupRoot); err == nil && (len(m.V1) > 0 || m.V2.Dir != "") {
			return m, nil
		}
	}
	return listMounts(cgroupRoot)
}

// parseMounts reads the cgroup mounts at or under cgroupRoot from a
// mountinfo table. Of two mounts of one hierarchy, one that shows the
// whole hierarchy (root "/") is taken, else the first.
func parseMounts(data []byte, cgroupRoot string) (Mounts, error) {
	infos, err := mountinfo.GetMountsFromReader(bytes.NewReader(data), mountinfo.FSTypeFilter("cgroup", "cgroup2"))
	if err != nil {
		return Mounts{}, err
	}
	m := Mounts{V1: map[string]Mount{}, root: cgroupRoot}
	abs, err := filepath.Abs(cgroupRoot)
	if err != nil {
		return Mounts{}, err
	}
	roots := []string{abs}
	if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
		roots = append(roots, real)
	}
	under := func(dir string) bool {
		for _, r := range roots {
			if r == "/" || dir == r || strings.HasPrefix(dir, r+"/") {
				return true
			}
		}
		return false
	}
	take := func(have Mount, ok bool, in *mountinfo.Info) bool {
		return !ok || have.Root != "/" && in.Root == "/"
	}
	for _, in := range infos {
		if !under(in.Mountpoint) {
			continue
		}
		mt := Mount{Dir: in.Mountpoint, Root: in.Root}
		if in.FSType == "cgroup2" {
			if take(m.V2, m.V2.Dir != "", in) {
				m.V2 = mt
			}
			continue
		}
		key := controllersKey(strings.Split(in.VFSOptions, ","))
		if key == "" {
			continue // a hierarchy with no controller and no name
		}
		if have, ok := m.V1[key]; take(have, ok, in) {
			m.V1[key] = mt
		}
	}
	return m, nil
}

// controllersKey is the hierarchy's key in Mounts.V1 from a mount's
// options or a folder's name split at ",": its controllers and name,
// sorted, joined with ","; "" when there are none.
func controllersKey(opts []string) string {
	var ctrls []string
	for _, o := range opts {
		if slices.Contains(v1Known, o) || strings.HasPrefix(o, "name=") && len(o) > len("name=") {
			ctrls = append(ctrls, o)
		}
	}
	sort.Strings(ctrls)
	return strings.Join(ctrls, ",")
}

// listMounts takes the folders of cgroupRoot by their names (see Locate):
// each folder named for v1 controllers ("cpu,cpuacct", or a link "cpu" to
// it) is a v1 hierarchy, "systemd" is name=systemd's; without any, a
// cgroup.controllers at the root makes it a v2 tree, and beside them one
// in "unified" is a hybrid node's v2 tree.
func listMounts(cgroupRoot string) (Mounts, error) {
	entries, err := os.ReadDir(cgroupRoot)
	if err != nil {
		return Mounts{}, fmt.Errorf("cgroup root: %w", err)
	}
	m := Mounts{V1: map[string]Mount{}, root: cgroupRoot}
	for _, e := range entries {
		name := e.Name()
		key := controllersKey(strings.Split(name, ","))
		if name == "systemd" {
			key = "name=systemd"
		}
		if key == "" {
			continue
		}
		// Links (cpu -> cpu,cpuacct) resolved: a walk does not follow
		// them.
		dir, err := filepath.EvalSymlinks(filepath.Join(cgroupRoot, name))
		if err != nil {
			continue
		}
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			continue
		}
		if _, dup := m.V1[key]; !dup {
			m.V1[key] = Mount{Dir: dir, Root: "/"}
		}
	}
	hasControllers := func(dir string) bool {
		_, err := os.Stat(filepath.Join(dir, "cgroup.controllers"))
		return err == nil
	}
	switch unified := filepath.Join(cgroupRoot, "unified"); {
	case len(m.V1) == 0 && hasControllers(cgroupRoot):
		m.V2 = Mount{Dir: cgroupRoot, Root: "/"}
	case len(m.V1) > 0 && hasControllers(unified):
		m.V2 = Mount{Dir: unified, Root: "/"}
	}
	return m, nil
}

// Controller is the mount of the v1 hierarchy that holds controller
// ("freezer", "name=systemd"): the hierarchy of that controller alone when
// there is one, else the first (by its controllers) that has it.
func (m Mounts) Controller(controller string) (Mount, bool) {
	if mt, ok := m.V1[controller]; ok {
		return mt, true
	}
	keys := make([]string, 0, len(m.V1))
	for k := range m.V1 {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if slices.Contains(strings.Split(k, ","), controller) {
			return m.V1[k], true
		}
	}
	return Mount{}, false
}

// Dirs lists the directories of the cgroup at path, as the finder lists
// its containers' cgroups (relative to the hierarchies' mounts), in every
// hierarchy where it exists: the v1 ones by mount point, then the v2 tree.
func (m Mounts) Dirs(path string) []string {
	var mounts []string
	for _, mt := range m.V1 {
		if !slices.Contains(mounts, mt.Dir) {
			mounts = append(mounts, mt.Dir)
		}
	}
	sort.Strings(mounts)
	if m.V2.Dir != "" {
		mounts = append(mounts, m.V2.Dir)
	}
	var out []string
	for _, mt := range mounts {
		d := filepath.Join(mt, filepath.Clean("/"+path))
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			out = append(out, d)
		}
	}
	return out
}

// ProcessDirs lists the directories of the cgroups a process is in, from
// its /proc/<pid>/cgroup ("hierarchy-id:controllers:path" lines, paths as
// this process's cgroup namespace names them): in each hierarchy mounted
// here, the folder its line names, below the mount's root. Hierarchies
// not mounted, and folders that do not exist (a mount showing another
// subtree), are left out.
func (m Mounts) ProcessDirs(cgroupFile []byte) []string {
	var out []string
	for line := range strings.SplitSeq(string(cgroupFile), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var mt Mount
		var ok bool
		if parts[0] == "0" && parts[1] == "" {
			mt, ok = m.V2, m.V2.Dir != ""
		} else {
			mt, ok = m.V1[controllersKey(strings.Split(parts[1], ","))]
		}
		if !ok {
			continue
		}
		rel, ok := below(mt.Root, parts[2])
		if !ok {
			continue
		}
		d := filepath.Join(mt.Dir, rel)
		if st, err := os.Stat(d); err == nil && st.IsDir() && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// below is path relative to root, both cgroup paths; ok false when path
// is not at or under root.
func below(root, path string) (string, bool) {
	root = strings.TrimSuffix(root, "/")
	if root == "" {
		return path, true
	}
	if path == root {
		return "/", true
	}
	if rest, ok := strings.CutPrefix(path, root+"/"); ok {
		return "/" + rest, true
	}
	return "", false
}
