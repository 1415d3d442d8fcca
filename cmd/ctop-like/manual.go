package main

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/ctop-like/ctop-like/internal/manual"
	"github.com/ctop-like/ctop-like/internal/ui"
	"github.com/ctop-like/ctop-like/internal/views"
)

// examples are the command lines --help and the manual show.
var examples = []manual.Example{
	{Command: "ctop-like", Does: "the screen: this node's containers, busiest first"},
	{Command: "ctop-like -o table", Does: "print the containers once, as top -b does"},
	{Command: "ctop-like -o json -v processes -s -rss_bytes -n 3", Does: "three refreshes of the processes, biggest first, as JSON lines"},
	{Command: "ctop-like -f 'cpu_pct>50 name~web'", Does: "only the rows where every clause holds"},
	{Command: "ctop-like --scope container=web-1 -v processes", Does: "the processes of one container"},
	{Command: "ctop-like -v logs --scope container=web-1 -o table -n 0", Does: "follow a container's log, as tail -f"},
	{Command: "ctop-like -m http://master:5050,http://marathon:8080", Does: "containers placed in their framework, group, app and task"},
	{Command: "ctop-like -m http://master:5050 --cluster -v marathon-apps", Does: "every agent of the cluster, by Marathon app"},
	{Command: "ctop-like -w node.rec -o json -n 0 >/dev/null", Does: "record unattended until stopped; ctop-like -r node.rec replays it"},
}

// exitStatuses are what the exit status means.
var exitStatuses = []manual.Entry{
	{Name: "0", Text: "success"},
	{Name: "1", Text: "a failure: a source that cannot be read, no terminal for the screen, a recording that lost records, or a batch run in which no source named on the command line (-m, --cluster, --cadvisor) ever answered"},
	{Name: "2", Text: "a usage error: one line names the bad flag or value (an unknown view, a column the view lacks, a scope that matches nothing, with what exists)"},
}

// environment are the variables the tool reads.
var environment = []manual.Entry{
	{Name: "DOCKER_HOST", Text: "the Docker daemon, unless --docker-host"},
	{Name: "CONTAINER_HOST", Text: "Podman's API, unless --podman-host"},
	{Name: passwordFileEnv, Text: "a file whose first line is the password for a -m URL that names a user without one"},
	{Name: passwordEnv, Text: "the password for a -m URL that names a user without one, when " + passwordFileEnv + " is not set"},
	{Name: "DCOS_ACS_TOKEN", Text: "a DC/OS token, sent to Mesos and Marathon instead of -m's user:password"},
	{Name: "NO_COLOR", Text: "no colour with --color auto"},
	{Name: "TERM", Text: "the terminal the screen draws on; unset or dumb, the screen cannot start (use -o table)"},
}

// helpManual is the manual of a flag set, enough for --help.
func helpManual(fs *pflag.FlagSet) *manual.Manual {
	groups := make([]manual.Group, len(flagGroups))
	for i, g := range flagGroups {
		groups[i] = g.Group
	}
	return &manual.Manual{
		Name:     "ctop-like",
		Summary:  "A top for containers: what every container, process and device of this node is doing, each container placed in the Mesos/Marathon cluster that put it there (framework, group, app, task).",
		Flags:    fs,
		Groups:   groups,
		Examples: examples,
	}
}

// fullManual is the manual with the views, keys, exit statuses and
// environment: what -l --markdown, --man and --completion write.
func fullManual() *manual.Manual {
	m := helpManual(newFlagSet(&options{}, &rawFlags{}))
	m.About = "Run it over SSH on a cluster node, as root to see every process and cgroup. It reads the kernel's files (cgroups v1 and v2, /proc) and names containers through their runtimes' APIs (Docker, Podman, containerd, CRI-O); with -m it asks Mesos and Marathon where each container belongs. Without -o it draws a screen; with -o it prints refreshes as a table or JSON lines that scripts read. Both show the same rows: the views below, their columns and their rules are the contract."
	m.Views = views.All()
	m.Scopes = views.ScopeKinds
	for _, k := range ui.KeyDocs() {
		m.Keys = append(m.Keys, manual.Entry{Name: k.Keys, Text: k.Does})
	}
	for _, c := range ui.CommandDocs() {
		m.Commands = append(m.Commands, manual.Entry{Name: c.Keys, Text: c.Does})
	}
	m.Exit = exitStatuses
	m.Env = environment
	return m
}

// writeManual writes one form of the manual: "markdown", "man", or a
// shell's completion ("bash", "zsh", "fish").
func writeManual(w io.Writer, form string) error {
	m := fullManual()
	switch form {
	case "markdown":
		return m.Reference(w)
	case "man":
		return m.ManPage(w)
	case "bash":
		return m.Bash(w)
	case "zsh":
		return m.Zsh(w)
	case "fish":
		return m.Fish(w)
	}
	return fmt.Errorf("no manual form %q", form)
}
