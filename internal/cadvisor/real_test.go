package cadvisor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/monitor"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
	"github.com/ctop-like/ctop-like/internal/views"
)

// byHand is one recorded v2.0 stats answer read generically, to compute
// the figures a user should see from its counters, independently of the
// typed decoding under test.
type byHand map[string][]map[string]any

func readByHand(t testing.TB, name string) byHand {
	t.Helper()
	var h byHand
	if err := json.Unmarshal(fixture(t, name), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func stamp(s map[string]any) time.Time {
	ts, _ := time.Parse(time.RFC3339Nano, s["timestamp"].(string))
	return ts
}

// pair is a container's two samples, older first.
func (h byHand) pair(t testing.TB, name string) (older, newer map[string]any, dt float64) {
	t.Helper()
	s := h[name]
	if len(s) != 2 {
		t.Fatalf("%s: %d samples in the fixture", name, len(s))
	}
	older, newer = s[0], s[1]
	if stamp(older).After(stamp(newer)) {
		older, newer = newer, older
	}
	return older, newer, stamp(newer).Sub(stamp(older)).Seconds()
}

// at follows keys through nested objects and arrays ("interfaces.2").
func at(v any, keys ...string) float64 {
	for _, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			var i int
			fmt.Sscan(k, &i)
			v = x[i]
		}
	}
	return num(v)
}

// cpuPct is a container's CPU % from its two samples (100 = one core).
func (h byHand) cpuPct(t testing.TB, name string) float64 {
	a, b, dt := h.pair(t, name)
	return (at(b, "cpu", "usage", "total") - at(a, "cpu", "usage", "total")) / dt / 1e7
}

func close(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

type table struct {
	*views.Table
	v *views.View
}

func rows(t testing.TB, s *model.Snapshot, q views.Query) table {
	t.Helper()
	tab, err := views.Rows(s, q)
	if err != nil {
		t.Fatal(err)
	}
	return table{tab, views.Get(q.View)}
}

func (tb table) cell(key, col string) any {
	for _, r := range tb.Rows {
		if r.Key == key {
			return r.Values[tb.v.Col(col)]
		}
	}
	return "no row " + key
}

func (tb table) row(kind, name string) views.Row {
	for _, r := range tb.Rows {
		if r.Values[0] == kind && r.Values[1] == name {
			return r
		}
	}
	return views.Row{}
}

// TestRealNodeFirstRefresh reads the recorded node through the monitor and
// the views as the tool does: already the first refresh has every rate,
// each equal to what cAdvisor's own two samples give by hand.
func TestRealNodeFirstRefresh(t *testing.T) {
	srv := realNode(t)
	mon := monitor.New(newSource(t, srv.URL), time.Second, nil, orchestrator.Match)
	snap, err := mon.Step(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Errors) != 0 {
		t.Errorf("errors: %v", snap.Errors)
	}
	h := readByHand(t, "real-v0.60.5_v2.0_stats_recursive_count2_t1.json")

	cont := rows(t, snap, views.Query{View: "containers"})
	if len(cont.Rows) != 7 { // 6 Docker containers and the Mesos one
		t.Fatalf("%d containers, want 7", len(cont.Rows))
	}
	for _, c := range snap.Containers {
		want := h.cpuPct(t, c.Cgroup)
		if got, _ := cont.cell(c.ID, "cpu_pct").(float64); !close(got, want) {
			t.Errorf("%s: CPU %v, want %.3f from cAdvisor's two samples", c.Name, cont.cell(c.ID, "cpu_pct"), want)
		}
		for _, col := range []string{"pids", "oom_kills", "restarts"} {
			if v := cont.cell(c.ID, col); v != nil {
				t.Errorf("%s: %s = %v; cAdvisor does not say it: want n/a (null)", c.Name, col, v)
			}
		}
	}
	half := snap.ContainerByID(idHalf)
	if half == nil || half.Name != "cap-half" || half.CPUPct < 40 || half.CPUPct > 55 || half.ThrottledPct < 50 {
		t.Errorf("cap-half (--cpus 0.5): %+v", half)
	}
	task := snap.ContainerByID(idTask)
	if task == nil || task.Env.Value("MESOS_TASK_ID") == "" || task.Env.Value("MARATHON_APP_ID") != "/shop/api" || task.Env.Value("SECRET_TOKEN") != "" {
		t.Errorf("cap-task env %v: want the whitelisted task and app only", task.Env.Map())
	}

	// The machine: CPU, eth0 and vda from the root's two samples.
	mach := rows(t, snap, views.Query{View: "machine"})
	a, b, dt := h.pair(t, "/")
	cores := at(fixtureJSON(t, "real-v0.60.5_machine.json"), "num_cores")
	wantCPU := (at(b, "cpu", "usage", "total") - at(a, "cpu", "usage", "total")) / 1e9 / (cores * dt) * 100
	// (idle is derived from the stats clock in float seconds: 1e-3 %)
	if got, _ := mach.row("cpu", "cpu").Values[2].(float64); math.Abs(got-wantCPU) > 1e-3 {
		t.Errorf("machine CPU %v, want %.4f", got, wantCPU)
	}
	eth := func(s map[string]any) map[string]any {
		for _, i := range obj(s["network"])["interfaces"].([]any) {
			if obj(i)["name"] == "eth0" {
				return obj(i)
			}
		}
		t.Fatal("no eth0")
		return nil
	}
	wantRx := (num(eth(b)["rx_bytes"]) - num(eth(a)["rx_bytes"])) / dt
	if got, _ := mach.row("net", "eth0").Values[mach.v.Col("rx_bps")].(float64); !close(got, wantRx) {
		t.Errorf("eth0 rx %v B/s, want %.1f", got, wantRx)
	}
	vda := func(s map[string]any) map[string]any {
		for _, f := range s["filesystem"].([]any) {
			if obj(f)["device"] == "/dev/vda" {
				return obj(f)
			}
		}
		t.Fatal("no /dev/vda")
		return nil
	}
	wantRead := (num(vda(b)["sectors_read"]) - num(vda(a)["sectors_read"])) * 512 / dt
	wantUtil := (num(vda(b)["io_time"]) - num(vda(a)["io_time"])) / 10 / dt
	disk := mach.row("disk", "vda")
	if got, _ := disk.Values[mach.v.Col("read_bps")].(float64); !close(got, wantRead) {
		t.Errorf("vda read %v B/s, want %.1f (diskstats sectors × 512)", got, wantRead)
	}
	if got, _ := disk.Values[mach.v.Col("util_pct")].(float64); !close(got, wantUtil) {
		t.Errorf("vda util %v %%, want %.3f", got, wantUtil)
	}
	// What cAdvisor does not say is n/a, never 0.
	cpu0 := mach.row("cpu", "cpu0")
	for _, col := range []string{"user_pct", "system_pct", "iowait_pct", "steal_pct"} {
		if v := cpu0.Values[mach.v.Col(col)]; v != nil {
			t.Errorf("cpu0 %s = %v, want n/a", col, v)
		}
	}
	if v := cpu0.Values[mach.v.Col("util_pct")]; v == nil {
		t.Error("cpu0 has no utilisation")
	}
	if v := mach.row("cpu", "cpu").Values[mach.v.Col("user_pct")]; v == nil {
		t.Error("the total's user % is known (usage.user) but shows n/a")
	}
	if u := snap.Machine.Unknown; !u.Uptime || !u.Load {
		t.Errorf("uptime and load are unknown remotely: %+v", u)
	}
	// Memory in use as locally: usage minus the reclaimable file pages,
	// plus the kernel's memory, which cgroup v1's root usage (= rss +
	// cache) leaves out.
	m := obj(b["memory"])
	if num(m["usage"]) > num(m["rss"])+num(m["cache"]) {
		t.Fatal("the fixture's root usage holds more than rss + cache")
	}
	wantUsed := num(m["usage"]) - num(m["total_active_file"]) - num(m["total_inactive_file"]) + num(m["kernel"])
	if got := float64(snap.Memory.Used); got != wantUsed {
		t.Errorf("memory used %v, want %v", got, wantUsed)
	}

	// Filesystems: mount points, no overlay roots.
	var mounts []string
	for _, f := range snap.Filesystems {
		mounts = append(mounts, f.Mountpoint)
		if strings.HasPrefix(f.Device, "overlay") || f.Type == "vfs" {
			t.Errorf("filesystem %+v", f)
		}
		if f.Mountpoint == "/" && (f.Device != "/dev/vda" || f.Labels != "docker-images,root") {
			t.Errorf("root filesystem %+v", f)
		}
	}
	if strings.Join(mounts, " ") != "/ /dev/shm /sys/fs/cgroup" {
		t.Errorf("filesystems %v", mounts)
	}
	if r := mach.row("fs", "/"); r.Values == nil || r.Values[mach.v.Col("fs_type")] != nil {
		t.Errorf("fs row for / %v: type must be n/a (cAdvisor says vfs for all)", r.Values)
	}

	// Processes: every one of ps, each in the container cAdvisor's own
	// per-container ps puts it in.
	var root []map[string]any
	_ = json.Unmarshal(fixture(t, "real-v0.60.5_v2.0_ps_root.json"), &root)
	if len(snap.Processes) != len(root) {
		t.Errorf("%d processes, want %d", len(snap.Processes), len(root))
	}
	for file, id := range map[string]string{"real-v0.60.5_v2.0_ps_docker_busy.json": idBusy, "real-v0.60.5_v2.0_ps_mesos.json": mesosContainerID} {
		var ps []map[string]any
		_ = json.Unmarshal(fixture(t, file), &ps)
		for _, p := range ps {
			pid := int(num(p["pid"]))
			tab := rows(t, snap, views.Query{View: "processes", Scope: []views.Scope{{Kind: "container", ID: id}}})
			if tab.cell(fmt.Sprint(pid), "command") != p["cmd"] {
				t.Errorf("pid %d (%s) not in the processes of %s: %v", pid, file, id, tab.Rows)
			}
			if v := tab.cell(fmt.Sprint(pid), "threads"); v != nil {
				t.Errorf("threads %v, want n/a", v)
			}
		}
	}
}

// fixtureJSON reads a fixture as a generic object.
func fixtureJSON(t testing.TB, name string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(fixture(t, name), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRatesFromConsecutiveAnswers: three consecutive answers, 2 s apart;
// at each refresh every container's and the machine's rates are those of
// that answer's two samples, whatever this tool's interval, and agree with
// the counters of consecutive answers within the sampling difference.
func TestRatesFromConsecutiveAnswers(t *testing.T) {
	srv := realNode(t)
	mon := monitor.New(newSource(t, srv.URL), 50*time.Millisecond, nil, orchestrator.Match)
	var prev byHand
	var prevSnap *model.Snapshot
	for i := 1; i <= 3; i++ {
		snap, err := mon.Step(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		h := readByHand(t, fmt.Sprintf("real-v0.60.5_v2.0_stats_recursive_count2_t%d.json", i))
		for _, c := range snap.Containers {
			if want := h.cpuPct(t, c.Cgroup); !c.HasRates || !close(c.CPUPct, want) {
				t.Errorf("t%d %s: CPU %v %.3f, want %.3f", i, c.Name, c.HasRates, c.CPUPct, want)
			}
		}
		_, _, dt := h.pair(t, "/")
		if math.Abs(snap.Interval.Seconds()-dt) > 1e-9 {
			t.Errorf("t%d: interval %v, want cAdvisor's %.3f s", i, snap.Interval, dt)
		}
		if prev != nil {
			// Processes: CPU % over the source's window of ps lists (the
			// recorded ps answer is one: the same CPU time, 0 %).
			for _, p := range snap.Processes {
				if p.PID == 22722 && (!p.HasRates || p.CPUPct != 0 || p.ContainerID != idBusy) {
					t.Errorf("t%d: cap-busy's sh %+v", i, p)
				}
			}
			// Across answers, from the newest counters of each.
			busy := "/docker/" + idBusy
			_, b0, _ := prev.pair(t, busy)
			_, b1, _ := h.pair(t, busy)
			across := (at(b1, "cpu", "usage", "total") - at(b0, "cpu", "usage", "total")) / stamp(b1).Sub(stamp(b0)).Seconds() / 1e7
			if got := snap.ContainerByID(idBusy).CPUPct; math.Abs(got-across) > 15 {
				t.Errorf("t%d cap-busy %.1f %% against %.1f %% across answers", i, got, across)
			}
			if len(prevSnap.Containers) != len(snap.Containers) {
				t.Errorf("t%d: %d containers, before %d", i, len(snap.Containers), len(prevSnap.Containers))
			}
		}
		prev, prevSnap = h, snap
	}
	if n := strings.Count(strings.Join(srv.asked(), "\n"), "/api/v2.0/spec/"); n != 1 {
		t.Errorf("specs asked %d times; they change only with the containers", n)
	}
}

// TestAllLeavesParentsOut: with -a, /docker and /mesos would hold their
// children's CPU a second time; they are left out, so the containers'
// CPU adds up to no more than the machine's.
func TestAllLeavesParentsOut(t *testing.T) {
	srv := realNode(t)
	src := newSource(t, srv.URL)
	src.All = true
	snap, err := monitor.New(src, time.Second, nil, nil).Step(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, c := range snap.Containers {
		if c.Cgroup == "/docker" || c.Cgroup == "/mesos" {
			t.Errorf("parent cgroup %s listed", c.Cgroup)
		}
		sum += c.CPUPct
	}
	used := snap.CPUTotal.UtilPct / 100 * float64(snap.Machine.Cores) * 100
	if len(snap.Containers) != 7 || sum > used {
		t.Errorf("%d rows, CPU %.1f %% summed against %.1f %% used by the machine", len(snap.Containers), sum, used)
	}
}

// TestOlderCAdvisorFallsBack: a cAdvisor without v2.0 is read through
// v1.3 with the same two-sample rates, and the errors say what is missing;
// v2.0 is not asked again.
func TestOlderCAdvisorFallsBack(t *testing.T) {
	srv := olderNode(t, "real-v0.60.5_machine.json",
		"real-v0.60.5_v1.3_subcontainers_num_stats2_t1.json", "real-v0.60.5_v1.3_subcontainers_num_stats2_t2.json")
	mon := monitor.New(newSource(t, srv.URL), time.Second, nil, nil)
	v2 := func() int { return strings.Count(strings.Join(srv.asked(), "\n"), "/api/v2.0/") }
	var first int
	for i := 1; i <= 2; i++ {
		snap, err := mon.Step(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			first = v2()
		}
		if len(snap.Containers) != 7 || !strings.Contains(strings.Join(snap.Errors, " "), "no /api/v2.0") {
			t.Fatalf("t%d: %d containers, errors %v", i, len(snap.Containers), snap.Errors)
		}
		var subs []map[string]any
		_ = json.Unmarshal(fixture(t, fmt.Sprintf("real-v0.60.5_v1.3_subcontainers_num_stats2_t%d.json", i)), &subs)
		for _, c := range subs {
			name := c["name"].(string)
			got := snap.ContainerByID(name[strings.LastIndexByte(name, '/')+1:])
			if got == nil {
				continue // the parents
			}
			st := c["stats"].([]any)
			a, b := obj(st[0]), obj(st[1])
			want := (at(b, "cpu", "usage", "total") - at(a, "cpu", "usage", "total")) / stamp(b).Sub(stamp(a)).Seconds() / 1e7
			if !got.HasRates || !close(got.CPUPct, want) {
				t.Errorf("t%d %s: CPU %v %.3f, want %.3f", i, got.Name, got.HasRates, got.CPUPct, want)
			}
		}
	}
	if first == 0 || v2() != first {
		t.Errorf("v2.0 asked %d times in the first pass, %d in all: want it in the first only", first, v2())
	}
}

// TestOlderKubeletCAdvisor: dd-agent's capture of a kubelet's cAdvisor
// (2016) through the v1.3 fallback: machine figures from the root
// container, rates from its two newest samples.
func TestOlderKubeletCAdvisor(t *testing.T) {
	srv := olderNode(t, "dd-agent_api_v1.3_machine.json")
	srv.set(func(f *fakeCAdvisor) { f.subsAll = fixture(t, "dd-agent_api_v1.3_subcontainers.json") })
	snap, err := monitor.New(newSource(t, srv.URL), time.Second, nil, nil).Step(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Containers) != 2 || snap.Interval <= 0 || len(snap.CPUs) != 2 || len(snap.Filesystems) == 0 {
		t.Fatalf("%d containers, interval %v, %d CPUs, filesystems %v", len(snap.Containers), snap.Interval, len(snap.CPUs), snap.Filesystems)
	}
	for _, c := range snap.Containers {
		if !c.HasRates || c.Runtime != model.RuntimeDocker {
			t.Errorf("%s: rates %v runtime %s", c.Name, c.HasRates, c.Runtime)
		}
	}
	if !snap.Machine.Unknown.DiskUtil {
		t.Error("disk busy time is unknown from blkio counters")
	}
}

// TestEnvHint: containers that carry no env at all mean cAdvisor runs
// without the whitelist, which Mesos/Marathon placement needs: said once
// per refresh in the errors. With the whitelist, nothing is said.
func TestEnvHint(t *testing.T) {
	for file, want := range map[string]bool{
		"recorded_v0.60_api_v1.3_subcontainers_docker_last2.json":           true,
		"recorded_v0.60_api_v1.3_subcontainers_docker_mesos-env_last2.json": false,
	} {
		srv := olderNode(t, "recorded_v0.60_api_v1.3_machine.json", file)
		smp, err := newSource(t, srv.URL).Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Contains(strings.Join(smp.Errors, " "), "--env_metadata_whitelist=MARATHON_APP_ID,MESOS_TASK_ID")
		if got != want {
			t.Errorf("%s: hint %v, want %v: %v", file, got, want, smp.Errors)
		}
	}
}

// TestUnreachableSaysWhy: the screen's feed publishes why a cAdvisor that
// does not answer has given no sample, instead of waiting silently.
func TestUnreachableSaysWhy(t *testing.T) {
	srv := realNode(t)
	url := srv.URL
	srv.Close()
	src := newSource(t, url)
	src.Timeout = time.Second
	mon := monitor.New(src, 100*time.Millisecond, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go mon.Run(ctx)
	select {
	case s := <-mon.Updates():
		if !monitor.Waiting(s) || len(s.Errors) != 1 || !strings.Contains(s.Errors[0], url) || !strings.Contains(s.Errors[0], "refused") {
			t.Errorf("published %+v, want the refusal naming %s", s, url)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("nothing published for an unreachable cAdvisor")
	}
}

// TestProcessMetricsOnV2PidsNull: with cAdvisor's process metrics on, its
// v2.0 specs say has_processes:true, but the v2.0 stats it serves
// (DeprecatedStatsFromV1, info/v2/conversion.go) never copy the flag or
// the counts: every sample says has_processes:false with a process_count
// of 0. No container's pids is known, so every one is n/a, never 0.
func TestProcessMetricsOnV2PidsNull(t *testing.T) {
	srv := realNode(t)
	srv.set(func(f *fakeCAdvisor) {
		f.spec = bytes.ReplaceAll(f.spec, []byte(`"has_processes": false`), []byte(`"has_processes": true`))
		if !bytes.Contains(f.spec, []byte(`"has_processes": true`)) {
			t.Fatal("the spec fixture has no has_processes to turn on")
		}
	})
	mon := monitor.New(newSource(t, srv.URL), time.Second, nil, orchestrator.Match)
	snap, err := mon.Step(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cont := rows(t, snap, views.Query{View: "containers"})
	if len(cont.Rows) == 0 {
		t.Fatal("no containers")
	}
	for _, c := range snap.Containers {
		if v := cont.cell(c.ID, "pids"); v != nil {
			t.Errorf("%s: pids = %v; the v2.0 sample has no process count: want n/a (null)", c.Name, v)
		}
	}
}
