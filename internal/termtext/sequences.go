package termtext

import "strings"

// StripSequences removes the terminal escape sequences in s — CSI
// (ESC [ … final, or C1 U+009B), OSC (ESC ] … BEL or ST, or U+009D), DCS,
// SOS, PM and APC strings, and two-character escapes — leaving the text a
// program meant to be read: a log's coloured "ERROR" reads as "ERROR", and
// an OSC 52 leaves nothing. Programs write such sequences into logs (colour,
// progress bars); what is left still needs Line before a terminal shows it.
// An unterminated sequence is removed to the end of s.
func StripSequences(s string) string {
	if !strings.ContainsAny(s, "\x1b\u009b\u009d\u0090\u0098\u009e\u009f") {
		return s
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == 0x1b && i+1 < len(rs):
			i++
			switch rs[i] {
			case '[':
				i = skipCSI(rs, i+1)
			case ']', 'P', 'X', '^', '_':
				i = skipString(rs, i+1)
			default:
				// ESC and one character (ESC c, ESC 7, ESC ( B's first
				// part): the character is the sequence's end.
				if rs[i] == '(' || rs[i] == ')' || rs[i] == '#' {
					i++
				}
			}
		case r == 0x1b:
		case r == 0x9b:
			i = skipCSI(rs, i+1)
		case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f:
			i = skipString(rs, i+1)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// skipCSI returns the index of the final byte of a CSI whose parameters
// start at i (the last index when there is none).
func skipCSI(rs []rune, i int) int {
	for ; i < len(rs); i++ {
		if rs[i] >= 0x40 && rs[i] <= 0x7e {
			return i
		}
	}
	return len(rs) - 1
}

// skipString returns the index of the end of a control string starting at
// i: its BEL, its ST (ESC \ or U+009C), or the last index.
func skipString(rs []rune, i int) int {
	for ; i < len(rs); i++ {
		switch {
		case rs[i] == 0x07 || rs[i] == 0x9c:
			return i
		case rs[i] == 0x1b && i+1 < len(rs) && rs[i+1] == '\\':
			return i + 1
		}
	}
	return len(rs) - 1
}
