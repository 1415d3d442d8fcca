package views

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"github.com/ctop-like/ctop-like/internal/actions"
	"github.com/ctop-like/ctop-like/internal/model"
)

// Actuator changes the world for the views' actions. The wiring implements
// it per runtime (Docker and Podman through their API, every other runtime
// through the container's cgroup) and over Marathon's API. Views only
// declare which call an action makes, so the screen never names an action,
// a view or a column.
type Actuator interface {
	// Container returns what verb (stop, restart, pause, unpause, kill)
	// would do to the container, with arg the signal of kill ("" for
	// KILL); an error when the verb does not fit its runtime.
	Container(ref ContainerRef, verb, arg string) (actions.Deed, error)
	// Marathon returns what verb (restart, scale, suspend, kill,
	// kill-scale) would do through Marathon to an app or one of its
	// tasks; n is scale's instances.
	Marathon(ref MarathonRef, verb string, n int) (actions.Deed, error)
	// Signal sends a signal to a process.
	Signal(pid int, sig syscall.Signal) error
	// Renice sets a process's nice value.
	Renice(pid, nice int) error
}

// Sheller opens an interactive shell inside a container on the operator's
// terminal, returning when it ends (the screen is suspended meanwhile). An
// Actuator offers `e` only when it is also a Sheller.
type Sheller interface {
	Shell(ctx context.Context, ref ContainerRef) error
}

// ContainerRef is what the wiring needs to act on a container row in its
// runtime's way.
type ContainerRef struct {
	ID, Name string
	// Key is the row's key (model.ContainerSample.Key): the id, qualified
	// by containerd's namespace where one id runs in two.
	Key     string
	Runtime string // the runtime column: docker, podman, mesos…
	Cgroup  string // the cgroup path, for runtimes without an API
	PID     int    // its first process, 0 when unknown
	Agent   string // the remote node of a --cluster row, "" when local
}

// MarathonRef names a Marathon app row, or a task row (Task set, App
// found by the wiring from the cluster state).
type MarathonRef struct {
	App       string
	Instances int // -1 when unknown
	Task      string
}

// Action is one entry of the actions menu (F8) on a row: its label, key
// and confirmation; what it will do is an actions.Deed, planned by the
// Actuator. Every action is confirmed before it runs.
type Action struct {
	Label string // menu line: "Stop", "Send SIGTERM"
	Key   rune   // its key in the menu
	// Button is the confirmation's button and the name of the action in
	// the message line ("stop: done").
	Button string
	// Command is the `:` command that runs it ("stop", "kill", "scale");
	// "" for none. The command's argument is the action's value.
	Command string
	// Confirm is the question, with %[1]s the row's target and %[2]s the
	// value read by Input: "Stop %[1]s?". Unused when Plan is set: the
	// confirmation is then the Deed's own sentence.
	Confirm string
	// Dangerous actions change the world: --read-only offers none.
	Dangerous bool
	// Input, if set, reads a value before the confirmation.
	Input *Input
	// When says whether the row offers the action now; nil: always.
	When func(v *View, r Row) bool
	// Run carries the action out on a row with the value read by Input.
	Run func(ctx context.Context, x Actuator, r Row, value string) error
	// Plan, instead of Run, asks the Actuator what the action would do on
	// the row, before the confirmation; an error says why it cannot.
	Plan func(x Actuator, v *View, r Row, value string) (actions.Deed, error)
}

// Input is a value an action asks for.
type Input struct {
	// Label is the prompt, with %s the row's key: "Nice for %s (-20..19): ".
	Label string
	// Default is the value the prompt starts with.
	Default func(v *View, r Row) string
	// Check returns the value to use, or why the text is not one.
	Check func(text string) (string, error)
}

// Unoffered says why a row offers no action now, for the message line:
// the view's own word (a finished task, a stopped container no engine
// restarts), else that rows of the view have none.
func (v *View) Unoffered(r Row) string {
	if len(v.Actions) > 0 && v.NoAction != nil {
		return v.NoAction(v, r)
	}
	return fmt.Sprintf("%s: no actions on these rows", v.Title)
}

// Offered returns the actions a row offers now.
func (v *View) Offered(r Row) []Action {
	var out []Action
	for _, a := range v.Actions {
		if a.When == nil || a.When(v, r) {
			out = append(out, a)
		}
	}
	return out
}

// Text returns a text column's value in a row, "" when absent.
func (v *View) Text(r Row, col string) string {
	if i := v.Col(col); i >= 0 && i < len(r.Values) {
		s, _ := r.Values[i].(string)
		return s
	}
	return ""
}

// Ref is the container a containers-view row stands for.
func (v *View) Ref(r Row) ContainerRef {
	ref := ContainerRef{ID: v.Text(r, "id"), Key: r.Key, Name: v.Text(r, "name"), Runtime: v.Text(r, "runtime"), Cgroup: v.Text(r, "cgroup"), Agent: v.Text(r, "agent")}
	if ref.ID == "" {
		ref.ID = r.Key
	}
	if i := v.Col("pid"); i >= 0 && i < len(r.Values) {
		if f, ok := r.Values[i].(float64); ok {
			ref.PID = int(f)
		}
	}
	return ref
}

// containerVerb is a container action, planned by the Actuator for the
// row's runtime: offered where the row's container can do what it needs
// (Row.Can, from its runtime's handler) and when says it fits the
// container's state now (nil: always).
func containerVerb(label string, key rune, verb string, need model.Caps, when func(v *View, r Row) bool) Action {
	return Action{
		Label: label, Key: key, Button: verb, Command: verb, Dangerous: true,
		When: func(v *View, r Row) bool { return r.Can.Has(need) && (when == nil || when(v, r)) },
		Plan: func(x Actuator, v *View, r Row, value string) (actions.Deed, error) {
			return x.Container(v.Ref(r), verb, value)
		},
	}
}

func isPaused(v *View, r Row) bool { return v.Text(r, "state") == "paused" }

// isStopped: the container runs nothing (exited, created, dead, Podman's
// stopped): what needs its processes (stop, pause, kill, a shell) cannot
// work.
func isStopped(v *View, r Row) bool { return stopped(v.Text(r, "state")) }

// The state column says paused when the container's cgroup is frozen,
// whoever froze it (its engine, or the freezer through `:pause`).
func canPause(v *View, r Row) bool {
	return !isPaused(v, r) && !isStopped(v, r) && v.Text(r, "state") != "restarting"
}
func canUnpause(v *View, r Row) bool { return isPaused(v, r) }
func canStop(v *View, r Row) bool    { return !isStopped(v, r) }
func canKill(v *View, r Row) bool    { return !isStopped(v, r) && v.Text(r, "state") != "restarting" }

// containerActions are the container view's actions, each where the
// row's container can do it (restart and remove only where its runtime's
// handler can: Docker's, Podman's engine): those that need the
// container's processes only while it has them; pause and unpause take
// each other's place as the engine's state says; remove a stopped one.
var containerActions = []Action{
	containerVerb("Stop", 's', "stop", model.CanStop, canStop),
	containerVerb("Restart", 'r', "restart", model.CanRestart, nil),
	containerVerb("Pause", 'p', "pause", model.CanPause, canPause),
	containerVerb("Unpause", 'u', "unpause", model.CanPause, canUnpause),
	containerVerb("Kill", 'k', "kill", model.CanKill, canKill),
	containerVerb("Remove", 'x', "remove", model.CanRemove, isStopped),
}

// ShellWhyNot says why no shell can open in a container row's
// container ("" when one can): it has no processes to join.
func (v *View) ShellWhyNot(r Row) string {
	st := v.Text(r, "state")
	if st == "running" || st == "" {
		return ""
	}
	what := st
	if i := v.Col("exit_code"); i >= 0 && i < len(r.Values) && r.Values[i] != nil {
		what += " with exit code " + Format(v.Columns[i], r.Values[i])
	}
	return fmt.Sprintf("container %s is %s: a shell needs a running container (l shows its log)", v.RowName(r), what)
}

// containerUnoffered says why a container row offers no action: it has
// stopped and no engine ctop-like talks to can restart or remove it.
func containerUnoffered(v *View, r Row) string {
	if isStopped(v, r) {
		return fmt.Sprintf("%s is %s and its runtime %s has no API ctop-like talks to: nothing can restart or remove it from here (its scheduler restarts it)",
			v.RowName(r), v.Text(r, "state"), v.Text(r, "runtime"))
	}
	return v.RowName(r) + " offers no action now"
}

// scaleInput reads scale's instances.
var scaleInput = &Input{
	Label: "Instances of %s: ",
	Default: func(v *View, r Row) string {
		if i := v.Col("instances"); i >= 0 {
			if f, ok := r.Values[i].(float64); ok {
				return strconv.Itoa(int(f))
			}
		}
		return ""
	},
	Check: func(text string) (string, error) {
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil || n < 0 {
			return "", fmt.Errorf("instances %q: want a whole number, 0 or more", text)
		}
		return strconv.Itoa(n), nil
	},
}

// marathonAppVerb is an action on a Marathon app row through Marathon.
func marathonAppVerb(label string, key rune, verb string, in *Input) Action {
	return Action{
		Label: label, Key: key, Button: verb, Command: verb, Dangerous: true, Input: in,
		Plan: func(x Actuator, v *View, r Row, value string) (actions.Deed, error) {
			ref := MarathonRef{App: r.Key, Instances: -1}
			if i := v.Col("instances"); i >= 0 {
				if f, ok := r.Values[i].(float64); ok {
					ref.Instances = int(f)
				}
			}
			n := 0
			if verb == "scale" {
				var err error
				if n, err = strconv.Atoi(value); err != nil {
					return nil, fmt.Errorf("scale: want a number of instances (:scale N)")
				}
			}
			return x.Marathon(ref, verb, n)
		},
	}
}

// marathonAppActions are the marathon-apps view's actions.
var marathonAppActions = []Action{
	marathonAppVerb("Restart", 'r', "restart", nil),
	marathonAppVerb("Scale…", 's', "scale", scaleInput),
	marathonAppVerb("Suspend (scale to 0)", 'u', "suspend", nil),
}

// isMarathonTask says whether a mesos-tasks row is a task of Marathon.
func isMarathonTask(v *View, r Row) bool { return v.Text(r, "framework") == "marathon" }

// TerminalTaskStates are the states after which a Mesos task runs no
// more (mesos.proto's terminal states, and TASK_UNKNOWN).
var TerminalTaskStates = map[string]bool{
	"TASK_FINISHED": true, "TASK_FAILED": true, "TASK_KILLED": true, "TASK_LOST": true, "TASK_ERROR": true,
	"TASK_DROPPED": true, "TASK_GONE": true, "TASK_GONE_BY_OPERATOR": true, "TASK_UNKNOWN": true,
}

// isLiveMarathonTask: a task of Marathon that still runs (or starts): a
// finished one has nothing to kill.
func isLiveMarathonTask(v *View, r Row) bool {
	return isMarathonTask(v, r) && !TerminalTaskStates[v.Text(r, "state")]
}

// taskUnoffered says why a task row offers no action.
func taskUnoffered(v *View, r Row) string {
	name := v.RowName(r)
	if st := v.Text(r, "state"); TerminalTaskStates[st] {
		return fmt.Sprintf("task %s is finished (%s): nothing of it runs to kill; Marathon starts its app's next task itself", name, st)
	}
	fw := v.Text(r, "framework")
	if fw == "" {
		fw = "unknown"
	}
	return fmt.Sprintf("task %s belongs to framework %s: only Marathon's tasks are acted on (through Marathon's API)", name, fw)
}

// marathonTaskVerb is an action on a live task of Marathon through
// Marathon.
func marathonTaskVerb(label string, key rune, button, command, verb string) Action {
	return Action{
		Label: label, Key: key, Button: button, Command: command, Dangerous: true, When: isLiveMarathonTask,
		Plan: func(x Actuator, _ *View, r Row, _ string) (actions.Deed, error) {
			return x.Marathon(MarathonRef{Task: r.Key, Instances: -1}, verb, 0)
		},
	}
}

// marathonTaskActions are the mesos-tasks view's actions on Marathon's
// tasks; other frameworks' tasks offer none.
var marathonTaskActions = []Action{
	marathonTaskVerb("Kill (Marathon starts another)", 'k', "kill", "kill", "kill"),
	marathonTaskVerb("Kill and scale down", 'd', "kill-scale", "kill-scale", "kill-scale"),
}

// marathonTarget names a Marathon row in messages.
func marathonTarget(v *View, r Row) string { return r.Key }

// containerTarget names a container row in confirmations, by its name and
// its whole id: the confirmation wraps what does not fit, and never cuts
// an id (two ids may share their first 12 characters); by its containerd
// namespace too, where two namespaces may share the id.
func containerTarget(v *View, r Row) string {
	id := v.Text(r, "id")
	if id == "" {
		id = r.Key
	}
	if ns := v.Text(r, "containerd_namespace"); ns != "" {
		return fmt.Sprintf("container %s (%s in containerd namespace %s)", v.RowName(r), id, ns)
	}
	return fmt.Sprintf("container %s (%s)", v.RowName(r), id)
}

// processSignal sends a signal to the row's process.
func processSignal(name string, key rune, sig syscall.Signal) Action {
	return Action{
		Label: "Send SIG" + name, Key: key, Button: name, Confirm: "Send SIG" + name + " to %[1]s?", Dangerous: true,
		Run: func(_ context.Context, x Actuator, r Row, _ string) error {
			pid, err := strconv.Atoi(r.Key)
			if err != nil {
				return err
			}
			return x.Signal(pid, sig)
		},
	}
}

// processActions are the process view's actions.
var processActions = []Action{
	processSignal("TERM", 't', syscall.SIGTERM),
	processSignal("KILL", 'k', syscall.SIGKILL),
	{
		Label: "Renice…", Key: 'n', Button: "renice", Confirm: "Renice %[1]s to %[2]s?", Dangerous: true,
		Input: &Input{
			Label: "Nice for %s (-20..19): ",
			Default: func(v *View, r Row) string {
				if i := v.Col("nice"); i >= 0 {
					if f, ok := r.Values[i].(float64); ok {
						return strconv.Itoa(int(f))
					}
				}
				return ""
			},
			Check: func(text string) (string, error) {
				n, err := strconv.Atoi(strings.TrimSpace(text))
				if err != nil || n < -20 || n > 19 {
					return "", fmt.Errorf("nice %q: want a whole number from -20 to 19", text)
				}
				return strconv.Itoa(n), nil
			},
		},
		Run: func(_ context.Context, x Actuator, r Row, value string) error {
			pid, err := strconv.Atoi(r.Key)
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(value)
			if err != nil {
				return err
			}
			return x.Renice(pid, n)
		},
	},
}

// processTarget names a process row in confirmations.
func processTarget(v *View, r Row) string {
	return fmt.Sprintf("process %s (%s)", r.Key, cutRunes(v.Text(r, "command"), 40))
}

// cutRunes shortens s to at most n characters.
func cutRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
