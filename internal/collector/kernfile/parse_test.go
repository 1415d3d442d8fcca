package kernfile

import (
	"testing"

	"github.com/opencontainers/cgroups/fscommon"
)

// The in-place parsers accept and reject what fscommon does.
func TestParseBytesLikeFscommon(t *testing.T) {
	for _, s := range []string{"0", "12", "18446744073709551615", "18446744073709551616", "-1", "-9223372036854775809",
		"-99999999999999999999999", "+5", "", "-", "1a", " 1", "max", "007"} {
		want, werr := fscommon.ParseUint(s, 10, 64)
		got, ok := ParseUint([]byte(s))
		if ok != (werr == nil) || ok && got != want {
			t.Errorf("ParseUint(%q) = %d, %v; fscommon %d, %v", s, got, ok, want, werr)
		}
	}
	for _, line := range []string{"cache 12", "rss -3", "a b c", "nospace", "total_rss 18446744073709551615", "x  1", " y 2"} {
		wk, wv, werr := fscommon.ParseKeyValue(line)
		var gk string
		var gv uint64
		n := 0
		EachKeyValue([]byte(line), func(k []byte, v uint64) { gk, gv = string(k), v; n++ })
		if (n == 1) != (werr == nil) || n == 1 && (gk != wk || gv != wv) {
			t.Errorf("EachKeyValue(%q) = %q %d (%d calls); fscommon %q %d %v", line, gk, gv, n, wk, wv, werr)
		}
	}
}
