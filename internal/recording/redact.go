package recording

import "github.com/ctop-like/ctop-like/internal/redact"

// What a recording must never hold: environment values, URL passwords and
// tokens. The rule and its mask are redact's, the same as every other
// output's; a file adds only that env values are dropped (names kept).

// redactJSON hides URL passwords in every string of an encoded value.
func redactJSON(b []byte) []byte { return redact.JSON(b) }

// redactText hides URL passwords and secret-looking arguments in free text
// such as a command line or an error message.
func redactText(s string) string { return redact.Text(s) }

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

// redactLabels hides label values whose name says they are secret and
// secrets in the rest.
func redactLabels(l map[string]string) map[string]string {
	var out map[string]string
	for k, v := range l {
		r := v
		if redact.IsSecretName(k) {
			r = redact.Mask
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
