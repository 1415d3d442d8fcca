package recording

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// tinyRecording is a whole recording of 3 records (a keyframe, a delta, a
// keyframe) of one container, one process and a cluster, with no machine
// details: about 1 KB that decodes in microseconds, so that the fuzzer
// mutates and minimizes quickly.
func tinyRecording(t testing.TB) []byte {
	t0 := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	var snaps []*model.Snapshot
	for i := range 3 {
		s := &model.Snapshot{Time: t0.Add(time.Duration(i) * 2 * time.Second), Host: "n", Interval: 2 * time.Second,
			CPUs: []model.CPU{{Name: "cpu0", UtilPct: float64(i)}}}
		c := model.Container{ContainerSample: &model.ContainerSample{RuntimeFields: &model.RuntimeFields{}}, CPUPct: float64(i), HasRates: true}
		c.ID, c.Name, c.Runtime, c.Env = "c1", "web", model.RuntimeDocker, model.EnvOf(map[string]string{"MESOS_TASK_ID": "t1"})
		p := model.Process{CPUPct: 1}
		p.PID, p.Name, p.Command, p.ContainerID = 7, "sh", "sh -c x", "c1"
		s.Containers, s.Processes = []model.Container{c}, []model.Process{p}
		s.Cluster = &model.Cluster{Time: t0, Apps: []model.App{{ID: "/a/b", Group: "/a"}}, Groups: []model.Group{{ID: "/"}, {ID: "/a", Parent: "/"}}}
		snaps = append(snaps, s)
	}
	path := writeRecording(t, Header{Host: "n", Interval: 2 * time.Second, KeyframeEvery: 2}, snaps)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// payloads returns the inflated payload of every frame of a recording.
func payloads(t testing.TB, b []byte) (recs [][]byte, kinds []byte) {
	r, err := newReader(bytes.NewReader(b), int64(len(b)), "seed.rec")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.recs {
		p, err := r.payload(f)
		if err != nil {
			t.Fatal(err)
		}
		recs, kinds = append(recs, p), append(kinds, f.kind)
	}
	return recs, kinds
}

// FuzzRecordPayload fuzzes the record decoder behind the frame checksums,
// which FuzzOpen's mutations almost never get past: a keyframe's JSON,
// then a delta's applied to it.
//
//	go test -run='^$' -fuzz='^FuzzRecordPayload$' -fuzztime=1m ./recording
func FuzzRecordPayload(f *testing.F) {
	whole, _ := smallRecording(f)
	recs, kinds := payloads(f, whole)
	for i := 1; i < len(recs); i++ {
		if kinds[i-1] == kindKey {
			f.Add(recs[i-1], recs[i])
		}
	}
	f.Add([]byte(`{"top":{"time":"x"},"containers":[{}],"processes":[1]}`), []byte(`{"base":1,"containers":[{"$same":[0,5]},{"$base":-1},{"$base":0,"$del":["id"]}]}`))
	f.Fuzz(func(t *testing.T, key, delta []byte) {
		var kr record
		if json.Unmarshal(key, &kr) != nil {
			return
		}
		k, err := decodeKey(1, &kr)
		if err != nil {
			return
		}
		if s, err := k.snapshot(); err == nil && (len(s.Containers) != len(kr.Containers) || len(s.Processes) != len(kr.Processes)) {
			t.Fatalf("keyframe of %d containers gave %d", len(kr.Containers), len(s.Containers))
		}
		var dr record
		if json.Unmarshal(delta, &dr) != nil {
			return
		}
		n, err := k.apply(2, &dr, true)
		if err != nil {
			return
		}
		_, _ = n.snapshot()
		// A second delta against the result, as a run of deltas does.
		if n2, err := n.apply(3, &dr, true); err == nil {
			_, _ = n2.snapshot()
		}
	})
}
