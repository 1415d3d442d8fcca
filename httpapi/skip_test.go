package httpapi

import (
	"io"
	"strings"
	"testing"
)

func TestSkipReaderEdges(t *testing.T) {
	skip := map[string]bool{"x": true}
	for in, want := range map[string]string{
		`{"x":1}`:                                 `{}`,
		`{"x":1,"a":2}`:                           `{"a":2}`,
		`{"a":2, "x" : [1,{"y":"}]\"{"}] }`:       `{"a":2}`,
		`{"a":{"x":{"b":1},"c":"x"},"x":"q\"x"}`:  `{"a":{"c":"x"}}`,
		`[{"x":null},{"a":true,"x":false,"b":1}]`: `[{},{"a":true,"b":1}]`,
		`{"a":"s p,a{c}e"}`:                       `{"a":"s p,a{c}e"}`,
		`{"x":"a\\\\","a":1}`:                     `{"a":1}`,
		`{"x":"a\\\"b\\\\\"c","a":1}`:             `{"a":1}`,
		`{"x":["\\\\\\\"",""],"a":1}`:             `{"a":1}`,
		`{"x":"a\\\\","b":"c\\\\\\"d"}`:           `{"b":"c\\\\\\"d"}`,
	} {
		got, err := io.ReadAll(newSkipReader(strings.NewReader(in), skip))
		if err != nil || string(got) != want {
			t.Errorf("%s → %s (%v), want %s", in, got, err, want)
		}
	}
	// Broken input ends, never hangs or panics.
	for _, in := range []string{`{"x":`, `{"x":[1,2`, `{"a":"unterminated`, `<html>`, `}}]]`, `{"x" 1}`} {
		var st struct{ X []int }
		if err := Decode(strings.NewReader(in), &st); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}
