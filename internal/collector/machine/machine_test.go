package machine

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctop-like/ctop-like/internal/model"
)

// procFixture is the node's /proc fixture, which the proc reader's tests
// share.
const procFixture = "../proc/testdata/proc"

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(procFixture, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseCPUStat(t *testing.T) {
	total, cpus, err := parseCPUStat(readFixture(t, "stat"), 100)
	if err != nil {
		t.Fatal(err)
	}
	wantTotal := model.CPUTimes{Name: "cpu", User: 63.69, System: 29.03, Idle: 661.37, IOWait: 3.2, SoftIRQ: 0.56, Steal: 0.38}
	if total != wantTotal {
		t.Errorf("total = %+v, want %+v", total, wantTotal)
	}
	want := []model.CPUTimes{
		{Name: "cpu0", User: 33.87, System: 10.36, Idle: 334.59, IOWait: 0.24, SoftIRQ: 0.12, Steal: 0.15},
		{Name: "cpu1", User: 29.82, System: 18.67, Idle: 326.78, IOWait: 2.95, SoftIRQ: 0.44, Steal: 0.23},
	}
	if len(cpus) != 2 || cpus[0] != want[0] || cpus[1] != want[1] {
		t.Errorf("cpus = %+v, want %+v", cpus, want)
	}
	bt, ok := parseBootTime(readFixture(t, "stat"))
	if !ok || bt != 1795323143 {
		t.Errorf("btime = %d, %v", bt, ok)
	}
	for _, in := range []string{"", "intr 1 2\n", "cpu 1 2\n", "cpu 1 2 x 4\n"} {
		if _, _, err := parseCPUStat([]byte(in), 100); err == nil {
			t.Errorf("parseCPUStat(%q): no error", in)
		}
	}
	// A 2.6.11 kernel's line: 8 columns, no guest.
	total, _, err = parseCPUStat([]byte("cpu 1 2 3 4 5 6 7 8\n"), 100)
	if err != nil || total.Steal != 0.08 {
		t.Errorf("short line: %+v, %v", total, err)
	}
}

func TestParseMeminfo(t *testing.T) {
	got, err := parseMeminfo(readFixture(t, "meminfo"))
	if err != nil {
		t.Fatal(err)
	}
	want := model.Memory{Total: 24682416 * 1024, Available: 24320280 * 1024, Used: (24682416 - 24320280) * 1024,
		Free: 24355236 * 1024, Buffers: 4308 * 1024, Cached: 175220 * 1024}
	if got != want {
		t.Errorf("meminfo = %+v, want %+v", got, want)
	}
	// Before MemAvailable existed.
	got, err = parseMeminfo([]byte("MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 5 kB\nCached: 20 kB\n"))
	if err != nil || got.Available != 35*1024 || got.Used != 65*1024 {
		t.Errorf("old kernel: %+v, %v", got, err)
	}
	for _, in := range []string{"", "MemFree: 1 kB\n", "MemTotal: x kB\n", "MemTotal:\n"} {
		if _, err := parseMeminfo([]byte(in)); err == nil {
			t.Errorf("parseMeminfo(%q): no error", in)
		}
	}
}

func TestParseLoadavgUptime(t *testing.T) {
	l, err := parseLoadavg(readFixture(t, "loadavg"))
	if err != nil || l != [3]float64{0.37, 0.31, 0.15} {
		t.Errorf("loadavg = %v, %v", l, err)
	}
	up, err := parseUptime(readFixture(t, "uptime"))
	if err != nil || up != 381.64 {
		t.Errorf("uptime = %v, %v", up, err)
	}
	for _, in := range []string{"", "0.1 0.2", "a b c"} {
		if _, err := parseLoadavg([]byte(in)); err == nil {
			t.Errorf("parseLoadavg(%q): no error", in)
		}
	}
	for _, in := range []string{"", "x"} {
		if _, err := parseUptime([]byte(in)); err == nil {
			t.Errorf("parseUptime(%q): no error", in)
		}
	}
}

func TestParseDiskstats(t *testing.T) {
	m := &Reader{sysRoot: "testdata/sys", partitions: map[string]bool{}}
	got, err := parseDiskstats(readFixture(t, "diskstats"), m.isPartition)
	if err != nil {
		t.Fatal(err)
	}
	// loop0..7 are unused and left out; zram0 stays though idle.
	want := []model.DiskCounters{
		{Name: "vda", Reads: 38153, ReadBytes: 1848754 * 512, Writes: 8417, WriteBytes: 1514144 * 512,
			IOTimeMs: 5272, WeightedIOMs: 23926, SectorSize: 512},
		{Name: "zram0", SectorSize: 512},
	}
	if len(got) != len(want) {
		t.Fatalf("disks = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("disk %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	// Partitions: from sysfs (vda1 has a partition file) or by name.
	const lines = `   8       0 sda 10 0 8 0 0 0 0 0 0 4 4 0 0 0 0
   8       1 sda1 5 0 4 0 0 0 0 0 0 2 2 0 0 0 0
 259       1 nvme0n1p2 1 0 2 0 0 0 0 0 0 1 1
 254       1 vda1 1 0 2 0 0 0 0 0 0 1 1
 253       0 dm-0 1 0 2 0 0 0 0 0 0 1 1
   7       0 loop0 3 0 6 0 0 0 0 0 0 1 1
   1       0 ram0 0 0 0 0 0 0 0 0 0 0 0
`
	got, err = parseDiskstats([]byte(lines), m.isPartition)
	if err != nil {
		t.Fatal(err)
	}
	wantPart := map[string]bool{"sda": false, "sda1": true, "nvme0n1p2": true, "vda1": true, "dm-0": false, "loop0": false}
	if len(got) != len(wantPart) {
		t.Errorf("got %d disks, want %d", len(got), len(wantPart))
	}
	for _, d := range got {
		if p, ok := wantPart[d.Name]; !ok || p != d.IsPartition {
			t.Errorf("%s: IsPartition = %v, want %v (listed %v)", d.Name, d.IsPartition, p, ok)
		}
	}
	for _, in := range []string{"   8 0 sda 1 2 3\n", "   8 0 sda 1 2 3 4 5 6 7 8 9 10 x\n"} {
		if _, err := parseDiskstats([]byte(in), m.isPartition); err == nil {
			t.Errorf("parseDiskstats(%q): no error", in)
		}
	}
	if d, err := parseDiskstats(nil, m.isPartition); err != nil || len(d) != 0 {
		t.Errorf("empty diskstats: %v, %v", d, err)
	}
}

func TestParseMountinfo(t *testing.T) {
	got, err := parseMountinfo(readFixture(t, "self/mountinfo"))
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Filesystem{{Device: "/dev/vda", Mountpoint: "/", Type: "ext4"}}
	if len(got) != 1 || got[0] != want[0] {
		t.Errorf("mounts = %+v, want %+v", got, want)
	}
	// A container's table: a bind mount of a file comes before the
	// device's root; spaces are escaped; fuse.lxcfs is a pseudo one.
	const table = `600 500 0:50 / / rw - overlay overlay rw
601 600 8:1 /var/lib/docker/containers/abc/hosts /etc/hosts rw - ext4 /dev/sda1 rw
602 600 8:1 / /host rw - ext4 /dev/sda1 rw
603 600 8:2 / /mnt/my\040disk rw shared:5 - xfs /dev/sda2 rw
604 600 0:51 / /proc/cpuinfo rw - fuse.lxcfs lxcfs rw
605 600 0:52 / /mnt/nfs rw - nfs4 srv:/export rw
bad line
`
	got, err = parseMountinfo([]byte(table))
	if err == nil || !strings.Contains(err.Error(), "line 7") {
		t.Errorf("error = %v, want one for line 7", err)
	}
	want = []model.Filesystem{
		{Device: "/dev/sda1", Mountpoint: "/host", Type: "ext4"},
		{Device: "/dev/sda2", Mountpoint: "/mnt/my disk", Type: "xfs"},
		{Device: "srv:/export", Mountpoint: "/mnt/nfs", Type: "nfs4"},
	}
	if len(got) != len(want) {
		t.Fatalf("mounts = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("mount %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestMachineReaderFixtures(t *testing.T) {
	m, err := NewReader(procFixture, "testdata/sys")
	if err != nil {
		t.Fatal(err)
	}
	info := m.Info()
	want := model.MachineInfo{Cores: 2, CPUModel: "AMD EPYC", MemoryBytes: 24682416 * 1024,
		BootID: "57268b44-da71-42ce-9a7f-07621c6e96f9", Kernel: "6.18.44-fc-v445", ClockTicks: info.ClockTicks}
	if info != want {
		t.Errorf("Info = %+v, want %+v", info, want)
	}
	if info.ClockTicks != 100 {
		t.Errorf("ClockTicks = %d on a Linux machine, want 100", info.ClockTicks)
	}
	if !m.BootTime().Equal(time.Unix(1795323143, 0)) {
		t.Errorf("BootTime = %v", m.BootTime())
	}

	// Filesystems from the fixture table, with a fake statfs.
	m.statfs = func(path string, st *unix.Statfs_t) error {
		if path != "/" {
			return errors.New("unexpected path " + path)
		}
		*st = unix.Statfs_t{Bsize: 4096, Frsize: 4096, Blocks: 1000, Bfree: 400, Bavail: 300}
		return nil
	}
	var s model.Sample
	if err := m.Read(&s); err != nil {
		t.Fatalf("Read: %v", err)
	}
	if s.CPUTotal.User != 63.69 || len(s.CPUs) != 2 || s.Memory.Total != 24682416*1024 ||
		s.Load[0] != 0.37 || s.UptimeS != 381.64 || len(s.Disks) != 2 {
		t.Errorf("Read sample = %+v", s)
	}
	wantFS := model.Filesystem{Device: "/dev/vda", Mountpoint: "/", Type: "ext4",
		Total: 1000 * 4096, Used: 600 * 4096, Available: 300 * 4096}
	if len(s.Filesystems) != 1 || s.Filesystems[0] != wantFS {
		t.Errorf("Filesystems = %+v, want %+v", s.Filesystems, wantFS)
	}
	// Host interfaces come from pid 1's net/dev, speeds from sysfs.
	wantNet := map[string][2]string{
		"lo": {"-1", "unknown"}, "eth0": {"-1", "up"}, "docker0": {"10000", "up"},
		"ifb0": {"-1", "down"}, "ifb1": {"-1", ""}, "vethb9903ac": {"-1", ""},
	}
	if len(s.Nets) != len(wantNet) {
		t.Errorf("Nets = %+v", s.Nets)
	}
	for _, n := range s.Nets {
		w := wantNet[n.Name]
		if got := [2]string{strconv.FormatInt(n.SpeedMbps, 10), n.OperState}; got != w {
			t.Errorf("%s: speed, state = %v, want %v", n.Name, got, w)
		}
	}
}

func TestReadSpeed(t *testing.T) {
	dir := t.TempDir()
	for content, want := range map[string]int64{"1000\n": 1000, "-1\n": -1, "4294967295\n": -1, "0\n": -1, "": -1, "x": -1} {
		p := filepath.Join(dir, "speed")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := readSpeed(p); got != want {
			t.Errorf("speed %q = %d, want %d", content, got, want)
		}
	}
	if got := readSpeed(filepath.Join(dir, "missing")); got != -1 {
		t.Errorf("missing speed = %d", got)
	}
}

func TestMachineIDFromSibling(t *testing.T) {
	root := t.TempDir()
	proc := filepath.Join(root, "proc")
	for p, content := range map[string]string{
		"proc/stat":                   "cpu 1 2 3 4\ncpu0 1 2 3 4\n",
		"var/lib/dbus/machine-id":     "dbusid\n",
		"proc/sys/kernel/osrelease":   "6.1.0\n",
		"proc/sys/kernel/random/xxxx": "",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := NewReader(proc, filepath.Join(root, "sys"))
	if err != nil {
		t.Fatal(err)
	}
	if i := m.Info(); i.MachineID != "dbusid" || i.Kernel != "6.1.0" || i.Cores != 1 || i.BootID != "" {
		t.Errorf("Info = %+v", i)
	}
	// Everything but stat is missing: Read fills what it can and says what failed.
	var s model.Sample
	err = m.Read(&s)
	if err == nil || !strings.Contains(err.Error(), "meminfo") || len(s.CPUs) != 1 {
		t.Errorf("Read = %v, sample %+v", err, s)
	}
	if _, err := NewReader(filepath.Join(root, "nope"), root); err == nil {
		t.Error("NewReader without a proc root: no error")
	}
}

func TestMachineReaderLive(t *testing.T) {
	m, err := NewReader("/proc", "/sys")
	if err != nil {
		t.Fatal(err)
	}
	info := m.Info()
	if info.Cores < 1 || info.MemoryBytes == 0 || info.Kernel == "" || info.BootID == "" {
		t.Errorf("Info = %+v", info)
	}
	var s model.Sample
	if err := m.Read(&s); err != nil {
		t.Errorf("Read: %v", err)
	}
	if len(s.CPUs) != info.Cores || s.Memory.Total != info.MemoryBytes || s.UptimeS <= 0 || len(s.Nets) == 0 {
		t.Errorf("sample = %+v", s)
	}
	root := false
	for _, fs := range s.Filesystems {
		if fs.Mountpoint == "/" && fs.Total > 0 && fs.Used+fs.Available <= fs.Total {
			root = true
		}
	}
	if !root {
		t.Errorf("no sane / in %+v", s.Filesystems)
	}
}

// TestParsersTruncated feeds every prefix of every fixture to its parser:
// a file cut short (a process exiting mid-read, a short read) must give an
// error or partial values, never a panic.
func TestParsersTruncated(t *testing.T) {
	m := &Reader{sysRoot: "testdata/sys", partitions: map[string]bool{}}
	parsers := map[string]func([]byte){
		"stat":           func(b []byte) { _, _, _ = parseCPUStat(b, 100); _, _ = parseBootTime(b) },
		"meminfo":        func(b []byte) { _, _ = parseMeminfo(b) },
		"loadavg":        func(b []byte) { _, _ = parseLoadavg(b) },
		"uptime":         func(b []byte) { _, _ = parseUptime(b) },
		"diskstats":      func(b []byte) { _, _ = parseDiskstats(b, m.isPartition) },
		"net/dev":        func(b []byte) { _, _ = ParseNetDev(b) },
		"cpuinfo":        func(b []byte) { _, _ = parseCPUInfo(b) },
		"self/mountinfo": func(b []byte) { _, _ = parseMountinfo(b) },
	}
	for name, parse := range parsers {
		data := readFixture(t, name)
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
