package kernfile

import (
	"bytes"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// A seq_file answers at most about a page per read: a file of several pages
// (kallsyms here; /proc/net/dev on a node with many veths) is read whole,
// not cut at the first short read.
func TestPreadAllReadsEveryPage(t *testing.T) {
	for _, path := range []string{"/proc/kallsyms", "/proc/self/mountinfo"} {
		want, err := os.ReadFile(path)
		if err != nil || len(want) < 3*4096 {
			t.Logf("%s: %d bytes, %v", path, len(want), err)
			continue
		}
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, buf := range [][]byte{nil, make([]byte, 0, 64<<10)} {
			got, err := preadAll(fd, buf, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s (buffer %d): read %d bytes, the file has %d", path, cap(buf), len(got), len(want))
			}
		}
		unix.Close(fd)
	}
}
