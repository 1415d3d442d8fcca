package httpapi

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzDecodeSkip decodes any answer through the skipping and capturing
// filter: whatever encoding/json reads, the filter reads too, with the
// same value for the members it lets through, and it never hangs or
// panics on the rest.
func FuzzDecodeSkip(f *testing.F) {
	f.Add([]byte(`{"name":"n","junk":{"a":"\"}"},"done":[{"id":"a\\\\","at":1e400},null,{"id":null}]}`))
	f.Add([]byte(`{"done":{"id":"x"},"name":"\u00e9\\\"","z":[{"junk":1,"name":"no"}]}`))
	f.Add([]byte(`{"done":[{"id":"x","at":1`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got tasks
		err := Decode(bytes.NewReader(data), &got)
		var plain struct {
			Name string `json:"name"`
		}
		plainErr := json.Unmarshal(data, &plain)
		if err != nil {
			if plainErr == nil && len(data) < 4096 {
				t.Fatalf("encoding/json reads it, the filter says %v", err)
			}
			return
		}
		if plainErr == nil && got.Name != plain.Name {
			t.Fatalf("name %q, encoding/json %q", got.Name, plain.Name)
		}
	})
}
