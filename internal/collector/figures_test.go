package collector

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/cgrouptest"
	"github.com/ctop-like/ctop-like/internal/collector/cgroups"
	"github.com/ctop-like/ctop-like/internal/model"
)

// figuresScript holds 5 TCP connections open (10 ESTABLISHED sockets)
// and leaves 3 in TIME-WAIT in its own network namespace, with 20 files
// open, then says so in the file named by its argument.
const figuresScript = `
import socket, sys, time
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(64)
port = ls.getsockname()[1]
keep = []
for i in range(5):
    c = socket.create_connection(("127.0.0.1", port))
    a, _ = ls.accept()
    keep += [c, a]
for i in range(3):
    c = socket.create_connection(("127.0.0.1", port))
    a, _ = ls.accept()
    c.close()
    time.sleep(0.05)
    a.close()
files = [open("/dev/null") for _ in range(20)]
time.sleep(0.5)
open(sys.argv[1], "w").close()
time.sleep(600)
`

// Issue 24: a Mesos task in a network namespace of its own shows its
// open descriptors and its TCP connections, equal to what the kernel
// lists: /proc/<pid>/fd's entries and ss's sockets in the namespace.
func TestFDsAndTCPOfATask(t *testing.T) {
	cgrouptest.RequireRoot(t)
	for _, tool := range []string{"python3", "unshare", "nsenter", "ss", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s: %v", tool, err)
			}
			t.Skip(tool, " missing")
		}
	}
	const root = "/sys/fs/cgroup"
	m, err := cgroups.Locate("/proc", root)
	if err != nil {
		t.Fatal(err)
	}
	_, version, err := cgroups.NewFinder(m, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	mounts := []string{root}
	if version == 1 {
		mounts = []string{filepath.Join(root, "memory"), filepath.Join(root, "pids")}
	}
	rel := cgrouptest.Mesos(t, "figures", mounts...)
	var dirs []string
	for _, m := range mounts {
		dirs = append(dirs, filepath.Join(m, rel))
	}
	hostRel := cgrouptest.Mesos(t, "figures-hostnet", mounts...)
	var hostDirs []string
	for _, m := range mounts {
		hostDirs = append(hostDirs, filepath.Join(m, hostRel))
	}
	cgrouptest.Start(t, "exec sleep 600", nil, hostDirs...)
	tmp := t.TempDir()
	py := filepath.Join(tmp, "conns.py")
	if err := os.WriteFile(py, []byte(figuresScript), 0o644); err != nil {
		t.Fatal(err)
	}
	ready := filepath.Join(tmp, "ready")
	_, done := cgrouptest.Start(t, "exec unshare -n sh -c 'ip link set lo up && exec python3 "+py+" "+ready+"'", nil, dirs...)
	for {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		select {
		case <-done:
			t.Fatal("the script ended early")
		case <-time.After(20 * time.Millisecond):
		}
	}
	procsFile := filepath.Join(dirs[0], "cgroup.procs")
	b, err := os.ReadFile(procsFile)
	if err != nil {
		t.Fatal(err)
	}
	pids := strings.Fields(string(b))
	kernelFDs := func() int {
		n := 0
		for _, p := range pids {
			ents, err := os.ReadDir(filepath.Join("/proc", p, "fd"))
			if err != nil {
				t.Fatal(err)
			}
			n += len(ents)
		}
		return n
	}
	ss := func(state string) int {
		out, err := exec.Command("nsenter", "-t", pids[len(pids)-1], "-n", "ss", "-Htan", "state", state).Output()
		if err != nil {
			t.Fatalf("ss: %v", err)
		}
		return strings.Count(string(out), "\n")
	}

	l, err := NewLocal(context.Background(), Config{DockerHost: "none", PodmanHost: "none", ContainerdAddress: "none", CRIOAddress: "none"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fds1, est1, cw1, tw1 := kernelFDs(), ss("established"), ss("close-wait"), ss("time-wait")
	c := findContainer(collectOnce(t, l), filepath.Base(rel))
	fds2, est2, cw2, tw2 := kernelFDs(), ss("established"), ss("close-wait"), ss("time-wait")
	if c == nil {
		t.Fatalf("cgroup %s not listed", rel)
	}
	if fds1 != fds2 || est1 != est2 || tw1 != tw2 || cw1 != cw2 {
		t.Fatalf("the task's descriptors or sockets changed during the read: fds %d→%d, established %d→%d, time-wait %d→%d", fds1, fds2, est1, est2, tw1, tw2)
	}
	if est1 != 10 || tw1 != 3 || fds1 < 20 {
		t.Fatalf("the script's premise: ss says %d established, %d time-wait; %d descriptors", est1, tw1, fds1)
	}
	t.Logf("kernel: %d fds, %d established, %d close-wait, %d time-wait; read %+v", fds1, est1, cw1, tw1, c.Figures)
	if !c.Has(model.KnownFDs) || c.Figures.FDs != uint64(fds1) {
		t.Errorf("fds %+v, want %d (the kernel's /proc/<pid>/fd entries)", c.Figures, fds1)
	}
	// tcpCurrEstab counts CLOSE-WAIT too since Linux 6.10; the script
	// leaves none.
	if !c.Has(model.KnownTCP) || c.Figures.TCPEstablished != uint64(est1+cw1) || c.Figures.TCPTimeWait != uint64(tw1) {
		t.Errorf("tcp %+v, want %d established, %d time-wait (ss in the namespace)", c.Figures, est1, tw1)
	}
	// A task in the host's namespace has no TCP figures of its own (they
	// would be the node's).
	if h := findContainer(collectOnce(t, l), filepath.Base(hostRel)); h == nil || h.Has(model.KnownTCP) || !h.Has(model.KnownFDs) {
		t.Errorf("task in the host's network namespace: %+v; want fds and no TCP figures", h)
	}
}
