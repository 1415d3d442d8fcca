// Package machine reads the node as a whole: the facts that do not change
// while the tool runs (cores, memory, machine and boot ids, kernel) once,
// and per refresh the counters of /proc/stat, meminfo, loadavg, uptime,
// diskstats, net/dev with each interface's sysfs speed and state, and the
// filesystems of the mount table, as cAdvisor's machine package does.
package machine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"

	"github.com/ctop-like/ctop-like/internal/collector/kernfile"
	"github.com/ctop-like/ctop-like/internal/model"
)

// mountsTTL is how long the mount table is reused: it changes rarely, and
// on a node with many containers it is long and costly to generate.
const mountsTTL = 10 * time.Second

// statfsTimeout bounds one statfs: a dead NFS server must not stall a
// refresh. A mount whose statfs is still pending is skipped.
const statfsTimeout = time.Second

// Reader reads the node as a whole: facts once (Info), counters per
// refresh (Read). It parses the proc files directly: gopsutil costs several
// times more per refresh for the same numbers (see machine_bench_test.go).
// It is safe for concurrent use.
type Reader struct {
	procRoot, sysRoot string
	info              model.MachineInfo
	bootTime          time.Time

	// mountinfo is the mount table read for Filesystems and statfsPrefix
	// what turns its mount points into paths that we can statfs: the host's
	// table through pid 1 when its root is reachable, else our own.
	mountinfo    string
	statfsPrefix string
	statfs       func(path string, st *unix.Statfs_t) error

	readMu     sync.Mutex       // serialises passes
	partitions map[string]bool  // under readMu
	speeds     map[string]speed // under readMu
	buf        []byte           // under readMu
	mounts     []model.Filesystem
	mountsAt   time.Time
	mountsErr  error
	// Files read every pass, kept open (see kernfile.File); under readMu.
	procFiles map[string]*kernfile.File // by name under procRoot
	operstate map[string]*operFile      // by interface
	pass      uint64

	mu      sync.Mutex
	pending map[string]bool // statfs still running after its timeout
}

// NewReader reads the facts that do not change while the tool runs
// from procRoot and sysRoot (a host's /proc and /sys may be mounted
// elsewhere). Only an unreadable procRoot/stat is an error: other missing
// facts stay empty.
func NewReader(procRoot, sysRoot string) (*Reader, error) {
	m := &Reader{
		procRoot:   procRoot,
		sysRoot:    sysRoot,
		statfs:     unix.Statfs,
		partitions: make(map[string]bool),
		speeds:     make(map[string]speed),
		procFiles:  make(map[string]*kernfile.File),
		operstate:  make(map[string]*operFile),
		pending:    make(map[string]bool),
	}
	stat, err := os.ReadFile(filepath.Join(procRoot, "stat"))
	if err != nil {
		return nil, fmt.Errorf("machine: %w", err)
	}
	m.info.ClockTicks = clockTicks()
	if bt, ok := parseBootTime(stat); ok {
		m.bootTime = time.Unix(bt, 0)
	}
	_, cpus, _ := parseCPUStat(stat, float64(m.info.ClockTicks))
	m.info.Cores = len(cpus)
	if data, err := os.ReadFile(filepath.Join(procRoot, "cpuinfo")); err == nil {
		n, model := parseCPUInfo(data)
		if n > 0 {
			m.info.Cores = n
		}
		m.info.CPUModel = model
	}
	if data, err := os.ReadFile(filepath.Join(procRoot, "meminfo")); err == nil {
		if mem, err := parseMeminfo(data); err == nil {
			m.info.MemoryBytes = mem.Total
		}
	}
	// The host's /etc is the proc root's sibling: /etc for /proc, and
	// /host/etc for /host/proc (the usual way to mount a host).
	root := filepath.Dir(filepath.Clean(procRoot))
	for _, p := range []string{"etc/machine-id", "var/lib/dbus/machine-id"} {
		if id := readTrimmed(filepath.Join(root, p)); id != "" {
			m.info.MachineID = id
			break
		}
	}
	m.info.BootID = readTrimmed(filepath.Join(procRoot, "sys/kernel/random/boot_id"))
	m.info.Kernel = readTrimmed(filepath.Join(procRoot, "sys/kernel/osrelease"))
	if _, err := os.Stat(filepath.Join(sysRoot, "fs/cgroup/cgroup.controllers")); err == nil {
		m.info.CgroupVersion = 2
	} else if _, err := os.Stat(filepath.Join(sysRoot, "fs/cgroup")); err == nil {
		m.info.CgroupVersion = 1
	}

	m.mountinfo = filepath.Join(procRoot, "self/mountinfo")
	if _, err := os.Stat(filepath.Join(procRoot, "1/root/")); err == nil {
		m.mountinfo = filepath.Join(procRoot, "1/mountinfo")
		m.statfsPrefix = filepath.Join(procRoot, "1/root")
	}
	return m, nil
}

// Info returns the facts read at start.
func (m *Reader) Info() model.MachineInfo { return m.info }

// BootTime is when the node booted (btime in /proc/stat), which the
// proc reader needs to turn start ticks into times; zero if unknown.
func (m *Reader) BootTime() time.Time { return m.bootTime }

// Read fills s's node-wide counters: CPUs, memory, load, uptime, disks,
// network interfaces and filesystems. A source that fails leaves its
// fields empty and is named in the returned error; the others are filled.
func (m *Reader) Read(s *model.Sample) error {
	m.readMu.Lock()
	defer m.readMu.Unlock()
	var errs []error
	m.pass++
	read := func(name string) []byte {
		data, err := m.procFile(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("machine: %w", err))
			return nil
		}
		return data
	}
	wrap := func(name string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("machine: %s: %w", filepath.Join(m.procRoot, name), err))
		}
	}
	if data := read("stat"); data != nil {
		total, cpus, err := parseCPUStat(data, float64(m.info.ClockTicks))
		s.CPUTotal, s.CPUs = total, cpus
		wrap("stat", err)
	}
	if data := read("meminfo"); data != nil {
		mem, err := parseMeminfo(data)
		s.Memory = mem
		wrap("meminfo", err)
	}
	if data := read("loadavg"); data != nil {
		load, err := parseLoadavg(data)
		s.Load = load
		wrap("loadavg", err)
	}
	if data := read("uptime"); data != nil {
		up, err := parseUptime(data)
		s.UptimeS = up
		wrap("uptime", err)
	}
	if data := read("diskstats"); data != nil {
		disks, err := parseDiskstats(data, m.isPartition)
		s.Disks = disks
		wrap("diskstats", err)
	}
	nets, err := m.readNets()
	s.Nets = nets
	if err != nil {
		errs = append(errs, err)
	}
	fss, err := m.readFilesystems()
	s.Filesystems = fss
	if err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// readNets reads the host's interfaces: pid 1's net/dev is the host's
// namespace even when this program runs in a container with the host's
// proc mounted; procRoot/net/dev (our own namespace) is the fallback.
func (m *Reader) readNets() ([]model.NetCounters, error) {
	p := filepath.Join(m.procRoot, "1/net/dev")
	data, err := m.procFile("1/net/dev")
	if err != nil {
		p = filepath.Join(m.procRoot, "net/dev")
		if data, err = m.procFile("net/dev"); err != nil {
			return nil, fmt.Errorf("machine: %w", err)
		}
	}
	nets, err := ParseNetDev(data)
	if err != nil {
		err = fmt.Errorf("machine: %s: %w", p, err)
	}
	for i := range nets {
		dir := filepath.Join(m.sysRoot, "class/net", nets[i].Name)
		sp, ok := m.speeds[nets[i].Name]
		if !ok || time.Since(sp.at) > speedTTL {
			sp = speed{mbps: readSpeed(filepath.Join(dir, "speed")), at: time.Now()}
			m.speeds[nets[i].Name] = sp
		}
		nets[i].SpeedMbps = sp.mbps
		nets[i].OperState = m.readOperState(nets[i].Name, dir)
	}
	for name, f := range m.operstate {
		if f.seen != m.pass {
			f.file.Close()
			delete(m.operstate, name)
		}
	}
	return nets, err
}

// procFile reads a file under the proc root through a kept descriptor
// into the reader's buffer (valid until the next read).
func (m *Reader) procFile(name string) ([]byte, error) {
	f := m.procFiles[name]
	if f == nil {
		f = &kernfile.File{}
		m.procFiles[name] = f
	}
	data, err := f.Read(m.buf, 0, func() string { return filepath.Join(m.procRoot, name) })
	if cap(data) > cap(m.buf) {
		m.buf = data[:0]
	}
	return data, err
}

// operFile is an interface's operstate, kept open, with the last value
// read (reused while the kernel says the same).
type operFile struct {
	file  kernfile.File
	value string
	seen  uint64
}

// readOperState reads an interface's operstate ("up", "down"...), "" when
// unreadable, as readTrimmed does.
func (m *Reader) readOperState(name, dir string) string {
	f := m.operstate[name]
	if f == nil {
		f = &operFile{}
		m.operstate[name] = f
	}
	f.seen = m.pass
	var b [64]byte
	data, err := f.file.Read(b[:0], 0, func() string { return filepath.Join(dir, "operstate") })
	if err != nil {
		f.value = ""
		return ""
	}
	data = bytes.TrimSpace(data)
	if string(data) != f.value {
		f.value = string(data)
	}
	return f.value
}

// Close releases the files kept open.
func (m *Reader) Close() {
	m.readMu.Lock()
	defer m.readMu.Unlock()
	for name, f := range m.procFiles {
		f.Close()
		delete(m.procFiles, name)
	}
	for name, f := range m.operstate {
		f.file.Close()
		delete(m.operstate, name)
	}
}

// speedTTL is how long a link speed is trusted: it changes only when a
// link renegotiates, and a node with hundreds of veths would otherwise read
// hundreds of sysfs files per refresh.
const speedTTL = time.Minute

// speed is a cached link speed.
type speed struct {
	mbps int64
	at   time.Time
}

// readSpeed reads a link speed in Mb/s; -1 when the driver does not know
// (the read fails with EINVAL on a down link, or says -1 or 2^32-1).
func readSpeed(path string) int64 {
	v, err := strconv.ParseInt(readTrimmed(path), 10, 64)
	if err != nil || v <= 0 || v >= 1<<32-1 {
		return -1
	}
	return v
}

// isPartition says whether a diskstats name is a partition, from sysfs
// (class/block/<name>/partition exists) or, without sysfs, from its name.
func (m *Reader) isPartition(name string) bool {
	if p, ok := m.partitions[name]; ok {
		return p
	}
	dir := filepath.Join(m.sysRoot, "class/block", strings.ReplaceAll(name, "/", "!"))
	var p bool
	if _, err := os.Stat(dir); err == nil {
		_, err := os.Stat(filepath.Join(dir, "partition"))
		p = err == nil
	} else {
		p = partitionName.MatchString(name)
	}
	m.partitions[name] = p
	return p
}

var partitionName = regexp.MustCompile(`^((sd|hd|vd|xvd)[a-z]+[0-9]+|(nvme[0-9]+n[0-9]+|mmcblk[0-9]+|loop[0-9]+|nbd[0-9]+)p[0-9]+)$`)

// readFilesystems statfs's each real mount, one per device.
func (m *Reader) readFilesystems() ([]model.Filesystem, error) {
	if m.mounts == nil || time.Since(m.mountsAt) > mountsTTL {
		data, err := kernfile.ReadFile(m.mountinfo, m.buf[:0], 0)
		m.buf = data
		if err != nil {
			return nil, fmt.Errorf("machine: %w", err)
		}
		m.mounts, m.mountsErr = parseMountinfo(data)
		if m.mountsErr != nil {
			m.mountsErr = fmt.Errorf("machine: %s: %w", m.mountinfo, m.mountsErr)
		}
		m.mountsAt = time.Now()
	}
	perr := m.mountsErr
	out := make([]model.Filesystem, 0, len(m.mounts))
	mounts := m.mounts
	var errs []error
	for _, fs := range mounts {
		st, err := m.statfsTimeout(m.statfsPrefix + fs.Mountpoint)
		if err != nil {
			errs = append(errs, fmt.Errorf("machine: statfs %s: %w", fs.Mountpoint, err))
			continue
		}
		if st.Blocks == 0 {
			continue // a pseudo filesystem we did not know
		}
		bs := uint64(st.Frsize)
		if bs == 0 {
			bs = uint64(st.Bsize)
		}
		fs.Total = st.Blocks * bs
		fs.Used = (st.Blocks - st.Bfree) * bs
		fs.Available = st.Bavail * bs
		out = append(out, fs)
	}
	return out, errors.Join(append([]error{perr}, errs...)...)
}

// statfsTimeout runs statfs in a goroutine so that a hung network mount
// costs one goroutine, not the refresh; while it hangs the mount is skipped.
func (m *Reader) statfsTimeout(path string) (unix.Statfs_t, error) {
	m.mu.Lock()
	if m.pending[path] {
		m.mu.Unlock()
		return unix.Statfs_t{}, errors.New("previous statfs still pending")
	}
	m.mu.Unlock()
	type result struct {
		st  unix.Statfs_t
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		r.err = m.statfs(path, &r.st)
		m.mu.Lock()
		delete(m.pending, path)
		m.mu.Unlock()
		done <- r
	}()
	select {
	case r := <-done:
		return r.st, r.err
	case <-time.After(statfsTimeout):
		m.mu.Lock()
		m.pending[path] = true
		m.mu.Unlock()
		return unix.Statfs_t{}, fmt.Errorf("timed out after %v", statfsTimeout)
	}
}

// pseudoFS are filesystem types that hold no user data.
var pseudoFS = map[string]bool{
	"proc": true, "sysfs": true, "cgroup": true, "cgroup2": true, "overlay": true,
	"tmpfs": true, "ramfs": true, "devtmpfs": true, "devpts": true, "mqueue": true,
	"securityfs": true, "debugfs": true, "tracefs": true, "nsfs": true, "autofs": true,
	"pstore": true, "bpf": true, "configfs": true, "fusectl": true, "hugetlbfs": true,
	"binfmt_misc": true, "rpc_pipefs": true, "efivarfs": true, "selinuxfs": true,
	"squashfs": true, "nfsd": true, "fuse.lxcfs": true, "fuse.gvfsd-fuse": true,
	"fuse.portal": true, "fuse.snapfuse": true,
}

// parseMountinfo returns the real mounts of a mountinfo file, one per
// device: the first that mounts the device's root, else its first bind
// mount. Total, Used and Available are left for statfs. A malformed line
// (a table cut short) is named in the error; the others are still returned.
func parseMountinfo(data []byte) ([]model.Filesystem, error) {
	realFS := func(i *mountinfo.Info) (skip, stop bool) { return pseudoFS[i.FSType], false }
	infos, err := mountinfo.GetMountsFromReader(bytes.NewReader(data), realFS)
	var bad error
	if err != nil {
		// The library gives up at the first bad line: read the table
		// line by line to keep the good ones (never the case for a table
		// the kernel wrote whole).
		infos = infos[:0]
		for lineNo := 1; len(data) > 0; lineNo++ {
			var line []byte
			line, data, _ = bytes.Cut(data, []byte{'\n'})
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			one, err := mountinfo.GetMountsFromReader(bytes.NewReader(line), realFS)
			if err != nil && bad == nil {
				bad = fmt.Errorf("mountinfo line %d: %w", lineNo, err)
			}
			infos = append(infos, one...)
		}
	}
	type device struct{ major, minor int }
	type mount struct {
		fs       model.Filesystem
		wholeDev bool
	}
	var mounts []mount
	chosen := map[device]int{} // index in mounts
	for _, in := range infos {
		m := mount{
			fs:       model.Filesystem{Device: in.Source, Mountpoint: in.Mountpoint, Type: in.FSType},
			wholeDev: in.Root == "/",
		}
		dev := device{in.Major, in.Minor}
		i, seen := chosen[dev]
		switch {
		case !seen:
			chosen[dev] = len(mounts)
			mounts = append(mounts, m)
		case m.wholeDev && !mounts[i].wholeDev:
			mounts[i] = m
		}
	}
	out := make([]model.Filesystem, 0, len(mounts))
	for _, m := range mounts {
		out = append(out, m.fs)
	}
	return out, bad
}

// parseCPUStat reads the cpu lines of /proc/stat, turning ticks into
// seconds. Older kernels have fewer columns; the missing ones stay 0.
func parseCPUStat(data []byte, clk float64) (total model.CPUTimes, cpus []model.CPUTimes, err error) {
	found := false
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		if !bytes.HasPrefix(line, []byte("cpu")) {
			continue
		}
		f := bytes.Fields(line)
		if len(f) < 5 {
			return total, cpus, fmt.Errorf("cpu line %q: too few fields", line)
		}
		var v [8]float64
		for i := 1; i < len(f) && i <= len(v); i++ {
			n, perr := strconv.ParseUint(string(f[i]), 10, 64)
			if perr != nil {
				return total, cpus, fmt.Errorf("cpu line %q: %w", line, perr)
			}
			v[i-1] = float64(n) / clk
		}
		t := model.CPUTimes{Name: string(f[0]), User: v[0], Nice: v[1], System: v[2], Idle: v[3],
			IOWait: v[4], IRQ: v[5], SoftIRQ: v[6], Steal: v[7]}
		if t.Name == "cpu" {
			total, found = t, true
		} else {
			cpus = append(cpus, t)
		}
	}
	if !found {
		return total, cpus, errors.New("no cpu line")
	}
	return total, cpus, nil
}

// parseBootTime returns the btime line of /proc/stat (unix seconds).
func parseBootTime(data []byte) (int64, bool) {
	i := bytes.Index(data, []byte("\nbtime "))
	if i < 0 {
		return 0, false
	}
	line, _, _ := bytes.Cut(data[i+7:], []byte{'\n'})
	v, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 10, 64)
	return v, err == nil
}

// parseCPUInfo counts the processors of /proc/cpuinfo and returns the
// first model name (x86 "model name", else ARM's "Hardware" or "Processor").
func parseCPUInfo(data []byte) (n int, modelName string) {
	fallback := ""
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		key, val, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			continue
		}
		k, v := string(bytes.TrimSpace(key)), string(bytes.TrimSpace(val))
		switch k {
		case "processor":
			n++
		case "model name":
			if modelName == "" {
				modelName = v
			}
		case "Hardware", "Processor", "cpu model":
			if fallback == "" {
				fallback = v
			}
		}
	}
	if modelName == "" {
		modelName = fallback
	}
	return n, modelName
}

// parseMeminfo reads /proc/meminfo into bytes. Used is Total − Available,
// as free(1) and htop show it; kernels without MemAvailable (before 3.14)
// get Free + Buffers + Cached instead.
func parseMeminfo(data []byte) (model.Memory, error) {
	var m model.Memory
	hasTotal, hasAvail := false, false
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		key, val, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			continue
		}
		var dst *uint64
		switch string(key) {
		case "MemTotal":
			dst, hasTotal = &m.Total, true
		case "MemFree":
			dst = &m.Free
		case "MemAvailable":
			dst, hasAvail = &m.Available, true
		case "Buffers":
			dst = &m.Buffers
		case "Cached":
			dst = &m.Cached
		case "SwapTotal":
			dst = &m.SwapTotal
		case "SwapFree":
			dst = &m.SwapFree
		default:
			continue
		}
		f := bytes.Fields(val)
		if len(f) == 0 {
			return m, fmt.Errorf("%s: no value", key)
		}
		v, err := strconv.ParseUint(string(f[0]), 10, 64)
		if err != nil {
			return m, fmt.Errorf("%s: %w", key, err)
		}
		if len(f) > 1 && string(f[1]) == "kB" {
			v *= 1024
		}
		*dst = v
	}
	if !hasTotal {
		return m, errors.New("no MemTotal")
	}
	if !hasAvail {
		m.Available = m.Free + m.Buffers + m.Cached
	}
	if m.Available < m.Total {
		m.Used = m.Total - m.Available
	}
	return m, nil
}

// parseLoadavg returns the 1, 5 and 15 minute load averages.
func parseLoadavg(data []byte) ([3]float64, error) {
	var l [3]float64
	f := bytes.Fields(data)
	if len(f) < 3 {
		return l, fmt.Errorf("%d fields, want 3 or more", len(f))
	}
	for i := range l {
		v, err := strconv.ParseFloat(string(f[i]), 64)
		if err != nil {
			return [3]float64{}, err
		}
		l[i] = v
	}
	return l, nil
}

// parseUptime returns the first number of /proc/uptime, in seconds.
func parseUptime(data []byte) (float64, error) {
	f := bytes.Fields(data)
	if len(f) == 0 {
		return 0, errors.New("empty")
	}
	return strconv.ParseFloat(string(f[0]), 64)
}

// parseDiskstats reads /proc/diskstats. Sectors there are always 512
// bytes, whatever the device's sector size. Unused ram and loop devices,
// which only clutter the view, are left out.
func parseDiskstats(data []byte, isPartition func(string) bool) ([]model.DiskCounters, error) {
	var out []model.DiskCounters
	lineNo := 0
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		lineNo++
		f := bytes.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 14 {
			return out, fmt.Errorf("line %d: %d fields, want at least 14", lineNo, len(f))
		}
		var v [11]uint64 // fields 4 to 14
		for i := range v {
			n, err := strconv.ParseUint(string(f[i+3]), 10, 64)
			if err != nil {
				return out, fmt.Errorf("line %d field %d: %w", lineNo, i+4, err)
			}
			v[i] = n
		}
		name := string(f[2])
		if (strings.HasPrefix(name, "ram") || strings.HasPrefix(name, "loop")) && v == [11]uint64{} {
			continue
		}
		out = append(out, model.DiskCounters{
			Name:         name,
			Reads:        v[0],
			ReadBytes:    v[2] * 512,
			Writes:       v[4],
			WriteBytes:   v[6] * 512,
			InFlight:     v[8],
			IOTimeMs:     v[9],
			WeightedIOMs: v[10],
			SectorSize:   512,
			IsPartition:  isPartition(name),
		})
	}
	return out, nil
}

// readTrimmed returns a small file's content without surrounding space, or
// "" when it cannot be read.
func readTrimmed(path string) string {
	var b [64]byte
	data, err := kernfile.ReadFile(path, b[:0], 0)
	if err != nil {
		return ""
	}
	return string(bytes.TrimSpace(data))
}

// clockTicks returns USER_HZ from the auxiliary vector (AT_CLKTCK), which
// is what sysconf(_SC_CLK_TCK) reads; 100, its value on every Linux port
// in use, when the vector is unreadable.
func clockTicks() int {
	const atClkTck = 17
	data, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return 100
	}
	word := int(unsafe.Sizeof(uintptr(0)))
	for i := 0; i+2*word <= len(data); i += 2 * word {
		var key, val uint64
		if word == 8 {
			key = binary.NativeEndian.Uint64(data[i:])
			val = binary.NativeEndian.Uint64(data[i+word:])
		} else {
			key = uint64(binary.NativeEndian.Uint32(data[i:]))
			val = uint64(binary.NativeEndian.Uint32(data[i+word:]))
		}
		if key == atClkTck && val > 0 && val < 10000 {
			return int(val)
		}
		if key == 0 {
			break
		}
	}
	return 100
}
