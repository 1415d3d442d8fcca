//go:build !ctoplike_testpanic

package main

// testPanicHook does nothing: the release binary has no test-only way to
// panic (see crash_testpanic.go).
func testPanicHook(string, func()) {}
