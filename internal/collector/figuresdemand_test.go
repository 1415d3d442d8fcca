package collector

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// On demand, a pass reads no figures of the processes it knows until
// WantProcessFigures: they are listed with who they are (command, start
// time, cgroup) and NoFigures; a process started since, or younger than
// 10 s, is read whole; the want reports once that the last pass lacked
// them, and the next pass has every process's figures.
func TestProcessFiguresReadOnDemand(t *testing.T) {
	l, err := NewLocal(context.Background(), Config{DockerHost: "none", PodmanHost: "none", CRIOAddress: "none", ContainerdAddress: "none"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.ReadOnDemand(false, false, true)
	collect := func() *model.Sample {
		t.Helper()
		s, err := l.Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	self := func(s *model.Sample, pid int) *model.ProcessSample {
		t.Helper()
		for i := range s.Processes {
			if s.Processes[i].PID == pid {
				return &s.Processes[i]
			}
		}
		t.Fatalf("pid %d not listed (%d processes)", pid, len(s.Processes))
		return nil
	}
	s0 := collect()
	if me := self(s0, os.Getpid()); me.NoFigures || me.RSS == 0 {
		t.Fatalf("first pass: this test's process has no figures (%+v): a process seen first is read whole", *me)
	}
	// The processes 20 s old or more: past the 10 s in which a process
	// is read every pass.
	old := make(map[int]model.ProcessSample, len(s0.Processes))
	for _, p := range s0.Processes {
		if time.Since(p.StartTime) > 20*time.Second {
			old[p.PID] = p
		}
	}
	if len(old) == 0 {
		t.Fatal("no process of this node is 20 s old")
	}
	s := collect()
	for _, p := range s.Processes {
		was, ok := old[p.PID]
		if !ok || was.StartTicks != p.StartTicks {
			continue
		}
		if !p.NoFigures || p.RSS != 0 || p.State != "" || p.Command != was.Command || !p.StartTime.Equal(was.StartTime) || p.Cgroup != was.Cgroup {
			t.Errorf("second pass, nothing wants figures: pid %d = %+v, want the identity of %+v and NoFigures", p.PID, p, was)
		}
	}
	sleeper := exec.Command("sleep", "1000")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sleeper.Process.Kill(); sleeper.Wait() }()
	// Until the fork has exec'd sleep.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		p := self(collect(), sleeper.Process.Pid)
		if p.NoFigures {
			t.Fatalf("a process started since the last pass: %+v, want it read whole", *p)
		}
		if p.Command == "sleep 1000" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sleep never listed as itself in 10 s: %q", p.Command)
		}
	}
	if !l.WantProcessFigures() {
		t.Error("WantProcessFigures after a pass without figures: want it to say so")
	}
	if l.WantProcessFigures() {
		t.Error("WantProcessFigures said twice that the last pass lacked figures")
	}
	s = collect()
	for _, p := range s.Processes {
		if p.NoFigures {
			t.Errorf("after WantProcessFigures: pid %d (%s) has no figures", p.PID, p.Command)
		}
	}
	if l.WantProcessFigures() {
		t.Error("WantProcessFigures after a pass with figures: said the pass lacked them")
	}
}
