package diskusage

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// du's own count of the same tree: st_blocks, each inode once, no link
// followed, one file system.
func du(t *testing.T, dir string) uint64 {
	t.Helper()
	out, err := exec.Command("du", "-s", "-x", "-B1", dir).Output()
	if err != nil {
		t.Fatalf("du: %v", err)
	}
	n, err := strconv.ParseUint(strings.Fields(string(out))[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func tree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "layer")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "a/b/c"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "a/one"), bytes.Repeat([]byte("x"), 300_000), 0o644))
	must(os.WriteFile(filepath.Join(dir, "a/b/c/two"), bytes.Repeat([]byte("y"), 70_000), 0o644))
	must(os.Link(filepath.Join(dir, "a/one"), filepath.Join(dir, "a/b/one-again")))
	// Outside the layer, reached only through links: never counted.
	must(os.WriteFile(filepath.Join(root, "outside"), bytes.Repeat([]byte("z"), 2_000_000), 0o644))
	must(os.Symlink(filepath.Join(root, "outside"), filepath.Join(dir, "a/link-to-file")))
	must(os.Symlink(root, filepath.Join(dir, "link-to-dir")))
	f, err := os.Create(filepath.Join(dir, "sparse"))
	must(err)
	must(f.Truncate(50 << 20))
	f.Close()
	return dir
}

func TestWalkIsWhatDuCounts(t *testing.T) {
	dir := tree(t)
	got, err := Walk(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := du(t, dir); got != want {
		t.Errorf("Walk %d bytes, du -sxB1 %d", got, want)
	}
	if got > 1<<20 {
		t.Errorf("Walk %d bytes: the links' targets or the sparse file's length were counted", got)
	}
	if _, err := Walk(dir, 5); err != ErrTooMany {
		t.Errorf("a walk over its bound: %v, want ErrTooMany", err)
	}
	if _, err := Walk(filepath.Join(dir, "link-to-dir"), 0); err == nil {
		t.Error("a layer that is a symbolic link was followed")
	}
}

// The refresh never waits: the first ask has no size; the walker's answer
// comes later, and a changed tree shows after Cadence.
func TestSizerMeasuresOffTheRefresh(t *testing.T) {
	dir := tree(t)
	s := New()
	s.Cadence = 50 * time.Millisecond
	s.DutyRest = 1
	defer s.Close()
	if _, ok := s.Size(dir); ok {
		t.Fatal("a size before any walk")
	}
	wait := func(want uint64) {
		t.Helper()
		for i := 0; ; i++ {
			if n, ok := s.Size(dir); ok && n == want {
				return
			}
			if i > 500 {
				n, ok := s.Size(dir)
				t.Fatalf("size %d %v, want %d (du)", n, ok, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	wait(du(t, dir))
	if err := os.WriteFile(filepath.Join(dir, "new"), bytes.Repeat([]byte("n"), 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	wait(du(t, dir))
}

func TestUpperDir(t *testing.T) {
	mi := "22 1 0:21 / / rw - ext4 /dev/vda rw\n" +
		"115 64 0:50 / / rw,relatime master:4 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/A:/var/lib/docker/overlay2/l/B,upperdir=/var/lib/docker/overlay2/2e29/diff,workdir=/var/lib/docker/overlay2/2e29/work\n" +
		"116 115 0:51 / /proc rw - proc proc rw\n"
	if got := UpperDir([]byte(mi)); got != "/var/lib/docker/overlay2/2e29/diff" {
		t.Errorf("UpperDir %q", got)
	}
	esc := `7 1 0:5 / / rw - overlay overlay rw,lowerdir=/l,upperdir=/data/my\040layer\,x/diff,workdir=/w` + "\n"
	if got := UpperDir([]byte(esc)); got != "/data/my layer,x/diff" {
		t.Errorf("UpperDir with escapes %q", got)
	}
	if got := UpperDir([]byte(mi + "9 115 0:9 / / rw - ext4 /dev/vdb rw\n")); got != "" {
		t.Errorf("UpperDir of a root that is no overlay: %q", got)
	}
}
