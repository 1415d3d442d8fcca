package orchestrator

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// queueFixtures are Marathon's documented /v2/queue examples over its
// history (testdata/README.md): 1.3.0 without a summary, the first
// summary of commit f968945 (1.4.0 snapshots), 1.4.0's and HEAD's.
var queueFixtures = []string{
	"marathon/marathon-docs-1.3.0_v2_queue.json",
	"marathon/marathon-docs-f968945_v2_queue_unusedOfferSummary.json",
	"marathon/marathon-docs-1.4.0_v2_queue.json",
	"marathon/marathon-docs_v2_queue.json",
}

func num(v any) int { f, _ := v.(float64); return int(f) }

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// TestQueueOfferSummaries reads each example as the poller does and
// compares it with what encoding/json makes of the same bytes: the
// counts, the funnel's steps in Marathon's order, the times, and what
// the app's definition asks of an offer.
func TestQueueOfferSummaries(t *testing.T) {
	for _, name := range queueFixtures {
		t.Run(name, func(t *testing.T) {
			q, err := decodeQueue(bytes.NewReader(fixture(t, name)))
			if err != nil {
				t.Fatal(err)
			}
			entries := list(generic(t, name)["queue"])
			if len(q.Queue) != len(entries) || len(entries) == 0 {
				t.Fatalf("%d entries, want %d", len(q.Queue), len(entries))
			}
			for i, ev := range entries {
				e, got := obj(ev), q.Queue[i]
				if got.AppID != str(obj(e["app"])["id"]) || got.Count != num(e["count"]) {
					t.Errorf("entry %d: %s count %d, want %v", i, got.AppID, got.Count, e)
				}
				if s := str(e["since"]); (s == "") != got.Since.IsZero() || s != "" && !got.Since.Equal(mustTime(t, s)) {
					t.Errorf("%s: since %v, want %q", got.AppID, got.Since, s)
				}
				sum := obj(e["processedOffersSummary"])
				if sum == nil {
					sum = obj(e["unusedOfferSummary"])
				}
				if sum == nil {
					if got.Offers != nil {
						t.Errorf("%s: a summary %+v where the answer has none", got.AppID, got.Offers)
					}
					continue
				}
				o := got.Offers
				if o == nil {
					t.Fatalf("%s: no summary", got.AppID)
				}
				if o.Processed != num(sum["processedOffersCount"])+num(sum["processedOfferCount"]) ||
					o.Unused != num(sum["unusedOffersCount"])+num(sum["unusedOfferCount"]) {
					t.Errorf("%s: processed %d unused %d, want %v", got.AppID, o.Processed, o.Unused, sum)
				}
				if s := str(sum["lastUnusedOfferAt"]); s != "" && !o.LastUnusedAt.Equal(mustTime(t, s)) {
					t.Errorf("%s: last unused %v, want %s", got.AppID, o.LastUnusedAt, s)
				}
				var want []model.OfferStep
				for _, sv := range list(sum["rejectSummaryLastOffers"]) {
					st := obj(sv)
					want = append(want, model.OfferStep{Reason: str(st["reason"]), Declined: num(st["declined"]), Processed: num(st["processed"])})
				}
				if !reflect.DeepEqual(o.LastOffers, want) && (len(want) > 0 || len(o.LastOffers) > 0) {
					t.Errorf("%s: last offers %+v, want %+v", got.AppID, o.LastOffers, want)
				}
				if rr := obj(sum["rejectReason"]); rr != nil {
					// The first shape: a count per reason, in the
					// funnel's order once read.
					var reasons []string
					for _, st := range o.Attempt {
						reasons = append(reasons, st.Reason)
						if st.Declined != num(rr[st.Reason]) || st.Processed != o.Processed {
							t.Errorf("%s: step %+v, want %v of %d", got.AppID, st, rr[st.Reason], o.Processed)
						}
					}
					if !slices.Equal(reasons, []string{"UnmatchedConstraint", "InsufficientCpus", "InsufficientMemory", "InsufficientDisk"}) {
						t.Errorf("%s: reasons %v", got.AppID, reasons)
					}
				}
			}
		})
	}
}

// TestQueueAppNeeds: the example's /foo asks 0.5 CPUs, 128 MB and one
// port, any free one (requirePorts false), on a host of its own
// (hostname UNIQUE). The same definition requiring its port needs port
// 10010 free, and none besides.
func TestQueueAppNeeds(t *testing.T) {
	body := string(fixture(t, "marathon/marathon-docs_v2_queue.json"))
	q, err := decodeQueue(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	apps := []model.App{{ID: "/foo"}, {ID: "/tools/datadog-agent"}, {ID: "/not/queued"}}
	applyQueue(apps, q)
	foo := apps[0]
	if foo.Queue == nil || foo.Queue.Count != 2 || !foo.Queue.Overdue || foo.DelayS != nil {
		t.Fatalf("/foo %+v", foo.Queue)
	}
	n := foo.Queue.Needs
	if n.CPUs != 0.5 || n.MemMB != 128 || n.AnyPorts != 1 || !slices.Equal(foo.Constraints, []string{"hostname:UNIQUE"}) || foo.Ports != nil {
		t.Errorf("/foo needs %+v, constraints %v, ports %v", n, foo.Constraints, foo.Ports)
	}
	if apps[2].Queue != nil || apps[2].Delayed == nil || *apps[2].Delayed {
		t.Errorf("an app the queue does not hold: %+v", apps[2])
	}

	// Only the value changes: /foo's requirePorts (its second in the text).
	i := strings.Index(body, `"id": "/foo"`)
	j := strings.Index(body[i:], `"requirePorts": false`)
	if i < 0 || j < 0 {
		t.Fatal("the example's text changed: update the test")
	}
	held := body[:i+j] + `"requirePorts": true` + body[i+j+len(`"requirePorts": false`):]
	if q, err = decodeQueue(strings.NewReader(held)); err != nil {
		t.Fatal(err)
	}
	apps = []model.App{{ID: "/foo"}}
	applyQueue(apps, q)
	if n := apps[0].Queue.Needs; n.AnyPorts != 0 || !slices.Equal(apps[0].Ports, []string{"10010/tcp"}) {
		t.Errorf("requirePorts: needs %+v, ports %v", n, apps[0].Ports)
	}
}

// TestQueueThroughPoller: the poller asks /v2/queue without
// ?embed=lastUnusedOffers (one offer per agent for every waiting app)
// and gives each queued app its entry; the others none.
func TestQueueThroughPoller(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	queue := fixture(t, "marathon/marathon-docs_v2_queue.json")
	groups := fixture(t, "marathon/marathon-docs_v2_groups.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.RequestURI())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v2/groups":
			w.Write(groups)
		case "/v2/queue":
			w.Write(queue)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	p := newTestPoller(t, "", srv.URL)
	p.Refresh(context.Background())
	c := p.Latest()
	if c == nil || c.Stale {
		t.Fatalf("cluster %+v", c)
	}
	dd := appByID(c, "/tools/datadog-agent")
	if dd == nil || dd.Queue == nil || dd.Queue.Offers == nil || dd.Queue.Offers.Processed != 123 || dd.Queue.Offers.Unused != 0 {
		t.Fatalf("/tools/datadog-agent %+v", dd)
	}
	if !slices.Equal(dd.Constraints, []string{"hostname:UNIQUE"}) {
		t.Errorf("constraints %v", dd.Constraints)
	}
	for _, a := range c.Apps {
		if a.ID != dd.ID && a.Queue != nil {
			t.Errorf("%s: queued %+v", a.ID, a.Queue)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(asked, "/v2/queue") {
		t.Errorf("asked %v", asked)
	}
}
