package views

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
)

// funnel makes steps of reason, declined, processed triples.
func funnel(steps ...any) []model.OfferStep {
	var out []model.OfferStep
	for i := 0; i+2 < len(steps); i += 3 {
		out = append(out, model.OfferStep{Reason: steps[i].(string), Declined: steps[i+1].(int), Processed: steps[i+2].(int)})
	}
	return out
}

// TestWaitingNamesWhatDeclines: a redis app that must have host port
// 6379 and a host of its own has waited 5 minutes; of the last offer of
// each of 12 agents, 8 failed its constraint and the other 4 lacked the
// port. The row says so in those words, with the funnel's figures as
// columns, and d shows each step.
func TestWaitingNamesWhatDeclines(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	redis := model.App{ID: "/ops/redis", Group: "/ops", Instances: 3, TasksRunning: 2,
		Constraints: []string{"hostname:UNIQUE"}, Ports: []string{"6379/tcp"},
		Queue: &model.LaunchQueue{Count: 1, Overdue: true, Since: now.Add(-5 * time.Minute),
			Needs: model.AppNeeds{CPUs: 1, MemMB: 2048},
			Offers: &model.OfferSummary{Processed: 96, Unused: 96, LastUnusedAt: now.Add(-3 * time.Second), LastUsedAt: now.Add(-6 * time.Minute),
				LastOffers: funnel("UnfulfilledRole", 0, 12, "UnfulfilledConstraint", 8, 12, "NoCorrespondingReservationFound", 0, 4,
					"AgentMaintenance", 0, 4, "InsufficientCpus", 0, 4, "InsufficientMemory", 0, 4, "InsufficientDisk", 0, 4,
					"InsufficientGpus", 0, 4, "InsufficientPorts", 4, 4, "DeclinedScarceResources", 0, 0)}}}
	s := &model.Snapshot{Time: now, Cluster: &model.Cluster{HasMarathon: true, Apps: []model.App{redis}}}
	v, rows, _ := rowsByKey(t, "marathon-apps", s, nil, false)
	r := rows["/ops/redis"]
	want := "2/3 running, waiting: 8/12 offers UnfulfilledConstraint (hostname UNIQUE), 4/4 InsufficientPorts (6379)"
	if got := val(v, r, "attention"); got != want || !r.Attention {
		t.Errorf("attention %q\nwant      %q", got, want)
	}
	if val(v, r, "offers_processed") != 96.0 || val(v, r, "offers_declined") != 96.0 || val(v, r, "decline_reason") != "UnfulfilledConstraint" {
		t.Errorf("offers %v %v %v", val(v, r, "offers_processed"), val(v, r, "offers_declined"), val(v, r, "decline_reason"))
	}
	_, d := v.Details(s, "/ops/redis", DetailsEnv{})
	for _, w := range []string{"queued:      1 to launch, since 2026-12-07T09:55:00Z (5m ago), waiting for offers",
		"offers:      96 processed, 96 declined, last declined 3s ago, last used 6m ago",
		"UnfulfilledConstraint: 8 of 12 declined: hostname UNIQUE", "InsufficientPorts: 4 of 4 declined: 6379"} {
		if !strings.Contains(d, w) {
			t.Errorf("details lack %q:\n%s", w, d)
		}
	}

	// Just queued, or its last offer used (launching), or held back by
	// its backoff: not waiting.
	for name, change := range map[string]func(q *model.LaunchQueue){
		"queued 30s ago":    func(q *model.LaunchQueue) { q.Since = now.Add(-30 * time.Second) },
		"last offer used":   func(q *model.LaunchQueue) { q.Offers.LastUsedAt = now.Add(-time.Second) },
		"backing off":       func(q *model.LaunchQueue) { q.Overdue, q.DelayS = false, 30 },
		"nothing to launch": func(q *model.LaunchQueue) { q.Count = 0 },
	} {
		a := redis
		q := *redis.Queue
		o := *q.Offers
		q.Offers = &o
		change(&q)
		a.Queue = &q
		if w := waitingWords(&a, now); w != "" {
			t.Errorf("%s: %q", name, w)
		}
	}
	// No offer at all in five minutes.
	a := redis
	q := *redis.Queue
	q.Offers = &model.OfferSummary{}
	a.Queue = &q
	if w := waitingWords(&a, now); w != "waiting: no offer in 5m" {
		t.Errorf("no offer: %q", w)
	}
}

// marathonDocs serves Marathon's documented groups and queue (the
// queue's text given), as the poller reads them, and returns the cluster.
func marathonDocs(t *testing.T, queue string) *model.Cluster {
	t.Helper()
	groups, err := os.ReadFile("../orchestrator/testdata/marathon/marathon-docs_v2_groups.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v2/groups":
			w.Write(groups)
		case "/v2/queue":
			w.Write([]byte(queue))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	p, err := orchestrator.NewPoller(orchestrator.Config{URLs: []string{"", srv.URL}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p.Refresh(context.Background())
	c := p.Latest()
	if c == nil || c.Stale {
		t.Fatalf("cluster %+v", c)
	}
	return c
}

func readQueue(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../orchestrator/testdata/marathon/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestWaitingFromMarathonsExample reads Marathon's own /v2/queue example
// through the poller, its second entry given to an app the documented
// groups hold (the id is the only change): five minutes after it was
// queued its last offers were declined for CPUs, memory and disk, and the
// row names the app's 0.5 CPUs and 128 MB. The first entry processed 123
// offers and declined none: it is only being launched.
func TestWaitingFromMarathonsExample(t *testing.T) {
	body := readQueue(t, "marathon-docs_v2_queue.json")
	moved := strings.Replace(body, `"id": "/foo"`, `"id": "/tools/oauth-server"`, 1)
	if moved == body {
		t.Fatal("the example's text changed: update the test")
	}
	s := &model.Snapshot{Time: time.Date(2016, 2, 28, 16, 46, 41, 0, time.UTC), Cluster: marathonDocs(t, moved)}
	v, rows, _ := rowsByKey(t, "marathon-apps", s, nil, false)
	oa := rows["/tools/oauth-server"]
	want := "0/2 running, waiting: 75/123 offers InsufficientCpus (cpus 0.5), 15/48 InsufficientMemory (mem 128M), 10/33 InsufficientDisk"
	if got := val(v, oa, "attention"); got != want {
		t.Errorf("attention %q\nwant      %q", got, want)
	}
	if val(v, oa, "offers_processed") != 123.0 || val(v, oa, "offers_declined") != 123.0 || val(v, oa, "decline_reason") != "InsufficientCpus" {
		t.Errorf("offers %v", oa.Values)
	}
	dd := rows["/tools/datadog-agent"]
	if a := val(v, dd, "attention").(string); strings.Contains(a, "waiting") ||
		val(v, dd, "offers_processed") != 123.0 || val(v, dd, "offers_declined") != 0.0 || val(v, dd, "decline_reason") != nil {
		t.Errorf("datadog-agent %v", dd.Values)
	}
	reg := rows["/tools/docker/registry"]
	if val(v, reg, "offers_processed") != nil || val(v, reg, "decline_reason") != nil {
		t.Errorf("an app the queue does not hold: %v", reg.Values)
	}
}

// TestWaitingOldMarathon: Marathon 1.3's queue says only how many
// instances wait and their delay. An overdue app below its instances
// waits, and the words say that no more is known; its figures are n/a.
func TestWaitingOldMarathon(t *testing.T) {
	s := &model.Snapshot{Time: time.Now(), Cluster: marathonDocs(t, readQueue(t, "marathon-docs-1.3.0_v2_queue.json"))}
	v, rows, _ := rowsByKey(t, "marathon-apps", s, nil, false)
	dd := rows["/tools/datadog-agent"]
	if got := val(v, dd, "attention"); got != "0/5 running, waiting (no offer summary before Marathon 1.4)" {
		t.Errorf("attention %q", got)
	}
	if val(v, dd, "offers_processed") != nil || val(v, dd, "offers_declined") != nil || val(v, dd, "decline_reason") != nil {
		t.Errorf("figures %v", dd.Values)
	}
	_, d := v.Details(s, "/tools/datadog-agent", DetailsEnv{})
	if !strings.Contains(d, "this Marathon gives no offer summary (before 1.4): only its delay is known") {
		t.Errorf("details:\n%s", d)
	}
}
