package exepages

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// rssFile is RssFile of /proc/self/status in kB: the resident pages of
// mapped files, this test binary's own most of all.
func rssFile(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "RssFile:"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

// Release lets go of the executable's pages that the process mapped and
// is not reading: the resident file pages fall (the test binary's text
// and read-only data, mapped by its start and the package's inits), and
// the program goes on (its code faults back in as it runs).
func TestReleaseDropsTheExecutablesPagesAndTheProgramGoesOn(t *testing.T) {
	before := rssFile(t)
	n, err := Release()
	if err != nil {
		t.Fatal(err)
	}
	after := rssFile(t)
	t.Logf("released %d kB of mappings: RssFile %d kB before, %d kB after", n>>10, before, after)
	if n == 0 || after >= before {
		t.Errorf("RssFile %d kB after releasing %d bytes of mappings, %d kB before", after, n, before)
	}
	// Code and data not run since start still work: a child process, a
	// buffer, strconv's tables, and the writable data kept as it was.
	out, err := exec.Command("echo", "still", "here").Output()
	if err != nil || !bytes.Equal(out, []byte("still here\n")) {
		t.Errorf("after Release: %q, %v", out, err)
	}
	if strconv.Quote("é\x00") != `"é\x00"` || kept != "kept" {
		t.Error("after Release the program's data changed")
	}
}

var kept = strings.Repeat("k", 1) + "ept" // written at init: writable data

// Only the executable's private read-only mappings are dropped: never its
// writable data or another file's pages.
func TestReadOnlyOf(t *testing.T) {
	exe := "/usr/local/bin/ctop-like"
	for _, tt := range []struct {
		line string
		ok   bool
	}{
		{"00400000-00d2c000 r-xp 00000000 fd:01 1234 " + exe, true},
		{"00d2c000-017a9000 r--p 0092c000 fd:01 1234 " + exe, true},
		{"017a9000-01885000 rw-p 013a9000 fd:01 1234 " + exe, false},
		{"7f3205268000-7f32053be000 r-xp 00028000 fd:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6", false},
		{"00400000-00d2c000 r-xs 00000000 fd:01 1234 " + exe, false},
		{"00400000-00d2c000 r-xp 00000000 fd:01 1234 " + exe + " (deleted)", false},
		{"177be6800000-177be7400000 rw-p 00000000 00:00 0", false},
	} {
		if _, _, ok := readOnlyOf(tt.line, exe); ok != tt.ok {
			t.Errorf("%q: %v, want %v", tt.line, ok, tt.ok)
		}
	}
}
