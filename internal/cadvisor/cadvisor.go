// Package cadvisor reads a remote node through cAdvisor's REST API, so that
// ctop-like can show a node it does not run on — a kubelet node or any host
// running cAdvisor — with nothing to install there. It reads the v2.0 API
// (stats with cAdvisor's own two newest samples, specs, storage, ps) and
// falls back to v1.3 on a cAdvisor that has no v2.0.
package cadvisor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/redact"
)

// DefaultTimeout bounds one pass (all its requests) when the caller's
// context has no deadline, so a hanging cAdvisor costs one timeout, not a
// frozen screen.
const DefaultTimeout = 5 * time.Second

// The requests of one pass. Two samples per container: cAdvisor's own two
// newest give the rates, with its timestamps, whatever this tool's interval.
const (
	pathMachine = "/api/v1.3/machine"
	pathStats   = "/api/v2.0/stats/?recursive=true&count=2"
	pathSpec    = "/api/v2.0/spec/?recursive=true"
	pathStorage = "/api/v2.0/storage"
	pathPs      = "/api/v2.0/ps/"
	pathSubs    = "/api/v1.3/subcontainers/"
	bodySubs    = `{"num_stats":2}`
)

// EnvHint is said in a sample's errors when no container of a node carries
// env: Mesos and Marathon place a container by its MESOS_TASK_ID or
// MARATHON_APP_ID, which cAdvisor passes only when told to.
const EnvHint = "no container carries env: run cAdvisor with --env_metadata_whitelist=MARATHON_APP_ID,MESOS_TASK_ID to place containers in Mesos/Marathon"

// Source is a monitor.Source for one remote node's cAdvisor: machine
// facts once, then every container's two newest samples on each Collect.
type Source struct {
	// All also lists cgroups that are not containers (systemd slices,
	// kubelet...) as runtime raw, as -a does for the local node; a parent
	// of listed cgroups (/docker, /mesos) is left out so that nothing
	// counts twice.
	All bool
	// Timeout bounds each pass; DefaultTimeout when zero.
	Timeout time.Duration

	ep  *httpapi.Endpoint // the node's URL; its credentials go only there
	api *httpapi.Client

	mu      sync.Mutex
	machine *machineInfo
	v1      bool                     // the node has no v2.0 API
	specs   map[string]containerSpec // v2.0 specs by cgroup name
	last    *model.Sample            // last good sample, repeated (stale) when a pass fails
	lastAt  time.Time
	procs   []procList // recent process lists, oldest first (see procWindow)
}

// procList is one answer of /api/v2.0/ps/ and when it came.
type procList struct {
	at    time.Time
	procs []model.ProcessSample
}

// procWindow is how far back a process's CPU % reaches: ps gives CPU time
// in whole seconds, so over this window a rate is within 10 % of a core
// rather than 50 % over a 2 s refresh.
const procWindow = 10 * time.Second

// New checks the URL; it does no I/O, so a node that is down at start is
// reported by Collect and retried on the next refresh. api may be nil: a
// client with httpapi's defaults and DefaultTimeout.
func New(baseURL string, api *httpapi.Client) (*Source, error) {
	ep, err := httpapi.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("cadvisor: %w", err)
	}
	if api == nil {
		if api, err = httpapi.New(httpapi.Config{Timeout: DefaultTimeout}); err != nil {
			return nil, fmt.Errorf("cadvisor: %w", err)
		}
	}
	return &Source{ep: ep, api: api}, nil
}

// Host is the remote node's name as the URL gives it.
func (s *Source) Host() string { return s.ep.Hostname() }

// Collect implements monitor.Source. After a first success a failed pass
// repeats the last good counters (which then give no rates) with the error
// and its age, so the screen keeps the node's rows and says why they are old.
func (s *Source) Collect(ctx context.Context) (*model.Sample, error) {
	now := time.Now()
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	smp, err := s.collect(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		msg := s.describe(err)
		if s.last == nil {
			return nil, errors.New(msg)
		}
		stale := *s.last
		stale.Time = now
		stale.Before = nil // the same measurement again: no rates
		stale.Errors = append(append([]string(nil), s.last.Errors...), fmt.Sprintf("%s (stale %d s)", msg, int(now.Sub(s.lastAt).Seconds())))
		return &stale, nil
	}
	smp.Time = now
	s.windowProcesses(smp)
	for i, e := range smp.Errors {
		smp.Errors[i] = s.describe(errors.New(e))
	}
	s.last, s.lastAt = smp, now
	return smp, nil
}

// collect is one pass through v2.0, or v1.3 on a node without v2.0.
func (s *Source) collect(ctx context.Context) (*model.Sample, error) {
	mi, err := s.machineInfo(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	v1 := s.v1
	s.mu.Unlock()
	if !v1 {
		smp, err := s.collectV2(ctx, mi)
		if !missingAPI(err) {
			return smp, err
		}
		s.mu.Lock()
		s.v1 = true
		s.mu.Unlock()
	}
	var conts []containerInfo
	if err := s.fetch(ctx, http.MethodPost, pathSubs, []byte(bodySubs), &conts); err != nil {
		return nil, err
	}
	smp := build(mi, conts, s.Host(), s.All)
	smp.Errors = append(smp.Errors, "no /api/v2.0 (an older cAdvisor): read through /api/v1.3, without mount points and processes")
	return smp, nil
}

// collectV2 reads every container's two newest samples, their specs (again
// only when a new container appears), the node's mounts and processes. The
// mounts and processes are extras, asked at the same time as the stats (ps
// takes seconds on a node with thousands of processes): without them the
// pass still counts.
func (s *Source) collectV2(ctx context.Context, mi *machineInfo) (*model.Sample, error) {
	var (
		wg                sync.WaitGroup
		storage           []storageInfo
		ps                []processInfo
		storageErr, psErr error
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		storageErr = s.fetch(ctx, http.MethodGet, pathStorage, nil, &storage)
	}()
	go func() {
		defer wg.Done()
		psErr = s.fetch(ctx, http.MethodGet, pathPs, nil, &ps)
	}()
	defer wg.Wait()
	s.mu.Lock()
	known := s.specs
	s.mu.Unlock()
	stats, skipped, err := s.readStats(ctx, known)
	if err != nil {
		return nil, err
	}
	specs, err := s.specsFor(ctx, stats)
	if err != nil {
		return nil, err
	}
	conts := make([]containerInfo, 0, len(stats))
	for name, st := range stats {
		sp := specs[name]
		if !s.All && name != "/" && isRaw(name, sp) {
			continue // its spec came with this refresh: no container
		}
		conts = append(conts, containerInfo{Name: name, Aliases: sp.Aliases, Namespace: sp.Namespace, Labels: sp.Labels, Spec: sp, Stats: st, v2: true})
	}
	smp := build(mi, conts, s.Host(), s.All)
	if skipped > 0 {
		smp.Errors = append(smp.Errors, fmt.Sprintf("%s: %d cgroups not listed: over the %d this tool keeps of one answer", pathStats, skipped, maxCgroups))
	}
	wg.Wait()
	if storageErr != nil {
		smp.Errors = append(smp.Errors, storageErr.Error())
	} else {
		smp.Filesystems = filesystems(storage)
	}
	if psErr != nil {
		smp.Errors = append(smp.Errors, psErr.Error())
	} else {
		smp.Processes = processes(ps, smp.Containers)
	}
	return smp, nil
}

// specsFor returns the specs of every container in stats, asking cAdvisor
// again only when one is new: specs change only with the container.
func (s *Source) specsFor(ctx context.Context, stats map[string][]containerStats) (map[string]containerSpec, error) {
	s.mu.Lock()
	specs := s.specs
	s.mu.Unlock()
	for name := range stats {
		if _, ok := specs[name]; !ok {
			specs = nil
			break
		}
	}
	if specs != nil {
		return specs, nil
	}
	specs = map[string]containerSpec{}
	read := func(st *httpapi.Stream) error {
		var buf []byte
		return st.EachMember(func(k []byte) error {
			name, err := httpapi.Unquote(k)
			if err != nil {
				return err
			}
			raw, cut, err := st.Raw(buf[:0], maxCgroupJSON)
			buf = raw
			if err != nil || cut || len(specs) >= maxCgroups {
				return err
			}
			var sp containerSpec
			if json.Unmarshal(raw, &sp) == nil {
				specs[name] = sp
			}
			return nil
		})
	}
	if _, err := s.api.GetStream(ctx, s.ep, pathSpec, read); err != nil {
		return nil, fmt.Errorf("%s: %w", pathSpec, err)
	}
	s.mu.Lock()
	s.specs = specs
	s.mu.Unlock()
	return specs, nil
}

// Bounds of one stats or spec answer: a node of 10,000 cgroups answers
// 100 MB of stats, of which a cgroup's two samples are a few KB.
const (
	maxCgroups    = 50000
	maxCgroupJSON = 1 << 20
)

// readStats reads /api/v2.0/stats as a stream: each cgroup's samples are
// decoded on their own, and those of a cgroup that is no container (a
// systemd service, whose spec said so last time) are skipped unread
// unless All. skipped counts cgroups over maxCgroups or maxCgroupJSON.
func (s *Source) readStats(ctx context.Context, specs map[string]containerSpec) (map[string][]containerStats, int, error) {
	stats := map[string][]containerStats{}
	skipped := 0
	read := func(st *httpapi.Stream) error {
		var buf []byte
		return st.EachMember(func(k []byte) error {
			name, err := httpapi.Unquote(k)
			if err != nil {
				return err
			}
			if sp, ok := specs[name]; ok && !s.All && name != "/" && isRaw(name, sp) {
				return st.Skip()
			}
			if len(stats) >= maxCgroups {
				skipped++
				return st.Skip()
			}
			raw, cut, err := st.Raw(buf[:0], maxCgroupJSON)
			buf = raw
			if err != nil {
				return err
			}
			if cut {
				skipped++
				return nil
			}
			var samples []containerStats
			if err := json.Unmarshal(raw, &samples); err != nil {
				return httpapi.Payloadf("unexpected JSON: the stats of %s: %s", name, err)
			}
			stats[name] = samples
			return nil
		})
	}
	if _, err := s.api.GetStream(ctx, s.ep, pathStats, read); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", pathStats, err)
	}
	return stats, skipped, nil
}

// isRaw says whether a cgroup is no container (build lists it only with
// All).
func isRaw(name string, sp containerSpec) bool {
	rt, _ := kind(&containerInfo{Name: name, Namespace: sp.Namespace, Aliases: sp.Aliases})
	return rt == model.RuntimeRaw
}

// machineInfo fetches /api/v1.3/machine once; a failure is retried on the
// next Collect.
func (s *Source) machineInfo(ctx context.Context) (*machineInfo, error) {
	s.mu.Lock()
	mi := s.machine
	s.mu.Unlock()
	if mi != nil {
		return mi, nil
	}
	var m machineInfo
	if err := s.fetch(ctx, http.MethodGet, pathMachine, nil, &m); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.machine = &m
	s.mu.Unlock()
	return &m, nil
}

// describe names the node and hides its credentials.
func (s *Source) describe(err error) string {
	return redact.Secrets("cadvisor "+s.ep.String()+": "+err.Error(), s.ep.Secrets()...)
}

// windowProcesses keeps the process lists of the last procWindow and hands
// the oldest to Rates in smp.Before, so that a process's CPU % spans the
// window. The caller holds s.mu.
func (s *Source) windowProcesses(smp *model.Sample) {
	if smp.Processes == nil {
		return // ps failed this time: the window waits for the next list
	}
	keep := s.procs[:0]
	for i, p := range s.procs {
		// The newest list at least procWindow old, and all after it.
		if i+1 < len(s.procs) && !s.procs[i+1].at.After(smp.Time.Add(-procWindow)) {
			continue
		}
		keep = append(keep, p)
	}
	s.procs = keep
	if len(s.procs) > 0 {
		if smp.Before == nil {
			smp.Before = &model.Sample{}
		}
		smp.Before.Time = s.procs[0].at
		smp.Before.Processes = s.procs[0].procs
	}
	s.procs = append(s.procs, procList{at: smp.Time, procs: smp.Processes})
}
