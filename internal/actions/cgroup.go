package actions

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctop-like/ctop-like/internal/collector/cgroups"
)

// ErrGone says the container's cgroup no longer exists (its container
// ended between the confirmation and the action): nothing was done.
var ErrGone = errors.New("the cgroup no longer exists")

// ErrNoFreezer says no cgroup freezer is available for the container: no
// v1 freezer hierarchy is mounted and the cgroup v2 tree has no
// cgroup.freeze for it.
var ErrNoFreezer = errors.New("the cgroup freezer is not mounted")

// Cgroups is where this node's cgroup hierarchies are mounted (located by
// cgroups.Locate, as the collector locates them: under --cgroup-root, in
// the mount table of --proc-root), so actions can find a container's
// cgroup directories from its path.
type Cgroups struct {
	cgroups.Mounts
}

// Locate is Cgroups of the hierarchies under cgroupRoot, from
// <procRoot>/self/mountinfo.
func Locate(procRoot, cgroupRoot string) (Cgroups, error) {
	m, err := cgroups.Locate(procRoot, cgroupRoot)
	return Cgroups{m}, err
}

// procs lists the processes of the cgroup in every hierarchy (cgroup.procs,
// or tasks on a v1 hierarchy without it); ErrGone when it is nowhere.
func (c Cgroups) procs(path string) ([]int, error) {
	dirs := c.Dirs(path)
	if len(dirs) == 0 {
		return nil, fmt.Errorf("cgroup %s: %w", path, ErrGone)
	}
	seen := map[int]bool{}
	var pids []int
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "cgroup.procs"))
		if err != nil {
			b, _ = os.ReadFile(filepath.Join(d, "tasks"))
		}
		for _, f := range strings.Fields(string(b)) {
			if p, err := strconv.Atoi(f); err == nil && !seen[p] {
				seen[p] = true
				pids = append(pids, p)
			}
		}
	}
	return pids, nil
}

// Signal sends sig to every process of the cgroup at path ("/mesos/<id>"):
// `:kill SIGNAL`, and `:stop` as SIGTERM. name is the container's name for
// the sentence.
func (c Cgroups) Signal(path, name string, sig syscall.Signal) Deed {
	return signalAction{target{c, path, name}, sig}
}

// target is the cgroup an action works on, and its container's name for
// the sentence.
type target struct {
	c          Cgroups
	path, name string
}

// describe is the sentence that asks to confirm an action on every
// process of the cgroup: verb them, counted, then more; or that the
// cgroup no longer exists.
func (t target) describe(verb, more string) string {
	pids, err := t.c.procs(t.path)
	if err != nil {
		return fmt.Sprintf("%s the processes of %s (cgroup %s), which no longer exists", verb, t.name, t.path)
	}
	return fmt.Sprintf("%s the %d %s of %s (cgroup %s)%s", verb, len(pids), plural(len(pids), "process", "processes"), t.name, t.path, more)
}

type signalAction struct {
	target
	sig syscall.Signal
}

func (a signalAction) Describe() string {
	return a.describe("send "+sigName(a.sig)+" to", "")
}

// Do signals every process listed, then looks again: processes forked
// while it signalled are signalled too (three rounds at most).
func (a signalAction) Do(ctx context.Context) error {
	done := map[int]bool{}
	for round := 0; round < 3; round++ {
		pids, err := a.c.procs(a.path)
		if err != nil {
			if round > 0 { // emptied and removed by our own signal
				return nil
			}
			return err
		}
		if round == 0 && len(pids) == 0 {
			return fmt.Errorf("cgroup %s has no processes: nothing to signal", a.path)
		}
		fresh := 0
		for _, p := range pids {
			if done[p] {
				continue
			}
			fresh++
			done[p] = true
			if err := syscall.Kill(p, a.sig); err != nil && !errors.Is(err, syscall.ESRCH) {
				return fmt.Errorf("%s to process %d of %s: %w", sigName(a.sig), p, a.path, err)
			}
		}
		if fresh == 0 {
			return nil
		}
	}
	return nil
}

// Stop ends every process of the cgroup as `docker stop` does (`:stop`):
// SIGTERM, then SIGKILL to whatever is left after grace.
func (c Cgroups) Stop(path, name string, grace time.Duration) Deed {
	return stopAction{target{c, path, name}, grace}
}

type stopAction struct {
	target
	grace time.Duration
}

func (a stopAction) Describe() string {
	return a.describe("stop", fmt.Sprintf(": SIGTERM, then SIGKILL after %v", a.grace))
}

func (a stopAction) Do(ctx context.Context) error {
	if err := (signalAction{a.target, syscall.SIGTERM}).Do(ctx); err != nil {
		return err
	}
	deadline := time.Now().Add(a.grace)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if pids, err := a.c.procs(a.path); err != nil || len(pids) == 0 {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	if pids, err := a.c.procs(a.path); err != nil || len(pids) == 0 {
		return nil
	}
	return signalAction{a.target, syscall.SIGKILL}.Do(ctx)
}

func sigName(s syscall.Signal) string {
	if n := unix.SignalName(s); n != "" {
		return n
	}
	return "signal " + strconv.Itoa(int(s))
}

// Pause freezes every process of the cgroup with the cgroup freezer
// (`:pause`): v1 freezer.state FROZEN where a v1 freezer hierarchy is
// mounted, else cgroup v2 cgroup.freeze. Do returns once the kernel says
// the cgroup is frozen.
func (c Cgroups) Pause(path, name string) Deed {
	return freezeAction{target{c, path, name}, true}
}

// Resume thaws a paused cgroup (`:unpause`).
func (c Cgroups) Resume(path, name string) Deed {
	return freezeAction{target: target{c, path, name}}
}

type freezeAction struct {
	target
	freeze bool
}

func (a freezeAction) Describe() string {
	if a.freeze {
		return fmt.Sprintf("freeze every process of %s (cgroup %s): they stop running until resumed", a.name, a.path)
	}
	return fmt.Sprintf("thaw the frozen processes of %s (cgroup %s)", a.name, a.path)
}

// freezeTimeout bounds the wait for the kernel to freeze or thaw a cgroup.
const freezeTimeout = 5 * time.Second

func (a freezeAction) Do(ctx context.Context) error {
	clean := filepath.Clean("/" + a.path)
	var file, value, doneFile, doneText, undo string
	if m, ok := a.c.Controller("freezer"); ok {
		dir := filepath.Join(m.Dir, clean)
		file, doneFile = filepath.Join(dir, "freezer.state"), filepath.Join(dir, "freezer.state")
		value, doneText, undo = "THAWED", "THAWED", "THAWED"
		if a.freeze {
			value, doneText = "FROZEN", "FROZEN"
		}
	} else if a.c.V2.Dir != "" {
		dir := filepath.Join(a.c.V2.Dir, clean)
		if _, err := os.Stat(dir); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "cgroup.freeze")); err != nil {
				return fmt.Errorf("cgroup %s: %w (no cgroup.freeze: kernel older than 5.2)", a.path, ErrNoFreezer)
			}
		}
		file, doneFile = filepath.Join(dir, "cgroup.freeze"), filepath.Join(dir, "cgroup.events")
		value, doneText, undo = "0", "frozen 0", "0"
		if a.freeze {
			value, doneText = "1", "frozen 1"
		}
	} else {
		return fmt.Errorf("cgroup %s: %w", a.path, ErrNoFreezer)
	}
	if _, err := os.Stat(filepath.Dir(file)); err != nil {
		if len(a.c.Dirs(a.path)) == 0 {
			return fmt.Errorf("cgroup %s: %w", a.path, ErrGone)
		}
		return fmt.Errorf("cgroup %s is not in the freezer hierarchy: it cannot be paused", a.path)
	}
	if err := writeExisting(file, value); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("cgroup %s: %w", a.path, ErrGone)
		}
		return fmt.Errorf("cgroup %s: %w", a.path, err)
	}
	deadline := time.Now().Add(freezeTimeout)
	for {
		b, err := os.ReadFile(doneFile)
		if err != nil {
			return fmt.Errorf("cgroup %s: %w", a.path, ErrGone)
		}
		if hasLine(string(b), doneText) {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			if a.freeze {
				writeExisting(file, undo) // leave it running, as it was
			}
			return fmt.Errorf("cgroup %s did not reach %q in %v; left as it was", a.path, doneText, freezeTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func hasLine(text, want string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == want {
			return true
		}
	}
	return false
}

// writeExisting writes to a cgroup file without creating it: a cgroup
// that vanished must fail, not leave a stray file behind.
func writeExisting(path, value string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
