package actuator

import (
	"fmt"
	"strings"
	"syscall"
)

// signals are the names `:kill SIGNAL` takes, with or without SIG.
var signals = map[string]syscall.Signal{
	"TERM": syscall.SIGTERM, "KILL": syscall.SIGKILL, "HUP": syscall.SIGHUP, "INT": syscall.SIGINT,
	"QUIT": syscall.SIGQUIT, "USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2, "STOP": syscall.SIGSTOP,
	"CONT": syscall.SIGCONT,
}

// SignalNamed is the signal of a name `:kill` takes ("TERM", "sigterm").
func SignalNamed(s string) (syscall.Signal, bool) {
	sig, ok := signals[strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "SIG")]
	return sig, ok
}

// SignalName is a signal's name without SIG ("TERM"), else its number.
func SignalName(sig syscall.Signal) string {
	for n, s := range signals {
		if s == sig {
			return n
		}
	}
	return fmt.Sprint(int(sig))
}
