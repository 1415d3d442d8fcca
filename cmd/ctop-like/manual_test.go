package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"github.com/ctop-like/ctop-like/internal/manual"
	"github.com/ctop-like/ctop-like/internal/views"
)

// --help is grouped, has examples, and fits an 80-column terminal.
func TestHelpIsGroupedWithExamplesInEightyColumns(t *testing.T) {
	var out bytes.Buffer
	if _, err := parseFlags([]string{"--help"}, &out); err != errHelp {
		t.Fatalf("--help: %v", err)
	}
	help := out.String()
	for i, line := range strings.Split(help, "\n") {
		if n := utf8.RuneCountInString(line); n > manual.HelpWidth {
			t.Errorf("line %d is %d columns wide: %q", i+1, n, line)
		}
	}
	at := -1
	for _, g := range flagGroups {
		i := strings.Index(help, "\n"+g.Title+":\n")
		if i < at {
			t.Errorf("group %q is missing or out of order", g.Title)
		}
		at = i
	}
	for _, want := range []string{"Examples:", "  ctop-like -o table\n", "--mesos-api URLS", "-d, --delay INTERVAL", "--scope KIND=ID"} {
		if !strings.Contains(help, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

// Every flag belongs to a help group; one declared outside flagGroups is
// named.
func TestEveryFlagHasAGroup(t *testing.T) {
	if err := fullManual().Check(); err != nil {
		t.Fatal(err)
	}
	fs := newFlagSet(&options{}, &rawFlags{})
	fs.Bool("stray", false, "declared after the groups")
	m := fullManual()
	m.Flags = fs
	if err := m.Check(); err == nil || !strings.Contains(err.Error(), "--stray") {
		t.Errorf("a flag without a group: %v, want an error naming --stray", err)
	}
}

// docs/ is what the code declares: the reference, the man page and the
// completions, as make docs writes them.
func TestDocsAreWhatTheCodeDeclares(t *testing.T) {
	for file, form := range docFiles {
		want, err := os.ReadFile(filepath.Join("..", "..", file))
		if err != nil {
			t.Errorf("%s: %v (run make docs)", file, err)
			continue
		}
		var got bytes.Buffer
		if err := writeManual(&got, form); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s differs from what the code declares (%s): run make docs", file, firstDifference(got.String(), string(want)))
		}
	}
}

// docFiles are the generated files of docs/ and the form each holds.
var docFiles = map[string]string{
	"docs/reference.md":               "markdown",
	"docs/ctop-like.1":                "man",
	"docs/completions/ctop-like.bash": "bash",
	"docs/completions/_ctop-like":     "zsh",
	"docs/completions/ctop-like.fish": "fish",
}

// firstDifference names the first line where two texts differ.
func firstDifference(code, file string) string {
	a, b := strings.Split(code, "\n"), strings.Split(file, "\n")
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ": the code says " + quoteCut(x) + ", the file " + quoteCut(y)
		}
	}
	return "same lines"
}

func quoteCut(s string) string {
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return "\"" + s + "\""
}

// The reference names every flag, view and column id the code declares.
func TestReferenceNamesEveryFlagViewAndColumn(t *testing.T) {
	var b bytes.Buffer
	if err := writeManual(&b, "markdown"); err != nil {
		t.Fatal(err)
	}
	ref := b.String()
	newFlagSet(&options{}, &rawFlags{}).VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(ref, "`--"+f.Name+"`") {
			t.Errorf("the reference lacks --%s", f.Name)
		}
	})
	for _, v := range views.All() {
		if !strings.Contains(ref, "\n### "+v.ID+"\n") {
			t.Errorf("the reference lacks view %s", v.ID)
		}
		for _, c := range v.Columns {
			if !strings.Contains(ref, "| `"+c.ID+"` | ") {
				t.Errorf("the reference lacks column %s of %s", c.ID, v.ID)
			}
		}
	}
}

// The man page renders without a warning from groff.
func TestManPageRenders(t *testing.T) {
	groff := needShell(t, "groff")
	var b bytes.Buffer
	if err := writeManual(&b, "man"); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(groff, "-man", "-ww", "-Tascii")
	cmd.Stdin = &b
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("groff: %v %s", err, stderr.String())
	}
	text := regexp.MustCompile(".\x08").ReplaceAllString(out.String(), "") // bold and underline overstrike
	for _, want := range []string{"NAME", "SYNOPSIS", "OPTIONS", "--mesos-api", "VIEWS", "cpu_pct", "KEYS", "EXIT STATUS", "ENVIRONMENT"} {
		if !strings.Contains(text, want) {
			t.Errorf("the rendered man page lacks %q", want)
		}
	}
}

// completionScript writes a shell's completion to a file.
func completionScript(t *testing.T, shell, name string) string {
	t.Helper()
	var b bytes.Buffer
	if err := writeManual(&b, shell); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// needShell returns a shell's path; under CI a missing one fails.
func needShell(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no %s (scripts/test-env installs it)", name)
		}
		t.Skipf("no %s", name)
	}
	return p
}

// run runs a shell script and returns its output's lines.
func shellLines(t *testing.T, shell string, args ...string) []string {
	t.Helper()
	out, err := exec.Command(shell, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", shell, args, err, out)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		l, _, _ = strings.Cut(l, "\t") // fish: word<TAB>description
		lines = append(lines, l)
	}
	return lines
}

// bash completes flags, view ids, the columns of the view on the line
// (with - for descending sorts) and scope kinds.
func TestBashCompletion(t *testing.T) {
	bash := needShell(t, "bash")
	script := completionScript(t, "bash", "ctop-like.bash")
	cases := []struct {
		words []string
		want  []string
		not   []string
	}{
		{[]string{"ctop-like", "--sc"}, []string{"--scope"}, nil},
		{[]string{"ctop-like", "-v", "mesos-"}, []string{"mesos-frameworks", "mesos-tasks"}, []string{"containers"}},
		{[]string{"ctop-like", "-v", "processes", "-s", "-rs"}, []string{"-rss_bytes"}, nil},
		{[]string{"ctop-like", "-v", "processes", "-s", "com"}, []string{"command"}, nil},
		{[]string{"ctop-like", "-s", "ima"}, []string{"image"}, nil}, // containers without -v
		{[]string{"ctop-like", "--view", "=", "logs", "-f", ""}, []string{"time", "stream", "text"}, []string{"cpu_pct"}},
		{[]string{"ctop-like", "--scope", "con"}, []string{"container="}, nil},
		{[]string{"ctop-like", "-o", ""}, []string{"table", "json"}, nil},
		{[]string{"ctop-like", "--completion", ""}, []string{"bash", "zsh", "fish"}, nil},
	}
	for _, c := range cases {
		args := append([]string{"-c", `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _ctop_like 2>/dev/null; printf '%s\n' "${COMPREPLY[@]}"`, "bash", script}, c.words...)
		got := shellLines(t, bash, args...)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: %q lacks %q", c.words, got, w)
			}
		}
		for _, n := range c.not {
			if slices.Contains(got, n) {
				t.Errorf("%q: %q offers %q", c.words, got, n)
			}
		}
	}
}

// fish completes through its own `complete -C`, as at a prompt.
func TestFishCompletion(t *testing.T) {
	fish := needShell(t, "fish")
	script := completionScript(t, "fish", "ctop-like.fish")
	cases := map[string][]string{
		"ctop-like --sco":                          {"--scope"},
		"ctop-like -v mesos-":                      {"mesos-frameworks", "mesos-tasks"},
		"ctop-like -v processes -s com":            {"command"},
		"ctop-like -v processes --sort=-rs":        {"--sort=-rss_bytes"},
		"ctop-like --scope ":                       {"container=", "pid="},
		"ctop-like --view=logs -f ":                {"time", "stream", "text"},
		"ctop-like -o ":                            {"table", "json"},
		"ctop-like -m http://m:5050 --completion ": {"bash", "zsh", "fish"},
	}
	for line, want := range cases {
		got := shellLines(t, fish, "-c", `source $argv[1]; complete -C $argv[2]`, script, line)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: %q lacks %q", line, got, w)
			}
		}
	}
}

// zsh loads the script through compinit (compdef registers it), and its
// column helper reads the view from the line as _arguments gives it.
func TestZshCompletion(t *testing.T) {
	zsh := needShell(t, "zsh")
	script := completionScript(t, "zsh", "_ctop-like")
	if out, err := exec.Command(zsh, "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v %s", err, out)
	}
	got := shellLines(t, zsh, "-f", "-c", `autoload -U compinit; compinit -u -D; source $1; print -r -- $_comps[ctop-like]
words=(ctop-like -v processes -s ''); CURRENT=5; _ctop_like_columns; print -rl -- $reply
words=(ctop-like --view=logs -f ''); CURRENT=4; _ctop_like_columns; print -rl -- $reply`, "zsh", script)
	if len(got) == 0 || got[0] != "_ctop_like" {
		t.Fatalf("compdef did not register _ctop_like: %q", got)
	}
	for _, want := range []string{"command", "rss_bytes", "stream"} {
		if !slices.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if slices.Contains(got, "image") {
		t.Errorf("processes and logs offer containers' image: %q", got)
	}
}
