package collector

import (
	"github.com/ctop-like/ctop-like/internal/collector/diskusage"
	"github.com/ctop-like/ctop-like/internal/model"
)

// SandboxDisk gives each container a Mesos task of this node runs, and
// whose writable layer is not measured (the Mesos containerizer without
// an image, a task in the host's mount namespace), its task's sandbox
// size as disk_bytes: the directory this node's agent names, walked by
// the same background walker as the layers (at most a minute old, 5 % of
// a CPU), never on the refresh. Call it once the cluster placed the
// containers, before the snapshot is published.
func (l *Local) SandboxDisk(s *model.Snapshot) {
	if l == nil {
		return
	}
	sandboxDisk(s, l.figs.disk)
}

func sandboxDisk(s *model.Snapshot, sz *diskusage.Sizer) {
	if sz == nil || s == nil || s.Cluster == nil {
		return
	}
	var dirs map[string]string // task id -> sandbox, made on first use
	for i := range s.Containers {
		c := &s.Containers[i]
		id := c.Cluster.TaskID
		if id == "" || c.Has(model.KnownDisk) {
			continue
		}
		if dirs == nil {
			dirs = make(map[string]string)
			for j := range s.Cluster.Tasks {
				t := &s.Cluster.Tasks[j]
				if sb := t.Detail().Sandbox; sb != "" && (!t.Finished || dirs[t.ID] == "") {
					dirs[t.ID] = sb
				}
			}
		}
		dir := dirs[id]
		if dir == "" {
			continue
		}
		if n, ok := sz.Size(dir); ok {
			// The figures may be shared with the sample the next
			// refresh's rates are computed from: a copy of them.
			var f model.ContainerFigures
			if c.Figures != nil {
				f = *c.Figures
			}
			f.DiskBytes = n
			f.Known |= model.KnownDisk
			c.Figures = &f
		}
	}
}
