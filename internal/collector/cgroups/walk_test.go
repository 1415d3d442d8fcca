package cgroups

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The walker visits what filepath.WalkDir visited, in the same order,
// with the same paths, skipping the same subtrees: every folder of the
// fixtures and of this node's cgroup trees, skipping containers' children
// as the finders do.
func TestWalkerVisitsWhatWalkDirDid(t *testing.T) {
	roots := []string{"testdata/cgroupv1/separate/memory", "testdata/cgroupv1/combined", "testdata/cgroupv2", "testdata/shapes/v1", "testdata/shapes/v2"}
	for _, c := range []string{"memory", "cpu,cpuacct", "pids", "unified", ""} {
		if st, err := os.Stat(filepath.Join("/sys/fs/cgroup", c)); err == nil && st.IsDir() {
			roots = append(roots, filepath.Join("/sys/fs/cgroup", c))
		}
	}
	skip := func(rel string) bool { _, _, ok := ContainerFromCgroup(rel); return ok }
	for _, root := range roots {
		var want []string
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == root {
					return err
				}
				return fs.SkipDir
			}
			if !d.IsDir() || p == root {
				return nil
			}
			rel := "/" + strings.TrimPrefix(p, root+"/")
			want = append(want, rel+" "+p)
			if skip(rel) {
				return fs.SkipDir
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		var w walker
		for range 2 { // the kept buffers give the same walk again
			got = got[:0]
			if err := w.walk(root+"/", func(rel, dir []byte) bool {
				got = append(got, string(rel)+" "+string(dir))
				return skip(string(rel))
			}); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: walker visited %d folders, WalkDir %d:\n%q\nwant\n%q", root, len(got), len(want), got, want)
			}
		}
	}
	var w walker
	if err := w.walk(filepath.Join(t.TempDir(), "none"), func([]byte, []byte) bool { return false }); err == nil {
		t.Error("a root that is not there: no error")
	}
}
