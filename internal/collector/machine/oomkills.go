package machine

import "github.com/ctop-like/ctop-like/internal/collector/kernfile"

// OOMKills is the node's count of OOM kills, vmstat's oom_kill (Linux
// 4.13 on): the kernel adds to it at every kill of its OOM killer, a
// memory cgroup's or the node's, together with the oom_kill count of the
// victim's memory cgroup and its ancestors. While it stands still no
// container's count can have moved, which spares a read of each
// container's memory.oom_control per refresh (cgroups.Finder's
// SetNodeOOMKills). ok is false where vmstat cannot be read or has no
// oom_kill line (a kernel before 4.13).
func (m *Reader) OOMKills() (n uint64, ok bool) {
	m.readMu.Lock()
	defer m.readMu.Unlock()
	data, err := m.procFile("vmstat")
	if err != nil {
		return 0, false
	}
	kernfile.EachKeyValue(data, func(k []byte, v uint64) {
		if string(k) == "oom_kill" {
			n, ok = v, true
		}
	})
	return n, ok
}
