//go:build ctoplike_testpanic

package main

import (
	"os"
	"os/signal"
	"syscall"
)

// testPanicEnv is for tests only (terminal_test.go), in a binary built
// with -tags ctoplike_testpanic: set to "monitor" or "orchestrator", it
// makes that goroutine panic when the process gets SIGUSR1. The release
// binary has no such hook (crash_release.go).
const testPanicEnv = "CTOP_LIKE_TEST_PANIC"

var testPanic = os.Getenv(testPanicEnv)

// testPanicHook, in the goroutine guard named name, panics on SIGUSR1
// while fn runs in another guarded goroutine; it returns at once when
// testPanicEnv names another goroutine.
func testPanicHook(name string, fn func()) {
	if testPanic != name {
		return
	}
	go guard(name+" (worker)", fn)
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	<-usr1
	panic("test panic (" + testPanicEnv + ")")
}
