package batch

import (
	"bytes"
	"testing"
)

// BenchmarkTable is BenchmarkJSONLine's refresh printed as -o table: the
// summary, the header and the rows of the view's minimum columns, each
// cell through termtext.
func BenchmarkTable(b *testing.B) {
	s, _, tb := benchTable(b)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		writeTable(&buf, s, tb, 0, nil)
	}
}
