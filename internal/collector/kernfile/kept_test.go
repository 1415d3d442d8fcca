package kernfile

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
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

// A file read rarely keeps a descriptor from its second read on, only from
// what the budget has to spare, and gives it back once a file read every
// pass was refused one: then that file gets it at its next read.
func TestReadRarelyYieldsToFilesReadEveryPass(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 4 {
		p := filepath.Join(dir, strconv.Itoa(i))
		if err := os.WriteFile(p, []byte("42\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	path := func(i int) func() string { return func() string { return paths[i] } }
	held := Held()
	defer SetBudget(held + 8)() // a margin of 1 (an eighth): 7 to spare
	var rare [3]File
	defer func() {
		for i := range rare {
			rare[i].Close()
		}
	}()
	read := func(what string, f func() ([]byte, error)) {
		t.Helper()
		b, err := f()
		if err != nil || string(b) != "42\n" {
			t.Fatalf("%s: %q, %v", what, b, err)
		}
	}
	for round := range 2 {
		for i := range rare {
			read("rare", func() ([]byte, error) { return rare[i].ReadRarely(nil, 0, path(i)) })
		}
		if want := held + round*3; Held() != want {
			t.Fatalf("after read %d of the rare files: %d descriptors held, want %d", round+1, Held(), want)
		}
	}
	o := Opens()
	for i := range rare {
		read("rare", func() ([]byte, error) { return rare[i].ReadRarely(nil, 0, path(i)) })
	}
	if Opens() != o {
		t.Errorf("third read of the rare files opened %d files, want 0", Opens()-o)
	}
	// The budget shrinks (a smaller limit) below what they hold: a file
	// read every pass is refused, and the rare files give theirs back.
	defer SetBudget(held + 3)()
	var every File
	defer every.Close()
	read("every pass", func() ([]byte, error) { return every.Read(nil, 0, path(3)) })
	if Held() != held+3 {
		t.Fatalf("%d held, want %d: the file read every pass should have been refused", Held(), held+3)
	}
	for i := range rare {
		read("rare", func() ([]byte, error) { return rare[i].ReadRarely(nil, 0, path(i)) })
	}
	if Held() != held {
		t.Errorf("after a refusal the rare files hold %d descriptors, want 0", Held()-held)
	}
	read("every pass", func() ([]byte, error) { return every.Read(nil, 0, path(3)) })
	if Held() != held+1 {
		t.Errorf("the file read every pass holds %d descriptors after the rare ones gave theirs back, want 1", Held()-held)
	}
}
