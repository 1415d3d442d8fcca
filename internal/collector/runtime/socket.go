package runtime

import (
	"os"
	"strings"
)

// SocketAddress is the socket a runtime's address option names ("/x.sock"
// or "unix:///x.sock"; "" for def): quiet when the user named none, so
// that an engine not installed is no error; ok false for "none", which
// disables the runtime.
func SocketAddress(option, def string) (addr string, quiet, ok bool) {
	switch option {
	case "none":
		return "", false, false
	case "":
		return def, true, true
	}
	return strings.TrimPrefix(option, "unix://"), false, true
}

// socketPath is the file behind a unix socket address ("unix:///x.sock"
// or "/x.sock"), "" for other addresses.
func socketPath(addr string) string {
	if p, ok := strings.CutPrefix(addr, "unix://"); ok {
		return p
	}
	if strings.HasPrefix(addr, "/") {
		return addr
	}
	return ""
}

// SocketMissing says whether addr is a unix socket whose file does not
// exist: the engine is not installed or not started, which is no error
// for an engine the user did not name.
func SocketMissing(addr string) bool {
	p := socketPath(addr)
	if p == "" {
		return false
	}
	_, err := os.Stat(p)
	return err != nil
}
