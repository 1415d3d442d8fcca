// Package redact is the one rule for hiding secrets in text the tool shows,
// prints, logs or records, so that every output hides the same things the
// same way:
//
//   - the password of a URL's user:password@ part (the user stays: it tells
//     an operator whose credentials they are);
//   - the value of an argument, NAME=value or NAME: value whose name says it
//     holds a secret (token, password, secret, api key, credential,
//     authorization);
//   - any literal secret the caller knows (a token, a password, the
//     Authorization header it sent).
//
// Each becomes Mask. Environment values are never shown at all (names
// only); that is the callers' rule, not a mask.
package redact

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Mask replaces every hidden secret.
const Mask = "xxx"

// Text hides URL passwords and secret-named values in s.
func Text(s string) string {
	s = URLPasswords(s)
	if mayNameSecret(s) && secretName.MatchString(s) {
		s = secretArg.ReplaceAllStringFunc(s, func(m string) string {
			loc := secretArg.FindStringSubmatchIndex(m)
			return m[:loc[3]] + Mask
		})
	}
	return s
}

// Secrets is Text that also hides each of the given literal secrets (empty
// ones are ignored).
func Secrets(s string, secrets ...string) string {
	s = Text(s)
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, Mask)
		}
	}
	return s
}

// JSON hides URL passwords inside the strings of an encoded JSON value; it
// never crosses a string's closing quote, so the result stays valid JSON.
func JSON(b []byte) []byte {
	if !strings.Contains(string(b), "://") {
		return b
	}
	return []byte(URLPasswords(string(b)))
}

// IsSecretName reports whether a key (an env name, a label) says that its
// value is a secret.
func IsSecretName(name string) bool { return mayNameSecret(name) && secretName.MatchString(name) }

// secretStems are what every match of secretWords holds, in lower case:
// a string without any of them (and all ASCII) names no secret, which a
// scan tells 10-50 times faster than the case-insensitive expression
// (7 µs a label value; labels are read by the hundred thousand).
var secretStems = []string{"token", "passw", "pwd", "secret", "key", "credential", "authorization"}

// mayNameSecret says whether s may match secretName: false only when s
// is ASCII and holds none of secretStems in any case. A non-ASCII string
// is left to the expression, whose case folding knows more than ASCII
// (the Kelvin sign is a k to it).
func mayNameSecret(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return true
		}
		c |= 0x20 // lower case for letters; what it does to others matches no stem's first letter
		for _, st := range secretStems {
			if c == st[0] && len(s)-i >= len(st) && asciiFoldPrefix(s[i:], st) {
				return true
			}
		}
	}
	return false
}

// asciiFoldPrefix says whether s starts with the lower-case ASCII stem in
// any case.
func asciiFoldPrefix(s, stem string) bool {
	for j := 0; j < len(stem); j++ {
		if s[j]|0x20 != stem[j] {
			return false
		}
	}
	return true
}

// URLPasswords replaces the password of every scheme://user:password@ in s
// with Mask. The user part ends at the authority's last '@' (as url.Parse
// reads it), so a password that holds '@' is hidden whole.
func URLPasswords(s string) string {
	if !strings.Contains(s, "://") || !strings.Contains(s, "@") {
		return s // the common case costs two scans and no allocation
	}
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, "://")
		if i < 0 || !schemeBefore(rest[:i]) {
			if i < 0 {
				b.WriteString(rest)
				return b.String()
			}
			b.WriteString(rest[:i+3])
			rest = rest[i+3:]
			continue
		}
		b.WriteString(rest[:i+3])
		rest = rest[i+3:]
		end := strings.IndexAny(rest, authorityEnd)
		if end < 0 {
			end = len(rest)
		}
		auth := rest[:end]
		at := strings.LastIndexByte(auth, '@')
		colon := strings.IndexByte(auth, ':')
		if at < 0 || colon < 0 || colon > at {
			continue // no user:password@ here
		}
		b.WriteString(auth[:colon+1])
		b.WriteString(Mask)
		rest = rest[at:]
	}
}

// authorityEnd are the bytes that end a URL's authority in free text: the
// path, query and fragment marks, white space, quotes (also JSON's
// backslash) and brackets around a URL. A comma does not end it: it may be
// part of a password, and the next URL of a list starts after a '/'.
const authorityEnd = "/?# \t\r\n\"'\\<>"

// schemeBefore says whether s ends with a URL scheme (a letter, then
// letters, digits, '+', '-' or '.').
func schemeBefore(s string) bool {
	i := len(s)
	for i > 0 {
		c := s[i-1]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.' {
			i--
			continue
		}
		break
	}
	if i == len(s) {
		return false
	}
	c := s[i]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// secretWords are the name parts that mark a secret.
const secretWords = `(?:token|passw(?:or)?d|pwd|secret|api[_\-]?key|access[_\-]?key|credential|authorization)`

// secretName matches a name that says it holds a secret.
var secretName = regexp.MustCompile(`(?i)` + secretWords)

// secretArg matches NAME=value, NAME:value and --name value where the name
// says it holds a secret; group 1 is everything before the value.
var secretArg = regexp.MustCompile(`(?i)((?:^|[\s"',;&?])(?:-{1,2}[A-Za-z0-9_.\-]*` + secretWords + `[A-Za-z0-9_.\-]*(?:[=:]\s*|\s+)|[A-Za-z0-9_.\-]*` + secretWords + `[A-Za-z0-9_.\-]*[=:]\s*))(?:bearer\s+|basic\s+|token\s+)?[^\s"',;&]+`)
