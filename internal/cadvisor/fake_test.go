package cadvisor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeCAdvisor answers as the cAdvisor that the fixtures were recorded
// from, with the recorded answers byte for byte, and only the requests it
// has an answer for: a request with other options (another count or
// num_stats) fails the test instead of getting an answer the real server
// would not give. Consecutive recorded answers (t1, t2, t3) are served in
// order; after the last, the last again.
type fakeCAdvisor struct {
	*httptest.Server
	t testing.TB

	mu      sync.Mutex
	noV2    bool   // an older cAdvisor: /api/v2.0 is an unsupported version
	machine []byte // GET /api/v1.3/machine
	stats   [][]byte
	subs    [][]byte // POST /api/v1.3/subcontainers/ {"num_stats":2}
	spec    []byte
	storage []byte
	ps      map[string][]byte // GET /api/v2.0/ps/<name>
	// subsAll is an answer recorded with cAdvisor's default num_stats
	// (60, dd-agent's GET): for num_stats=2 it serves each container's
	// two newest samples, each sample's bytes unchanged, as the real
	// server's RecentStats does.
	subsAll []byte
	broken  []byte // when set, every answer is this body

	nStats, nSubs int
	requests      []string
}

// realNode is the recorded v0.60.5 node (fixtures real-v0.60.5_*).
func realNode(t testing.TB) *fakeCAdvisor {
	f := &fakeCAdvisor{
		machine: fixture(t, "real-v0.60.5_machine.json"),
		spec:    fixture(t, "real-v0.60.5_v2.0_spec_recursive.json"),
		storage: fixture(t, "real-v0.60.5_v2.0_storage.json"),
		ps: map[string][]byte{
			"":                          fixture(t, "real-v0.60.5_v2.0_ps_root.json"),
			"docker/" + idBusy:          fixture(t, "real-v0.60.5_v2.0_ps_docker_busy.json"),
			"mesos/" + mesosContainerID: fixture(t, "real-v0.60.5_v2.0_ps_mesos.json"),
		},
	}
	for i := 1; i <= 3; i++ {
		f.stats = append(f.stats, fixture(t, fmt.Sprintf("real-v0.60.5_v2.0_stats_recursive_count2_t%d.json", i)))
		f.subs = append(f.subs, fixture(t, fmt.Sprintf("real-v0.60.5_v1.3_subcontainers_num_stats2_t%d.json", i)))
	}
	return f.start(t)
}

// olderNode is a cAdvisor without the v2.0 API answering v1.3 only.
func olderNode(t testing.TB, machine string, subs ...string) *fakeCAdvisor {
	f := &fakeCAdvisor{noV2: true, machine: fixture(t, machine)}
	for _, s := range subs {
		f.subs = append(f.subs, fixture(t, s))
	}
	return f.start(t)
}

const (
	idBusy           = "c2a091c4df3bed4240aabfbceeeb0daf2b17ba9ba393bbf6f54b26d1a8d18a96"
	idHalf           = "0279ec9ecf0502d351e1eafae6c189a6ee85f7ffa59e1a223137eb34f7718372"
	idTask           = "1175c2a74bde88afff0d8caa838e66585d53dc6c781d3c913dffea4c1b0763d6"
	mesosContainerID = "28af8892-607d-4980-887b-638b59f58713"
)

func (f *fakeCAdvisor) start(t testing.TB) *fakeCAdvisor {
	f.t = t
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeCAdvisor) set(fn func(f *fakeCAdvisor)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeCAdvisor) asked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

func (f *fakeCAdvisor) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	if f.broken != nil {
		_, _ = w.Write(f.broken)
		return
	}
	q := r.URL.Query()
	p := r.URL.Path
	// The real handler answers errors with http.Error(w, err.Error(), 500).
	fail := func(format string, args ...any) {
		http.Error(w, fmt.Sprintf(format, args...), http.StatusInternalServerError)
	}
	switch {
	case strings.HasPrefix(p, "/api/v2.0/") && f.noV2:
		fail("unsupported API version %q", "v2.0")
		return
	case p == "/api/v1.3/machine" || p == "/api/v1.3/machine/":
		f.write(w, f.machine)
		return
	case p == "/api/v1.3/subcontainers/" || p == "/api/v1.3/subcontainers":
		var req struct {
			NumStats int `json:"num_stats"`
		}
		if len(body) > 0 && json.Unmarshal(body, &req) != nil {
			fail("unable to decode the json value: %s", body)
			return
		}
		switch {
		case req.NumStats == 2 && len(f.subs) > 0:
			f.write(w, f.subs[min(f.nSubs, len(f.subs)-1)])
			f.nSubs++
		case req.NumStats == 2 && f.subsAll != nil:
			f.write(w, newestOf(f.t, f.subsAll, 2))
		default:
			f.t.Errorf("no recorded answer for subcontainers with body %q", body)
			fail("the recording has no answer for %q", body)
		}
		return
	case p == "/api/v2.0/stats/" || p == "/api/v2.0/stats":
		if q.Get("recursive") != "true" || q.Get("count") != "2" || len(f.stats) == 0 {
			f.t.Errorf("no recorded answer for %s", r.URL.RequestURI())
			fail("the recording has no answer for %q", r.URL.RequestURI())
			return
		}
		f.write(w, f.stats[min(f.nStats, len(f.stats)-1)])
		f.nStats++
		return
	case p == "/api/v2.0/spec/" || p == "/api/v2.0/spec":
		if q.Get("recursive") != "true" || f.spec == nil {
			f.t.Errorf("no recorded answer for %s", r.URL.RequestURI())
			fail("the recording has no answer for %q", r.URL.RequestURI())
			return
		}
		f.write(w, f.spec)
		return
	case p == "/api/v2.0/storage" && len(q) == 0 && f.storage != nil:
		f.write(w, f.storage)
		return
	case strings.HasPrefix(p, "/api/v2.0/ps/"):
		if b, ok := f.ps[strings.Trim(strings.TrimPrefix(p, "/api/v2.0/ps/"), "/")]; ok {
			f.write(w, b)
			return
		}
	}
	f.t.Errorf("no recorded answer for %s %s", r.Method, r.URL.RequestURI())
	fail("the recording has no answer for %q", r.URL.RequestURI())
}

func (f *fakeCAdvisor) write(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// newestOf keeps the n newest samples of every container of a v1.3
// subcontainers answer, each sample's bytes as recorded.
func newestOf(t testing.TB, b []byte, n int) []byte {
	var conts []map[string]json.RawMessage
	if err := json.Unmarshal(b, &conts); err != nil {
		t.Fatal(err)
	}
	for _, c := range conts {
		var stats []json.RawMessage
		_ = json.Unmarshal(c["stats"], &stats)
		at := func(m json.RawMessage) time.Time {
			var s struct {
				Timestamp time.Time `json:"timestamp"`
			}
			_ = json.Unmarshal(m, &s)
			return s.Timestamp
		}
		sort.SliceStable(stats, func(i, j int) bool { return at(stats[i]).Before(at(stats[j])) })
		stats = stats[max(0, len(stats)-n):]
		var buf bytes.Buffer
		buf.WriteByte('[')
		for i, s := range stats {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.Write(s)
		}
		buf.WriteByte(']')
		c["stats"] = buf.Bytes()
	}
	out, err := json.Marshal(conts)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
