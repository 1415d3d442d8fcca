package oomkills

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctop-like/ctop-like/internal/model"
)

// Records read from this project's VM's /dev/kmsg (kernel 6.18, cgroup
// v1) after `podman run --memory 16m … tail /dev/zero` and a Docker
// container OOM-killed the same way; the pre-4.19 line is built from the
// kernel's format (mm/memcontrol.c, mem_cgroup_print_oom_info, 4.14).
const (
	kmsgPodman = `6,996,1189331257,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=libpod-111adc98f76b931129e82e36300b8156f1e6323085649918392fb96a8bab57c1,mems_allowed=0,oom_memcg=/libpod_parent/libpod-111adc98f76b931129e82e36300b8156f1e6323085649918392fb96a8bab57c1,task_memcg=/libpod_parent/libpod-111adc98f76b931129e82e36300b8156f1e6323085649918392fb96a8bab57c1,task=tail,pid=7892,uid=0`
	kmsgDocker = `6,1213,1548384222,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=102e6cf87735c2e7dab4bf4800c86cd936e5e0f58e1b04a72fb5245a26335483,mems_allowed=0,oom_memcg=/docker/102e6cf87735c2e7dab4bf4800c86cd936e5e0f58e1b04a72fb5245a26335483,task_memcg=/docker/102e6cf87735c2e7dab4bf4800c86cd936e5e0f58e1b04a72fb5245a26335483,task=sh,pid=23405,uid=0`
	kmsgOld    = "6,512,86400000000,-;Task in /system.slice/docker-102e6cf87735c2e7dab4bf4800c86cd936e5e0f58e1b04a72fb5245a26335483.scope killed as a result of limit of /system.slice/docker-102e6cf87735c2e7dab4bf4800c86cd936e5e0f58e1b04a72fb5245a26335483.scope\n"
	kmsgOther  = `3,997,1189331273,-;Memory cgroup out of memory: Killed process 7892 (tail) total-vm:18168kB, anon-rss:16000kB, file-rss:1264kB, shmem-rss:0kB, UID:0 pgtables:76kB oom_score_adj:0`
	kmsgHost   = `6,20,5000000,-;oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice,task=java,pid=4242,uid=1000`
)

func TestParseOOMRecord(t *testing.T) {
	boot := time.Date(2026, 12, 7, 2, 52, 0, 0, time.UTC)
	for _, tc := range []struct {
		rec    string
		id     string
		offset time.Duration
	}{
		{kmsgPodman, "111adc98f76b931129e82e36300b8156f1e6323085649918392fb96a8bab57c1", 1189331257 * time.Microsecond},
		{kmsgDocker, "102e6cf87735c2e7dab4bf4800c86cd936e5e0f58e1b04a72fb5245a26335483", 1548384222 * time.Microsecond},
		{kmsgOld, "102e6cf87735c2e7dab4bf4800c86cd936e5e0f58e1b04a72fb5245a26335483", 24 * time.Hour},
		{kmsgOther, "", 0},
		{kmsgHost, "", 0}, // no container's cgroup
		{"garbage", "", 0},
		{"6,1,x,-;oom-kill:task_memcg=/docker/102e6cf87735c2e7dab4bf4800c86cd936e5e0f58e1b04a72fb5245a26335483", "", 0},
	} {
		id, at, ok := parseOOMRecord([]byte(tc.rec), boot)
		if ok != (tc.id != "") || id != tc.id || ok && !at.Equal(boot.Add(tc.offset)) {
			t.Errorf("%.40s…: %q %v %v, want %q at boot+%v", tc.rec, id, at, ok, tc.id, tc.offset)
		}
	}
}

// A Podman container the kernel OOM-killed during its last run is
// oom-killed whatever Podman says; a kill before that run, or of another
// container, is not its; while it runs, its cgroup's counter says so.
func TestKernelOOMMarksTheRun(t *testing.T) {
	boot := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	k := &Log{kills: map[string][]time.Time{}}
	id, at, ok := parseOOMRecord([]byte(kmsgPodman), boot)
	if !ok {
		t.Fatal("record not read")
	}
	k.add(id, at)
	exited := func(start, end time.Time) *model.ContainerSample {
		return &model.ContainerSample{ID: id, Runtime: model.RuntimePodman, State: "exited", RuntimeFields: &model.RuntimeFields{Created: start, StateSince: end}}
	}
	c := exited(at.Add(-time.Minute), at.Add(50*time.Millisecond))
	k.Mark(c, at.Add(-time.Minute))
	if !c.OOMKilled {
		t.Error("the run that ended with the kernel's kill is not oom-killed")
	}
	c = exited(at.Add(time.Minute), at.Add(2*time.Minute)) // started again after the kill
	k.Mark(c, at.Add(time.Minute))
	if c.OOMKilled {
		t.Error("a later run is oom-killed by an earlier run's kill")
	}
	other := &model.ContainerSample{ID: "other", Runtime: model.RuntimePodman, State: "exited", RuntimeFields: &model.RuntimeFields{Created: at, StateSince: at}}
	k.Mark(other, time.Time{})
	if other.OOMKilled {
		t.Error("another container is oom-killed")
	}
	running := &model.ContainerSample{ID: "r", Runtime: model.RuntimePodman, State: "running", RuntimeFields: &model.RuntimeFields{Created: at}, Mem: model.CgroupMemory{OOMKills: 1}}
	var none *Log // no kernel log: the counter still says
	none.Mark(running, time.Time{})
	if !running.OOMKilled {
		t.Error("a running container whose cgroup counted an OOM kill is not oom-killed")
	}
	mesos := &model.ContainerSample{ID: id, Runtime: model.RuntimeMesos, State: "running", Mem: model.CgroupMemory{OOMKills: 1}, RuntimeFields: &model.RuntimeFields{}}
	k.Mark(mesos, time.Time{})
	if mesos.OOMKilled {
		t.Error("oom_killed set for a runtime that does not describe it")
	}
}

// Each oom-kill record is an event naming the killed process, its pid,
// its cgroup and whose limit it hit; lines of other formats are none.
func TestParseOOMKillEvent(t *testing.T) {
	boot := time.Date(2026, 12, 7, 2, 52, 0, 0, time.UTC)
	e, ok := parseOOMKill([]byte(kmsgDocker), boot)
	if !ok || e.Kind != "oom-kill" || e.PID != 23405 || e.Object != "sh (pid 23405)" || e.ObjectKind != "process" ||
		e.Cgroup != "/docker/102e6cf87735c2e7dab4bf4800c86cd936e5e0f58e1b04a72fb5245a26335483" ||
		!e.Time.Equal(boot.Add(1548384222*time.Microsecond)) || e.Dedup != "kernel/1213" {
		t.Errorf("docker's record: %+v %v", e, ok)
	}
	if want := "the memory limit of /docker/102e6cf87735"; !strings.Contains(e.Text, want) {
		t.Errorf("text %q lacks %q", e.Text, want)
	}
	// The container is named by its cgroup's shape: one killed and gone
	// within one refresh was never listed to be placed by.
	if e.Container != "102e6cf87735c2e7dab4bf4800c86cd936e5e0f58e1b04a72fb5245a26335483" || e.Runtime != model.RuntimeDocker {
		t.Errorf("docker's kill is in container %q of %q", e.Container, e.Runtime)
	}
	h, ok := parseOOMKill([]byte(kmsgHost), boot)
	if !ok || h.PID != 4242 || h.Cgroup != "/user.slice" || h.Container != "" || !strings.Contains(h.Text, "the node ran out of memory") {
		t.Errorf("a node-wide OOM kill: %+v %v", h, ok)
	}
	for _, rec := range []string{kmsgOld, kmsgOther, "garbage", "6,1,x,-;oom-kill:task=sh,pid=1", "6,1,5,-;oom-kill:task=sh,pid=x"} {
		if e, ok := parseOOMKill([]byte(rec), boot); ok {
			t.Errorf("%.40s… read as %+v", rec, e)
		}
	}
}

// The kernel log's clock drifts from the wall clock's (2.2 s behind
// CLOCK_MONOTONIC on this project's VM after 5 hours up), so a kill read
// as it is written is dated when it is read: before, a kill in the first
// seconds of a run was dated before the run and the events view dropped
// it. Records already in the log at Open keep the log's own time. A FIFO
// stands in for /dev/kmsg: one record a read, EAGAIN once all are read.
func TestKillReadAsWrittenIsDatedWhenRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kmsg")
	if err := unix.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(path, os.O_RDWR, 0) // a writer that does not wait for a reader
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// A kill from the log's past: its time is the log's (boot + 1189 s).
	if _, err := w.WriteString(kmsgPodman); err != nil {
		t.Fatal(err)
	}
	k := Open(path)
	if k == nil {
		t.Fatal("the FIFO was not opened")
	}
	defer k.Close()
	for !k.live.Load() {
		time.Sleep(5 * time.Millisecond)
	}
	heard := make(chan model.Event, 4)
	k.Listen(func(e model.Event) { heard <- e })
	// The history was read before Listen: its kill is noted, not told.
	k.mu.Lock()
	past := slices.Clone(k.kills["111adc98f76b931129e82e36300b8156f1e6323085649918392fb96a8bab57c1"])
	k.mu.Unlock()
	if want := k.boot.Add(1189331257 * time.Microsecond); len(past) != 1 || !past[0].Equal(want) {
		t.Errorf("the kill already in the log is noted at %v, want the log's own time %v", past, want)
	}
	// A kill written now, whose time on the log's clock is hours ago.
	before := time.Now()
	if _, err := w.WriteString(kmsgDocker); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-heard:
		after := time.Now()
		if e.Kind != "oom-kill" || e.PID != 23405 {
			t.Fatalf("heard %+v", e)
		}
		if e.Time.Before(before) || e.Time.After(after) {
			t.Errorf("the kill read as it was written is dated %v, not between %v and %v (its log time is boot+1548 s)", e.Time, before, after)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the kill written after Open was never heard")
	}
}
