package collector

import (
	"context"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// On demand, a refresh reads what processes listen on, and their io, only
// while something uses them: a listener on the node shows no ports (nil:
// not read) until WantPorts, and is found in the pass after it; no
// process has io until WantProcessIO.
func TestPortsReadOnDemand(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	nc := exec.Command("busybox", "nc", "-l", "-p", strconv.Itoa(port))
	if err := nc.Start(); err != nil {
		t.Fatalf("busybox nc: %v (make check installs busybox-static)", err)
	}
	t.Cleanup(func() { _ = nc.Process.Kill(); _ = nc.Wait() })
	want := strconv.Itoa(port) + "/tcp"

	l, err := NewLocal(context.Background(), Config{DockerHost: "none", PodmanHost: "none", CRIOAddress: "none", ContainerdAddress: "none"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.ReadOnDemand(true, true, false)
	anyIO := false
	listenOf := func() (p *model.ProcessSample, anyRead bool) {
		s, err := l.Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for i := range s.Processes {
			if s.Processes[i].Listen != nil {
				anyRead = true
			}
			anyIO = anyIO || s.Processes[i].HasIO
			if s.Processes[i].PID == nc.Process.Pid {
				p = &s.Processes[i]
			}
		}
		return p, anyRead
	}
	for range 3 {
		if p, read := listenOf(); read || p == nil {
			t.Fatalf("ports read while nothing wants them (nc listed: %v)", p != nil)
		}
	}
	l.WantPorts()
	for i := 0; ; i++ {
		p, _ := listenOf()
		if p != nil && slices.Contains(p.Listen, want) {
			break
		}
		if i == 100 {
			var got []string
			if p != nil {
				got = p.Listen
			}
			t.Fatalf("after WantPorts, nc (pid %d, listed %v) listens on %v, want %s", nc.Process.Pid, p != nil, got, want)
		}
		time.Sleep(50 * time.Millisecond) // nc may not listen yet
	}
	if anyIO {
		t.Error("processes' io read while nothing wants it")
	}
	l.WantProcessIO()
	if p, _ := listenOf(); p == nil || !p.HasIO {
		t.Errorf("after WantProcessIO, nc has no io: %+v", p)
	}
}
