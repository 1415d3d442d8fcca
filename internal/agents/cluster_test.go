package agents

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/clustergen"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
)

// genCluster serves a generated cluster; modes sets some agents' behaviour.
func genCluster(t testing.TB, agents, tasks int, modes map[int]clustergen.Behaviour) (*clustergen.Cluster, *clustergen.Server) {
	t.Helper()
	if _, err := clustergen.RaiseFileLimit(); err != nil {
		t.Fatal(err)
	}
	c := clustergen.New(clustergen.Spec{Agents: agents, TasksPerAgent: tasks, Seed: 11})
	for i, m := range modes {
		c.Agents[i].Mode = m
	}
	s, err := c.Serve()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return c, s
}

func genSource(t testing.TB, s *clustergen.Server, cfg Config) *Source {
	t.Helper()
	p, err := orchestrator.NewPoller(orchestrator.Config{URLs: []string{s.MasterURL()}, Timeout: time.Minute, OnDemand: true})
	if err != nil {
		t.Fatal(err)
	}
	return New(p, cfg)
}

// newest is the newest SampledAt of each agent's containers.
func newest(smp *model.Sample) map[string]time.Time {
	out := map[string]time.Time{}
	for _, c := range smp.Containers {
		if c.SampledAt.After(out[c.Agent]) {
			out[c.Agent] = c.SampledAt
		}
	}
	return out
}

// TestHangingAgentsHoldNoSlots: 300 agents x 20 executors; a tenth of
// them start hanging (they accept and never answer), two answer HTTP 500
// and one refuses. A hanging agent holds a healthy agent's slot for one
// timeout; then it is asked within its own small budget — never more
// requests left waiting on hanging agents than FailingParallel — so every
// healthy agent is fresh in every refresh, and each failure is named for
// what it is. (On the code before, every refresh asked every hanging
// agent again in the healthy agents' 32 slots: 33 requests waited on
// hanging agents at once, a quarter of the healthy agents were not fresh,
// and every failure was "did not answer in time".)
func TestHangingAgentsHoldNoSlots(t *testing.T) {
	modes := map[int]clustergen.Behaviour{3: clustergen.Fail, 13: clustergen.Fail, 5: clustergen.Refuse}
	c, s := genCluster(t, 300, 20, modes)
	// Timeouts and Wait far above what a refresh needs even under -race
	// on a loaded machine: what is asserted is where requests wait, not
	// how fast they come back.
	a := genSource(t, s, Config{Timeout: 10 * time.Second, FailTimeout: 10 * time.Second, Wait: 10 * time.Second, Interval: 500 * time.Millisecond})
	ctx := context.Background()
	a.Collect(ctx)
	for i := 0; i < 300; i += 10 {
		modes[i] = clustergen.Hang
		s.SetMode(i, clustergen.Hang)
	}
	healthy := len(c.Agents) - len(modes)
	// The newly hanging agents answered last time: they hold a slot of
	// the healthy budget once, for one timeout.
	prev, _ := a.Collect(ctx)
	for s.Hanging() > 0 {
		time.Sleep(10 * time.Millisecond)
	}
	s.ResetMaxHanging()
	for round := 3; round <= 6; round++ {
		cur, _ := a.Collect(ctx)
		before, after := newest(prev), newest(cur)
		fresh := 0
		for i, ag := range c.Agents {
			if _, bad := modes[i]; bad {
				continue
			}
			if after[ag.Hostname].After(before[ag.Hostname]) {
				fresh++
			}
		}
		if fresh != healthy {
			t.Errorf("refresh %d: %d of %d healthy agents fresh", round, fresh, healthy)
		}
		prev = cur
	}
	if m := s.MaxHanging(); m > DefaultFailingParallel {
		t.Errorf("%d requests waited on hanging agents at once after they first failed; their budget is %d", m, DefaultFailingParallel)
	}
	errs := strings.Join(prev.Errors, "\n")
	for _, want := range []string{"timeout", "HTTP 500", "connection refused"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors do not name %q: %s", want, errs)
		}
	}
	if strings.Contains(errs, "did not answer in time") {
		t.Errorf("failures lumped together: %s", errs)
	}
	for _, ag := range a.Agents() {
		if ag.Name == c.Agents[3].Hostname && !strings.Contains(ag.Error, "HTTP 500") {
			t.Errorf("agent answering 500: %+v", ag)
		}
	}
}

// TestRatesFromTwoNewestAnswers: an agent that stops answering keeps the
// rates of its two newest answers, and says stale only after staleAfter
// intervals without an answer (on the code before, its rows said stale at
// the first late answer and had no rates).
func TestRatesFromTwoNewestAnswers(t *testing.T) {
	c, s := genCluster(t, 20, 3, nil)
	a := genSource(t, s, Config{Timeout: time.Second, Wait: time.Second, Interval: time.Minute})
	ctx := context.Background()
	s1, _ := a.Collect(ctx)
	time.Sleep(50 * time.Millisecond) // the fake's counters move with its clock
	s2, _ := a.Collect(ctx)
	if err := s.SetMode(4, clustergen.Hang); err != nil {
		t.Fatal(err)
	}
	s3, _ := a.Collect(ctx)
	s4, _ := a.Collect(ctx)
	host := c.Agents[4].Hostname
	for k, snap := range []*model.Snapshot{model.Rates(s1, s2), model.Rates(s2, s3), model.Rates(s3, s4)} {
		n := 0
		for _, ct := range snap.Containers {
			if ct.Agent != host {
				continue
			}
			n++
			// The fake's executors use Busy cores: 25 % of one.
			if !ct.HasRates || math.Abs(ct.CPUPct-c.Agents[4].Busy*100) > 0.01 || ct.State != "running" {
				t.Errorf("refresh %d: %s: rates %v, CPU %.3f %%, state %s; want %.0f %% from its two newest answers", k+2, ct.Name, ct.HasRates, ct.CPUPct, ct.State, c.Agents[4].Busy*100)
			}
		}
		if n != 3 {
			t.Errorf("refresh %d: %d rows of the agent", k+2, n)
		}
	}
	later := a.sample(time.Now().Add(staleAfter*time.Minute + time.Second))
	for _, ct := range later.Containers {
		if ct.Agent == host && ct.State != "stale" {
			t.Errorf("%d intervals without an answer: state %s", staleAfter, ct.State)
		}
	}
}
