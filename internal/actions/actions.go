// Package actions holds what an operator can do to a container that fits
// its runtime, each behind one small interface so the views can offer it,
// ask for confirmation in words, and run it: signalling and freezing a
// container known only by its cgroup (Mesos containerizer, containerd,
// CRI-O, raw), and restarting, scaling and killing through Marathon.
//
// An action that cannot be done changes nothing and says why; text from
// outside (cgroup paths, app and task ids, Marathon's messages) is kept as
// data and must go through the terminal-safe text package before it is
// shown.
package actions

import "context"

// Deed is one thing an action will do, described in words before it is
// done: the confirmation shows Describe, `y` runs Do. Every backend here
// returns one, and views.Actuator plans them; a menu entry that leads to
// one is a views.Action.
type Deed interface {
	// Describe says in words what Do will do, for the confirmation:
	// "Marathon will restart all 3 instances of /shop/api".
	Describe() string
	// Do does it; an error says why it was not done.
	Do(ctx context.Context) error
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
