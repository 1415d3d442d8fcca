package proc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/cgrouptest"
	"github.com/ctop-like/ctop-like/internal/collector/kernfile"
	"github.com/ctop-like/ctop-like/internal/model"
)

func sampleOf(t *testing.T, ps []model.ProcessSample, pid int) model.ProcessSample {
	t.Helper()
	for _, p := range ps {
		if p.PID == pid {
			return p
		}
	}
	t.Fatalf("pid %d not listed", pid)
	return model.ProcessSample{}
}

// While figures are skipped a pass reads no stat of a process it knows:
// the process keeps its identity (command, cgroup, start time) and says
// NoFigures; a process on a pid whose folder is new (the pid reused) is
// read whole, as the new process it is; once figures are wanted again,
// every process has them.
func TestSkippedFiguresKeepIdentityAndReadAReusedPIDAsNew(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(procFixture)); err != nil {
		t.Fatal(err)
	}
	r := newTestProcReader(root)
	r.SkipFigures(true)
	first, _ := r.Read()
	was := sampleOf(t, first, 6271)
	if was.NoFigures || was.RSS == 0 || was.State != "S" {
		t.Fatalf("first pass: pid 6271 = %+v, want its figures (a process seen first is read whole)", was)
	}
	second, _ := r.Read()
	for _, p := range second {
		if !p.NoFigures || p.RSS != 0 || p.State != "" || p.HasIO {
			t.Errorf("second pass, figures skipped: pid %d has figures (NoFigures %v, RSS %d, state %q, io %v)", p.PID, p.NoFigures, p.RSS, p.State, p.HasIO)
		}
	}
	now := sampleOf(t, second, 6271)
	if now.Command != was.Command || now.Cgroup != was.Cgroup || now.User != was.User || now.Name != was.Name || !now.StartTime.Equal(was.StartTime) || now.StartTicks != was.StartTicks {
		t.Errorf("second pass: pid 6271 = %+v, want the identity of %+v", now, was)
	}

	// pid 6271 exits and a new process gets the pid: its folder is a new
	// one (a new inode), whatever the pid.
	dir := filepath.Join(root, "6271")
	if err := os.Rename(dir, filepath.Join(root, "gone-6271")); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(root, "gone-6271"))); err != nil {
		t.Fatal(err)
	}
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		t.Fatal(err)
	}
	ticks := strconv.FormatUint(was.StartTicks, 10)
	newTicks := strconv.FormatUint(was.StartTicks+5000, 10)
	if !strings.Contains(string(stat), " "+ticks+" ") {
		t.Fatalf("stat of 6271 has no start time %s: %q", ticks, stat)
	}
	for name, data := range map[string]string{
		"stat":    strings.Replace(string(stat), " "+ticks+" ", " "+newTicks+" ", 1),
		"cmdline": "new-server\x00--port\x0080\x00",
		"cgroup":  "4:memory:/mesos/7e2a1d39-0b0a-4f1e-9d55-4a6f0c4f7a11\n0::/\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	third, _ := r.Read()
	reused := sampleOf(t, third, 6271)
	if reused.NoFigures || reused.Command != "new-server --port 80" || reused.StartTicks != was.StartTicks+5000 || reused.Cgroup != "/mesos/7e2a1d39-0b0a-4f1e-9d55-4a6f0c4f7a11" {
		t.Errorf("pid 6271 reused: %+v, want the new process read whole (new-server --port 80, start %s, /mesos/7e2a…)", reused, newTicks)
	}
	if p := sampleOf(t, third, 6335); !p.NoFigures {
		t.Errorf("pid 6335, unchanged: read again while figures are skipped")
	}

	r.SkipFigures(false)
	fourth, _ := r.Read()
	for _, p := range fourth {
		if p.NoFigures || p.State == "" {
			t.Errorf("figures wanted again: pid %d has none (%+v)", p.PID, p)
		}
	}
}

// The kernel gives a reused pid a new /proc/<pid> folder: a process that
// takes the pid of one that exited is read as itself while figures are
// skipped, not as the process before it. The pid is reused on purpose
// through ns_last_pid (root). The reader's boot time is weeks back, so
// that every process is past settleAge: only the folder's inode tells the
// new process from the old.
func TestSkippedFiguresTellAReusedPIDOnThisKernel(t *testing.T) {
	cgrouptest.RequireRoot(t)
	r := NewReader("/proc", 100, testBoot)
	defer r.Close()
	r.SkipFigures(true)
	start := func(arg string) *exec.Cmd {
		t.Helper()
		cmd := exec.Command("sleep", arg)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	old := start("1001")
	pid := old.Process.Pid
	before, _ := r.Read()
	if p := sampleOf(t, before, pid); p.Command != "sleep 1001" {
		t.Fatalf("pid %d: command %q, want sleep 1001", pid, p.Command)
	}
	if p := sampleOf(t, mustRead(t, r), pid); !p.NoFigures || p.Command != "sleep 1001" {
		t.Fatalf("pid %d, known: %+v, want sleep 1001 without figures", pid, p)
	}
	old.Process.Kill()
	old.Wait()
	// The next pid the kernel gives is ns_last_pid+1; other processes of
	// the machine may take it first: try again.
	var reused *exec.Cmd
	for i := 0; i < 200 && reused == nil; i++ {
		if err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(pid-1)), 0); err != nil {
			t.Fatalf("ns_last_pid: %v", err)
		}
		cmd := start("1002")
		if cmd.Process.Pid == pid {
			reused = cmd
			break
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	if reused == nil {
		t.Fatalf("pid %d not given again in 200 tries", pid)
	}
	defer func() { reused.Process.Kill(); reused.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		p := sampleOf(t, mustRead(t, r), pid)
		if p.Command == "sleep 1002" {
			if p.NoFigures {
				t.Errorf("the new process on pid %d: NoFigures in the pass that found it, want it read whole", pid)
			}
			break
		}
		// exec of sleep may not have happened yet: the command is the
		// forked test binary's until it has.
		if p.Command == "sleep 1001" || time.Now().After(deadline) {
			t.Fatalf("pid %d reused by sleep 1002: read as %q", pid, p.Command)
		}
	}
}

func mustRead(t *testing.T, r *Reader) []model.ProcessSample {
	t.Helper()
	ps, err := r.Read()
	if err != nil && len(ps) == 0 {
		t.Fatal(err)
	}
	return ps
}

// A process younger than settleAge is read whole while figures are
// skipped: a runtime moves a container's first process into its cgroups
// before it execs, and only a read of its stat sees the exec that makes
// its cgroup be read again. Older processes are not read.
func TestSkippedFiguresReadYoungProcessesWhole(t *testing.T) {
	// The fixture's pid 6271 started 363.63 s after boot, pid 1 0.3 s
	// after: with the boot 365 s ago, 6271 is 1.4 s old and pid 1 365 s.
	r := NewReader(procFixture, 100, time.Now().Add(-365*time.Second))
	r.pageSize = 4096
	r.SkipFigures(true)
	r.Read()
	second, _ := r.Read()
	if p := sampleOf(t, second, 6271); p.NoFigures {
		t.Errorf("pid 6271, 1.4 s old: NoFigures, want it read every pass until it is %v old", settleAge)
	}
	if p := sampleOf(t, second, 1); !p.NoFigures {
		t.Errorf("pid 1, 365 s old: read again while figures are skipped")
	}
}

// The descriptors kept for the stat of processes not read are given
// back (kernfile's budget goes to the files read every pass), and taken
// again once figures are read.
func TestSkippedFiguresGiveTheirDescriptorsBack(t *testing.T) {
	r := newTestProcReader(procFixture)
	defer r.Close()
	held := kernfile.Held()
	r.Read()
	read := kernfile.Held() - held
	if read == 0 {
		t.Fatal("a pass with figures keeps no descriptor")
	}
	r.SkipFigures(true)
	r.Read()
	if n := kernfile.Held() - held; n != 0 {
		t.Errorf("figures skipped: %d descriptors still held, want none", n)
	}
	r.SkipFigures(false)
	r.Read()
	if n := kernfile.Held() - held; n != read {
		t.Errorf("figures read again: %d descriptors held, want the %d of the first pass", n, read)
	}
}

// Where the listing gave no inode for a pid (0, or the 1 the kernel gives
// when it could not make the folder's dentry), the process is read whole
// even while figures are skipped: nothing else tells a reused pid.
func TestSkippedFiguresReadWhereTheListingGaveNoInode(t *testing.T) {
	r := newTestProcReader(procFixture)
	defer r.Close()
	r.SkipFigures(true)
	for _, ino := range []uint64{0, 1} {
		r.pass++
		if _, err := r.readProcess(6271, ino); err != nil {
			t.Fatal(err)
		}
		r.pass++
		p, err := r.readProcess(6271, ino)
		if err != nil {
			t.Fatal(err)
		}
		if p.NoFigures {
			t.Errorf("listed with inode %d twice: NoFigures, want it read whole", ino)
		}
	}
}
