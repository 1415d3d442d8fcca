package machine

import (
	"os"
	"path/filepath"
	"testing"
)

// The node's count of OOM kills is vmstat's oom_kill, read again at every
// call; a vmstat without it (before Linux 4.13) or none is not a count.
func TestOOMKillsReadsVmstat(t *testing.T) {
	root := t.TempDir()
	stat, err := os.ReadFile(filepath.Join(procFixture, "stat"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "stat"), stat, 0o644); err != nil {
		t.Fatal(err)
	}
	vmstat := filepath.Join(root, "vmstat")
	write := func(s string) {
		if err := os.WriteFile(vmstat, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	newReader := func() *Reader {
		m, err := NewReader(root, root)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(m.Close)
		return m
	}
	m := newReader()
	if _, ok := m.OOMKills(); ok {
		t.Error("no vmstat: a count")
	}
	write("nr_free_pages 1\noom_kill 67\nnr_unstable 0\n")
	if n, ok := m.OOMKills(); !ok || n != 67 {
		t.Errorf("count %d %v, want 67", n, ok)
	}
	write("nr_free_pages 1\noom_kill 68\nnr_unstable 0\n")
	if n, ok := m.OOMKills(); !ok || n != 68 {
		t.Errorf("count %d %v after a kill, want 68", n, ok)
	}
	old := newReader()
	write("nr_free_pages 1\npgfault 10\n")
	if _, ok := old.OOMKills(); ok {
		t.Error("a vmstat without oom_kill: a count")
	}
	live, err := NewReader("/proc", "/sys")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if _, ok := live.OOMKills(); !ok {
		t.Error("this kernel's /proc/vmstat: no oom_kill count")
	}
}
