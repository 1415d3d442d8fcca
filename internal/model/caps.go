package model

// Caps is what ctop-like can do to a container on this node, as its
// runtime's handler offers or its cgroup allows (runtime.Can): the views
// offer an action on a row by it, never by the runtime's name.
type Caps uint16

// What a container's Caps may hold.
const (
	CanStop    Caps = 1 << iota // stop it
	CanRestart                  // restart it (only an engine can)
	CanPause                    // pause and unpause it
	CanKill                     // send a signal to it
	CanRemove                   // remove it once stopped (only an engine can)
	CanShell                    // open a shell in it
	CanLog                      // read its log
)

// Has says whether c holds every capability of want.
func (c Caps) Has(want Caps) bool { return want != 0 && c&want == want }
