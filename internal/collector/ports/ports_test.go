package ports

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/benchload"
	"github.com/ctop-like/ctop-like/internal/collector/machine"
	"github.com/ctop-like/ctop-like/internal/collector/proc"
	"github.com/ctop-like/ctop-like/internal/model"
)

// ownProcess reads every process of /proc and returns them with the index
// of this test process.
func ownProcess(t testing.TB) ([]model.ProcessSample, int) {
	t.Helper()
	return readOwn(t, newProcs(t))
}

// newProcs is a process reader of this node, with its real boot time.
func newProcs(t testing.TB) *proc.Reader {
	m, err := machine.NewReader("/proc", "/sys")
	if err != nil {
		t.Fatal(err)
	}
	r := proc.NewReader("/proc", 100, m.BootTime())
	t.Cleanup(r.Close)
	return r
}

func readOwn(t testing.TB, r *proc.Reader) ([]model.ProcessSample, int) {
	t.Helper()
	procs, _ := r.Read()
	for i := range procs {
		if procs[i].PID == os.Getpid() {
			return procs, i
		}
	}
	t.Fatal("this process is not in /proc")
	return nil, 0
}

func portOf(a net.Addr) string {
	_, p, _ := net.SplitHostPort(a.String())
	return p
}

// TestPortsOfThisProcess: the kernel's tables, read for real, give this
// process's TCP listeners (v4 and v6) and bound UDP socket, and neither a
// connected UDP socket nor a TCP client connection.
func TestPortsOfThisProcess(t *testing.T) {
	tcp, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	want := []string{portOf(tcp.Addr()) + "/tcp"}
	if tcp6, err := net.Listen("tcp6", "[::1]:0"); err == nil { // IPv6 may be off
		defer tcp6.Close()
		want = append(want, portOf(tcp6.Addr())+"/tcp")
	}
	udp, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	want = append(want, portOf(udp.LocalAddr())+"/udp")
	client, err := net.Dial("tcp4", tcp.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	connected, err := net.Dial("udp4", udp.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer connected.Close()
	sortPorts(want)

	procs, i := ownProcess(t)
	NewReader("/proc").Fill(nil, procs)
	if got := procs[i].Listen; !slices.Equal(got, want) {
		t.Errorf("listen %v, want %v", got, want)
	}
}

// TestPortsNewListener: a listener opened by a process walked before (with
// nothing then) is found at the next refresh, and one it closes is gone.
func TestPortsNewListener(t *testing.T) {
	r := NewReader("/proc")
	clock := time.Now()
	r.now = func() time.Time { clock = clock.Add(rescanGap); return clock }
	procs, i := ownProcess(t)
	r.Fill(nil, procs)
	before := procs[i].Listen
	if before == nil {
		t.Fatal("own process: n/a")
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := portOf(l.Addr()) + "/tcp"
	procs, i = ownProcess(t)
	r.Fill(nil, procs)
	if !slices.Contains(procs[i].Listen, port) {
		t.Errorf("new listener %s not found: %v", port, procs[i].Listen)
	}
	l.Close()
	procs, i = ownProcess(t)
	r.Fill(nil, procs)
	if slices.Contains(procs[i].Listen, port) {
		t.Errorf("closed listener %s still listed: %v", port, procs[i].Listen)
	}
}

// TestPortsContainerUnion: a container lists what its processes listen on.
func TestPortsContainerUnion(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	procs, i := ownProcess(t)
	procs[i].ContainerID = "c1"
	conts := []model.ContainerSample{{ID: "c1", RuntimeFields: &model.RuntimeFields{}}, {ID: "c2-no-processes", RuntimeFields: &model.RuntimeFields{}}}
	NewReader("/proc").Fill(conts, procs)
	if !slices.Contains(conts[0].Listen, portOf(l.Addr())+"/tcp") {
		t.Errorf("container listen %v", conts[0].Listen)
	}
	if conts[1].Listen != nil {
		t.Errorf("a container with no process read: %v, want nil (n/a)", conts[1].Listen)
	}
}

// TestPortsUnreadable: a process that is gone, or whose descriptors or
// tables cannot be read, is n/a; nothing fails.
func TestPortsUnreadable(t *testing.T) {
	root := t.TempDir()
	// pid 100: a namespace link and tables, but no fd folder (not ours).
	// pid 200: an fd folder but no tables (a namespace we cannot read).
	// pid 300: nothing at all (exited since the listing).
	for _, d := range []string{"100/ns", "100/net", "200/ns", "200/fd"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink("net:[1]", filepath.Join(root, "100/ns/net"))
	os.Symlink("net:[2]", filepath.Join(root, "200/ns/net"))
	os.WriteFile(filepath.Join(root, "100/net/tcp"), []byte("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"+
		"   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 126133 1 0000000000000000 100 0 0 10 0\n"), 0o644)
	os.Symlink("socket:[77]", filepath.Join(root, "200/fd/3"))
	procs := []model.ProcessSample{{PID: 100, Command: "a"}, {PID: 200, Command: "b"}, {PID: 300, Command: "c"}}
	conts := []model.ContainerSample{{ID: "x", RuntimeFields: &model.RuntimeFields{}}}
	procs[0].ContainerID = "x"
	NewReader(root).Fill(conts, procs)
	for _, p := range procs {
		if p.Listen != nil {
			t.Errorf("pid %d: %v, want n/a", p.PID, p.Listen)
		}
	}
	if conts[0].Listen != nil {
		t.Errorf("container %v, want n/a", conts[0].Listen)
	}
}

// TestParseSockets reads the kernel's table layout: TCP LISTEN and UDP
// unconnected with a port are listeners; the rest is not; a truncated
// line is skipped.
func TestParseSockets(t *testing.T) {
	tcp := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
		"   0: 00000000:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0\n" +
		"   1: 0100007F:18EB 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 1002 1 0000000000000000 20 4 30 10 -1\n" +
		"   2: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 100 0 0 10 0\n" +
		"   3: 0100007F:1F91 00000000:0000 0A 0000\n"
	udp := "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n" +
		"  100: 00000000:1FBD 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2001 2 0000000000000000 0\n" +
		"  101: 0100007F:A1B2 0100007F:0035 01 00000000:00000000 00:00000000 00000000     0        0 2002 2 0000000000000000 0\n"
	out := map[uint64]string{}
	parseSockets([]byte(tcp), "tcp", false, out)
	parseSockets([]byte(udp), "udp", true, out)
	want := map[uint64]string{1001: "6379/tcp", 2001: "8125/udp"}
	if len(out) != len(want) || out[1001] != want[1001] || out[2001] != want[2001] {
		t.Errorf("%v, want %v", out, want)
	}
	l := []string{"8125/udp", "443/tcp", "80/tcp", "53/udp"}
	sortPorts(l)
	if !slices.Equal(l, []string{"80/tcp", "443/tcp", "53/udp", "8125/udp"}) {
		t.Errorf("sorted %v", l)
	}
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPorts measures the ports reader over every process of this node
// plus CTOP_BENCH_PROCS sleepers (3,000 for the figure), warm (the
// steady state: every process walked before) and cold (a new reader: every
// process walked, as in the first refresh).
func BenchmarkPorts(b *testing.B) {
	benchload.Sleepers(b, benchload.Procs(b))
	procs, _ := ownProcess(b)
	b.Logf("%d processes", len(procs))
	b.Run("warm", func(b *testing.B) {
		r := NewReader("/proc")
		r.Fill(nil, procs)
		first := r.walks
		defer benchload.ReportCPU(b)()
		for b.Loop() {
			r.Fill(nil, procs)
		}
		b.ReportMetric(float64(r.walks-first)/float64(b.N), "walks/op")
	})
	// A refresh every 200 ms for 20 s with this node's processes as they
	// come and go: what walking again on unaccounted listeners costs.
	b.Run("live", func(b *testing.B) {
		r := NewReader("/proc")
		pr := newProcs(b)
		procs, _ := readOwn(b, pr)
		r.Fill(nil, procs)
		first := r.walks
		var cpu time.Duration
		n := 0
		for start := time.Now(); time.Since(start) < 20*time.Second; n++ {
			procs, _ := readOwn(b, pr)
			c0 := cpuNow()
			r.Fill(nil, procs)
			cpu += cpuNow() - c0
			time.Sleep(200 * time.Millisecond)
		}
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "cpu-ms/refresh")
		b.ReportMetric(float64(r.walks-first)/float64(n), "walks/refresh")
	})
	b.Run("cold", func(b *testing.B) {
		defer benchload.ReportCPU(b)()
		for b.Loop() {
			r := NewReader("/proc")
			r.Fill(nil, procs)
			r.Close()
		}
	})
}

// TestPortsKeepOwnNamespace: reading the sockets of a process in another
// network namespace (here `unshare -n sleep`, as a container's) leaves
// this process's namespace as /proc shows it: the thread that enters the
// other namespace is never the main thread, whose namespace /proc/<pid>/ns
// reports for the whole process (it did, on the first read, before).
func TestPortsKeepOwnNamespace(t *testing.T) {
	requireTool(t, "unshare", "-n", "true")
	cmd := exec.Command("unshare", "-n", "sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	before, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	other := before
	for deadline := time.Now().Add(5 * time.Second); other == before && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		other, _ = os.Readlink(fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid))
	}
	if other == before || other == "" {
		t.Fatalf("unshare -n gave no other namespace (%q)", other)
	}
	for i := range 200 {
		if fd := diagSocket("/proc", cmd.Process.Pid, false); fd >= 0 {
			syscall.Close(fd)
		}
		if now, _ := os.Readlink("/proc/self/ns/net"); now != before {
			t.Fatalf("after %d reads this process is in %s, was in %s", i+1, now, before)
		}
	}
}

// TestPortsSelfNotWalked: the program's own process (which listens on
// nothing and keeps thousands of descriptors open) is not walked; it
// listens on nothing, not n/a.
func TestPortsSelfNotWalked(t *testing.T) {
	procs, i := ownProcess(t)
	own := procs[i : i+1]
	r := NewReader("/proc")
	r.Self = os.Getpid()
	r.Fill(nil, own)
	if got := own[0].Listen; got == nil || len(got) != 0 {
		t.Errorf("own process: %v, want an empty list", got)
	}
	if r.walks != 0 {
		t.Errorf("own process walked (%d walks)", r.walks)
	}
}

// TestPortsDumpOnChange: a namespace's tables are read again only when its
// socket counts change (or after portsTTL): a quiet namespace costs no
// dump per refresh, and a listener opened in it is still found at the
// next refresh.
func TestPortsDumpOnChange(t *testing.T) {
	requireTool(t, "unshare", "-n", "true")
	requireTool(t, "busybox", "true")
	// A shell alone in a network namespace that becomes `nc -l` (same
	// pid) when told to.
	cmd := exec.Command("unshare", "-n", "sh", "-c", "read x; exec busybox nc -l -p 7777")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	pid := cmd.Process.Pid
	own, _ := os.Readlink("/proc/self/ns/net")
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if ns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid)); ns != "" && ns != own {
			break
		}
	}
	procs := func() []model.ProcessSample {
		return []model.ProcessSample{{PID: pid, Command: "sh", StartTime: time.Now()}}
	}
	r := NewReader("/proc")
	defer r.Close()
	clock := time.Now()
	r.now = func() time.Time { return clock }
	p := procs()
	r.Fill(nil, p)
	if p[0].Listen == nil || len(p[0].Listen) != 0 || r.dumps != 1 {
		t.Fatalf("first refresh: listen %v, %d dumps", p[0].Listen, r.dumps)
	}
	for range 3 {
		clock = clock.Add(time.Second)
		p = procs()
		r.Fill(nil, p)
	}
	if r.dumps != 1 {
		t.Errorf("a quiet namespace was dumped %d times in 4 refreshes, want once", r.dumps)
	}
	clock = clock.Add(2 * portsTTL)
	r.Fill(nil, procs())
	if r.dumps != 2 {
		t.Errorf("%d dumps after twice portsTTL, want 2", r.dumps)
	}
	// A listener appears: found at the next refresh.
	if _, err := in.Write([]byte("\n")); err != nil {
		t.Fatal(err)
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 10 s", what)
			}
		}
	}
	waitFor("nc listening", func() bool {
		for _, f := range []string{"tcp", "tcp6"} {
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, f))
			for _, line := range strings.Split(string(b), "\n") {
				if fs := strings.Fields(line); len(fs) > 3 && strings.HasSuffix(fs[1], ":1E61") && fs[3] == "0A" {
					return true
				}
			}
		}
		return false
	})
	clock = clock.Add(time.Second)
	p = procs()
	r.Fill(nil, p)
	if !slices.Equal(p[0].Listen, []string{"7777/tcp"}) || r.dumps != 3 {
		t.Errorf("after listen: %v (%d dumps), want [7777/tcp] from a third dump", p[0].Listen, r.dumps)
	}
}

// TestSockCounts reads sockstat and sockstat6 as the kernel writes them.
func TestSockCounts(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "7/net"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "7/net/sockstat"), []byte("sockets: used 180\nTCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1\nUDP: inuse 3 mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n"), 0o644)
	r := NewReader(root)
	n := &portNS{}
	if c, ok := r.sockCounts(n, 7); !ok || c != (sockCounts{5, 3, 0, 0}) {
		t.Errorf("without sockstat6: %v %v", c, ok)
	}
	n.stat[0].Close()
	os.WriteFile(filepath.Join(root, "7/net/sockstat6"), []byte("TCP6: inuse 2\nUDP6: inuse 1\nUDPLITE6: inuse 0\nRAW6: inuse 0\nFRAG6: inuse 0 memory 0\n"), 0o644)
	if c, ok := r.sockCounts(n, 7); !ok || c != (sockCounts{5, 3, 2, 1}) {
		t.Errorf("with sockstat6: %v %v", c, ok)
	}
	n.closeAll()
	if _, ok := r.sockCounts(&portNS{}, 8); ok {
		t.Error("counts of a process that is not there")
	}
}

// requireTool fails (CI=true) or skips the test when a command line the
// test drives is not installed: a skipped integration test in CI proves
// nothing.
func requireTool(t *testing.T, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("%s unavailable (%v: %s): run scripts/test-env", name, err, strings.TrimSpace(string(out)))
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// A namespace's listening sockets are dumped again whenever its socket
// counts change (every refresh on a busy node): a dump of the same
// listeners makes no string per listener. This test failed before: 2.0
// allocations per listener and dump (a "<port>/<proto>" string each, a
// map grown as it filled: 20,540 for the 10,205 listeners of this
// machine then); now 83. The answer is the same.
func TestDumpAgainMakesNoStringPerListener(t *testing.T) {
	for range 200 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
	}
	fd := diagSocket("/proc", os.Getpid(), true)
	if fd < 0 {
		t.Fatal("no sock_diag socket")
	}
	defer syscall.Close(fd)
	names := map[uint32]string{}
	first, buf, ok := diagListen(fd, nil, names, nil)
	if !ok || len(first) < 200 {
		t.Fatalf("first dump: %d listeners, ok %v", len(first), ok)
	}
	var again map[uint64]string
	allocs := testing.AllocsPerRun(5, func() {
		again, buf, ok = diagListen(fd, buf, names, nil)
	})
	if !ok {
		t.Fatal("dump failed")
	}
	// The listeners of this test are in both answers, named alike
	// (others' may come and go between the dumps).
	for ino, name := range first {
		if got, ok := again[ino]; ok && got != name {
			t.Errorf("inode %d: %q, then %q", ino, name, got)
		}
	}
	if per := allocs / float64(len(again)); per > 0.25 {
		t.Errorf("%.0f allocations for a dump of %d listeners (%.2f each), want at most a quarter of one each", allocs, len(again), per)
	}
	t.Logf("%.0f allocations for a dump of %d listeners", allocs, len(again))
}

// TestDumpIntoLastAnswerMakesNoGarbage: a namespace dumped again (every
// refresh where its socket counts moved: on a busy node, every refresh)
// fills its last answer's map again, and makes no garbage in proportion
// to its listeners: a new map per dump was about 40 bytes per listener
// (0.4 MB a refresh at the 10,006 listeners of this machine's host
// namespace one day).
func TestDumpIntoLastAnswerMakesNoGarbage(t *testing.T) {
	for range 500 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
	}
	procs, i := ownProcess(t)
	r := NewReader("/proc")
	defer r.Close()
	r.Fill(nil, procs[i:i+1])
	var n *portNS
	for _, ns := range r.nets {
		n = ns
	}
	if n == nil || !n.ok || len(n.listen) < 500 {
		t.Fatalf("first refresh: no namespace read with this test's 500 listeners")
	}
	want := map[uint64]string{}
	for ino, name := range n.listen {
		want[ino] = name
	}
	before := n.listen
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	const dumps = 10
	for range dumps {
		l, ok := r.listening("", n, os.Getpid())
		if !ok {
			t.Fatal("dump failed")
		}
		n.listen = l
	}
	runtime.ReadMemStats(&ms1)
	if reflect.ValueOf(n.listen).UnsafePointer() != reflect.ValueOf(before).UnsafePointer() {
		t.Errorf("a dump again made a new map")
	}
	// This test's listeners are in the answer, named alike (others'
	// may come and go between the dumps).
	for ino, name := range want {
		if got, ok := n.listen[ino]; ok && got != name {
			t.Errorf("inode %d: %q, then %q", ino, name, got)
		}
	}
	per := float64(ms1.TotalAlloc-ms0.TotalAlloc) / dumps / float64(len(n.listen))
	t.Logf("%.2f bytes a listener a dump, %d listeners", per, len(n.listen))
	if per > 2 {
		t.Errorf("%.1f bytes a listener a dump (%d listeners), want none in proportion to them", per, len(n.listen))
	}
}

// A container whose processes listen on nothing costs its answer no
// allocation: this node's processes, each made a container of its own but
// this test's (which listens), are answered again as a refresh does. This
// test failed on the old code: a set was made for every container read
// (2,976 allocations for 2,938 containers, 2 of them listening, with
// bench/run's 500-container node up; now 12). It starts 40 processes of
// its own: a machine with few (CI's) had too few to tell.
// What each container gets is unchanged: its ports, none ([]), or n/a
// (nil) when no process of it was read.
func TestAnswerAllocatesOnlyForListeners(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// Processes of the test's own, listening on nothing, so that there are
	// enough to tell on any machine (a CI sandbox shows few of the node's).
	for range 40 {
		c := exec.Command("sleep", "300")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	}
	procs, own := ownProcess(t)
	conts := make([]model.ContainerSample, len(procs)+1)
	for i := range conts {
		conts[i].RuntimeFields = &model.RuntimeFields{}
	}
	for i := range procs {
		procs[i].ContainerID = fmt.Sprintf("c%d", i)
		conts[i].ID = procs[i].ContainerID
	}
	conts[len(procs)].ID = "no-processes"
	r := NewReader("/proc")
	r.Fill(conts, procs)
	read, listening := 0, 0
	for i := range conts {
		if conts[i].Listen != nil {
			read++
		}
		if len(conts[i].Listen) > 0 {
			listening++
		}
	}
	if !slices.Contains(conts[own].Listen, portOf(l.Addr())+"/tcp") {
		t.Errorf("this test's container listens on %v", conts[own].Listen)
	}
	if conts[len(procs)].Listen != nil {
		t.Errorf("a container with no process read: %v, want nil (n/a)", conts[len(procs)].Listen)
	}
	if read < 20 {
		t.Fatalf("%d containers read: too few to tell", read)
	}
	allocs := testing.AllocsPerRun(5, func() { r.answer(conts, procs) })
	t.Logf("%d containers read, %d listening: %.0f allocations", read, listening, allocs)
	if limit := float64(4*listening + 6); allocs > limit {
		t.Errorf("%.0f allocations to answer %d containers, %d of them listening: want at most %.0f", allocs, read, listening, limit)
	}
}

// TestListenerLaterWalksOnlyChangedProcesses: a listener opened by a
// process after its walk is found at the next refresh, and finding it
// walks again only the young processes whose descriptor count changed
// since their walk, not every young process of the namespace. At the
// bench's 2,000 containers every one of the 12,000 sleepers was young
// and walked again (an open, a listing, a readlink per descriptor and a
// close each) whenever any process of the host's namespace opened a
// listener: another engineer's test, an httptest server.
func TestListenerLaterWalksOnlyChangedProcesses(t *testing.T) {
	requireTool(t, "busybox", "true")
	const n = 30
	sleepers := startSleepers(t, n)
	// A shell that becomes `nc -l` (same pid, one descriptor more) when
	// told to, on a port free now.
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := portOf(free.Addr())
	free.Close()
	srv := exec.Command("sh", "-c", "read x; exec busybox nc -l -p "+port)
	in, err := srv.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	time.Sleep(100 * time.Millisecond) // each has exec'd

	pr := newProcs(t)
	r := NewReader("/proc")
	t0 := time.Now()
	r.now = func() time.Time { return t0 }
	procs, _ := readOwn(t, pr)
	r.Fill(nil, procs)
	walked := 0
	for pid := range sleepers {
		if e := r.procs[pid]; e != nil && e.walked.Equal(t0) {
			walked++
		}
	}
	if walked != n {
		t.Fatalf("first refresh walked %d of the %d sleepers", walked, n)
	}
	for _, ns := range r.nets {
		ns.rescanned = t0 // every process was just walked: no full rescan due
	}

	if _, err := in.Write([]byte("go\n")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !listensOn(port); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("nc does not listen on %s", port)
		}
	}
	t1 := t0.Add(time.Second)
	r.now = func() time.Time { return t1 }
	procs, _ = readOwn(t, pr)
	r.Fill(nil, procs)
	var got []string
	for i := range procs {
		if procs[i].PID == srv.Process.Pid {
			got = procs[i].Listen
		}
	}
	if !slices.Equal(got, []string{port + "/tcp"}) {
		t.Errorf("nc listens on %v, want [%s/tcp]", got, port)
	}
	again := 0
	for pid := range sleepers {
		if e := r.procs[pid]; e != nil && e.walked.Equal(t1) {
			again++
		}
	}
	if again != 0 {
		t.Errorf("nc's listener walked %d of %d unchanged sleepers again", again, n)
	}
}

// TestCountsHandedSpareTheStat: descriptor counts handed by the caller
// (the collector counts every containerised process's each pass) decide
// the young walk without a stat of the reader's own: here the reader's
// stats all fail, and only the process whose handed count moved is
// walked again.
func TestCountsHandedSpareTheStat(t *testing.T) {
	const n = 10
	sleepers := startSleepers(t, n)
	time.Sleep(100 * time.Millisecond) // each has exec'd sleep
	pr := newProcs(t)
	r := NewReader("/proc")
	r.fds = proc.NewFDCounter(t.TempDir()) // no count from a stat
	t0 := time.Now()
	r.now = func() time.Time { return t0 }
	procs, _ := readOwn(t, pr)
	r.Fill(nil, procs)
	for _, ns := range r.nets {
		ns.rescanned = t0
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0") // a listener nobody walked holds
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	procs, own := readOwn(t, pr)
	counts := make([]int64, len(procs))
	moved := -1
	for i := range procs {
		counts[i] = -1
		if e := r.procs[procs[i].PID]; sleepers[procs[i].PID] && e != nil {
			counts[i] = int64(e.fds)
			if moved < 0 {
				moved = i
				counts[i]++ // as if it had opened one
			}
		}
	}
	counts[own] = -1
	t1 := t0.Add(time.Second)
	r.now = func() time.Time { return t1 }
	r.Counts(counts)
	r.Fill(nil, procs)
	for i := range procs {
		if !sleepers[procs[i].PID] {
			continue
		}
		again := r.procs[procs[i].PID].walked.Equal(t1)
		if again != (i == moved) {
			t.Errorf("sleeper %d (handed count moved: %v) walked again: %v", procs[i].PID, i == moved, again)
		}
	}
	if !slices.Contains(procs[own].Listen, portOf(ln.Addr())+"/tcp") {
		t.Errorf("this process listens on %v, want %s/tcp among them", procs[own].Listen, portOf(ln.Addr()))
	}
}

// listensOn says whether /proc/net/tcp{,6} shows a listener on port.
func listensOn(port string) bool {
	p, _ := strconv.Atoi(port)
	suffix := fmt.Sprintf(":%04X", p)
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, _ := os.ReadFile(f)
		for line := range strings.Lines(string(data)) {
			fs := strings.Fields(line)
			if len(fs) > 3 && strings.HasSuffix(fs[1], suffix) && fs[3] == "0A" {
				return true
			}
		}
	}
	return false
}

// BenchmarkPortsNewListener is a refresh of the ports reader in which
// one process of the host's namespace has opened a listener since the
// last (a server starting, another engineer's httptest), beside
// CTOP_BENCH_PROCS young sleepers (12,000 at the bench's 2,000
// containers): what finding its owner costs. CTOP_BENCH_COUNTED=1 hands
// the reader descriptor counts read outside the timer, as the collector
// does.
func BenchmarkPortsNewListener(b *testing.B) {
	benchload.Sleepers(b, benchload.Procs(b))
	pr := newProcs(b)
	procs, _ := readOwn(b, pr)
	b.Logf("%d processes", len(procs))
	counted := os.Getenv("CTOP_BENCH_COUNTED") != ""
	fdc := proc.NewFDCounter("/proc")
	counts := make([]int64, len(procs))
	r := NewReader("/proc")
	now := time.Now()
	r.now = func() time.Time { return now }
	r.Fill(nil, procs)
	first := r.walks
	// Each refresh's listener stays open: closing the last one would
	// leave the namespace's socket counts as they were, and no dump.
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	defer benchload.ReportCPU(b)()
	for b.Loop() {
		b.StopTimer()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		lns = append(lns, ln)
		now = now.Add(time.Second)
		for _, n := range r.nets {
			n.rescanned = now // no full rescan: the young walk alone
		}
		if counted {
			// As the collector's pass hands them, already counted for
			// its descriptors figure.
			for i := range procs {
				c, ok := fdc.Quick(procs[i].PID)
				counts[i] = int64(c)
				if !ok {
					counts[i] = -1
				}
			}
			r.Counts(counts)
		}
		b.StartTimer()
		r.Fill(nil, procs)
	}
	b.ReportMetric(float64(r.walks-first)/float64(b.N), "walks/op")
}

// BenchmarkDumpAgain is one dump of this node's host namespace into a
// map made at the last answer's size (as before 2026-12-07) or into the
// last answer itself.
func BenchmarkDumpAgain(b *testing.B) {
	fd := diagSocket("/proc", os.Getpid(), true)
	if fd < 0 {
		b.Fatal("no sock_diag socket")
	}
	defer syscall.Close(fd)
	names := map[uint32]string{}
	last, buf, ok := diagListen(fd, nil, names, nil)
	if !ok {
		b.Fatal("dump failed")
	}
	b.Logf("%d listeners", len(last))
	for _, reuse := range []bool{false, true} {
		b.Run(map[bool]string{false: "fresh", true: "reused"}[reuse], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				into := last
				if !reuse {
					into = make(map[uint64]string, len(last))
				}
				last, buf, _ = diagListen(fd, buf, names, into)
			}
		})
	}
}

// startSleepers starts n `sleep 60` processes, killed when the test ends,
// and returns their pids.
func startSleepers(t *testing.T, n int) map[int]bool {
	t.Helper()
	pids := map[int]bool{}
	for range n {
		cmd := exec.Command("sleep", "60")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		pids[cmd.Process.Pid] = true
	}
	return pids
}
