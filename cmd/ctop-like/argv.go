package main

import (
	"os"
	"regexp"
	"strings"
	"unsafe"
)

// argPassword finds the password of a URL's user:password@ part.
var argPassword = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]*:([^/\s@]*)@`)

// hideArgPasswords copies the arguments for the program's use, then
// overwrites every URL password in the process's own argument memory with
// x's, as mysql does with -p: /proc/<pid>/cmdline — which the processes
// view shows, and which ps shows any user — then no longer holds the -m
// credentials (DESIGN: never displayed). Their length still shows; a
// secret that must not show at all belongs in DCOS_ACS_TOKEN.
//
// On Linux the runtime's os.Args strings point into the argv area the
// kernel reads cmdline from; the program only uses the copies, so writing
// the originals changes nothing it reads.
func hideArgPasswords() []string {
	args := make([]string, len(os.Args))
	for i, a := range os.Args {
		args[i] = strings.Clone(a)
	}
	for _, a := range os.Args[1:] {
		for _, m := range argPassword.FindAllStringSubmatchIndex(a, -1) {
			if m[2] < 0 || m[3] <= m[2] || len(a) == 0 {
				continue
			}
			b := unsafe.Slice(unsafe.StringData(a), len(a))
			for i := m[2]; i < m[3]; i++ {
				b[i] = 'x'
			}
		}
	}
	return args[1:]
}
