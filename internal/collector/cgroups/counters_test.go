package cgroups

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

// A container's OOM kill count is read again only in a pass where the
// node's count of OOM kills moved, and the pass after: the kernel adds to
// both at every kill. The fail count of a memory limit is read every pass
// only for a container with a limit of its own: the kernel counts a
// refused charge against the limit that refused it. Both are still shown
// from their last read in the passes between. (The fixture's counters are
// rewritten here without the kernel's signals, which is how a pass that
// does not read them shows.)
func TestCountersReadWhenTheKernelCanHaveMovedThem(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("testdata/cgroupv1/separate")); err != nil {
		t.Fatal(err)
	}
	const (
		mesos  = "1f3c2a4e-6b7d-4e8f-9a0b-1c2d3e4f5a6b"                             // no memory limit
		docker = "2cf785d7b415351a8e5c5c33ff08bcdf8bcbe118799d7428a5896fe6630009e6" // 256 MiB
	)
	write := func(parent, id, file, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(root, "memory", parent, id, file), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("mesos", mesos, "memory.failcnt", "0\n")
	f, _, err := newFinderAt(root, false, fxHostMem)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	node := uint64(67)
	f.SetNodeOOMKills(func() (uint64, bool) { return node, true })
	pass := func() (m, d model.ContainerSample) {
		t.Helper()
		cs, err := f.Containers()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			switch c.ID {
			case mesos:
				m = c
			case docker:
				d = c
			}
		}
		if m.ID == "" || d.ID == "" {
			t.Fatalf("fixture containers not both listed: %+v", cs)
		}
		return m, d
	}
	failcnt := func(c model.ContainerSample) uint64 {
		t.Helper()
		if c.Figures == nil || c.Figures.Known&model.KnownMemFailcnt == 0 {
			t.Fatalf("%s: no fail count", c.ID)
		}
		return c.Figures.MemFailcnt
	}
	m, _ := pass()
	if m.Mem.OOMKills != 3 {
		t.Fatalf("first pass: mesos container's OOM kills %d, want the fixture's 3", m.Mem.OOMKills)
	}
	pass() // the pass after the first reading of the node's count reads them too
	write("mesos", mesos, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n")
	write("mesos", mesos, "memory.failcnt", "9\n")
	write("docker", docker, "memory.failcnt", "5\n")
	m, d := pass()
	if m.Mem.OOMKills != 3 {
		t.Errorf("node's OOM kills stood still: mesos container's count read again (%d)", m.Mem.OOMKills)
	}
	if failcnt(m) != 0 {
		t.Errorf("container without a memory limit: fail count read again (%d)", failcnt(m))
	}
	if failcnt(d) != 5 {
		t.Errorf("container with a 256 MiB limit: fail count %d, want the 5 it has now", failcnt(d))
	}
	node++
	if m, _ := pass(); m.Mem.OOMKills != 4 {
		t.Errorf("node's OOM kills moved: mesos container's count %d, want the 4 it has now", m.Mem.OOMKills)
	}
	write("mesos", mesos, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 5\n")
	if m, _ := pass(); m.Mem.OOMKills != 5 {
		t.Errorf("the pass after the node's count moved: mesos container's count %d, want 5 (the cgroup's count comes after the node's)", m.Mem.OOMKills)
	}
	// Without the node's count every pass reads them.
	f.SetNodeOOMKills(func() (uint64, bool) { return 0, false })
	write("mesos", mesos, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 6\n")
	pass()
	write("mesos", mesos, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 7\n")
	if m, _ := pass(); m.Mem.OOMKills != 7 {
		t.Errorf("no node count: mesos container's count %d, want 7", m.Mem.OOMKills)
	}
}
