package orchestrator

import (
	"bytes"
	"os"
	"testing"
)

// A framework id with bytes that are not UTF-8 reads as encoding/json
// reads it (each one U+FFFD), in live and finished tasks alike; a
// finished task whose id then names no framework is not kept. The
// fuzzer found both (the stream kept the raw bytes).
func TestFrameworkIDThatIsNotUTF8(t *testing.T) {
	b, err := os.ReadFile("testdata/mesos/master_state_mesos-1.2.0_docker-container-id.json")
	if err != nil {
		t.Fatal(err)
	}
	key := []byte(`"framework_id": "202a8fb5-b0d0-4482-b72a-38f42b7a6c27-0000"`)
	bad := []byte("\"framework_id\": \"202a8fb5-b0d0-4482-b72a-38f42b7\xf5\xc5a6c27-0000\"")
	for n := range bytes.Count(b, key) {
		// The n-th task's framework id only.
		mut := bytes.Replace(bytes.Replace(b, key, bad, n+1), bad, key, n)
		st, err := decodeMesosState(bytes.NewReader(mut))
		if err != nil {
			t.Fatal(err)
		}
		sameAsReference(t, "framework id not UTF-8", mut, st)
	}
}
