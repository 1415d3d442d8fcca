package cgroups

import (
	"sort"
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

// The fixture trees under testdata/shapes hold one container of every
// runtime in the cgroup shapes it makes, in the kernel's file formats:
// v2 under systemd (testdata/shapes/v2) and v1 with cgroupfs
// (testdata/shapes/v1).
func TestContainersOfEveryShape(t *testing.T) {
	hex := func(c string) string { return strings.Repeat(c, 32) }
	const uid = "1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
	const u = "1f0e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b"
	type want struct{ id, runtime, cgroup string }
	tests := []struct {
		root string
		want []want
	}{
		{"testdata/shapes/v2", []want{
			{hex("d1"), model.RuntimeDocker, "/system.slice/docker-" + hex("d1") + ".scope"},
			{hex("a2"), model.RuntimePodman, "/machine.slice/libpod-" + hex("a2") + ".scope"},
			{hex("c3"), model.RuntimeContainerd, "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + u + ".slice/cri-containerd-" + hex("c3") + ".scope"},
			{hex("e4"), model.RuntimeCRIO, "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + u + ".slice/crio-" + hex("e4") + ".scope"},
			{hex("b5"), model.RuntimeDocker, "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + u + ".slice/docker-" + hex("b5") + ".scope"},
			{hex("f6"), model.RuntimeDocker, "/nomem.slice/docker-" + hex("f6") + ".scope"},
		}},
		{"testdata/shapes/v1", []want{
			{hex("d1"), model.RuntimeDocker, "/docker/" + hex("d1")},
			{hex("a2"), model.RuntimePodman, "/libpod_parent/libpod-" + hex("a2")},
			{hex("c3"), model.RuntimeContainerd, "/kubepods/burstable/pod" + uid + "/" + hex("c3")},
			{hex("e4"), model.RuntimeCRIO, "/kubepods/besteffort/pod" + uid + "/crio-" + hex("e4")},
			{hex("97"), model.RuntimeContainerd, "/kubepods/pod" + uid + "/" + hex("97")},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			f, _, err := newFinderAt(tt.root, false, fxHostMem)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Containers()
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.Runtime+" "+c.Cgroup)
			}
			sort.Strings(ids)
			var wantIDs []string
			for _, w := range tt.want {
				wantIDs = append(wantIDs, w.runtime+" "+w.cgroup)
			}
			sort.Strings(wantIDs)
			if strings.Join(ids, "\n") != strings.Join(wantIDs, "\n") {
				t.Fatalf("containers:\n%s\nwant:\n%s", strings.Join(ids, "\n"), strings.Join(wantIDs, "\n"))
			}
			for _, c := range got {
				if c.ID == hex("f6") {
					// The slice enabled only cpu for its children.
					if c.Measured("memory") || c.Measured("pids") || c.Measured("io") || !c.Measured("cpu") || c.CPU.UsageNs != 6e9 {
						t.Errorf("container in a slice without memory, pids, io: unmeasured %v, cpu %d", c.Unmeasured, c.CPU.UsageNs)
					}
					continue
				}
				if len(c.Unmeasured) > 0 || c.Mem.Usage == 0 || c.Pids != 1 || c.CPU.UsageNs == 0 || c.Blkio.WriteBytes != 8192 {
					t.Errorf("%s %s: unmeasured %v, mem %d, pids %d, cpu %d, blkio %+v", c.Runtime, c.ID[:12], c.Unmeasured, c.Mem.Usage, c.Pids, c.CPU.UsageNs, c.Blkio)
				}
			}
		})
	}
}
