package httpapi

import (
	"io"
	"strings"
	"testing"
)

// readNames reads {"items":[{"name":...},...]} as a streaming reader does.
func readNames(st *Stream) ([]string, error) {
	var names []string
	err := st.EachMember(func(k []byte) error {
		if string(k) != "items" {
			return st.Skip()
		}
		return st.EachElement(func() error {
			return st.EachMember(func(k []byte) error {
				if string(k) != "name" {
					return st.Skip()
				}
				n, err := st.String()
				names = append(names, n)
				return err
			})
		})
	})
	return names, err
}

// TestDecodeStream: a whole answer read token by token: a string past
// MaxString is cut and its rest skipped, and broken answers say what is
// wrong with them, as Decode's do.
func TestDecodeStream(t *testing.T) {
	long := strings.Repeat("x", 3*MaxString)
	body := `{"skip":{"a":[1,2,{"b":"c"}]},"items":[{"name":"a\nb"},{"name":"` + long + `","n":1}]}` + "\n"
	var got []string
	err := DecodeStream(strings.NewReader(body), func(st *Stream) error {
		var err error
		got, err = readNames(st)
		return err
	})
	if err != nil || len(got) != 2 || got[0] != "a\nb" || got[1] != long[:MaxString] {
		t.Fatalf("err %v, %d names, second %d bytes", err, len(got), len(got[len(got)-1]))
	}
	for in, want := range map[string]string{
		`{"items":[{"name":"a"}`:      "truncated JSON",
		`{"items":[{"name":"a"}]} {}`: "invalid JSON",
		`{"items":[{"name" "a"}]}`:    "invalid JSON",
		``:                            "empty answer",
	} {
		err := DecodeStream(strings.NewReader(in), func(st *Stream) error { _, err := readNames(st); return err })
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
	err = decodeStream(io.MultiReader(strings.NewReader(`{"items":[`), strings.NewReader(strings.Repeat(`{"name":"a"},`, 1000))), func(st *Stream) error {
		_, err := readNames(st)
		return err
	}, 4096)
	if err == nil || !strings.Contains(err.Error(), "answer too large") {
		t.Errorf("over the byte limit: %v", err)
	}
}

// TestStreamRaw: Raw hands over one value's JSON, whatever its type, as
// encoding/json reads it, and cuts at its limit.
func TestStreamRaw(t *testing.T) {
	body := `{"a": {"x": [1, 2, {"s": "q\"}]"}], "y": null}, "b": "str", "c": 12.5e3, "d": [true,false], "e": {"long": "` + strings.Repeat("z", 1000) + `"}}`
	got := map[string]string{}
	cuts := map[string]bool{}
	err := DecodeStream(strings.NewReader(body), func(st *Stream) error {
		return st.EachMember(func(k []byte) error {
			raw, cut, err := st.Raw(nil, 200)
			got[string(k)], cuts[string(k)] = string(raw), cut
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": `{"x":[1,2,{"s":"q\"}]"}],"y":null}`, "b": `"str"`, "c": `12.5e3`, "d": `[true,false]`}
	for k, v := range want {
		if got[k] != v || cuts[k] {
			t.Errorf("%s: %q (cut %v), want %q", k, got[k], cuts[k], v)
		}
	}
	if !cuts["e"] || len(got["e"]) > 200 {
		t.Errorf("e: %d bytes, cut %v", len(got["e"]), cuts["e"])
	}
}
