package containerd

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/ctrtest"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/slowproxy"
)

// heard gathers what a handler's Listen is told.
type heard struct {
	mu  sync.Mutex
	evs []model.Event
}

func (h *heard) push(e model.Event) {
	h.mu.Lock()
	h.evs = append(h.evs, e)
	h.mu.Unlock()
}

// of is the events about the container of key, in the order told.
func (h *heard) of(key string) []model.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []model.Event
	for _, e := range h.evs {
		if e.Container == key {
			out = append(out, e)
		}
	}
	return out
}

func kinds(evs []model.Event) string {
	var k []string
	for _, e := range evs {
		s := e.Kind
		if e.ExitCode != nil {
			s += fmt.Sprintf("(%d)", *e.ExitCode)
		}
		k = append(k, s)
	}
	return strings.Join(k, " ")
}

func count(evs []model.Event, kind string) int {
	n := 0
	for _, e := range evs {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func diedWith(evs []model.Event, code int) bool {
	for _, e := range evs {
		if e.Kind == "died" && e.ExitCode != nil && *e.ExitCode == code {
			return true
		}
	}
	return false
}

// Issue 24 item 1: containerd's containers' events come from its event
// service, as containerd says them, keyed <namespace>/<id>: a task that
// exits 3 died with exit code 3; one the OOM killer kills under its
// memory limit had one OOM event and died with 137; pausing and
// resuming a task are events; a process exec'd in a task that exits is
// not the task's exit; the same id in a second namespace is another
// container, with its own events. (Before, the handler told
// nothing: only the cgroups said a container appeared or went.)
func TestEventServiceTellsWhatHappened(t *testing.T) {
	addr, tar := ctrtest.Setup(t)
	a, b := ctrtest.New(t, addr, tar), ctrtest.New(t, addr, tar)

	h := New(context.Background(), addr, false)
	defer h.Close()
	var got heard
	h.Listen(got.push)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.WaitReady(ctx); err != nil {
		t.Fatalf("containerd not listed: %v (%v)", err, h.Err())
	}

	tag := rand.Intn(1e6)
	exit3 := fmt.Sprintf("exit3-%d", tag)
	if code := a.Foreground("--label", "team=ev", a.Image(), exit3, "sh", "-c", "exit 3"); code != 3 {
		t.Fatalf("ctr run says the task exited %d, want 3", code)
	}
	oom := fmt.Sprintf("oom-%d", tag)
	if code := a.Foreground("--memory-limit", "8388608", a.Image(), oom, "sh", "-c", "x=0123456789; while :; do x=$x$x; done"); code != 137 {
		t.Fatalf("ctr run says the memory hog exited %d, want 137 (OOM-killed)", code)
	}
	same := fmt.Sprintf("same-%d", tag)
	a.Must("run", "-d", a.Image(), same, "sleep", "3600")
	b.Must("run", "-d", b.Image(), same, "sleep", "3600")
	// A process exec'd in it that exits is not the container's exit.
	if out, err := a.Run("task", "exec", "--exec-id", "ev-exec", same, "sh", "-c", "exit 5"); err == nil {
		t.Fatalf("ctr task exec of exit 5 succeeded: %s", out)
	}
	b.Must("task", "pause", same)
	b.Must("task", "resume", same)
	a.Must("task", "kill", "-s", "SIGKILL", same)

	keyExit, keyOOM := model.ContainerKey(a.NS, exit3), model.ContainerKey(a.NS, oom)
	keyA, keyB := model.ContainerKey(a.NS, same), model.ContainerKey(b.NS, same)
	done := func() bool {
		return diedWith(got.of(keyExit), 3) && diedWith(got.of(keyOOM), 137) && count(got.of(keyOOM), "oom") > 0 &&
			diedWith(got.of(keyA), 137) && count(got.of(keyB), "unpaused") > 0
	}
	for deadline := time.Now().Add(30 * time.Second); !done(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 30s containerd's events are:\n exit 3: %s\n OOM: %s\n %s: %s\n %s: %s",
				kinds(got.of(keyExit)), kinds(got.of(keyOOM)), keyA, kinds(got.of(keyA)), keyB, kinds(got.of(keyB)))
		}
	}
	for _, key := range []string{keyExit, keyOOM, keyA, keyB} {
		evs := got.of(key)
		if count(evs, "created") != 1 || count(evs, "started") != 1 {
			t.Errorf("%s: events %s: want it created and started once", key, kinds(evs))
		}
		for _, e := range evs {
			if e.Source != model.RuntimeContainerd || e.Runtime != model.RuntimeContainerd || e.ObjectKind != "container" || e.ID != key || e.Time.IsZero() {
				t.Errorf("%s: %+v", key, e)
			}
		}
	}
	if e := got.of(keyExit); e[0].Image != a.Image() {
		t.Errorf("the event names image %q, want %q", e[0].Image, a.Image())
	}
	// One OOM kill is one event, before the task's exit.
	if evs := got.of(keyOOM); count(evs, "oom") != 1 || !strings.Contains(kinds(evs), "oom died(137)") {
		t.Errorf("the OOM-killed task's events are %q: want one oom, then died(137)", kinds(evs))
	}
	// The namespaces keep their own: only b's was paused, only a's killed.
	if evs := got.of(keyB); count(evs, "paused") != 1 || count(evs, "unpaused") != 1 || count(evs, "died") != 0 {
		t.Errorf("%s: %q: want paused, unpaused and no death", keyB, kinds(evs))
	}
	if evs := got.of(keyA); count(evs, "paused") != 0 || count(evs, "died") != 1 || !diedWith(evs, 137) {
		t.Errorf("%s: %q: want one death (killed, 137, not its exec'd process's 5), no pause", keyA, kinds(evs))
	}
}

// Issue 24 item 2: when containerd's stream comes late (a slow node: what
// containerd says is held back 1.5 s here, by a proxy in front of the
// real containerd), CatchUp waits for it to tell the exit of a task whose
// process is gone: once `ctr run` said the task exited 3 and CatchUp
// returned, the exit has been told. (Without CatchUp's wait the exit
// arrives 1.5 s later.)
func TestCatchUpWaitsForALateExit(t *testing.T) {
	addr, tar := ctrtest.Setup(t)
	a := ctrtest.New(t, addr, tar)
	p := slowproxy.Start(t, addr, 0, nil)
	h := New(context.Background(), p.Path, false)
	defer h.Close()
	var got heard
	h.Listen(got.push)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.WaitReady(ctx); err != nil {
		t.Fatalf("containerd not listed: %v (%v)", err, h.Err())
	}
	id := fmt.Sprintf("late-%d", rand.Intn(1e6))
	key := model.ContainerKey(a.NS, id)
	a.Must("run", "-d", a.Image(), id, "sh", "-c", `trap "exit 3" TERM; while :; do usleep 20000; done`)
	// The handler knows it runs (its process is what CatchUp checks).
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if m, ok := h.Meta(id, "/"+a.NS+"/"+id); ok && m.Namespace == a.NS && m.State == "running" && m.PID > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the task is not listed running after 30s")
		}
	}
	p.SetDelay(1500 * time.Millisecond)
	a.Must("task", "kill", "-s", "SIGTERM", id)
	// `ctr task ls` says it stopped: containerd reports the exit.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if out := a.Must("task", "ls"); strings.Contains(out, "STOPPED") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the task did not stop in 30s")
		}
	}
	cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
	err := h.CatchUp(cctx, runtime.ProcGone("/proc"))
	ccancel()
	if evs := got.of(key); !diedWith(evs, 3) {
		t.Fatalf("after CatchUp (%v) the task's events are %q: its exit 3 is not told", err, kinds(evs))
	}
	if err != nil {
		t.Errorf("CatchUp: %v", err)
	}
}

// A task that exits while containerd's stream is down (the connection
// cut by a proxy in front of the real containerd, the handler
// reconnecting with backoff) is told died with its exit status once the
// handler is back, from its new list. (Before, such an exit was never
// told: the stream does not replay.)
func TestExitWhileTheStreamWasDownIsTold(t *testing.T) {
	addr, tar := ctrtest.Setup(t)
	a := ctrtest.New(t, addr, tar)
	p := slowproxy.Start(t, addr, 0, nil)
	h := New(context.Background(), p.Path, false)
	defer h.Close()
	var got heard
	h.Listen(got.push)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.WaitReady(ctx); err != nil {
		t.Fatalf("containerd not listed: %v (%v)", err, h.Err())
	}
	id := fmt.Sprintf("down-%d", rand.Intn(1e6))
	key := model.ContainerKey(a.NS, id)
	a.Must("run", "-d", a.Image(), id, "sh", "-c", `trap "exit 4" TERM; while :; do usleep 20000; done`)
	until := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not in 30s (events %q, handler error %v)", what, kinds(got.of(key)), h.Err())
			}
		}
	}
	until("the task listed running", func() bool {
		m, ok := h.Meta(id, "/"+a.NS+"/"+id)
		return ok && m.Namespace == a.NS && m.State == "running"
	})
	p.Cut()
	until("the handler sees containerd gone", func() bool { return h.Err() != nil })
	a.Must("task", "kill", "-s", "SIGTERM", id)
	until("ctr says the task stopped", func() bool { return strings.Contains(a.Must("task", "ls"), "STOPPED") })
	p.Mend()
	until("its exit 4 told", func() bool { return diedWith(got.of(key), 4) })
	if evs := got.of(key); count(evs, "died") != 1 {
		t.Errorf("events %q: want one death", kinds(evs))
	}
}
