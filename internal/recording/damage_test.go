package recording

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// smallRecording is a whole recording of 10 records with keyframes every 4
// and a cluster, as bytes, with the originals.
func smallRecording(t testing.TB) ([]byte, *Reader) {
	snaps := snapshots(10, 3, 8, true, 2*time.Second)
	snaps[5].Cluster.Apps = snaps[5].Cluster.Apps[:2:2]
	path := writeRecording(t, Header{Host: "node-1", Interval: 2 * time.Second, KeyframeEvery: 4}, snaps)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := newReader(bytes.NewReader(b), int64(len(b)), "node.rec")
	if err != nil || r.Len() != 10 || r.Warning() != "" {
		t.Fatalf("whole recording: %v, %d records, warning %q", err, r.Len(), r.Warning())
	}
	return b, r
}

// readAll opens b and decodes every record; it fails the test on a panic
// (by not recovering) and on a record indexed but not decodable.
func readAll(t *testing.T, b []byte) (*Reader, []time.Time, error) {
	t.Helper()
	r, err := newReader(bytes.NewReader(b), int64(len(b)), "node.rec")
	if err != nil {
		return nil, nil, err
	}
	var times []time.Time
	for i := 0; i < r.Len(); i++ {
		s, err := r.At(i)
		if err != nil {
			t.Fatalf("record %d indexed but unreadable: %v", i, err)
		}
		times = append(times, s.Time)
	}
	return r, times, nil
}

func TestDamagedRecordings(t *testing.T) {
	whole, ref := smallRecording(t)
	var starts []int64 // frame starts, snapshot records only
	for _, f := range ref.recs {
		starts = append(starts, f.off-frameHeadLen)
	}
	_, wantTimes, _ := readAll(t, whole)
	flip := func(at int64) []byte {
		b := append([]byte(nil), whole...)
		b[at] ^= 0x5a
		return b
	}
	cases := []struct {
		name     string
		data     []byte
		records  int    // -1: Open fails
		warnHas  string // part of the one warning
		dropped  int    // records missing from the middle
		firstOut int    // index of the first missing record
	}{
		{"cut in the magic", whole[:5], -1, "", 0, 0},
		{"cut in the header", whole[:30], -1, "", 0, 0},
		{"cut in a record", whole[:starts[6]+40], 6, "cut short", 0, 0},
		{"cut in a frame head", whole[:starts[6]+7], 6, "cut short", 0, 0},
		{"cut at a record boundary", whole[:starts[6]], 6, "no end mark", 0, 0},
		{"cut after the header", whole[:starts[0]], 0, "no end mark", 0, 0},
		{"flipped byte in a delta", flip(starts[5] + frameHeadLen + 10), 7, "damaged", 3, 5},
		{"flipped byte in a keyframe", flip(starts[4] + frameHeadLen + 10), 6, "damaged", 4, 4},
		{"flipped length", flip(starts[6] + 26), 8, "damaged", 2, 6},
		{"flipped magic", flip(starts[3]), 9, "damaged", 1, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, times, err := readAll(t, c.data)
			if c.records < 0 {
				if err == nil {
					t.Fatalf("opened a file without a whole header")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			w := r.Warning()
			if r.Len() != c.records || !strings.Contains(w, c.warnHas) {
				t.Fatalf("%d records, warning %q; want %d and %q", r.Len(), w, c.records, c.warnHas)
			}
			if !strings.Contains(w, "read "+itoa(c.records)+" record(s)") || strings.Count(w, "node.rec:") != 1 {
				t.Errorf("warning %q does not say how many records were read, once", w)
			}
			want := append(append([]time.Time(nil), wantTimes[:c.firstOut]...), wantTimes[c.firstOut+c.dropped:]...)
			if c.dropped == 0 {
				want = wantTimes[:c.records]
			}
			for i := range times {
				if !times[i].Equal(want[i]) {
					t.Fatalf("record %d at %v, want %v", i, times[i], want[i])
				}
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestEveryCutAndFlip: no length and no single flipped byte panics, and
// whatever is indexed decodes.
func TestEveryCutAndFlip(t *testing.T) {
	whole, _ := smallRecording(t)
	for n := 0; n < len(whole); n += 1 + len(whole)/300 {
		readAll(t, whole[:n])
	}
	for at := 0; at < len(whole); at += 1 + len(whole)/300 {
		b := append([]byte(nil), whole...)
		b[at] ^= 0xff
		r, _, err := readAll(t, b)
		if err == nil && r.Len() == 10 && r.Warning() == "" && at >= 30 {
			t.Fatalf("byte %d flipped and nothing noticed", at)
		}
	}
}

// FuzzOpen seeds with a tiny recording: the fuzzer minimizes every new
// interesting input (up to -fuzzminimizetime, 60 s by default) and does
// not count those runs, so a 33 KB seed (smallRecording) spent whole
// minutes minimizing at a few ms a run and showed 6 execs in 25 s.
// FuzzRecordPayload fuzzes what lies behind the checksums.
func FuzzOpen(f *testing.F) {
	tiny := tinyRecording(f)
	f.Add(tiny)
	f.Add(tiny[:len(tiny)/2])
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := newReader(bytes.NewReader(b), int64(len(b)), "fuzz.rec")
		if err != nil {
			return
		}
		_ = r.Warning()
		for i := 0; i < r.Len(); i++ {
			_, _ = r.At(i)
		}
		p := NewReplay(r)
		p.Step(1)
		p.Jump(-time.Minute)
		_ = p.Status()
	})
}
