package oomkills

import (
	"os"
	"path/filepath"
	"testing"
)

// The node's count of OOM kills is vmstat's oom_kill, read again at every
// call; a vmstat without it (before Linux 4.13) or none is not a count.
func TestCountReadsVmstat(t *testing.T) {
	root := t.TempDir()
	vmstat := filepath.Join(root, "vmstat")
	write := func(s string) {
		if err := os.WriteFile(vmstat, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := NewCount(root)
	defer c.Close()
	if _, ok := c.Read(); ok {
		t.Error("no vmstat: a count")
	}
	write("nr_free_pages 1\noom_kill 67\nnr_unstable 0\n")
	if n, ok := c.Read(); !ok || n != 67 {
		t.Errorf("count %d %v, want 67", n, ok)
	}
	write("nr_free_pages 1\noom_kill 68\nnr_unstable 0\n")
	if n, ok := c.Read(); !ok || n != 68 {
		t.Errorf("count %d %v after a kill, want 68", n, ok)
	}
	old := NewCount(root)
	defer old.Close()
	write("nr_free_pages 1\npgfault 10\n")
	if _, ok := old.Read(); ok {
		t.Error("a vmstat without oom_kill: a count")
	}
	if _, ok := NewCount("/proc").Read(); !ok {
		t.Error("this kernel's /proc/vmstat: no oom_kill count")
	}
}
