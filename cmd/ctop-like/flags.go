package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/ctop-like/ctop-like/internal/manual"
	"github.com/ctop-like/ctop-like/internal/metrics"
	"github.com/ctop-like/ctop-like/internal/orchestrator"
	"github.com/ctop-like/ctop-like/internal/settings"
	"github.com/ctop-like/ctop-like/internal/views"
)

// options is the parsed command line.
type options struct {
	delay             time.Duration
	mesos             []string
	mesosAgent        string
	view              string
	listViews         bool
	markdown          bool   // -l --markdown: the reference page
	man               bool   // --man: the man page
	completion        string // --completion SHELL
	scope             []views.Scope
	filter            *views.Filter
	sort              string
	desc              bool
	output            string
	iterations        int
	tail              int
	iterationsSet     bool // -n given: replay prints that many, else all
	write             string
	read              string
	dockerHost        string
	podmanHost        string
	containerdAddress string
	crioAddress       string
	procRoot          string
	cgroupRoot        string
	all               bool
	orchInterval      time.Duration
	insecure          bool
	caCert            string
	cluster           bool
	cadvisor          string
	color             string
	readOnly          bool
	listen            string        // --listen: serve /metrics there
	since             time.Duration // --since: the events view's past, where its sources keep it
	version           bool
	config            string                 // --config: the settings file; "" is the default one
	given             func(name string) bool // whether a flag was on the command line (it overrides the settings file)
	settings          *settings.File         // the settings file as read at start; nil when not read
	notes             []string               // what is wrong in it, for the screen's message line
}

// rawFlags are the values read as text and checked once every flag is
// parsed.
type rawFlags struct {
	delay, orchInterval, filter, sort string
	since                             string
	scopes                            []string
	help                              bool
}

// usageError is a bad flag or value: exit status 2 with one line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// flagGroup is one section of --help and of the manual, and declares its
// flags. A new flag is one line in the group it belongs to; a flag
// declared anywhere else belongs to no group, and TestEveryFlagHasAGroup
// names it.
type flagGroup struct {
	manual.Group
	declare func(fs *pflag.FlagSet, o *options, r *rawFlags)
}

// flagGroups are the command line, in --help's order. A value's name in
// the help is the `WORD` in backquotes of its usage.
var flagGroups = []flagGroup{
	{manual.Group{ID: "show", Title: "What to show, and how often"}, func(fs *pflag.FlagSet, o *options, r *rawFlags) {
		fs.StringVarP(&o.view, "view", "v", "containers", "the view to open, by `ID`: "+strings.Join(views.IDs(), ", "))
		complete(fs, "view", manual.CompleteViews)
		fs.StringArrayVar(&r.scopes, "scope", nil, "start drilled down into one entity, as `KIND=ID`: KIND is "+strings.Join(views.ScopeKinds, ", ")+"; a group includes its subgroups; repeat to narrow")
		complete(fs, "scope", manual.CompleteScope)
		fs.StringVarP(&r.filter, "filter", "f", "", "show the rows where every clause holds (`EXPR`): col=value col!=value col~text col>n col<n, or bare words")
		complete(fs, "filter", manual.CompleteColumns)
		fs.StringVarP(&r.sort, "sort", "s", "", "sort by the column `ID`; -ID sorts descending")
		complete(fs, "sort", manual.CompleteSort)
		fs.BoolVarP(&o.all, "all", "a", false, "also stopped containers, and cgroups that are not containers (runtime raw)")
		fs.StringVarP(&r.delay, "delay", "d", "2s", "refresh every `INTERVAL`: a Go duration (2s, 500ms) or a bare number of milliseconds (500)")
		fs.IntVar(&o.tail, "tail", 100, "the logs view: how many past lines (`N`) the first refresh shows, 0 to "+strconv.Itoa(maxTail))
	}},
	{manual.Group{ID: "screen", Title: "The screen"}, func(fs *pflag.FlagSet, o *options, _ *rawFlags) {
		fs.StringVar(&o.color, "color", "auto", "colour: `WHEN` is auto, always or never (NO_COLOR is honoured)")
		complete(fs, "color", manual.CompleteWords, "auto", "always", "never")
		fs.BoolVar(&o.readOnly, "read-only", false, "offer no actions (stop, kill, scale...) and no shell")
		fs.StringVar(&o.config, "config", "", "the settings `FILE` (default $XDG_CONFIG_HOME/ctop-like/config.yaml): columns and sort per view, interval, start view; written by the column chooser (c); flags override it")
		complete(fs, "config", manual.CompleteFile)
	}},
	{manual.Group{ID: "batch", Title: "Batch mode: print instead of drawing a screen"}, func(fs *pflag.FlagSet, o *options, r *rawFlags) {
		fs.StringVarP(&o.output, "output", "o", "", "print each refresh as a `FORMAT`: table (as top -b), json (one object a line), or none (with --listen: serve metrics without a screen)")
		complete(fs, "output", manual.CompleteWords, "table", "json", "none")
		fs.IntVarP(&o.iterations, "iterations", "n", 1, "how many refreshes (`N`) to print; 0 prints until stopped")
		fs.StringVar(&r.since, "since", "", "with -v events: also what happened in the last `DURATION` (1h, 30m), where the source keeps it (Docker's and Podman's events)")
		fs.StringVar(&o.listen, "listen", "", "serve every container's figures to Prometheus at http://`ADDR`/metrics (cAdvisor's names, Mesos and Marathon labels; read-only): a bare port (9338) is loopback only, HOST:PORT as given; beside the screen, or alone with -o none -n 0")
	}},
	{manual.Group{ID: "recording", Title: "Recording and replay"}, func(fs *pflag.FlagSet, o *options, _ *rawFlags) {
		fs.StringVarP(&o.write, "write", "w", "", "record every refresh to `FILE` (the screen or batch mode goes on as usual)")
		complete(fs, "write", manual.CompleteFile)
		fs.StringVarP(&o.read, "read", "r", "", "replay the recording `FILE` on the screen, or print it with -o")
		complete(fs, "read", manual.CompleteFile)
	}},
	{manual.Group{ID: "node", Title: "Where this node is read from"}, func(fs *pflag.FlagSet, o *options, _ *rawFlags) {
		fs.StringVar(&o.dockerHost, "docker-host", "", "the Docker daemon at `URL` (default $DOCKER_HOST or the local socket; none: no Docker)")
		fs.StringVar(&o.podmanHost, "podman-host", "", "Podman's Docker-compatible API at `URL` (default $CONTAINER_HOST or unix:///run/podman/podman.sock; none: no Podman)")
		fs.StringVar(&o.containerdAddress, "containerd-address", "", "containerd's socket `PATH` (default /run/containerd/containerd.sock, then dockerd's own; none: no containerd)")
		complete(fs, "containerd-address", manual.CompleteFile)
		fs.StringVar(&o.crioAddress, "crio-address", "", "CRI-O's socket `PATH` (default /var/run/crio/crio.sock; none: no CRI-O)")
		complete(fs, "crio-address", manual.CompleteFile)
		fs.StringVar(&o.procRoot, "proc-root", "/proc", "where /proc is (`DIR`), to run in a container with the host's mounted")
		complete(fs, "proc-root", manual.CompleteFile)
		fs.StringVar(&o.cgroupRoot, "cgroup-root", "/sys/fs/cgroup", "where the cgroup hierarchy is (`DIR`)")
		complete(fs, "cgroup-root", manual.CompleteFile)
	}},
	{manual.Group{ID: "cluster", Title: "The cluster, and other nodes"}, func(fs *pflag.FlagSet, o *options, r *rawFlags) {
		fs.StringSliceVarP(&o.mesos, "mesos-api", "m", nil, "the Mesos master's URL, then Marathon's (`URLS`, comma-separated, http:// or https://). "+
			"A password: http://user@host:port with the password in the file $"+passwordFileEnv+" or in $"+passwordEnv+
			" (user:pass@ in the URL shows in ps for a moment); $DCOS_ACS_TOKEN, when set, is sent instead")
		fs.StringVar(&o.mesosAgent, "mesos-agent", "", "this node's Mesos agent at `URL`, when not at "+orchestrator.DefaultAgentURL+
			": it places this node's containers (without -m, the one at "+orchestrator.DefaultAgentURL+" is used when it answers, and leads to its master)")
		fs.BoolVar(&o.cluster, "cluster", false, "with -m: the whole cluster, from every agent's /monitor/statistics")
		fs.StringVar(&o.cadvisor, "cadvisor", "", "read another node through its cAdvisor API at `URL` instead of this node's kernel")
		fs.StringVar(&r.orchInterval, "orchestrator-interval", "10s", "ask Mesos and Marathon every `INTERVAL`")
		fs.BoolVar(&o.insecure, "insecure", false, "do not verify the TLS certificates of Mesos, Marathon and cAdvisor")
		fs.StringVar(&o.caCert, "ca-cert", "", "trust the CAs of the PEM `FILE` for Mesos, Marathon and cAdvisor")
		complete(fs, "ca-cert", manual.CompleteFile)
	}},
	{manual.Group{ID: "about", Title: "About the tool"}, func(fs *pflag.FlagSet, o *options, r *rawFlags) {
		fs.BoolVarP(&o.listViews, "list-views", "l", false, "print every view with its column ids, units and default sort, then exit")
		fs.BoolVar(&o.markdown, "markdown", false, "with -l: print the whole reference (views, columns, flags, keys) as Markdown")
		fs.BoolVar(&o.man, "man", false, "print the man page (roff): ctop-like --man | man -l -")
		fs.StringVar(&o.completion, "completion", "", "print the completion script for `SHELL`: bash, zsh or fish")
		complete(fs, "completion", manual.CompleteWords, "bash", "zsh", "fish")
		fs.BoolVar(&o.version, "version", false, "print the version and exit")
		fs.BoolVarP(&r.help, "help", "h", false, "print this help and exit")
	}},
}

// complete says what a flag's value completes to (manual.CompleteKey).
func complete(fs *pflag.FlagSet, name string, kind string, words ...string) {
	_ = fs.SetAnnotation(name, manual.CompleteKey, append([]string{kind}, words...))
}

// newFlagSet declares every flag, each annotated with its group.
func newFlagSet(o *options, r *rawFlags) *pflag.FlagSet {
	fs := pflag.NewFlagSet("ctop-like", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	for _, g := range flagGroups {
		g.declare(fs, o, r)
		fs.VisitAll(func(f *pflag.Flag) {
			if len(f.Annotations[manual.GroupKey]) == 0 {
				_ = fs.SetAnnotation(f.Name, manual.GroupKey, []string{g.ID})
			}
		})
	}
	return fs
}

// parseFlags reads the command line, then checks it phase by phase: each
// check turns the raw text of its flags into options or a usage error.
func parseFlags(args []string, stdout io.Writer) (*options, error) {
	o, r := &options{}, &rawFlags{}
	fs := newFlagSet(o, r)
	if err := fs.Parse(args); err != nil {
		return nil, usageError{err.Error()}
	}
	if r.help {
		helpManual(fs).Help(stdout, manual.HelpWidth)
		return nil, errHelp
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	o.iterationsSet = fs.Changed("iterations")
	o.given = fs.Changed
	for _, check := range []func(*options, *rawFlags) error{checkIntervals, checkQuery, checkBatch, checkRecording, checkSources, checkCluster, checkScreen, checkAbout} {
		if err := check(o, r); err != nil {
			return nil, err
		}
	}
	return o, nil
}

var errHelp = errors.New("help")

// checkIntervals reads -d and --orchestrator-interval.
func checkIntervals(o *options, r *rawFlags) error {
	var err error
	if o.delay, err = parseDelay(r.delay); err != nil {
		return usageError{"invalid argument " + strconv.Quote(r.delay) + " for \"-d, --delay\": " + err.Error()}
	}
	if o.orchInterval, err = parseDelay(r.orchInterval); err != nil {
		return usageError{"invalid argument " + strconv.Quote(r.orchInterval) + " for \"--orchestrator-interval\": " + err.Error()}
	}
	return nil
}

// checkQuery reads what to show: the view, its scope, filter and sort.
func checkQuery(o *options, r *rawFlags) error {
	v := views.Get(o.view)
	if v == nil {
		return usageError{fmt.Sprintf("invalid argument %q for \"-v, --view\": views are %s", o.view, strings.Join(views.IDs(), ", "))}
	}
	if o.tail < 0 || o.tail > maxTail {
		return usageError{fmt.Sprintf("invalid argument \"%d\" for \"--tail\": want 0 to %d", o.tail, maxTail)}
	}
	for _, s := range r.scopes {
		sc, err := views.ParseScope(s)
		if err != nil {
			return usageError{"--scope: " + err.Error()}
		}
		o.scope = append(o.scope, sc)
	}
	if err := v.CheckScopeKinds(o.scope); err != nil {
		if len(o.scope) == 0 {
			return usageError{"-v " + o.view + ": " + err.Error()}
		}
		return usageError{"--scope: " + err.Error()}
	}
	if r.filter != "" {
		var err error
		if o.filter, err = views.ParseFilter(r.filter); err != nil {
			return usageError{"-f, --filter: " + err.Error()}
		}
		if err := o.filter.Check(v); err != nil {
			return usageError{"-f, --filter: " + err.Error()}
		}
	}
	if r.sort != "" {
		o.sort = strings.TrimPrefix(r.sort, "-")
		o.desc = strings.HasPrefix(r.sort, "-")
		if err := v.CheckColumn(o.sort); err != nil {
			return usageError{fmt.Sprintf("invalid argument %q for \"-s, --sort\": %v (see -l)", r.sort, err)}
		}
	}
	return nil
}

// checkBatch reads -o and -n.
func checkBatch(o *options, r *rawFlags) error {
	switch o.output {
	case "", "table", "json", "none":
	default:
		return usageError{fmt.Sprintf("invalid argument %q for \"-o, --output\": want table, json or none", o.output)}
	}
	if o.listen != "" {
		if _, err := metrics.Address(o.listen); err != nil {
			return usageError{err.Error()}
		}
		if o.read != "" {
			return usageError{"--listen serves this node's figures as they are read; a replay (-r) has none"}
		}
	}
	if r.since != "" {
		d, err := time.ParseDuration(r.since)
		if err != nil || d <= 0 {
			return usageError{fmt.Sprintf("invalid argument %q for \"--since\": want a duration above 0 (1h, 30m)", r.since)}
		}
		if o.view != views.EventsView {
			return usageError{"--since: past events are the events view's: add -v events"}
		}
		if o.read != "" {
			return usageError{"--since: a replay (-r) has the events of its recording only"}
		}
		o.since = d
	}
	if o.iterations < 0 {
		return usageError{fmt.Sprintf("invalid argument \"%d\" for \"-n, --iterations\": want 0 or more", o.iterations)}
	}
	return nil
}

// checkRecording refuses what a replay cannot do.
func checkRecording(o *options, _ *rawFlags) error {
	if o.read != "" && o.write != "" {
		return usageError{"-r and -w: replay and record at once is not supported; copy the file instead"}
	}
	if o.read != "" && (len(o.mesos) > 0 || o.cluster || o.cadvisor != "") {
		return usageError{"-r: a replay reads only the recording; drop -m, --cluster and --cadvisor"}
	}
	return nil
}

// checkSources refuses an engine address this node's figures cannot go
// with (see sshEngine).
func checkSources(o *options, _ *rawFlags) error {
	if err := sshEngine("--docker-host", o.dockerHost, "DOCKER_HOST"); err != nil {
		return err
	}
	return sshEngine("--podman-host", o.podmanHost, "CONTAINER_HOST")
}

// checkCluster reads -m and --cadvisor: http or https URLs only.
func checkCluster(o *options, _ *rawFlags) error {
	for i, u := range o.mesos {
		if u == "" {
			return usageError{"-m, --mesos-api: empty URL in the list"}
		}
		if err := httpURL(u); err != nil {
			return usageError{fmt.Sprintf("-m, --mesos-api: URL %d of the list: %v", i+1, err)}
		}
	}
	if o.cadvisor != "" {
		if err := httpURL(o.cadvisor); err != nil {
			return usageError{"--cadvisor: " + err.Error()}
		}
	}
	if o.mesosAgent != "" {
		if err := httpURL(o.mesosAgent); err != nil {
			return usageError{"--mesos-agent: " + err.Error()}
		}
	}
	for _, sc := range o.scope {
		if sc.Kind == "agent" && !o.cluster {
			return usageError{"--scope agent=" + sc.ID + ": agents are listed with --cluster"}
		}
	}
	return nil
}

// checkScreen reads --color.
func checkScreen(o *options, _ *rawFlags) error {
	switch o.color {
	case "auto", "always", "never":
	default:
		return usageError{fmt.Sprintf("invalid argument %q for \"--color\": want auto, always or never", o.color)}
	}
	if o.color == "auto" && os.Getenv("NO_COLOR") != "" {
		o.color = "never"
	}
	return nil
}

// checkAbout reads the flags that print the manual.
func checkAbout(o *options, _ *rawFlags) error {
	if o.markdown && !o.listViews {
		return usageError{"--markdown: goes with -l (ctop-like -l --markdown)"}
	}
	switch o.completion {
	case "", "bash", "zsh", "fish":
	default:
		return usageError{fmt.Sprintf("invalid argument %q for \"--completion\": want bash, zsh or fish", o.completion)}
	}
	return nil
}

// maxTail bounds --tail: the log feed keeps that many lines in memory.
const maxTail = 100000

// parseDelay reads a bare number as milliseconds (csysdig's -d 500) and
// anything else as a Go duration, as the settings file's interval.
func parseDelay(s string) (time.Duration, error) { return settings.ParseDelay(s) }
