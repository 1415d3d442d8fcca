package actions

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// ErrGone says the container's cgroup no longer exists (its container
// ended between the confirmation and the action): nothing was done.
var ErrGone = errors.New("the cgroup no longer exists")

// ErrNoFreezer says no cgroup freezer is available for the container: no
// v1 freezer hierarchy is mounted and the cgroup v2 tree has no
// cgroup.freeze for it.
var ErrNoFreezer = errors.New("the cgroup freezer is not mounted")

// Cgroups is where this node's cgroup hierarchies are mounted, so actions
// can find a container's cgroup directories from its path.
type Cgroups struct {
	// V1 maps a v1 hierarchy's controllers ("cpu,cpuacct", "freezer",
	// "name=systemd") to its mount point.
	V1 map[string]string
	// V2 is the cgroup v2 mount point, "" when there is none.
	V2 string
}

// Mounts reads the cgroup mounts from a mountinfo file
// (/proc/self/mountinfo): the hierarchies mounted whole (root "/").
func Mounts(path string) (Cgroups, error) {
	f, err := os.Open(path)
	if err != nil {
		return Cgroups{}, err
	}
	defer f.Close()
	whole := func(in *mountinfo.Info) (skip, stop bool) {
		return in.Root != "/" || in.FSType != "cgroup" && in.FSType != "cgroup2", false
	}
	infos, err := mountinfo.GetMountsFromReader(f, whole)
	if err != nil {
		return Cgroups{}, fmt.Errorf("%s: %w", path, err)
	}
	c := Cgroups{V1: map[string]string{}}
	for _, in := range infos {
		if in.FSType == "cgroup2" {
			if c.V2 == "" {
				c.V2 = in.Mountpoint
			}
			continue
		}
		var ctrls []string
		for _, o := range strings.Split(in.VFSOptions, ",") {
			if o == "cpu" || o == "cpuacct" || o == "cpuset" || o == "memory" || o == "devices" || o == "freezer" ||
				o == "blkio" || o == "pids" || o == "net_cls" || o == "net_prio" || o == "perf_event" || o == "hugetlb" ||
				o == "rdma" || o == "misc" || strings.HasPrefix(o, "name=") {
				ctrls = append(ctrls, o)
			}
		}
		key := strings.Join(ctrls, ",")
		if _, dup := c.V1[key]; !dup && key != "" {
			c.V1[key] = in.Mountpoint
		}
	}
	return c, nil
}

// v1With is the mount point of the v1 hierarchy that has controller.
func (c Cgroups) v1With(controller string) (string, bool) {
	for k, m := range c.V1 {
		for _, ctrl := range strings.Split(k, ",") {
			if ctrl == controller {
				return m, true
			}
		}
	}
	return "", false
}

// dirs lists the directories of the cgroup path in every hierarchy where
// it exists.
func (c Cgroups) dirs(path string) []string {
	var out []string
	var mounts []string
	for _, m := range c.V1 {
		mounts = append(mounts, m)
	}
	sort.Strings(mounts)
	if c.V2 != "" {
		mounts = append(mounts, c.V2)
	}
	for _, m := range mounts {
		d := filepath.Join(m, filepath.Clean("/"+path))
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			out = append(out, d)
		}
	}
	return out
}

// procs lists the processes of the cgroup in every hierarchy (cgroup.procs,
// or tasks on a v1 hierarchy without it); ErrGone when it is nowhere.
func (c Cgroups) procs(path string) ([]int, error) {
	dirs := c.dirs(path)
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
	if m, ok := a.c.v1With("freezer"); ok {
		dir := filepath.Join(m, clean)
		file, doneFile = filepath.Join(dir, "freezer.state"), filepath.Join(dir, "freezer.state")
		value, doneText, undo = "THAWED", "THAWED", "THAWED"
		if a.freeze {
			value, doneText = "FROZEN", "FROZEN"
		}
	} else if a.c.V2 != "" {
		dir := filepath.Join(a.c.V2, clean)
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
		if len(a.c.dirs(a.path)) == 0 {
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
