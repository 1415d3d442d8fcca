package views

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

// Actuator changes the world for the views' actions. The wiring implements
// it over a runtime's API and system calls (per runtime); the orchestrator
// will implement it for its tasks. Views only declare which call an action
// makes, so the screen never names an action, a view or a column.
type Actuator interface {
	// Container runs stop, restart, pause, unpause or kill on a container.
	Container(ctx context.Context, id, verb string) error
	// Signal sends a signal to a process.
	Signal(pid int, sig syscall.Signal) error
	// Renice sets a process's nice value.
	Renice(pid, nice int) error
}

// Action is one thing the actions menu (F8) offers on a row. Every action
// is confirmed before it runs.
type Action struct {
	Label string // menu line: "Stop", "Send SIGTERM"
	Key   rune   // its key in the menu
	// Button is the confirmation's button and the name of the action in
	// the message line ("stop: done").
	Button string
	// Confirm is the question, with %[1]s the row's target and %[2]s the
	// value read by Input: "Stop %[1]s?".
	Confirm string
	// Dangerous actions change the world: --read-only offers none.
	Dangerous bool
	// Input, if set, reads a value before the confirmation.
	Input *Input
	// When says whether the row offers the action now; nil: always.
	When func(v *View, r Row) bool
	// Run carries the action out on a row with the value read by Input.
	Run func(ctx context.Context, x Actuator, r Row, value string) error
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

// containerVerb is a container action through the runtime's API.
func containerVerb(label string, key rune, verb string, when func(v *View, r Row) bool) Action {
	return Action{
		Label: label, Key: key, Button: verb, Confirm: label + " %[1]s?", Dangerous: true, When: when,
		Run: func(ctx context.Context, x Actuator, r Row, _ string) error { return x.Container(ctx, r.Key, verb) },
	}
}

func isPaused(v *View, r Row) bool { return v.Text(r, "state") == "paused" }

// containerActions are the container view's actions; pause and unpause
// take each other's place as the container's state says.
var containerActions = []Action{
	containerVerb("Stop", 's', "stop", nil),
	containerVerb("Restart", 'r', "restart", nil),
	containerVerb("Pause", 'p', "pause", func(v *View, r Row) bool { return !isPaused(v, r) }),
	containerVerb("Unpause", 'u', "unpause", isPaused),
	containerVerb("Kill", 'k', "kill", nil),
}

// containerTarget names a container row in confirmations.
func containerTarget(v *View, r Row) string {
	return fmt.Sprintf("container %s (%s)", v.RowName(r), shortID(r.Key))
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

// shortID cuts a long id (a container id) to 12 characters for display.
func shortID(id string) string {
	if len(id) > 12 && !strings.Contains(id, "/") {
		return id[:12]
	}
	return id
}
