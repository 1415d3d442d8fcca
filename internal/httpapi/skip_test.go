package httpapi

import (
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
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

// TestSkipReaderOneByte: the skip edges hold when the answer arrives a
// byte at a time, so that a run of backslashes or a quote split across
// reads is read as one.
func TestSkipReaderOneByte(t *testing.T) {
	skip := map[string]bool{"x": true}
	for in, want := range map[string]string{
		`{"x":"a\\\\","a":"b\\\"c"}`:       `{"a":"b\\\"c"}`,
		`{"a":"\\\\\\\"\"","x":"\\\""}`:    `{"a":"\\\\\\\"\""}`,
		`{"x":["\\\\\\\"",""],"a":"\\\\"}`: `{"a":"\\\\"}`,
	} {
		got, err := io.ReadAll(newSkipReader(iotest.OneByteReader(strings.NewReader(in)), skip))
		if err != nil || string(got) != want {
			t.Errorf("%s → %s (%v), want %s", in, got, err, want)
		}
	}
}

// tasks is a Capturer shaped like a Mesos state: "done" arrays of objects
// are read by hand, keeping each one's id and time.
type tasks struct {
	Name string `json:"name"`
	done []task
}

type task struct {
	id string
	at float64
}

func (*tasks) SkipKeys() map[string]bool { return map[string]bool{"junk": true} }

func (ts *tasks) Capture(key string) func(*Stream) error {
	if key != "done" {
		return nil
	}
	return func(s *Stream) error {
		return s.EachElement(func() error {
			var tk task
			err := s.EachMember(func(k []byte) error {
				var err error
				switch string(k) {
				case "id":
					tk.id, err = s.String()
				case "at":
					tk.at, err = s.Number()
				default:
					err = s.Skip()
				}
				return err
			})
			ts.done = append(ts.done, tk)
			return err
		})
	}
}

// TestCapture: captured members are read by the Capturer, whatever JSON
// they hold, and the rest reaches encoding/json.
func TestCapture(t *testing.T) {
	in := `{"done":[{"id":"a\u00e9\"","at":1.5e3,"x":{"id":"no"}},{"at":-2,"id":null},7,null],` +
		`"name":"n","junk":[1],"z":{"done" : [ { "id" : "b" } ]}, "long":"` + strings.Repeat(`\\`, 40000) + `"}`
	var v tasks
	if err := Decode(iotest.HalfReader(strings.NewReader(in)), &v); err != nil {
		t.Fatal(err)
	}
	want := []task{{"a\u00e9\"", 1500}, {"", -2}, {}, {}, {"b", 0}}
	if v.Name != "n" || !reflect.DeepEqual(v.done, want) {
		t.Errorf("name %q done %+v, want %+v", v.Name, v.done, want)
	}
	for _, bad := range []string{`{"done":[{"id":"x"]}`, `{"done":[{"id" "x"}]}`, `{"done":[{"id":"x"}`, `{"done":[{"id":"x` + strings.Repeat("y", 100000)} {
		var v tasks
		if err := Decode(strings.NewReader(bad), &v); err == nil {
			t.Errorf("%.40s: no error", bad)
		}
	}
}

// TestCaptureCost: what a capture holds counts against the cost limit, so
// a hostile answer of many tiny captured objects fails as too large
// instead of growing the capture without bound; what it skips is free.
func TestCaptureCost(t *testing.T) {
	many := `{"done":[` + strings.Repeat(`{"id":"t"},`, 10000) + `{}]}`
	var v tasks
	err := decode(strings.NewReader(many), &v, DefaultMaxBody, 1<<20)
	if err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("10,000 objects under a 1 MB cost: %v", err)
	}
	if len(v.done) > (1<<20)/objectCost {
		t.Errorf("held %d objects past the limit", len(v.done))
	}
	skipped := `{"done":[{"x":"` + strings.Repeat("y", 4<<20) + `"}]}`
	v = tasks{}
	if err := decode(strings.NewReader(skipped), &v, DefaultMaxBody, 1<<20); err != nil || len(v.done) != 1 {
		t.Errorf("a skipped 4 MB string under a 1 MB cost: %v, %d", err, len(v.done))
	}
	held := `{"done":[{"id":"` + strings.Repeat("y", 2<<20) + `"}]}`
	if err := decode(strings.NewReader(held), &v, DefaultMaxBody, 1<<20); err == nil {
		t.Errorf("a held 2 MB string under a 1 MB cost: no error")
	}
}
