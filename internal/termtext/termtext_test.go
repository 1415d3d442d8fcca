package termtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Hostile is text that acts on a terminal when printed raw: each entry's
// name says what it would do.
var Hostile = map[string]string{
	"OSC 52 clipboard": "a\x1b]52;c;ZWNobyBwd25lZA==\x07b",
	"OSC 0 title":      "a\x1b]0;owned\x1b\\b",
	"CSI 2J clear":     "a\x1b[2J\x1b[Hb",
	"C1 CSI clear":     "a\u009b2Jb",
	"C1 OSC":           "a\u009d0;owned\u009cb",
	"bidi override":    "a\u202eexe.txt\u202cb",
	"bidi isolate":     "a\u2067x\u2069b",
	"newline":          "a\nb",
	"CRLF":             "a\r\nb",
	"carriage return":  "a\rb",
	"line separator":   "a\u2028b\u2029c",
	"NEL":              "a\u0085b",
	"backspace":        "a\x08\x08b",
	"DEL":              "a\x7fb",
	"invalid UTF-8":    "a\xff\xfeb",
}

func TestLineLeavesNothingATerminalActsOn(t *testing.T) {
	for name, s := range Hostile {
		got := Line(s, 0)
		if !utf8.ValidString(got) {
			t.Errorf("%s: %q is not UTF-8", name, got)
		}
		for _, r := range got {
			if IsControl(r) || IsBidi(r) || r == 0x2028 || r == 0x2029 {
				t.Errorf("%s: %q keeps %U", name, got, r)
			}
		}
		if !strings.HasPrefix(got, "a") || !strings.Contains(got, "b") {
			t.Errorf("%s: %q lost the text around the sequence", name, got)
		}
	}
}

func TestLine(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 0, "plain"},
		{"plain", 5, "plain"},
		{"plain!", 5, "plai…"},
		{"two\nlines", 0, "two⏎lines"},
		{"dos\r\nline", 0, "dos⏎line"},
		{"tab\there", 0, "tab here"},
		{"\x1b[2J", 0, "?[2J"},
		{"\u009b2J", 0, "?2J"},
		{"\u202egnp.exe", 0, "?gnp.exe"},
		{"bad\xffname", 0, "bad\uFFFDname"},
		{"café", 0, "café"},
		{"café au lait", 6, "café …"},
		{"日本語テキスト", 7, "日本語…"}, // two cells each: 3 fit in 6, then the ellipsis
		{"日本語", 6, "日本語"},
		{"e\u0301e\u0301e\u0301", 2, "e\u0301…"}, // a combining accent stays with its letter
		{"x", 1, "x"},
		{"xy", 1, "…"},
	}
	for _, tt := range tests {
		got := Line(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("Line(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if tt.max > 0 && Width(got) > tt.max {
			t.Errorf("Line(%q, %d) = %q is %d cells wide", tt.in, tt.max, got, Width(got))
		}
	}
}

func TestLineBoundsAHugeValue(t *testing.T) {
	big := strings.Repeat("\x1b]0;x\x07日", 20000) // 160 kB
	got := Line(big, 64)
	if w := Width(got); w > 64 {
		t.Errorf("a 160 kB value is %d cells wide, want at most 64", w)
	}
	if len(got) > 64*4 {
		t.Errorf("a 160 kB value cut to 64 cells is %d bytes", len(got))
	}
	if !strings.HasSuffix(got, Ellipsis) {
		t.Errorf("%q: a cut value ends with …", got)
	}
}

func TestLineKeepsSafeTextWithoutAllocating(t *testing.T) {
	s := "ctop-like: marathon http://10.0.0.5:8080: connection refused"
	if n := testing.AllocsPerRun(100, func() { _ = Line(s, 512) }); n != 0 {
		t.Errorf("safe text costs %v allocations", n)
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range Hostile {
		f.Add(s, 10)
	}
	f.Add("日本語テキスト", 3)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max %= 200
		got := Line(s, max)
		if !utf8.ValidString(got) {
			t.Fatalf("Line(%q) = %q: invalid UTF-8", s, got)
		}
		for _, r := range got {
			if IsControl(r) || IsBidi(r) || r == 0x2028 || r == 0x2029 {
				t.Fatalf("Line(%q) = %q keeps %U", s, got, r)
			}
		}
		if max > 0 && Width(got) > max {
			t.Fatalf("Line(%q, %d) = %q is %d cells", s, max, got, Width(got))
		}
		if Line(got, max) != got {
			t.Fatalf("Line is not idempotent on %q", s)
		}
	})
}

// A log line's escape sequences go, their text stays: colour, OSC 52
// (clipboard) with either terminator, CSI 2J, a C1 CSI, an unterminated OSC.
func TestStripSequences(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                                  "plain",
		"\x1b[31mERROR\x1b[0m disk full":         "ERROR disk full",
		"a\x1b]52;c;aGk=\x07b":                   "ab",
		"a\x1b]52;c;aGk=\x1b\\b":                 "ab",
		"\x1b[2Jclear\x1b[H":                     "clear",
		"x\u009b2Jy":                             "xy",
		"title\x1b]0;pwned":                      "title",
		"\x1b(Bdone\x1bc":                        "done",
		"\x1b]8;;http://x\x1b\\link\x1b]8;;\x07": "link",
	} {
		if got := StripSequences(in); got != want {
			t.Errorf("StripSequences(%q) = %q, want %q", in, got, want)
		}
	}
}
