package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/ctop-like/ctop-like/internal/redact"
)

// httpURL checks that s is an http or https URL: "master:5050" is refused
// rather than guessed. The error quotes s without its password.
func httpURL(s string) error {
	scheme, _, ok := strings.Cut(s, "://")
	if !ok {
		shown := strings.TrimSpace(s)
		if strings.Contains(shown, "@") {
			shown = "…@" + shown[strings.LastIndex(shown, "@")+1:] // user:password@ stays unsaid
		}
		return fmt.Errorf("%q is not a URL: want http://HOST:PORT or https://HOST:PORT", shown)
	}
	if scheme != "http" && scheme != "https" {
		return fmt.Errorf("%s: scheme %q is not http or https", redact.Text(s), scheme)
	}
	return nil
}

// sshEngine refuses a Docker or Podman engine reached over SSH
// (ssh://user@host), named by flag or, when the flag is not given, by the
// environment variable env. Docker's client would reach it through its
// connection helper (ssh host docker system dial-stdio; +41 KB to the
// binary), but the engine only names the containers whose figures this
// node's kernel gives: another machine's engine would name none of them,
// and its own containers would show with no figures.
func sshEngine(flag, value, env string) error {
	from := flag + " " + value
	if value == "" {
		value = os.Getenv(env)
		from = env + "=" + value
	}
	if !strings.HasPrefix(strings.ToLower(value), "ssh://") {
		return nil
	}
	return usageError{fmt.Sprintf("%s: an engine reached over SSH runs on another machine, and ctop-like reads this machine's kernel: "+
		"run ctop-like on that machine (one static file, see make dist), read it with --cadvisor, or give %s unix:///PATH or none", redact.Text(from), flag)}
}
