package recording

import (
	"bytes"
	"regexp"
	"strings"
)

// What a recording must never hold: environment values, URL credentials and
// tokens. The live screen may show a command line in full; a file that is
// kept for days and copied around is held to a stricter rule.

// urlUserinfo matches the "user:password@" part of anything URL-looking,
// also inside JSON text (the class stops at a quote or backslash, so a
// match never leaves one JSON string).
var urlUserinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://)[^/\s"'\\?#@]*@`)

// secretArg matches NAME=value, NAME:value and --name value where the name
// says it holds a secret (token, password, secret, api key...).
var secretArg = regexp.MustCompile(`(?i)((?:^|[\s"',;&?])(?:-{1,2}[A-Za-z0-9_.\-]*` + secretWords + `[A-Za-z0-9_.\-]*(?:[=:]\s*|\s+)|[A-Za-z0-9_.\-]*` + secretWords + `[A-Za-z0-9_.\-]*[=:]\s*))(?:bearer\s+|basic\s+|token\s+)?[^\s"',;&]+`)

// secretName reports whether a key (label or env name) says it holds a secret.
var secretName = regexp.MustCompile(`(?i)` + secretWords)

// secretWords are the name parts that mark a secret.
const secretWords = `(?:token|passw(?:or)?d|pwd|secret|api[_\-]?key|access[_\-]?key|credential|authorization)`

// redactedMark replaces a secret value.
const redactedMark = "***"

// redactJSON strips URL credentials from every string of an encoded value.
func redactJSON(b []byte) []byte {
	if !bytes.Contains(b, []byte("://")) {
		return b
	}
	return urlUserinfo.ReplaceAll(b, []byte("$1"))
}

// redactText strips URL credentials and secret-looking arguments from free
// text such as a command line or an error message.
func redactText(s string) string {
	if strings.Contains(s, "://") {
		s = urlUserinfo.ReplaceAllString(s, "$1")
	}
	if secretName.MatchString(s) {
		s = secretArg.ReplaceAllStringFunc(s, func(m string) string {
			loc := secretArg.FindStringSubmatchIndex(m)
			return m[:loc[3]] + redactedMark
		})
	}
	return s
}

// redactStrings applies redactText to each string, copying only when one
// changes.
func redactStrings(in []string) []string {
	var out []string
	for i, s := range in {
		if r := redactText(s); r != s {
			if out == nil {
				out = append([]string(nil), in...)
			}
			out[i] = r
		}
	}
	if out == nil {
		return in
	}
	return out
}

// envKeys keeps an environment's names (the screen may list them) and drops
// every value.
func envKeys(env map[string]string) map[string]string {
	if len(env) == 0 {
		return nil
	}
	out := make(map[string]string, len(env))
	for k := range env {
		out[k] = ""
	}
	return out
}

// redactLabels hides label values whose name says they are secret and strips
// credentials from the rest.
func redactLabels(l map[string]string) map[string]string {
	var out map[string]string
	for k, v := range l {
		r := v
		if secretName.MatchString(k) {
			r = redactedMark
		} else {
			r = redactText(v)
		}
		if r != v {
			if out == nil {
				out = make(map[string]string, len(l))
				for k2, v2 := range l {
					out[k2] = v2
				}
			}
			out[k] = r
		}
	}
	if out == nil {
		return l
	}
	return out
}
