package settings

import (
	"github.com/ctop-like/ctop-like/internal/views"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func write(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMissingFileIsNoError(t *testing.T) {
	f, errs := Load(filepath.Join(t.TempDir(), "nothing", "config.yaml"))
	if len(errs) != 0 {
		t.Fatalf("errors for a missing file: %v", errs)
	}
	if f.Interval != 0 || f.View != "" || len(f.Views) != 0 {
		t.Errorf("settings from nothing: %+v", f.Settings)
	}
}

func TestDefaultPathFollowsXDG(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/srv/conf")
	if p, err := DefaultPath(); err != nil || p != "/srv/conf/ctop-like/config.yaml" {
		t.Errorf("DefaultPath() = %q, %v", p, err)
	}
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("HOME", "/home/op")
	if p, err := DefaultPath(); err != nil || p != "/home/op/.config/ctop-like/config.yaml" {
		t.Errorf("DefaultPath() without XDG_CONFIG_HOME = %q, %v", p, err)
	}
}

func TestReadsEverySetting(t *testing.T) {
	p := write(t, `# mine
interval: 500          # as -d 500
view: processes
views:
  containers:
    columns: [name, state, cpu_pct, app, attention]
    sort: -mem_bytes
  processes:
    sort: rss_bytes
`)
	f, errs := Load(p)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if f.Interval != 500*time.Millisecond || f.View != "processes" {
		t.Errorf("interval %v view %q", f.Interval, f.View)
	}
	c := f.Views["containers"]
	if !slices.Equal(c.Columns, []string{"name", "state", "cpu_pct", "app", "attention"}) || c.Sort != "mem_bytes" || !c.Desc {
		t.Errorf("containers: %+v", c)
	}
	if pr := f.Views["processes"]; pr.Columns != nil || pr.Sort != "rss_bytes" || pr.Desc {
		t.Errorf("processes: %+v", pr)
	}
}

// TestBadFileNamesItsLine: each mistake is one line naming the file and
// the line; what is right in the file still applies.
func TestBadFileNamesItsLine(t *testing.T) {
	p := write(t, `interval: 2 minutes
view: containrs
colour: never
views:
  containers:
    columns: [name, cpu, cpu_pct, name]
    sort: -nope
  nosuch:
    columns: [a]
  processes:
    columns: []
`)
	f, errs := Load(p)
	want := []string{
		p + `:1: interval "2 minutes": want milliseconds (500) or a duration (2s)`,
		p + `:2: view "containrs" does not exist (views: `,
		p + `:3: unknown setting "colour" (settings: interval, view, views, crash_loop)`,
		p + `:6: view containers has no column "cpu" (see ctop-like -l)`,
		p + `:6: view containers: column "name" is listed twice`,
		p + `:7: view containers has no column "nope" to sort by`,
		p + `:8: view "nosuch" does not exist`,
		p + `:11: view processes: columns: no column to show; every column is shown`,
	}
	if len(errs) != len(want) {
		t.Errorf("%d errors, want %d: %q", len(errs), len(want), errs)
	}
	for i, w := range want {
		if i >= len(errs) {
			break
		}
		if e := errs[i].Error(); !strings.HasPrefix(e, w) || strings.Contains(e, "\n") {
			t.Errorf("error %d:\n got %q\nwant %q…", i, e, w)
		}
	}
	if f.Interval != 0 || f.View != "" {
		t.Errorf("bad values kept: %+v", f.Settings)
	}
	if c := f.Views["containers"]; !slices.Equal(c.Columns, []string{"name", "cpu_pct"}) || c.Sort != "" {
		t.Errorf("the good columns are not kept: %+v", c)
	}
}

func TestNotYAMLNamesItsLineAndIsNeverWrittenOver(t *testing.T) {
	text := "views:\n  containers:\n    columns: [name\n  sort: x\n"
	p := write(t, text)
	f, errs := Load(p)
	if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), p+":") || !strings.Contains(errs[0].Error(), "not YAML") {
		t.Fatalf("errors: %q", errs)
	}
	// The parser names the line of the construct it was in (the view's
	// entry, line 2) or where it gave up: either points at the open list.
	if line := errs[0].(*Problem).Line; line < 2 || line > 4 {
		t.Errorf("the error names line %d, want one of the open list's entry (2-4)", line)
	}
	if _, errs := Load(write(t, "a: b: c\n")); len(errs) != 1 || errs[0].(*Problem).Line != 1 {
		t.Errorf("an error on the first line: %q", errs)
	}
	err := f.Save("containers", View{Columns: []string{"name"}})
	if err == nil || !strings.Contains(err.Error(), "not written") {
		t.Errorf("Save over a broken file: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != text {
		t.Errorf("the broken file was changed:\n%s", b)
	}
}

// TestSaveKeepsTheRestOfTheFile: the chooser's save changes one view's
// entry; the person's comments, other settings, other views and keys the
// tool does not know stay, and so does the file's mode.
func TestSaveKeepsTheRestOfTheFile(t *testing.T) {
	p := write(t, `# my settings for node-7
interval: 1s   # faster here
view: machine
future: yes    # a setting of a later version
views:
  processes:
    sort: -rss_bytes
  containers:
    columns: [id, name]   # narrow
`)
	f, errs := Load(p)
	if len(errs) != 1 { // future
		t.Fatalf("errors: %v", errs)
	}
	// Another ctop-like writes meanwhile: its change must survive.
	b, _ := os.ReadFile(p)
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), "view: machine", "view: processes", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.Save("containers", View{Columns: []string{"name", "cpu_pct", "attention"}, Sort: "cpu_pct", Desc: true}); err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(p)
	for _, want := range []string{"# my settings for node-7", "interval: 1s", "# faster here", "view: processes", "future: yes", "# a setting of a later version", "sort: -rss_bytes", "columns: [name, cpu_pct, attention]"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("after Save the file lacks %q:\n%s", want, out)
		}
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600 as before", fi.Mode().Perm())
	}
	g, errs := Load(p)
	if len(errs) != 1 {
		t.Fatalf("errors after Save: %v", errs)
	}
	if c := g.Views["containers"]; !slices.Equal(c.Columns, []string{"name", "cpu_pct", "attention"}) || c.Sort != "cpu_pct" || !c.Desc {
		t.Errorf("read back: %+v", c)
	}
	if g.Views["processes"].Sort != "rss_bytes" || g.Interval != time.Second || g.View != "processes" {
		t.Errorf("the rest read back: %+v", g.Settings)
	}
	left, _ := os.ReadDir(filepath.Dir(p))
	if len(left) != 1 {
		t.Errorf("files left beside it: %v", left)
	}
	// Back to the defaults: the entry goes.
	if err := g.Save("containers", View{}); err != nil {
		t.Fatal(err)
	}
	if out, _ := os.ReadFile(p); strings.Contains(string(out), "containers") || !strings.Contains(string(out), "processes") {
		t.Errorf("defaults kept an entry:\n%s", out)
	}
}

func TestSaveCreatesTheFileWithItsHelp(t *testing.T) {
	p := filepath.Join(t.TempDir(), "conf", "ctop-like", "config.yaml")
	f, _ := Load(p)
	if err := f.Save("mesos-tasks", View{Columns: []string{"task", "state", "message"}}); err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "# ctop-like settings") || !strings.Contains(string(out), "# interval: 2s") {
		t.Errorf("a new file does not say what it may hold:\n%s", out)
	}
	if fi, _ := os.Stat(filepath.Dir(p)); fi.Mode().Perm() != 0o700 {
		t.Errorf("new folder mode %v, want 0700 (XDG)", fi.Mode().Perm())
	}
	g, errs := Load(p)
	if len(errs) != 0 || !slices.Equal(g.Views["mesos-tasks"].Columns, []string{"task", "state", "message"}) {
		t.Errorf("read back %+v, %v", g.Views, errs)
	}
}

func TestSaveThroughASymlinkWritesItsTarget(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles-ctop.yaml")
	if err := os.WriteFile(real, []byte("interval: 4s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "config.yaml")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	f, _ := Load(link)
	if err := f.Save("machine", View{Columns: []string{"kind", "name"}}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if out, _ := os.ReadFile(real); !strings.Contains(string(out), "interval: 4s") || !strings.Contains(string(out), "columns: [kind, name]") {
		t.Errorf("target:\n%s", out)
	}
}

func TestParseDelay(t *testing.T) {
	for in, want := range map[string]time.Duration{"500": 500 * time.Millisecond, "2s": 2 * time.Second, "1.5s": 1500 * time.Millisecond, "100": 100 * time.Millisecond} {
		if d, err := ParseDelay(in); err != nil || d != want {
			t.Errorf("ParseDelay(%q) = %v, %v; want %v", in, d, err, want)
		}
	}
	for _, in := range []string{"50", "0", "2 s", "fast", "90000000"} {
		if _, err := ParseDelay(in); err == nil {
			t.Errorf("ParseDelay(%q) accepted", in)
		}
	}
}

// TestCrashLoopRule: crash_loop sets how many failures within how long
// are a crash loop; a value out of range is a problem naming its line,
// and the other one still applies.
func TestCrashLoopRule(t *testing.T) {
	f, errs := Load(write(t, "crash_loop:\n  failures: 5\n  window: 30m\n"))
	if len(errs) != 0 || f.CrashLoop != (views.CrashLoopRule{Failures: 5, Window: 30 * time.Minute}) {
		t.Errorf("%+v %v", f.CrashLoop, errs)
	}
	p := write(t, "crash_loop: {failures: 0, window: 10m, every: 2}\n")
	f, errs = Load(p)
	want := []string{
		p + `:1: crash_loop: failures "0": want a whole number from 1 to 1000`,
		p + `:1: crash_loop: unknown setting "every" (settings: failures, window)`,
	}
	if len(errs) != len(want) {
		t.Fatalf("errors %q", errs)
	}
	for i, w := range want {
		if errs[i].Error() != w {
			t.Errorf("got  %q\nwant %q", errs[i], w)
		}
	}
	if f.CrashLoop != (views.CrashLoopRule{Window: 10 * time.Minute}) {
		t.Errorf("%+v", f.CrashLoop)
	}
	_, errs = Load(write(t, "crash_loop:\n  window: 10s\n"))
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `:2: crash_loop: window "10s": want a duration from 1m to 24h`) {
		t.Errorf("%q", errs)
	}
}
