// Package termtext turns text from outside the tool (container names,
// labels, env values, cgroup names, cluster ids, HTTP error bodies) into
// text a terminal shows as text, on one line of bounded width. Written raw,
// such text can set the window title (OSC 0), write the clipboard (OSC 52),
// clear the screen (CSI 2J, or C1 U+009B), reverse what follows it (bidi
// overrides) or start a fake row (a newline).
//
// The rule, for every character:
//   - a line break (LF, CR, CRLF, VT, FF, U+0085, U+2028, U+2029) shows as
//     "⏎", so a value never starts a new row and its breaks stay visible;
//   - a tab shows as one space;
//   - any other C0 control, DEL or C1 control shows as '?', as ps does;
//   - a bidi embedding, override or isolate (U+202A–U+202E,
//     U+2066–U+2069) shows as '?';
//   - invalid UTF-8 shows as U+FFFD;
//   - everything else is kept.
//
// Width is counted in terminal cells (a CJK character takes two), and a
// value cut to a width ends with "…".
package termtext

import (
	"strings"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// LineBreak is what a line break inside a value shows as.
const LineBreak = "⏎"

// Ellipsis ends a value cut to its maximum width.
const Ellipsis = "…"

// IsControl says whether r is a C0 control, DEL or a C1 control: the
// characters a terminal acts on instead of showing (ESC starts a sequence,
// U+009B is a CSI by itself to some terminals).
func IsControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r < 0xa0)
}

// IsBidi says whether r is a bidi embedding, override or isolate, which
// reorder the text after it up to the end of the line.
func IsBidi(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// Line returns s as one line of text safe for a terminal cell (see the
// package comment), at most max cells wide; a cut value ends with "…".
// max <= 0 means no limit. Text that is already safe and short enough is
// returned as it is, without allocating.
func Line(s string, max int) string {
	if plain(s) {
		if max <= 0 || len(s) <= max {
			return s
		}
		return s[:max-1] + Ellipsis
	}
	c := clean(s)
	if max <= 0 || Width(c) <= max {
		return c
	}
	return cut(c, max)
}

// Width returns how many terminal cells s takes, for text that Line has
// made safe.
func Width(s string) int {
	if plain(s) {
		return len(s)
	}
	return uniseg.StringWidth(s)
}

// plain says whether s is printable ASCII only: the common case, safe as
// it is and one cell per byte.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// clean applies the package's rule to every character of s.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			b.WriteString(LineBreak)
			size = 2
		case r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			b.WriteString(LineBreak)
		case r == '\t':
			b.WriteByte(' ')
		case IsControl(r) || IsBidi(r):
			b.WriteByte('?')
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// cut returns the longest run of whole grapheme clusters of s that fits
// in max-1 cells, followed by the ellipsis.
func cut(s string, max int) string {
	room := max - 1
	end, w := 0, 0
	state := -1
	rest := s
	for len(rest) > 0 {
		var cluster string
		var cw int
		cluster, rest, cw, state = uniseg.FirstGraphemeClusterInString(rest, state)
		if w+cw > room {
			break
		}
		w += cw
		end += len(cluster)
	}
	return s[:end] + Ellipsis
}
