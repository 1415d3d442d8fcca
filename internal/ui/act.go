package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/termtext"
	"github.com/ctop-like/ctop-like/internal/views"
)

// actionCommands are the `:` commands that run an action of the selected
// row (DESIGN.md), besides the view ids.
var actionCommands = []string{"stop", "restart", "pause", "unpause", "kill", "remove", "scale", "suspend", "kill-scale"}

// isActionCommand says whether the command line's first word names an
// action.
func isActionCommand(word string) bool {
	for _, c := range actionCommands {
		if c == word {
			return true
		}
	}
	return false
}

// runActionCommand runs `:verb [arg]` as the selected row's action of that
// command, after the same confirmation as the menu; a row or runtime that
// has no such action says so and nothing else happens.
func (a *App) runActionCommand(verb, arg string) {
	if a.opts.ReadOnly || a.opts.Actions == nil {
		a.setMessage(true, ":%s: %s", verb, a.readOnlyWhy())
		return
	}
	v, r := a.subject()
	if r == nil {
		a.setMessage(true, ":%s: no row is selected", verb)
		return
	}
	row := *r
	for _, act := range v.Offered(row) {
		if act.Command != verb {
			continue
		}
		if act.Input != nil && arg == "" {
			a.startAction(v, act, row, a.target(v, row))
			return
		}
		if act.Input != nil {
			value, err := act.Input.Check(arg)
			if err != nil {
				a.setMessage(true, "%s", safe(err.Error()))
				return
			}
			arg = value
		}
		a.planAndConfirm(v, act, row, a.target(v, row), arg)
		return
	}
	if len(v.Offered(row)) == 0 {
		a.setMessage(true, ":%s: %s", verb, safe(v.Unoffered(row)))
		return
	}
	a.setMessage(true, ":%s does not fit %s (%s offers: %s)", verb, safe(v.RowName(row)), v.ID, offeredCommands(v, row))
}

// offeredCommands lists the row's action commands, for the message of one
// that does not fit.
func offeredCommands(v *views.View, r views.Row) string {
	var out []string
	for _, act := range v.Offered(r) {
		if act.Command != "" {
			out = append(out, ":"+act.Command)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, " ")
}

// target names a row in a confirmation.
func (a *App) target(v *views.View, r views.Row) string {
	if v.Target != nil {
		return v.Target(v, r)
	}
	return v.RowName(r)
}

// planAndConfirm asks the Actuator what the action would do to the row and
// confirms it with that sentence; a plan that cannot be made (the action
// does not fit the runtime) is shown and nothing is done.
func (a *App) planAndConfirm(v *views.View, act views.Action, r views.Row, target, value string) {
	if act.Plan == nil {
		a.confirm(fmt.Sprintf(act.Confirm, target, value), act.Button, func(ctx context.Context) error {
			return act.Run(ctx, a.opts.Actions, r, value)
		})
		return
	}
	d, err := act.Plan(a.opts.Actions, v, r, value)
	if err != nil {
		a.setMessage(true, "%s: %s (nothing done)", act.Button, safe(err.Error()))
		return
	}
	a.confirm(sentence(d.Describe())+"?", act.Button, d.Do)
}

// sentence starts a backend's description with a capital letter.
func sentence(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// safe makes outside text (cgroup paths, app ids, an API's message) plain
// for the message line: no control sequence reaches the terminal.
func safe(s string) string { return termtext.Line(s, 300) }

// canShell: `e` is offered on a running container's row when the wiring
// can open a shell (a local source, not --read-only).
func (a *App) canShell() bool {
	if _, ok := a.opts.Actions.(views.Sheller); !ok || a.opts.ReadOnly {
		return false
	}
	v, r := a.subject()
	return v.Shell && r != nil && v.ShellWhyNot(*r) == ""
}

// openShell suspends the screen, runs a shell in the selected container
// on the terminal, and takes the screen back intact when the shell ends.
func (a *App) openShell(_ *tcell.EventKey) {
	sh, ok := a.opts.Actions.(views.Sheller)
	v, r := a.subject()
	if !ok || r == nil {
		return
	}
	ref := v.Ref(*r)
	var err error
	a.app.Suspend(func() {
		err = sh.Shell(a.ctx, ref)
	})
	a.resumed()
	if a.ctx.Err() != nil || a.lost.is() {
		return
	}
	if err != nil {
		a.setMessage(true, "shell: %s", safe(err.Error()))
	} else {
		a.setMessage(false, "shell in %s ended", safe(v.RowName(*r)))
	}
}

// actionHelp lists what the selected row offers in the actions menu, each
// with its menu key and `:` command, so help says exactly what F8 would.
func (a *App) actionHelp() [][2]string {
	if a.opts.ReadOnly || a.opts.Actions == nil {
		return nil
	}
	v, r := a.subject()
	if r == nil {
		return nil
	}
	var rows [][2]string
	for _, act := range v.Offered(*r) {
		keys := "F8 " + string(act.Key)
		if act.Command != "" {
			keys += "  :" + act.Command
			if act.Input != nil {
				keys += " N"
			} else if act.Command == "kill" && v.Shell {
				keys += " [SIGNAL]"
			}
		}
		rows = append(rows, [2]string{keys, "this row: " + act.Label})
	}
	return rows
}
