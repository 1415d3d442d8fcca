package main

import (
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/dockertest"
)

func rowByID(t *testing.T, r result, col, id string) map[string]any {
	t.Helper()
	for _, row := range r.Rows {
		if row[col] == id {
			return row
		}
	}
	t.Fatalf("no row with %s=%s among %d rows (errors %v)", col, id, len(r.Rows), r.Errors)
	return nil
}

// nearKernel says whether a percentage the tool shows agrees with the one
// the kernel's counters give over the same window: within 10 points, or
// 10 % of the figure, for the few milliseconds between when the tool stamps
// a sample and when it reads the cgroup.
func nearKernel(ours, kernel float64) bool {
	return math.Abs(ours-kernel) <= 10+0.1*math.Abs(kernel)
}

func num(t *testing.T, row map[string]any, col string) float64 {
	t.Helper()
	f, ok := row[col].(float64)
	if !ok {
		t.Fatalf("%s = %v (%T), want a number", col, row[col], row[col])
	}
	return f
}

// dockerStatsMem is the memory `docker stats` shows for a container, in bytes.
func dockerStatsMem(t *testing.T, id string) float64 {
	out := dockertest.Docker(t, "stats", "--no-stream", "--format", "{{.MemUsage}}", id)
	used, _, _ := strings.Cut(out, " / ")
	return parseDockerSize(t, strings.TrimSpace(used))
}

func parseDockerSize(t *testing.T, s string) float64 {
	units := []struct {
		suffix string
		mult   float64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"kB", 1e3}, {"B", 1}}
	for _, u := range units {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("docker size %q: %v", s, err)
			}
			return f * u.mult
		}
	}
	t.Fatalf("docker size %q: unknown unit", s)
	return 0
}

func TestDockerContainersAgainstKernelAndDockerStats(t *testing.T) {
	dockertest.Require(t)
	name := fmt.Sprintf("ctl-busy-%d", rand.Intn(1e6))
	busy := dockertest.Run(t, []string{"--name", name}, dockertest.Busy...)
	half := dockertest.Run(t, []string{"--cpus", "0.5"}, dockertest.Busy...)
	mem := dockertest.Run(t, []string{"--memory", "128m"}, "sh", "-c", "dd if=/dev/zero of=/dev/shm/fill bs=1M count=40 && exec sleep 3600")
	hostnet := dockertest.Run(t, []string{"--network", "host"}, dockertest.Sleep...)
	time.Sleep(time.Second) // let dd finish and the loops spin up
	busyCPU := dockertest.WatchCPU(t, dockertest.PID(t, busy))
	halfCPU := dockertest.WatchCPU(t, dockertest.PID(t, half))

	out := runJSON(t, "-v", "containers", "-d", "2000", "-n", "2")
	if len(out) != 2 {
		t.Fatalf("-n 2 printed %d refreshes", len(out))
	}
	if gap := out[1].Time.Sub(out[0].Time); gap < 1500*time.Millisecond || gap > 3500*time.Millisecond {
		t.Errorf("refreshes %v apart with -d 2000", gap)
	}
	last := out[1]

	b := rowByID(t, last, "id", busy)
	h := rowByID(t, last, "id", half)
	// The rates of the last refresh cover the window between the two
	// refreshes: the kernel's counters over that window are the truth,
	// whatever share of the machine the loops got.
	from, to := out[0].Time, out[1].Time
	kBusy, _ := busyCPU.Pct(from, to)
	kHalf, kHalfThr := halfCPU.Pct(from, to)
	t.Logf("busy loop %.1f%% CPU (kernel %.1f%%); --cpus 0.5: %.1f%% CPU (kernel %.1f%%), throttled %.1f%% of periods (kernel %.1f%%)",
		b["cpu_pct"], kBusy, h["cpu_pct"], kHalf, h["throttled_pct"], kHalfThr)
	if cpu := num(t, b, "cpu_pct"); !nearKernel(cpu, kBusy) {
		t.Errorf("busy loop reads %.1f%% CPU, the kernel's counter %.1f%% over the same window", cpu, kBusy)
	}
	if b["name"] != name || b["image"] != dockertest.Image || b["runtime"] != "docker" || b["state"] != "running" {
		t.Errorf("busy container's metadata: name %v image %v runtime %v state %v", b["name"], b["image"], b["runtime"], b["state"])
	}
	if _, ok := b["net_rx_bps"].(float64); !ok {
		t.Errorf("a bridge-network container has network rates, got %v", b["net_rx_bps"])
	}
	if b["app"] != nil || b["framework"] != nil {
		t.Errorf("a plain container is not placed: app %v framework %v", b["app"], b["framework"])
	}
	if p := num(t, b, "pids"); p < 1 {
		t.Errorf("pids %v", p)
	}

	if cpu := num(t, h, "cpu_pct"); !nearKernel(cpu, kHalf) || cpu > 50+10 {
		t.Errorf("--cpus 0.5 reads %.1f%% CPU, the kernel's counter %.1f%% over the same window (and the quota at most 50%%)", cpu, kHalf)
	}
	if thr := num(t, h, "throttled_pct"); !nearKernel(thr, kHalfThr) {
		t.Errorf("--cpus 0.5 busy loop throttled %.1f%% of periods, the kernel's counters %.1f%%", thr, kHalfThr)
	}

	m := rowByID(t, last, "id", mem)
	if lim := num(t, m, "mem_limit_bytes"); lim != 134217728 {
		t.Errorf("--memory 128m reads limit %v", lim)
	}
	ours := num(t, m, "mem_bytes")
	theirs := dockerStatsMem(t, mem)
	t.Logf("memory: ctop-like %.0f bytes, docker stats %.0f bytes", ours, theirs)
	if math.Abs(ours-theirs) > 0.1*theirs || ours < 40<<20 {
		t.Errorf("memory %.0f, docker stats %.0f: want within 10%% and at least the 40 MB written", ours, theirs)
	}
	if pct := num(t, m, "mem_pct"); math.Abs(pct-ours/134217728*100) > 0.5 {
		t.Errorf("mem_pct %v is not mem/limit", pct)
	}

	hn := rowByID(t, last, "id", hostnet)
	if v, ok := hn["net_rx_bps"]; !ok || v != nil {
		t.Errorf("--network host: net_rx_bps must be null (the host's bytes), got %v", v)
	}
	if v := hn["net_tx_bps"]; v != nil {
		t.Errorf("--network host: net_tx_bps must be null, got %v", v)
	}
}

func TestDockerProcessesCarryTheirContainer(t *testing.T) {
	dockertest.Require(t)
	name := fmt.Sprintf("ctl-proc-%d", rand.Intn(1e6))
	id := dockertest.Run(t, []string{"--name", name}, "sh", "-c", "sleep 3600 & exec sleep 3601")
	time.Sleep(500 * time.Millisecond)
	out := runJSON(t, "-v", "processes", "--scope", "container="+id, "-d", "500", "-n", "1")
	rows := out[0].Rows
	if len(rows) != 2 {
		t.Fatalf("container with two sleeps shows %d processes: %v", len(rows), rows)
	}
	for _, r := range rows {
		if r["container_id"] != id || r["container"] != name {
			t.Errorf("process %v: container_id %v container %v", r["pid"], r["container_id"], r["container"])
		}
		if cmd, _ := r["command"].(string); !strings.HasPrefix(cmd, "sleep 360") {
			t.Errorf("command %q", cmd)
		}
		// The kernel's own file agrees.
		pid := int(r["pid"].(float64))
		cg, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
		if err != nil || !strings.Contains(string(cg), id) {
			t.Errorf("pid %d cgroup file does not name %s: %s %v", pid, id, cg, err)
		}
	}
	// The same through a filter on the full process list.
	all := runJSON(t, "-v", "processes", "-f", "container="+name, "-d", "500", "-n", "1")
	if len(all[0].Rows) != 2 {
		t.Errorf("-f container=%s: %d rows", name, len(all[0].Rows))
	}
}

// diskOf returns the /proc/diskstats name of the whole disk holding path.
func diskOf(t *testing.T, path string) string {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	major, minor := (st.Dev>>8)&0xfff, (st.Dev&0xff)|((st.Dev>>12)&0xfff00)
	link, err := filepath.EvalSymlinks(fmt.Sprintf("/sys/dev/block/%d:%d", major, minor))
	if err != nil {
		t.Skipf("%s is not on a block device (%v)", path, err)
	}
	if _, err := os.Stat(filepath.Join(link, "partition")); err == nil {
		link = filepath.Dir(link)
	}
	return filepath.Base(link)
}

func TestMachineViewShowsDirectWrites(t *testing.T) {
	dir, err := os.MkdirTemp("/var/tmp", "ctop-like-dd")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	disk := diskOf(t, dir)
	dd := exec.Command("dd", "if=/dev/zero", "of="+filepath.Join(dir, "fill"), "bs=1M", "count=100000", "oflag=direct")
	if err := dd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = dd.Process.Kill(); _ = dd.Wait() }()
	// The kernel's own count of bytes written to the disk, read before the
	// tool starts and after it ends: its one-interval window lies inside,
	// so what it reports can be no more than the kernel counted, and dd
	// writing all along means it is more than nothing. No fixed rate: on a
	// loaded machine dd gets what it gets.
	before := diskWrittenBytes(t, disk)
	start := time.Now()
	out := runJSON(t, "-v", "machine", "-d", "1000", "-n", "1")
	window := time.Since(start)
	written := diskWrittenBytes(t, disk) - before
	row := rowByID(t, out[0], "name", disk)
	if row["kind"] != "disk" {
		t.Fatalf("row %v", row)
	}
	w := num(t, row, "write_bps")
	t.Logf("dd oflag=direct to %s: write_bps %.0f; the kernel counted %.0f bytes in the %v around the tool's 1 s", disk, w, written, window.Round(time.Millisecond))
	if written <= 0 {
		t.Fatalf("the kernel counted no write to %s while dd ran", disk)
	}
	if w <= 0 || w*0.9 > written {
		t.Errorf("write_bps %.0f over a ~1 s interval; the kernel counted %.0f bytes over the whole %v", w, written, window)
	}
	if u := num(t, row, "util_pct"); u <= 0 {
		t.Errorf("busy disk util %v", u)
	}
}

// netDevNames are the interfaces /proc/net/dev lists now.
func netDevNames(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile("/proc/net/dev")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, l := range strings.Split(string(data), "\n")[2:] {
		if name, _, ok := strings.Cut(strings.TrimSpace(l), ":"); ok {
			out[name] = true
		}
	}
	return out
}

// diskWrittenBytes is the kernel's count of bytes written to a whole disk
// (/proc/diskstats sectors written × 512, as the kernel counts them).
func diskWrittenBytes(t *testing.T, disk string) float64 {
	t.Helper()
	data, err := os.ReadFile("/proc/diskstats")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) > 9 && f[2] == disk {
			n, err := strconv.ParseFloat(f[9], 64)
			if err != nil {
				t.Fatal(err)
			}
			return n * 512
		}
	}
	t.Fatalf("%s not in /proc/diskstats", disk)
	return 0
}

func TestMachineViewListsEveryDevice(t *testing.T) {
	ifacesBefore := netDevNames(t)
	out := runJSON(t, "-v", "machine", "-d", "500", "-n", "1")
	ifacesAfter := netDevNames(t)
	r := out[0]
	count := map[string]int{}
	names := map[string]bool{}
	for _, row := range r.Rows {
		count[row["kind"].(string)]++
		names[row["kind"].(string)+"/"+row["name"].(string)] = true
	}
	stat, _ := os.ReadFile("/proc/stat")
	cpus := 0
	for _, l := range strings.Split(string(stat), "\n") {
		if strings.HasPrefix(l, "cpu") {
			cpus++ // the total and each CPU
		}
	}
	if count["cpu"] != cpus {
		t.Errorf("%d cpu rows, /proc/stat has %d cpu lines", count["cpu"], cpus)
	}
	// An interface counts only if it was there before and after the run:
	// containers of other tests come and go with their veths meanwhile.
	for name := range ifacesBefore {
		if ifacesAfter[name] && !names["net/"+name] {
			t.Errorf("interface %s missing", name)
		}
	}
	if !names["fs//"] {
		t.Errorf("the root filesystem is missing: %v", names)
	}
	meminfo, _ := os.ReadFile("/proc/meminfo")
	var totalKB float64
	fmt.Sscanf(strings.SplitN(string(meminfo), "\n", 2)[0], "MemTotal: %f kB", &totalKB)
	mem := rowByID(t, r, "name", "memory")
	if num(t, mem, "total_bytes") != totalKB*1024 {
		t.Errorf("memory total %v, /proc/meminfo says %v kB", mem["total_bytes"], totalKB)
	}
	if !names["memory/swap"] {
		t.Error("swap row missing")
	}
}

func TestProcessesTableLooksLikeTop(t *testing.T) {
	stdout, stderr, code := runBinary(t, "-v", "processes", "-o", "table", "-s", "-cpu_pct", "-n", "2", "-d", "500")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	blocks := strings.Split(strings.TrimSpace(stdout), "\n\n")
	if len(blocks) != 2 {
		t.Fatalf("-n 2 printed %d blocks", len(blocks))
	}
	lines := strings.Split(blocks[1], "\n")
	if !strings.Contains(lines[0], "load average:") {
		t.Errorf("summary line %q", lines[0])
	}
	var head string
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "PID") {
			head = l
			break
		}
	}
	if !strings.Contains(head, "CPU%v") || !strings.HasSuffix(head, "COMMAND") {
		t.Errorf("header %q: want the sort mark on CPU%% and COMMAND last", head)
	}
	// Our own pid is listed with our command line.
	if !strings.Contains(blocks[1], "ctop-like -v processes") {
		t.Error("the tool's own process is missing")
	}
}
