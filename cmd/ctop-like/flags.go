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

	"github.com/ctop-like/ctop-like/internal/settings"
	"github.com/ctop-like/ctop-like/internal/views"
)

// options is the parsed command line.
type options struct {
	delay             time.Duration
	mesos             []string
	view              string
	listViews         bool
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
	version           bool
	config            string                 // --config: the settings file; "" is the default one
	given             func(name string) bool // whether a flag was on the command line (it overrides the settings file)
	settings          *settings.File         // the settings file as read at start; nil when not read
	notes             []string               // what is wrong in it, for the screen's message line
}

// usageError is a bad flag or value: exit status 2 with one line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := pflag.NewFlagSet("ctop-like", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := &options{}
	var delay, orchInterval, filter, sortCol string
	var scopes []string
	fs.StringVarP(&delay, "delay", "d", "2s", "refresh interval: milliseconds (500) or a Go duration (2s)")
	fs.StringSliceVarP(&o.mesos, "mesos-api", "m", nil, "Mesos master URL, then Marathon URLs, comma-separated. For a password, give http://user@host:port\n"+
		"and the password in the file $"+passwordFileEnv+" or in $"+passwordEnv+": the safe way, never on a command line\n"+
		"(http://user:pass@host:port works, but shows in ps for a moment). $DCOS_ACS_TOKEN, when set, is sent instead.\n"+
		"Credentials go only to the host:port given, and to the leader and agents the master names")
	fs.StringVarP(&o.view, "view", "v", "containers", "view to open: "+strings.Join(views.IDs(), ", "))
	fs.BoolVarP(&o.listViews, "list-views", "l", false, "print every view with its columns, units and default sort, then exit")
	fs.StringArrayVar(&scopes, "scope", nil, "start drilled down: framework=ID, group=ID, app=ID, task=ID, container=ID, pid=PID")
	fs.StringVarP(&filter, "filter", "f", "", "filter: col=value col!=value col~text col>n col<n, or bare words")
	fs.StringVarP(&sortCol, "sort", "s", "", "sort column id; -COL for descending")
	fs.StringVarP(&o.output, "output", "o", "", "batch mode: table or json")
	fs.IntVarP(&o.iterations, "iterations", "n", 1, "batch mode: refreshes to print (0 = until stopped)")
	fs.IntVar(&o.tail, "tail", 100, "the logs view: how many past lines the first refresh shows (0 to "+strconv.Itoa(maxTail)+")")
	fs.StringVarP(&o.write, "write", "w", "", "record snapshots to FILE")
	fs.StringVarP(&o.read, "read", "r", "", "replay a recording")
	fs.StringVar(&o.dockerHost, "docker-host", "", "Docker daemon (default DOCKER_HOST or the local socket; 'none' to disable)")
	fs.StringVar(&o.podmanHost, "podman-host", "", "Podman's Docker-compatible API (default CONTAINER_HOST or unix:///run/podman/podman.sock; 'none' to disable)")
	fs.StringVar(&o.containerdAddress, "containerd-address", "", "containerd's socket (default /run/containerd/containerd.sock; 'none' to disable)")
	fs.StringVar(&o.procRoot, "proc-root", "/proc", "where /proc is")
	fs.StringVar(&o.cgroupRoot, "cgroup-root", "/sys/fs/cgroup", "where the cgroup hierarchy is")
	fs.BoolVarP(&o.all, "all", "a", false, "also list cgroups that are not containers, as runtime raw")
	fs.StringVar(&orchInterval, "orchestrator-interval", "10s", "Mesos/Marathon polling interval")
	fs.BoolVar(&o.insecure, "insecure", false, "do not verify TLS certificates of Mesos/Marathon")
	fs.StringVar(&o.caCert, "ca-cert", "", "PEM file of CAs for Mesos/Marathon TLS")
	fs.BoolVar(&o.cluster, "cluster", false, "with -m: the whole cluster, from every agent")
	fs.StringVar(&o.cadvisor, "cadvisor", "", "read a remote node through its cAdvisor API")
	fs.StringVar(&o.color, "color", "auto", "colour: auto, always or never (NO_COLOR is honoured)")
	fs.BoolVar(&o.readOnly, "read-only", false, "offer no actions (stop, kill...)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.StringVar(&o.config, "config", "", "settings file (default $XDG_CONFIG_HOME/ctop-like/config.yaml): columns and sort per view, interval, start view; written by the column chooser (c); flags override it")
	help := fs.BoolP("help", "h", false, "show this help")

	if err := fs.Parse(args); err != nil {
		return nil, usageError{err.Error()}
	}
	o.given = fs.Changed
	if *help {
		fmt.Fprintln(stderr, "Usage: ctop-like [flags]\n\nA top for containers, grouped by the Mesos/Marathon cluster that placed them.\n\nFlags:")
		fmt.Fprint(stderr, fs.FlagUsages())
		return nil, errHelp
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	var err error
	if o.delay, err = parseDelay(delay); err != nil {
		return nil, usageError{"invalid argument " + strconv.Quote(delay) + " for \"-d, --delay\": " + err.Error()}
	}
	if o.orchInterval, err = parseDelay(orchInterval); err != nil {
		return nil, usageError{"invalid argument " + strconv.Quote(orchInterval) + " for \"--orchestrator-interval\": " + err.Error()}
	}
	if views.Get(o.view) == nil {
		return nil, usageError{fmt.Sprintf("invalid argument %q for \"-v, --view\": views are %s", o.view, strings.Join(views.IDs(), ", "))}
	}
	for _, s := range scopes {
		sc, err := views.ParseScope(s)
		if err != nil {
			return nil, usageError{"--scope: " + err.Error()}
		}
		o.scope = append(o.scope, sc)
	}
	if filter != "" {
		if o.filter, err = views.ParseFilter(filter); err != nil {
			return nil, usageError{"-f, --filter: " + err.Error()}
		}
		if err := o.filter.Check(views.Get(o.view)); err != nil {
			return nil, usageError{"-f, --filter: " + err.Error()}
		}
	}
	if sortCol != "" {
		o.sort = strings.TrimPrefix(sortCol, "-")
		o.desc = strings.HasPrefix(sortCol, "-")
		if views.Get(o.view).Col(o.sort) < 0 {
			return nil, usageError{fmt.Sprintf("invalid argument %q for \"-s, --sort\": view %s has no column %q (see -l)", sortCol, o.view, o.sort)}
		}
	}
	switch o.output {
	case "", "table", "json":
	default:
		return nil, usageError{fmt.Sprintf("invalid argument %q for \"-o, --output\": want table or json", o.output)}
	}
	if o.tail < 0 || o.tail > maxTail {
		return nil, usageError{fmt.Sprintf("invalid argument \"%d\" for \"--tail\": want 0 to %d", o.tail, maxTail)}
	}
	o.iterationsSet = fs.Changed("iterations")
	if o.read != "" && o.write != "" {
		return nil, usageError{"-r and -w: replay and record at once is not supported; copy the file instead"}
	}
	if o.read != "" && (len(o.mesos) > 0 || o.cluster || o.cadvisor != "") {
		return nil, usageError{"-r: a replay reads only the recording; drop -m, --cluster and --cadvisor"}
	}
	if o.iterations < 0 {
		return nil, usageError{fmt.Sprintf("invalid argument \"%d\" for \"-n, --iterations\": want 0 or more", o.iterations)}
	}
	switch o.color {
	case "auto", "always", "never":
	default:
		return nil, usageError{fmt.Sprintf("invalid argument %q for \"--color\": want auto, always or never", o.color)}
	}
	if o.color == "auto" && os.Getenv("NO_COLOR") != "" {
		o.color = "never"
	}
	for _, u := range o.mesos {
		if u == "" {
			return nil, usageError{"-m, --mesos-api: empty URL in the list"}
		}
	}
	return o, nil
}

var errHelp = errors.New("help")

// maxTail bounds --tail: the log feed keeps that many lines in memory.
const maxTail = 100000

// parseDelay reads a bare number as milliseconds (csysdig's -d 500) and
// anything else as a Go duration, as the settings file's interval.
func parseDelay(s string) (time.Duration, error) { return settings.ParseDelay(s) }
