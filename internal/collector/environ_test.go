package collector

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A container's environment (read from its first process when its
// runtime does not give it) is kept for the container's life: at 500
// containers it was 2 MB of the live heap, a string per key and value
// and a map grown as it filled. This test failed before: 90 allocations
// for the 39 variables of a bench sleeper; now the variables share one
// string in a map made at its size. What it holds is what a split of
// the file gives: the last of a repeated name wins, a value keeps its
// own '=', an entry without '=' or without a name is dropped.
func TestReadEnvironSharesOneString(t *testing.T) {
	var b strings.Builder
	want := map[string]string{}
	for i := range 36 {
		k := "VAR_" + strings.Repeat("X", i%7) + string(rune('A'+i%26)) + string(rune('a'+i/26))
		v := strings.Repeat("v", i*3) + "/usr/bin:/bin"
		b.WriteString(k + "=" + v + "\x00")
		want[k] = v
	}
	b.WriteString("EQ=a=b\x00NOEQUALS\x00=nokey\x00EQ=last\x00EMPTY=\x00")
	want["EQ"], want["EMPTY"] = "last", ""
	path := filepath.Join(t.TempDir(), "environ")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := readEnviron(path); !maps.Equal(got, want) {
		t.Errorf("readEnviron:\n%v\nwant\n%v", got, want)
	}
	if got := readEnviron(filepath.Join(t.TempDir(), "none")); got != nil {
		t.Errorf("an unreadable environ: %v, want nil", got)
	}
	allocs := testing.AllocsPerRun(20, func() { readEnviron(path) })
	if allocs > 15 {
		t.Errorf("%.0f allocations to read %d variables, want at most 15 (the file, one string, the map)", allocs, len(want))
	}
	t.Logf("%.0f allocations for %d variables", allocs, len(want))
}
