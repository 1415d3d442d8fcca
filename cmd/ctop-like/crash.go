package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/ctop-like/ctop-like/internal/recording"
	"github.com/ctop-like/ctop-like/internal/termtext"
)

// A panic in a goroutine of our own (the monitor, the orchestrator poller)
// would kill the process with the terminal still in raw mode on the
// alternate screen and the recording without its end mark. guard catches
// it: it closes the screen (restoring the terminal), closes the recording,
// prints the panic with its stack on stderr and exits 2. The screen's own
// goroutines restore the terminal themselves (ui.Run, refreshLoop).
var crash struct {
	mu     sync.Mutex // held for good by the first panic: main waits on it before exiting
	stopUI func()     // closes the screen; nil when none is open
	rec    *recording.Writer
}

// setCrashUI registers (or with nil, forgets) what closes the screen.
func setCrashUI(stop func()) {
	crash.mu.Lock()
	crash.stopUI = stop
	crash.mu.Unlock()
}

// setCrashRecording registers the recording to close on a panic.
func setCrashRecording(w *recording.Writer) {
	crash.mu.Lock()
	crash.rec = w
	crash.mu.Unlock()
}

// exit is os.Exit, unless a goroutine is reporting a panic: then it waits
// for that report, which exits 2.
func exit(code int) {
	crash.mu.Lock()
	os.Exit(code)
}

// guard runs fn in the calling goroutine (start it with go guard(...)) and
// turns a panic in it into a restored terminal, a message and exit status 2.
func guard(name string, fn func()) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		stack := debug.Stack()
		crash.mu.Lock() // never unlocked: the process ends here
		if crash.stopUI != nil {
			crash.stopUI()
		}
		if crash.rec != nil {
			_ = crash.rec.Close()
		}
		// The panic value may quote text from outside: one safe line,
		// then the stack line by line.
		fmt.Fprintf(os.Stderr, "ctop-like: panic in the %s goroutine: %s\n\n", name, termtext.Line(fmt.Sprint(p), stderrCells))
		for l := range strings.Lines(string(stack)) {
			fmt.Fprintf(os.Stderr, "%s\n", termtext.Line(strings.TrimSuffix(l, "\n"), stderrCells))
		}
		os.Exit(2)
	}()
	testPanicHook(name, fn) // only in a binary built with -tags ctoplike_testpanic
	fn()
}
