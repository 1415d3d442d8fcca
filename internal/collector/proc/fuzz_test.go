package proc

// Fuzz targets for every process file this package parses. The kernel is
// trusted, but --proc-root may point at a copy, and a process chooses its
// own name and command line: none of that may crash the tool or put a
// control character on the user's terminal.
//
// Run one longer with, e.g.:
//
//	go test -run='^$' -fuzz='^FuzzProcStat$' -fuzztime=100000x ./internal/collector/proc

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ctop-like/ctop-like/internal/collector/cgroups"
)

// seedFiles adds the content of every file matching the glob patterns
// (relative to testdata) as a seed.
func seedFiles(f *testing.F, patterns ...string) {
	f.Helper()
	n := 0
	for _, p := range patterns {
		paths, err := filepath.Glob(filepath.Join("testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		for _, path := range paths {
			b, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
			n++
		}
	}
	if n == 0 {
		f.Fatalf("no seed files match %v", patterns)
	}
}

// checkScreenText fails when s could disturb a terminal: invalid UTF-8, a
// C0 or C1 control character, or DEL.
func checkScreenText(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s %q is not valid UTF-8", what, s)
	}
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			t.Fatalf("%s %q holds control character %U", what, s, r)
		}
	}
}

func FuzzProcStat(f *testing.F) {
	seedFiles(f, "proc/[0-9]*/stat")
	f.Add([]byte("1 (a) b c d e f g h i j k l m n o p q r s t u v w x y"))
	f.Add([]byte("77 (bad\x1b[31m\xff) R 1 0 0 0 -1 0 0 0 0 0 5 7 0 0 20 0 1 0 100 4096 -3"))
	f.Add([]byte("2 ((sd-pam)) S 1 2 2 0 -1 4194560 60 0 0 0 0 0 0 0 20 0 1 0 800 25554944 1216 18446744073709551615"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseStat(data, 4096)
		checkScreenText(t, "name", p.Name)
		if err != nil {
			return
		}
		if p.UserS < 0 || p.SystemS < 0 {
			t.Fatalf("negative CPU time %v %v", p.UserS, p.SystemS)
		}
		// The cached-name path must give the same answer.
		q, _ := parseProcStatName(data, 4096, p.Name)
		if q.Name != p.Name {
			t.Fatalf("name %q with the previous name, %q without", q.Name, p.Name)
		}
	})
}

func FuzzProcStatus(f *testing.F) {
	seedFiles(f, "proc/[0-9]*/status")
	f.Add([]byte("Uid:\t1000\t1000\t1000\t1000\n"))
	f.Add([]byte("Uid:"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = parseStatusUID(data)
	})
}

func FuzzProcIO(f *testing.F) {
	seedFiles(f, "proc/[0-9]*/io")
	f.Add([]byte("read_bytes: 1\nwrite_bytes: 2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Callers use the numbers only when ok (both lines seen).
		_, _, _ = parseProcIO(data)
	})
}

func FuzzProcCmdline(f *testing.F) {
	seedFiles(f, "proc/[0-9]*/cmdline")
	f.Add([]byte("sh\x00-c\x00echo \x1b]0;owned\x07\x00"))
	f.Add([]byte("caf\xc3"))
	f.Add([]byte("\xc2\x9b31m"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkScreenText(t, "command", formatCmdline(data, "comm"))
	})
}

func FuzzProcCgroup(f *testing.F) {
	seedFiles(f, "proc/[0-9]*/cgroup")
	f.Fuzz(func(t *testing.T, data []byte) {
		cg, id := pickCgroup(data)
		// The path is one the file names for a controller the tool
		// reads.
		if cg != "" && !cgroupLineHas(data, cg) {
			t.Fatalf("pickCgroup(%q) = %q: no line of the file has that path for a preferred controller", data, cg)
		}
		// The container is the one its path names.
		if id != "" {
			got, _, ok := cgroups.ContainerFromCgroup(cg)
			if !ok || got != id || !strings.Contains(cg, id) {
				t.Fatalf("pickCgroup(%q) = %q, %q; cgroups.ContainerFromCgroup(%q) = %q, %v", data, cg, id, cg, got, ok)
			}
		}
		// A controller the tool does not read changes nothing, even one
		// whose path looks like a container.
		extra := append(append([]byte(nil), data...), "\n99:net_prio:/docker/"+strings.Repeat("ab", 32)+"\n"...)
		if cg2, id2 := pickCgroup(extra); cg2 != cg || id2 != id {
			t.Fatalf("a net_prio line changed pickCgroup(%q) from %q, %q to %q, %q", data, cg, id, cg2, id2)
		}
	})
}

// cgroupLineHas says whether a line of a /proc/<pid>/cgroup file gives
// path for one of the controllers pickCgroup prefers.
func cgroupLineHas(data []byte, path string) bool {
	for line := range strings.SplitSeq(string(data), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || parts[2] != path {
			continue
		}
		for c := range strings.SplitSeq(parts[1], ",") {
			if slices.Contains(cgroupPreference, c) {
				return true
			}
		}
	}
	return false
}
