package main

import (
	"os"
	"strings"
	"unsafe"

	"github.com/ctop-like/ctop-like/internal/redact"
)

// hideArgPasswords copies the arguments for the program's use, then
// rewrites the process's own argument memory with redact's rule applied,
// as mysql does with -p: /proc/<pid>/cmdline — which the processes view
// shows, and which ps shows any user — then no longer holds the -m
// password, whole (one with '@' too) and without its length. For the
// first milliseconds it is still there: the safe way never puts it on a
// command line (CTOP_LIKE_PASSWORD_FILE or CTOP_LIKE_PASSWORD, see -h).
//
// On Linux the runtime's os.Args strings point into the argv area the
// kernel reads cmdline from, one after the other with a NUL between; the
// program only uses the copies, so writing the originals changes nothing
// it reads.
func hideArgPasswords() []string {
	args := make([]string, len(os.Args))
	for i, a := range os.Args {
		args[i] = strings.Clone(a)
	}
	hideIn(os.Args)
	return args[1:]
}

// hideIn rewrites the argv area that argv's strings occupy; it does
// nothing unless they lie there contiguously, NUL-separated.
func hideIn(argv []string) {
	if len(argv) < 2 {
		return
	}
	masked := make([]string, len(argv))
	changed := false
	for i, a := range argv {
		masked[i] = redact.Text(a)
		changed = changed || masked[i] != a
	}
	if !changed || len(argv[0]) == 0 {
		return
	}
	start := unsafe.StringData(argv[0])
	last := argv[len(argv)-1]
	end := uintptr(unsafe.Pointer(unsafe.StringData(last))) + uintptr(len(last))
	size := int(end - uintptr(unsafe.Pointer(start)))
	joined := strings.Join(argv, "\x00")
	if size != len(joined) || len(last) == 0 {
		return
	}
	area := unsafe.Slice(start, size)
	if string(area) != joined {
		return
	}
	out := strings.Join(masked, "\x00")
	if len(out) > size {
		// A password shorter than the mask: hide those arguments whole.
		for i, a := range argv {
			if len(masked[i]) > len(a) {
				masked[i] = strings.Repeat("x", len(a))
			}
		}
		out = strings.Join(masked, "\x00")
	}
	n := copy(area, out)
	clear(area[n:])
}
