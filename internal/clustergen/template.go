package clustergen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// tmpl is a JSON object of a real answer with holes where a generated
// copy has values of its own: rendering writes the object's bytes and, at
// each hole, the value given for it. It costs a few appends per copy, so
// that a 100,000-task state is written in well under a second.
type tmpl struct {
	parts [][]byte // one more than holes: the literal pieces between them
	order []int    // for each hole as it appears, the index of its value
}

// holeMark is what marks a hole in the marshalled template: a string no
// answer holds.
const holeMark = "\x00hole:"

// compile marshals v (a decoded fixture object, modified by the caller)
// whose hole positions hold hole(name) strings, and splits it at them.
// Every name in names must occur exactly once, in any order; values are
// then given in the order of names.
func compile(v any, names ...string) *tmpl {
	b, err := json.Marshal(v)
	if err != nil {
		panic("clustergen: " + err.Error())
	}
	t := &tmpl{}
	type at struct{ pos, end, idx int }
	var found []at
	for i, n := range names {
		m, _ := json.Marshal(hole(n))
		p := bytes.Index(b, m)
		if p < 0 || bytes.Contains(b[p+len(m):], m) {
			panic(fmt.Sprintf("clustergen: hole %q occurs %d times", n, bytes.Count(b, m)))
		}
		found = append(found, at{p, p + len(m), i})
	}
	// Pieces in the order the holes appear; holes renumbered to match.
	for i := range found {
		for j := i + 1; j < len(found); j++ {
			if found[j].pos < found[i].pos {
				found[i], found[j] = found[j], found[i]
			}
		}
	}
	last := 0
	for _, f := range found {
		t.parts = append(t.parts, b[last:f.pos])
		t.order = append(t.order, f.idx)
		last = f.end
	}
	t.parts = append(t.parts, b[last:])
	return t
}

func hole(name string) string { return holeMark + name }

// render appends the object with vals (in the order of compile's names):
// a string is written as a JSON string, a raw value ([]byte or rawJSON) as
// it is, numbers as JSON numbers.
func (t *tmpl) render(dst []byte, vals ...any) []byte {
	for i, p := range t.parts {
		dst = append(dst, p...)
		if i < len(t.order) {
			dst = appendValue(dst, vals[t.order[i]])
		}
	}
	return dst
}

// rawJSON is a value written as it is.
type rawJSON []byte

func appendValue(dst []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		return appendString(dst, x)
	case rawJSON:
		return append(dst, x...)
	case []byte:
		return append(dst, x...)
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case uint64:
		return strconv.AppendUint(dst, x, 10)
	case float64:
		return strconv.AppendFloat(dst, x, 'f', -1, 64)
	case bool:
		return strconv.AppendBool(dst, x)
	case nil:
		return append(dst, "null"...)
	}
	panic(fmt.Sprintf("clustergen: no JSON for %T", v))
}

// appendString writes s as a JSON string; generated values are plain
// ASCII, anything else goes through encoding/json.
func appendString(dst []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	b, _ := json.Marshal(s)
	return append(dst, b...)
}

// set puts v at a dotted path ("statuses.1.container_status.container_id.value")
// of a decoded JSON object; a missing member is added to an object.
func set(root any, path string, v any) {
	keys := strings.Split(path, ".")
	cur := root
	for i, k := range keys {
		last := i == len(keys)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[k] = v
				return
			}
			cur = c[k]
		case []any:
			n, err := strconv.Atoi(k)
			if err != nil || n >= len(c) {
				panic("clustergen: no element " + path)
			}
			if last {
				c[n] = v
				return
			}
			cur = c[n]
		default:
			panic("clustergen: no member " + path)
		}
	}
}

// get follows a dotted path; nil when it leads nowhere.
func get(root any, path string) any {
	cur := root
	for _, k := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[k]
		case []any:
			n, err := strconv.Atoi(k)
			if err != nil || n >= len(c) {
				return nil
			}
			cur = c[n]
		default:
			return nil
		}
	}
	return cur
}

// clone deep-copies a decoded JSON value.
func clone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = clone(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = clone(e)
		}
		return l
	}
	return v
}
