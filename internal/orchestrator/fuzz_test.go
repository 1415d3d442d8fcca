package orchestrator

// Fuzz targets for the Mesos and Marathon decoders: their answers come
// over the network, from whatever answers on the -m address.
//
// Run one longer with, e.g.:
//
//	go test -run='^$' -fuzz='^FuzzMesosState$' -fuzztime=1m ./orchestrator

import (
	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"

	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode"
	"unicode/utf8"
)

func seedJSON(f *testing.F, pattern string) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds for %s: %v", pattern, err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzMesosState decodes a master or agent state through the skipping
// reader and builds the cluster part from it. Invariant: the skipping
// reader changes nothing the plain decoder would have produced.
func FuzzMesosState(f *testing.F) {
	seedJSON(f, "mesos/*state*.json")
	f.Add([]byte(`{"frameworks":[],"leader":"master@127.0.0.1:5050","pid":"master@127.0.0.2:5050"}`))
	f.Add([]byte(`{"flags":{"a":[1,{"b":"\"}"}]},"frameworks":[{"id":"f","name":"marathon","active":true,"tasks":[{"id":"t","statuses":[{"container_status":{"container_id":{"value":"c","parent":{"value":"p"}}}}]}]}],"slaves":[{"pid":"slave(1)@[::1]:5051"}]}`))
	// Finished tasks, read by the stream filter's own parser.
	f.Add([]byte(`{"frameworks":[{"id":"f","completed_tasks":[{"id":"a\u00e9\"","framework_id":"f","state":"TASK_FAILED","statuses":[{"state":"TASK_FAILED","timestamp":1e400,"message":"m\n","reason":null}]},7,{"id":1},null],"unreachable_tasks":{"x":[]}}]}`))
	f.Add([]byte(`{"frameworks":[{"completed_tasks":[{"statuses":[{"timestamp":-1.5e-3},"s",[1]]}],"unreachable_tasks":null}]}`))
	f.Add([]byte(`{"frameworks":[{"completed_tasks":[{"id":"x","statuses":[{"timestamp":1`))
	base, _ := httpapi.Parse("http://u:p@127.0.0.1:5050/mesos")
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := decodeMesosState(bytes.NewReader(data))
		var plain refState
		plainErr := json.Unmarshal(data, &plain)
		if err != nil {
			if plainErr == nil {
				t.Fatalf("encoding/json reads it, the stream reader says %v", err)
			}
			return
		}
		if !lowerASCIIKeys(data) {
			return
		}
		sameAsReference(t, "input", data, st)
		_ = st.isStandby()
		if e, err := namedLeader(st.Leader, base); err == nil && (e.Credentials() != base.Credentials() || e.Path() != base.Path()) {
			t.Fatalf("the named leader %v lost the credentials or the path", e)
		}
		for _, s := range st.Slaves {
			_, _ = agentEndpoint(s.PID, base)
		}
		_ = agentMaster(st, base)
		mp := buildMesos(st, "node-1", []string{"127.0.0.1"})
		addAgentContainers(mp.Tasks, st)
		_ = agentPart(st)
	})
}

// lowerASCIIKeys says every object key of data is lowercase ASCII, as
// every key Mesos writes is. The reference, encoding/json, matches a key
// to a field without regard to case ("taSks" is tasks, as is "TASKS"),
// where the stream reader matches the names Mesos writes exactly: for
// other keys the two differ by design, not by a fault of the stream
// reader. Data that is not JSON says true: the decoders' errors are
// compared before.
func lowerASCIIKeys(data []byte) bool {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	// For each open object, whether its next token is a key.
	var inObject, wantKey []bool
	for {
		tok, err := d.Token()
		if err != nil {
			return true
		}
		n := len(inObject)
		switch tok {
		case json.Delim('{'), json.Delim('['):
			inObject = append(inObject, tok == json.Delim('{'))
			wantKey = append(wantKey, tok == json.Delim('{'))
			continue
		case json.Delim('}'), json.Delim(']'):
			inObject, wantKey = inObject[:n-1], wantKey[:n-1]
			if n > 1 && inObject[n-2] {
				wantKey[n-2] = true // the object's member value ended
			}
			continue
		}
		if n == 0 || !inObject[n-1] {
			continue
		}
		if wantKey[n-1] {
			key, _ := tok.(string)
			for _, r := range key {
				if r >= utf8.RuneSelf || unicode.IsUpper(r) {
					return false
				}
			}
		}
		wantKey[n-1] = !wantKey[n-1]
	}
}

// FuzzMarathon decodes Marathon's /v2/groups, /v2/apps and /v2/queue
// answers and builds groups and apps; every app's group must be one of
// the groups.
func FuzzMarathon(f *testing.F) {
	seedJSON(f, "marathon/*groups*.json")
	seedJSON(f, "marathon/*apps*.json")
	seedJSON(f, "marathon/*queue*.json")
	f.Add([]byte(`{"id":"/","apps":[{"id":"a/../b//c/"}],"groups":[{"id":"/x","groups":[{"id":""}]}]}`))
	f.Add([]byte(`{"id":"/","apps":[{"id":"/"},{"id":""},{"id":"///"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if g, err := decodeMarathonGroups(bytes.NewReader(data)); err == nil {
			p := buildMarathon(g)
			groups := map[string]bool{}
			for _, gr := range p.Groups {
				groups[gr.ID] = true
			}
			for _, a := range p.Apps {
				if a.Group != "" && !groups[a.Group] {
					t.Fatalf("app %q in group %q, which is not listed (%v)", a.ID, a.Group, groups)
				}
			}
		}
		if a, err := decodeMarathonApps(bytes.NewReader(data)); err == nil {
			_ = buildMarathon(&marathonGroup{ID: "/", Apps: a.Apps})
		}
		if q, err := decodeQueue(bytes.NewReader(data)); err == nil {
			apps := []model.App{{ID: "/"}}
			for _, e := range q.Queue {
				apps = append(apps, model.App{ID: normPath(e.AppID)})
			}
			applyQueue(apps, q)
			for _, a := range apps[1:] {
				if a.Queue == nil || a.Delayed == nil || a.Queue.DelayS < 0 {
					t.Fatalf("queued app %q: %+v", a.ID, a.Queue)
				}
			}
		}
		_, _ = ParseCluster(nil, bytes.NewReader(data), "node-1", nil)
	})
}

// FuzzParseCluster joins a fuzzed Mesos state and Marathon answer, as a
// replay or the poller would.
func FuzzParseCluster(f *testing.F) {
	m, _ := os.ReadFile("testdata/mesos/pairA_master_state_mesos-1.2.0.json")
	g, _ := os.ReadFile("testdata/marathon/pairA_v2_groups_embed-tasks.json")
	f.Add(m, g)
	f.Add([]byte(`{}`), []byte(`{"apps":[]}`))
	f.Fuzz(func(t *testing.T, mesos, marathon []byte) {
		c, err := ParseCluster(bytes.NewReader(mesos), bytes.NewReader(marathon), "node-1", []string{"127.0.0.1"})
		if err != nil {
			return
		}
		for _, a := range c.Apps {
			if a.TasksRunning < 0 || a.Instances < 0 {
				t.Fatalf("app %q: %d running of %d", a.ID, a.TasksRunning, a.Instances)
			}
		}
	})
}

// The fuzz targets compare with encoding/json only where its case-blind
// matching of keys cannot apply: every key lowercase ASCII, values free.
func TestLowerASCIIKeys(t *testing.T) {
	for in, want := range map[string]bool{
		`{"tasks":[{"id":"X","labels":["A",{"k":"V"}]}]}`: true,
		`{"taSks":[]}`:               false,
		`{"a":{"B":1}}`:              false,
		`{"a":[{"b":{"\u0053":1}}]}`: false,
		`{"a":1,"k\u212a":2}`:        false, // the Kelvin sign folds to k
		`[{"a":"B"},"C"]`:            true,
		`{"a":`:                      true, // not JSON: the decoders' errors decide
	} {
		if got := lowerASCIIKeys([]byte(in)); got != want {
			t.Errorf("lowerASCIIKeys(%s) = %v, want %v", in, got, want)
		}
	}
}
