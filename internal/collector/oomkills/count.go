package oomkills

import (
	"path/filepath"
	"sync"

	"github.com/ctop-like/ctop-like/internal/collector/kernfile"
)

// Count reads the node's count of OOM kills, vmstat's oom_kill (Linux
// 4.13 on): the kernel adds to it at every kill of its OOM killer, a
// memory cgroup's or the node's, together with the oom_kill count of the
// victim's memory cgroup and its ancestors. While it stands still no
// container's count can have moved, which spares a read of each
// container's memory.oom_control per refresh (cgroups.Finder's
// SetNodeOOMKills).
type Count struct {
	path string
	mu   sync.Mutex
	f    kernfile.File
	buf  []byte
}

// NewCount reads <procRoot>/vmstat.
func NewCount(procRoot string) *Count {
	return &Count{path: filepath.Join(procRoot, "vmstat")}
}

// Read returns the count; ok is false where vmstat cannot be read or has
// no oom_kill line (a kernel before 4.13).
func (c *Count) Read() (n uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, err := c.f.Read(c.buf, 0, func() string { return c.path })
	if cap(b) > cap(c.buf) {
		c.buf = b[:0]
	}
	if err != nil {
		return 0, false
	}
	kernfile.EachKeyValue(b, func(k []byte, v uint64) {
		if string(k) == "oom_kill" {
			n, ok = v, true
		}
	})
	return n, ok
}

// Close releases the kept descriptor.
func (c *Count) Close() {
	c.mu.Lock()
	c.f.Close()
	c.mu.Unlock()
}
