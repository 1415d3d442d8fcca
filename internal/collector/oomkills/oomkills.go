// Package oomkills reads the kernel's word on which containers its OOM
// killer struck, from the kernel log (/dev/kmsg) as it is written.
package oomkills

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctop-like/ctop-like/internal/collector/cgroups"
	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/model"
)

// Log keeps the kernel's word on which containers its OOM killer
// struck, read from the kernel log (/dev/kmsg) as it is written: an
// engine's own answer can be wrong (Podman 4 says OOMKilled false for a
// container the kernel OOM-killed), and a container's cgroup, whose
// counter says so, is gone once it has died. Each "oom-kill:" record names
// the memory cgroup of the task it killed; the container is the one that
// cgroup's shape names. Reading the log needs root (or CAP_SYSLOG): without
// it the engines' answers stand.
type Log struct {
	f    *os.File
	boot time.Time // the kernel log's time 0, in wall-clock time
	done chan struct{}

	mu    sync.Mutex
	kills map[string][]time.Time // by container id: when, oldest first

	// heard is told each kill the log records from now on, as the
	// events timeline keeps it (Listen); nil: no one listens.
	heard atomic.Pointer[func(model.Event)]
	// live: the records written before Open have all been read; a record
	// read since is news, read as it is written.
	live atomic.Bool
}

// Listen has f told each process the OOM killer kills from now on,
// which process in which cgroup (nil: no one); f must not block. A nil
// Log hears nothing.
func (k *Log) Listen(f func(model.Event)) {
	if k == nil {
		return
	}
	if f == nil {
		k.heard.Store(nil)
		return
	}
	k.heard.Store(&f)
}

const (
	// oomKeepContainers bounds how many containers' kills are kept (the
	// most recent ones), oomKeepKills how many kills of one container.
	oomKeepContainers = 1024
	oomKeepKills      = 8
	// oomSlack is how far a kill's time may be outside a run (the kernel
	// log's clock drifts from the wall clock; an engine notes a death a
	// moment after the kill).
	oomSlack = 2 * time.Second
)

// Open starts reading the kernel log at path (/dev/kmsg) from its oldest
// record; nil when it cannot be read (a nil Log knows of no kill).
func Open(path string) *Log {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		f.Close()
		return nil
	}
	k := &Log{f: f, boot: time.Now().Add(-time.Duration(ts.Nano())), done: make(chan struct{}), kills: map[string][]time.Time{}}
	go k.read()
	return k
}

// read takes the log's records one read at a time until the file is
// closed. Records lost to the ring buffer's overwriting (EPIPE) are
// skipped; any other error (closed, or a record larger than the buffer,
// which the kernel would refuse again and again) ends the reading.
//
// The log's clock (the kernel's local_clock) drifts from CLOCK_MONOTONIC:
// 2.2 s behind it on this project's VM after 5 hours up. A record read
// once the records older than Open are all read (the first EAGAIN) is
// read as it is written, so it is dated when it is read; only the older
// ones take their time from the log's clock.
func (k *Log) read() {
	defer close(k.done)
	rc, err := k.f.SyscallConn()
	if err != nil {
		return
	}
	buf := make([]byte, 16<<10) // a record is at most 8 KiB (CONSOLE_EXT_LOG_MAX)
	for {
		var n int
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			n, rerr = unix.Read(int(fd), buf)
			if rerr == unix.EAGAIN {
				k.live.Store(true)
				return false // wait until the kernel writes one
			}
			return true
		})
		switch {
		case err != nil:
			return // closed
		case rerr == nil && n > 0:
			k.record(buf[:n])
		case errors.Is(rerr, syscall.EPIPE):
		default:
			return
		}
	}
}

// record takes one record of the log: a kill noted for its container, and
// told to whoever listens (the timeline keeps what is within its span).
func (k *Log) record(rec []byte) {
	boot := k.boot
	live := k.live.Load()
	if live {
		// Date it now: the record's own time is on the drifting clock.
		if us, ok := recordMicros(rec); ok {
			boot = time.Now().Add(-time.Duration(us) * time.Microsecond)
		}
	}
	if id, at, ok := parseOOMRecord(rec, boot); ok {
		k.add(id, at)
	}
	if f := k.heard.Load(); f != nil {
		if e, ok := parseOOMKill(rec, boot); ok {
			(*f)(e)
		}
	}
}

// recordMicros is a record's microseconds since boot, on the log's clock.
func recordMicros(rec []byte) (int64, bool) {
	head, _, found := bytes.Cut(rec, []byte{';'})
	if !found {
		return 0, false
	}
	fields := bytes.SplitN(head, []byte{','}, 4)
	if len(fields) < 3 {
		return 0, false
	}
	us, err := strconv.ParseInt(string(fields[2]), 10, 64)
	return us, err == nil
}

// parseOOMRecord reads one /dev/kmsg record
// ("6,1234,1189331257,-;oom-kill:...,task_memcg=/docker/<id>,task=x,..."):
// the container whose cgroup held the killed task, and when, from the
// record's microseconds since boot. Kernels before 4.19 say "Task in
// <memcg> killed as a result of limit of <memcg>" instead.
func parseOOMRecord(rec []byte, boot time.Time) (id string, at time.Time, ok bool) {
	head, msg, found := bytes.Cut(rec, []byte{';'})
	if !found {
		return "", time.Time{}, false
	}
	msg, _, _ = bytes.Cut(msg, []byte{'\n'})
	var cgroup []byte
	switch {
	case bytes.HasPrefix(msg, []byte("oom-kill:")):
		for field := range bytes.SplitSeq(msg[len("oom-kill:"):], []byte{','}) {
			if v, ok := bytes.CutPrefix(field, []byte("task_memcg=")); ok {
				cgroup = v
			}
		}
	case bytes.HasPrefix(msg, []byte("Task in ")):
		cgroup, _, _ = bytes.Cut(msg[len("Task in "):], []byte(" killed as a result of limit of "))
	}
	if len(cgroup) == 0 {
		return "", time.Time{}, false
	}
	id, _, ok = cgroups.ContainerFromCgroup(string(cgroup))
	if !ok {
		return "", time.Time{}, false
	}
	// head: facility/level, sequence, microseconds since boot, flags.
	fields := bytes.SplitN(head, []byte{','}, 4)
	if len(fields) < 3 {
		return "", time.Time{}, false
	}
	us, err := strconv.ParseInt(string(fields[2]), 10, 64)
	if err != nil {
		return "", time.Time{}, false
	}
	return id, boot.Add(time.Duration(us) * time.Microsecond), true
}

// parseOOMKill reads one /dev/kmsg record of the OOM killer (kernel
// 4.19 and later: "oom-kill:constraint=CONSTRAINT_MEMCG,...,
// oom_memcg=/mesos/x,task_memcg=/mesos/x,task=python3,pid=4242,uid=0")
// as the timeline's event: which process it killed, in which cgroup
// (the timeline places it in the container that cgroup is or is in),
// and whose limit it hit.
func parseOOMKill(rec []byte, boot time.Time) (model.Event, bool) {
	head, msg, found := bytes.Cut(rec, []byte{';'})
	if !found {
		return model.Event{}, false
	}
	msg, _, _ = bytes.Cut(msg, []byte{'\n'})
	msg, ok := bytes.CutPrefix(msg, []byte("oom-kill:"))
	if !ok {
		return model.Event{}, false
	}
	f := map[string]string{}
	for field := range bytes.SplitSeq(msg, []byte{','}) {
		if k, v, ok := bytes.Cut(field, []byte{'='}); ok {
			f[string(k)] = string(v)
		}
	}
	pid, err := strconv.Atoi(f["pid"])
	if err != nil || pid <= 0 {
		return model.Event{}, false
	}
	fields := bytes.SplitN(head, []byte{','}, 4)
	if len(fields) < 3 {
		return model.Event{}, false
	}
	us, err := strconv.ParseInt(string(fields[2]), 10, 64)
	if err != nil {
		return model.Event{}, false
	}
	task := f["task"]
	why := "the node ran out of memory"
	if f["constraint"] == "CONSTRAINT_MEMCG" && f["oom_memcg"] != "" {
		why = "the memory limit of " + f["oom_memcg"]
	}
	e := model.Event{
		Time: boot.Add(time.Duration(us) * time.Microsecond), Kind: "oom-kill", Source: "kernel",
		ObjectKind: "process", Object: task + " (pid " + f["pid"] + ")", ID: f["pid"], PID: pid,
		Cgroup: f["task_memcg"],
		Text:   "the OOM killer killed " + task + " (pid " + f["pid"] + ") in " + f["task_memcg"] + ": " + why,
		Dedup:  "kernel/" + string(fields[1]),
	}
	// The container its cgroup's shape names, where it has one: a
	// container killed and gone within one refresh was never listed, so
	// the timeline could not place it by its cgroup. containerd's keys
	// carry a namespace the cgroup does not say: the timeline places
	// those.
	if id, rt, ok := cgroups.ContainerFromCgroup(e.Cgroup); ok && rt != model.RuntimeContainerd {
		e.Container, e.Runtime = id, rt
	}
	return e, true
}

func (k *Log) add(id string, at time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	l := append(k.kills[id], at)
	if len(l) > oomKeepKills {
		l = l[len(l)-oomKeepKills:]
	}
	k.kills[id] = l
	if len(k.kills) > oomKeepContainers {
		// Forget the container whose last kill is the oldest.
		var oldest string
		var when time.Time
		for cid, t := range k.kills {
			if last := t[len(t)-1]; oldest == "" || last.Before(when) {
				oldest, when = cid, last
			}
		}
		delete(k.kills, oldest)
	}
}

// killedIn says whether the kernel OOM-killed a task of the container with
// this id between from and to (zero: unbounded), give or take oomSlack.
func (k *Log) killedIn(id string, from, to time.Time) bool {
	if k == nil {
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, t := range k.kills[id] {
		if (from.IsZero() || !t.Before(from.Add(-oomSlack))) && (to.IsZero() || !t.After(to.Add(oomSlack))) {
			return true
		}
	}
	return false
}

// Close stops the reader and waits for it.
func (k *Log) Close() {
	if k == nil {
		return
	}
	k.f.Close()
	<-k.done
}

// Mark sets c.OOMKilled where the kernel says its OOM killer struck the
// container's last run, which its engine may not have said: a task killed
// in the run's cgroup (its counter, while it runs), or a kill the kernel
// logged between the run's start (startedAt, zero when unknown) and its
// end. Only engines that describe OOM kills (Docker, Podman) have the
// field.
func (k *Log) Mark(c *model.ContainerSample, startedAt time.Time) {
	if c.OOMKilled || c.Runtime != model.RuntimeDocker && c.Runtime != model.RuntimePodman || c.Created.IsZero() {
		return
	}
	if runtime.Runs(c.State) && c.Mem.OOMKills > 0 {
		c.OOMKilled = true
		return
	}
	var to time.Time
	if !runtime.Runs(c.State) {
		to = c.StateSince // when it stopped
		if to.IsZero() {
			return
		}
	}
	c.OOMKilled = k.killedIn(c.ID, startedAt, to)
}
