package proc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/ctop-like/ctop-like/internal/model"
)

var testBoot = time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)

const dockerID = "5c16bde6730681fe9b81d00701e43afe59fd2fbbfab3bcb9d5e97e84d64423ac"

// procFixture is a node's /proc (the machine reader's and the
// collector's tests read it too).
const procFixture = "testdata/proc"

func newTestProcReader(root string) *Reader {
	r := NewReader(root, 100, testBoot)
	r.pageSize = 4096 // the fixtures come from a 4 KiB-page machine
	return r
}

func TestProcReaderFixtures(t *testing.T) {
	r := newTestProcReader(procFixture)
	got, err := r.Read()
	// 9001 (truncated stat) and 9002 (empty stat) are malformed.
	if err == nil || !strings.Contains(err.Error(), "pid 9001") || !strings.Contains(err.Error(), "pid 9002") {
		t.Errorf("Read error = %v, want one naming pids 9001 and 9002", err)
	}
	byPID := map[int]model.ProcessSample{}
	var order []int
	for _, p := range got {
		byPID[p.PID] = p
		order = append(order, p.PID)
	}
	if want := []int{1, 2, 15, 6271, 6327, 6335, 6426}; !equalInts(order, want) {
		t.Fatalf("pids = %v, want %v", order, want)
	}
	start := func(ticks int) time.Time { return testBoot.Add(time.Duration(ticks) * 10 * time.Millisecond) }
	tests := []model.ProcessSample{
		{PID: 1, PPID: 0, User: "root", State: "S", Threads: 12, UserS: 0.46, SystemS: 2.29,
			StartTicks: 30, StartTime: start(30), RSS: 3417 * 4096, VSZ: 41975808, HasIO: false,
			Name:    "process_api",
			Command: "/process_api --firecracker-init --addr 0.0.0.0:2024 --max-ws-buffer-size 32768 --block-local-connections --log-vsock-port 5002 --control-vsock-port 5001 --listen-vsock-port 2024 --tcp-readiness-only --auth-required",
			Cgroup:  "/"},
		{PID: 2, PPID: 0, User: "root", State: "S", Threads: 1, StartTicks: 30, StartTime: start(30),
			HasIO: true, Name: "kthreadd", Command: "[kthreadd]", Cgroup: "/"},
		{PID: 15, PPID: 2, User: "root", State: "I", Threads: 1, SystemS: 0.09, StartTicks: 30, StartTime: start(30),
			HasIO: true, Name: "rcu_preempt", Command: "[rcu_preempt]", Cgroup: "/"},
		{PID: 6271, PPID: 1, User: "root", State: "S", Threads: 1, StartTicks: 36363, StartTime: start(36363),
			RSS: 408 * 4096, VSZ: 2990080, HasIO: true,
			Name: "we) ird (x", Command: "./we) ird (x 600", Cgroup: "/process_api/591cae6385d9f1dae71b25affa3bca53"},
		{PID: 6327, PPID: 1, User: "root", State: "S", Threads: 1, StartTicks: 37146, StartTime: start(37146),
			RSS: 403 * 4096, VSZ: 2654208, HasIO: true,
			Name: "bad\uFFFDname", Command: "./bad\uFFFDname -c sleep 600; : arg with space nl?x",
			Cgroup: "/process_api/591cae6385d9f1dae71b25affa3bca53"},
		{PID: 6335, PPID: 6330, User: "root", State: "Z", Threads: 1, StartTicks: 37146, StartTime: start(37146),
			HasIO: true, Name: "bash", Command: "[bash]", Cgroup: "/"}, // a zombie's cgroup reads as the root
		{PID: 6426, PPID: 6405, User: "root", State: "S", Threads: 1, UserS: 0.02, StartTicks: 37601, StartTime: start(37601),
			RSS: 297 * 4096, VSZ: 2322432, HasIO: true, ReadBytes: 61440,
			Name: "sleep", Command: "sleep 600", Cgroup: "/docker/" + dockerID, ContainerID: dockerID},
	}
	for _, want := range tests {
		got := byPID[want.PID]
		if !got.StartTime.Equal(want.StartTime) {
			t.Errorf("pid %d: StartTime = %v, want %v", want.PID, got.StartTime, want.StartTime)
		}
		got.StartTime, want.StartTime = time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("pid %d:\n got %+v\nwant %+v", want.PID, got, want)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseProcStatErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"12",
		"12 (name",
		"12 (name) S 1 2 3",
		"x (name) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 30 0 0",
		"12 (name) S 1 1 1 0 -1 0 0 0 0 0 zz 0 0 0 20 0 1 0 30 0 0 18446744073709551615",
	} {
		if _, err := ParseStat([]byte(in), 4096); err == nil {
			t.Errorf("ParseStat(%q): no error", in)
		}
	}
}

func TestParseStatusUID(t *testing.T) {
	tests := []struct {
		in   string
		uid  int
		good bool
	}{
		{"Name:\tx\nUid:\t1000\t1001\t1001\t1001\nGid:\t0\t0\t0\t0\n", 1001, true},
		{"Name:\tx\n", 0, false},
		{"Uid:\t1000", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		uid, ok := parseStatusUID([]byte(tt.in))
		if uid != tt.uid || ok != tt.good {
			t.Errorf("parseStatusUID(%q) = %d, %v; want %d, %v", tt.in, uid, ok, tt.uid, tt.good)
		}
	}
}

func TestParseProcIO(t *testing.T) {
	tests := []struct {
		in          string
		read, write uint64
		ok          bool
	}{
		{"rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 61440\nwrite_bytes: 4096\ncancelled_write_bytes: 0\n", 61440, 4096, true},
		{"rchar: 1\nread_bytes: 5\n", 5, 0, false},
		{"read_bytes: x\nwrite_bytes: 1\n", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		r, w, ok := parseProcIO([]byte(tt.in))
		if r != tt.read || w != tt.write || ok != tt.ok {
			t.Errorf("parseProcIO(%q) = %d, %d, %v; want %d, %d, %v", tt.in, r, w, ok, tt.read, tt.write, tt.ok)
		}
	}
}

func TestPickCgroup(t *testing.T) {
	scope := "/system.slice/docker-" + dockerID + ".scope"
	tests := []struct {
		name, in, cgroup, id string
	}{
		{"v2 docker scope", "0::" + scope + "\n", scope, dockerID},
		{"v2 host", "0::/user.slice/user-1000.slice/session-2.scope\n", "/user.slice/user-1000.slice/session-2.scope", ""},
		{"v1 combined controllers", "5:cpu,cpuacct:/docker/" + dockerID + "\n1:name=systemd:/init.scope\n0::/\n", "/docker/" + dockerID, dockerID},
		{"v1 memory first", "9:name=systemd:/a\n4:memory:/b\n8:pids:/c\n0::/d\n", "/b", ""},
		{"container only in pids", "4:memory:/\n8:pids:/mesos/abc-123\n", "/mesos/abc-123", "abc-123"},
		{"path with colon", "0::/odd:path\n", "/odd:path", ""},
		{"empty", "", "", ""},
		{"truncated", "4:mem", "", ""},
	}
	for _, tt := range tests {
		cg, id := pickCgroup([]byte(tt.in))
		if cg != tt.cgroup || id != tt.id {
			t.Errorf("%s: pickCgroup = %q, %q; want %q, %q", tt.name, cg, id, tt.cgroup, tt.id)
		}
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\x00b\x00", "a b "},
		{"tab\there", "tab?here"},
		{"bad\xffname", "bad\uFFFDname"},
		{"caf\xc3\xa9", "café"},
		{"cut\xe2\x82", "cut"}, // a rune cut by the length cap
	}
	for _, tt := range tests {
		if got := cleanText([]byte(tt.in)); got != tt.want {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// copyProcFixture copies testdata/proc/<pid> files to root/<as>.
func copyProcFixture(t *testing.T, root string, pid, as string) {
	t.Helper()
	dst := filepath.Join(root, as)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"stat", "status", "io", "cmdline", "cgroup"} {
		data, err := os.ReadFile(filepath.Join(procFixture, pid, f))
		if err != nil {
			continue
		}
		if f == "stat" {
			data = []byte(strings.Replace(string(data), pid+" (", as+" (", 1))
		}
		if err := os.WriteFile(filepath.Join(dst, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestProcReaderLongCmdlineAndVanished(t *testing.T) {
	root := t.TempDir()
	copyProcFixture(t, root, "6271", "100")
	long := strings.Repeat("x\x00", 50*1024) // 100 kB
	if err := os.WriteFile(filepath.Join(root, "100", "cmdline"), []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	// A process that vanished between readdir and open: its dir is empty.
	if err := os.Mkdir(filepath.Join(root, "200"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := newTestProcReader(root).Read()
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(got) != 1 || got[0].PID != 100 {
		t.Fatalf("Read = %+v, want pid 100 only", got)
	}
	if n := len(got[0].Command); n > maxCommand || n < maxCommand-2 {
		t.Errorf("len(Command) = %d, want about %d", n, maxCommand)
	}
}

func TestProcReaderCache(t *testing.T) {
	root := t.TempDir()
	copyProcFixture(t, root, "6271", "100")
	copyProcFixture(t, root, "6426", "101")
	r := newTestProcReader(root)
	if _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	if len(r.cache) != 2 {
		t.Fatalf("cache has %d entries, want 2", len(r.cache))
	}
	// The static files are not read again for the same (pid, start, comm)...
	cmdline := filepath.Join(root, "100", "cmdline")
	if err := os.WriteFile(cmdline, []byte("changed\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _ := r.Read()
	if got[0].Command != "./we) ird (x 600" {
		t.Errorf("cached Command = %q", got[0].Command)
	}
	// ...but are after an exec (the comm changes) and after pid reuse.
	stat := filepath.Join(root, "100", "stat")
	data, _ := os.ReadFile(stat)
	if err := os.WriteFile(stat, []byte(strings.Replace(string(data), "(we) ird (x)", "(changed)", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _ = r.Read()
	if got[0].Command != "changed" {
		t.Errorf("Command after exec = %q, want changed", got[0].Command)
	}
	// Gone pids leave the cache.
	if err := os.RemoveAll(filepath.Join(root, "101")); err != nil {
		t.Fatal(err)
	}
	if got, _ = r.Read(); len(got) != 1 || len(r.cache) != 1 {
		t.Errorf("after pid 101 exited: %d processes, %d cache entries; want 1, 1", len(got), len(r.cache))
	}
}

func TestProcReaderLive(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 30; exit 0", "arg with space")
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start sleep: %v", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	const liveCmd = "sh -c sleep 30; exit 0 arg with space"
	r := NewReader("/proc", 100, time.Now())
	var found model.ProcessSample
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		ps, err := r.Read()
		if err != nil {
			t.Logf("Read: %v", err) // a malformed process elsewhere is not ours
		}
		for _, p := range ps {
			if p.PID == cmd.Process.Pid {
				found = p
			}
		}
		if found.Command == liveCmd && found.State == "S" {
			break
		}
	}
	if found.PID != cmd.Process.Pid || found.PPID != os.Getpid() || found.State != "S" ||
		found.Command != liveCmd || found.Name != "sh" || found.Threads != 1 {
		t.Errorf("live child = %+v; want pid %d, ppid %d, state S, command %q",
			found, cmd.Process.Pid, os.Getpid(), liveCmd)
	}
	if found.UID != os.Geteuid() || found.User == "" {
		t.Errorf("live child uid %d user %q; want uid %d", found.UID, found.User, os.Geteuid())
	}
}

func TestCommandLinesHideURLPasswords(t *testing.T) {
	cases := map[string]string{
		"ctop-like -m http://ops:s3cret@10.0.0.1:5050,https://u:p%40ss@m:8080": "ctop-like -m http://ops:xxx@10.0.0.1:5050,https://u:xxx@m:8080",
		"curl http://user@host/path":        "curl http://user@host/path",
		"git clone https://host/x.git":      "git clone https://host/x.git",
		"mail root@host -s http://a:b/c":    "mail root@host -s http://a:b/c",
		"psql postgres://app:pw@db:5432/db": "psql postgres://app:xxx@db:5432/db",
	}
	for in, want := range cases {
		if got := formatCmdline([]byte(strings.ReplaceAll(in, " ", "\x00")), "x"); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}

// TestProcParsersTruncated feeds every prefix of every process fixture to
// its parser: a file cut short (a process exiting mid-read, a short read)
// must give an error or partial values, never a panic.
func TestProcParsersTruncated(t *testing.T) {
	parsers := map[string]func([]byte){
		"6271/stat":    func(b []byte) { _, _ = ParseStat(b, 4096) },
		"6327/stat":    func(b []byte) { _, _ = ParseStat(b, 4096) },
		"6426/status":  func(b []byte) { _, _ = parseStatusUID(b) },
		"6426/io":      func(b []byte) { _, _, _ = parseProcIO(b) },
		"6426/cgroup":  func(b []byte) { _, _ = pickCgroup(b) },
		"6327/cmdline": func(b []byte) { _ = formatCmdline(b, "x") },
	}
	for name, parse := range parsers {
		data, err := os.ReadFile(filepath.Join(procFixture, name))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i <= len(data); i++ {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("%s cut at %d bytes: panic %v", name, i, r)
					}
				}()
				parse(data[:i])
			}()
		}
	}
}

// The processes of one container keep one copy of its cgroup path and id
// (in the cache and in their samples), not a copy each: 3 containers of
// 100 processes. This test failed on the old code: every process held
// its own path (300 copies of 79 bytes for 3 paths).
func TestProcessesOfAContainerShareItsCgroupPath(t *testing.T) {
	root := t.TempDir()
	ids := []string{dockerID, strings.Repeat("a", 64), strings.Repeat("b", 64)}
	for i := range 300 {
		pid := strconv.Itoa(1000 + i)
		copyProcFixture(t, root, "6271", pid)
		cg := "0::/system.slice/docker-" + ids[i%3] + ".scope\n"
		if err := os.WriteFile(filepath.Join(root, pid, "cgroup"), []byte(cg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := newTestProcReader(root)
	for range 2 { // a second pass reads the cache
		got, err := r.Read()
		if err != nil || len(got) != 300 {
			t.Fatalf("Read: %d processes, %v", len(got), err)
		}
		paths := map[*byte]bool{}
		for i, p := range got {
			want := "/system.slice/docker-" + ids[i%3] + ".scope"
			if p.Cgroup != want || p.ContainerID != ids[i%3] {
				t.Fatalf("pid %d: cgroup %q, container %q; want %q, %q", p.PID, p.Cgroup, p.ContainerID, want, ids[i%3])
			}
			paths[unsafe.StringData(p.Cgroup)] = true
			paths[unsafe.StringData(p.ContainerID)] = true
		}
		if len(paths) != 6 {
			t.Errorf("300 processes of 3 containers hold %d copies of their cgroup paths and ids, want 6", len(paths))
		}
	}
}

// Containers come and go: the shared paths are of the processes seen
// lately, not of every container the node ever ran.
func TestSharedCgroupPathsForgetGoneContainers(t *testing.T) {
	root := t.TempDir()
	r := newTestProcReader(root)
	for round := range 20 {
		for i := range 50 {
			pid := strconv.Itoa(1000 + round*50 + i)
			copyProcFixture(t, root, "6271", pid)
			cg := fmt.Sprintf("0::/system.slice/docker-%064d.scope\n", round*50+i)
			if err := os.WriteFile(filepath.Join(root, pid, "cgroup"), []byte(cg), 0o644); err != nil {
				t.Fatal(err)
			}
			if round > 0 {
				if err := os.RemoveAll(filepath.Join(root, strconv.Itoa(1000+(round-1)*50+i))); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got, err := r.Read(); err != nil || len(got) != 50 {
			t.Fatalf("round %d: %d processes, %v", round, len(got), err)
		}
	}
	if n := len(r.cgroups); n > 2*50+64 {
		t.Errorf("after 1,000 containers of which 50 live, %d cgroup paths kept", n)
	}
}
