// Package settings reads and writes the settings file: the columns, sort,
// refresh interval and start view a person chose for the screen, kept
// between runs as htop keeps htoprc and k9s its YAML files.
//
// The file is YAML (go.yaml.in/yaml/v3): a person can read and edit it,
// and its node tree keeps the comments, order and keys the tool does not
// know when the column chooser writes one view's entry back.
package settings

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moby/sys/atomicwriter"
	"go.yaml.in/yaml/v3"

	"github.com/ctop-like/ctop-like/internal/views"
)

// Where the file is by default: $XDG_CONFIG_HOME/ctop-like/config.yaml,
// or ~/.config/ctop-like/config.yaml without XDG_CONFIG_HOME.
const (
	dirName  = "ctop-like"
	fileName = "config.yaml"
)

// DefaultPath is the settings file used without --config.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("settings: %w", err)
	}
	return filepath.Join(dir, dirName, fileName), nil
}

// View is what the file keeps for one view.
type View struct {
	// Columns are the ids of the columns the screen shows, in order;
	// nil: every column, in the view's order.
	Columns []string
	Sort    string // column id; "" is the view's own default
	Desc    bool
}

// Settings are the file's values; a zero value was not set.
type Settings struct {
	Interval time.Duration   // the screen's refresh interval (-d)
	View     string          // the view the screen opens with (-v)
	Views    map[string]View // by view id
	// CrashLoop is the rule of crash loops (crash_loop: failures:,
	// window:); a zero field keeps views.CrashLoop's.
	CrashLoop views.CrashLoopRule
}

// File is the settings file as read at start.
type File struct {
	Path string
	Settings
	// broken is why the file could not be read as YAML at all: it is
	// never written over, so that nothing the person wrote is lost.
	broken error
}

// Problem is one thing wrong in the file, naming its line; the rest of
// the file still applies.
type Problem struct {
	Path string
	Line int // 0: the file as a whole
	Msg  string
}

func (p *Problem) Error() string {
	if p.Line == 0 {
		return p.Path + ": " + p.Msg
	}
	return p.Path + ":" + strconv.Itoa(p.Line) + ": " + p.Msg
}

// Load reads the file at path. A file that does not exist is no error:
// its settings are all unset and Save creates it. Every problem found is
// returned, one line each; what the problems leave valid is kept.
func Load(path string) (*File, []error) {
	f := &File{Path: path}
	f.Views = map[string]View{}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		f.broken = err
		return f, []error{&Problem{Path: path, Msg: unwrapPath(err)}}
	}
	doc, err := parse(path, data)
	if err != nil {
		f.broken = err
		return f, []error{err}
	}
	r := reader{path: path}
	r.settings(doc, &f.Settings)
	return f, r.problems
}

// unwrapPath drops the path an *fs.PathError repeats.
func unwrapPath(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

// parse reads YAML into a document node; a syntax error names its line.
func parse(path string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlProblem(path, err)
	}
	return &doc, nil
}

// yamlProblem turns the parser's "yaml: line 3: …" into a Problem.
func yamlProblem(path string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1 // the parser names no line when it is the first
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, tail, ok := strings.Cut(rest, ": "); ok {
			if l, err := strconv.Atoi(n); err == nil {
				line, msg = l, tail
			}
		}
	}
	return &Problem{Path: path, Line: line, Msg: "not YAML: " + msg}
}

// reader walks a document, keeping what is valid and a problem for each
// thing that is not.
type reader struct {
	path     string
	problems []error
}

func (r *reader) problem(n *yaml.Node, format string, args ...any) {
	r.problems = append(r.problems, &Problem{Path: r.path, Line: n.Line, Msg: fmt.Sprintf(format, args...)})
}

// topKeys are the settings the file's top level may hold.
var topKeys = []string{"interval", "view", "views", "crash_loop"}

func (r *reader) settings(doc *yaml.Node, s *Settings) {
	root := rootOf(doc)
	if root == nil {
		return // empty, or only comments
	}
	if root.Kind != yaml.MappingNode {
		r.problem(root, "want settings as `key: value` lines (%s)", strings.Join(topKeys, ", "))
		return
	}
	r.pairs(root, func(k, v *yaml.Node) {
		switch k.Value {
		case "interval":
			if !r.scalar(k, v) {
				return
			}
			d, err := ParseDelay(v.Value)
			if err != nil {
				r.problem(v, "interval %q: %v", v.Value, err)
				return
			}
			s.Interval = d
		case "view":
			if !r.scalar(k, v) {
				return
			}
			if views.Get(v.Value) == nil {
				r.problem(v, "view %q does not exist (views: %s)", v.Value, strings.Join(views.IDs(), ", "))
				return
			}
			s.View = v.Value
		case "views":
			if v.Kind != yaml.MappingNode {
				r.problem(v, "views: want one `VIEW:` entry per view")
				return
			}
			r.pairs(v, func(k, v *yaml.Node) {
				vw := views.Get(k.Value)
				if vw == nil {
					r.problem(k, "view %q does not exist (views: %s)", k.Value, strings.Join(views.IDs(), ", "))
					return
				}
				if got, ok := r.view(vw, v); ok {
					s.Views[vw.ID] = got
				}
			})
		case "crash_loop":
			s.CrashLoop = r.crashLoop(v)
		default:
			r.problem(k, "unknown setting %q (settings: %s)", k.Value, strings.Join(topKeys, ", "))
		}
	})
}

// crashLoop reads `crash_loop: {failures: 3, window: 15m}`: how many
// failed tasks of an app on one node, within how long, are a crash loop.
// A value that is not valid is a problem and left at its default.
func (r *reader) crashLoop(n *yaml.Node) views.CrashLoopRule {
	var out views.CrashLoopRule
	if n.Kind != yaml.MappingNode {
		r.problem(n, "crash_loop: want `failures:` and `window:`")
		return out
	}
	r.pairs(n, func(k, v *yaml.Node) {
		if !r.scalar(k, v) {
			return
		}
		switch k.Value {
		case "failures":
			f, err := strconv.Atoi(v.Value)
			if err != nil || f < 1 || f > 1000 {
				r.problem(v, "crash_loop: failures %q: want a whole number from 1 to 1000", v.Value)
				return
			}
			out.Failures = f
		case "window":
			d, err := time.ParseDuration(v.Value)
			if err != nil || d < time.Minute || d > 24*time.Hour {
				r.problem(v, "crash_loop: window %q: want a duration from 1m to 24h, as 15m", v.Value)
				return
			}
			out.Window = d
		default:
			r.problem(k, "crash_loop: unknown setting %q (settings: failures, window)", k.Value)
		}
	})
	return out
}

// viewKeys are what a view's entry may hold.
var viewKeys = []string{"columns", "sort"}

// view reads one view's entry; ok false when nothing of it is usable.
func (r *reader) view(v *views.View, n *yaml.Node) (View, bool) {
	var out View
	if n.Kind != yaml.MappingNode {
		r.problem(n, "view %s: want `columns:` and `sort:`", v.ID)
		return out, false
	}
	any := false
	r.pairs(n, func(k, val *yaml.Node) {
		switch k.Value {
		case "columns":
			if cols, ok := r.columns(v, val); ok {
				out.Columns, any = cols, true
			}
		case "sort":
			if !r.scalar(k, val) {
				return
			}
			id := strings.TrimPrefix(val.Value, "-")
			if _, ok := v.Column(id); !ok {
				r.problem(val, "view %s has no column %q to sort by (see ctop-like -l)", v.ID, id)
				return
			}
			out.Sort, out.Desc, any = id, strings.HasPrefix(val.Value, "-"), true
		default:
			r.problem(k, "view %s: unknown setting %q (settings: %s)", v.ID, k.Value, strings.Join(viewKeys, ", "))
		}
	})
	return out, any
}

// columns reads a list of column ids; an id the view lacks is a problem
// and left out, the others stay.
func (r *reader) columns(v *views.View, n *yaml.Node) ([]string, bool) {
	if n.Kind != yaml.SequenceNode {
		r.problem(n, "view %s: columns: want a list of column ids, as [id, name, cpu_pct]", v.ID)
		return nil, false
	}
	var out []string
	for _, c := range n.Content {
		switch {
		case c.Kind != yaml.ScalarNode:
			r.problem(c, "view %s: columns: want a column id", v.ID)
		case !hasColumn(v, c.Value):
			r.problem(c, "view %s has no column %q (see ctop-like -l)", v.ID, c.Value)
		case slices.Contains(out, c.Value):
			r.problem(c, "view %s: column %q is listed twice", v.ID, c.Value)
		default:
			out = append(out, c.Value)
		}
	}
	if len(out) == 0 {
		r.problem(n, "view %s: columns: no column to show; every column is shown", v.ID)
		return nil, false
	}
	return out, true
}

// pairs calls f for each key and value of a mapping; a key given twice
// is a problem and its second value is ignored.
func (r *reader) pairs(m *yaml.Node, f func(k, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			r.problem(k, "want a name before `:`")
			continue
		}
		if first, ok := seen[k.Value]; ok {
			r.problem(k, "%q is already set at line %d", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		f(k, v)
	}
}

// scalar reports whether v is one value, and says so when it is not.
func (r *reader) scalar(k, v *yaml.Node) bool {
	if v.Kind != yaml.ScalarNode {
		r.problem(v, "%s: want one value", k.Value)
		return false
	}
	return true
}

// rootOf is the document's top node, nil for an empty document.
func rootOf(doc *yaml.Node) *yaml.Node {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

// header starts a file the tool creates, so that a person who opens it
// learns what it may hold.
const header = `ctop-like settings, read at start (--config FILE reads another file).
Flags override them. The column chooser (c, then Enter) writes a view's
columns and sort below.

interval: 2s        # the screen's refresh interval, as -d
view: containers    # the view the screen opens with, as -v
crash_loop: {failures: 3, window: 15m}  # an app's failed tasks on one node that are a crash loop`

// Save writes one view's columns and sort into the file, keeping the rest
// of it (other views, other settings, comments) as it is on disk now: the
// file is read again first, as another ctop-like may have written it. The
// write is atomic (a temporary file renamed over it), so a crash leaves
// the old file or the new one. A file that cannot be read as YAML is not
// written over.
func (f *File) Save(view string, v View) error {
	if f.Path == "" {
		return errors.New("settings: no settings file (set $HOME, $XDG_CONFIG_HOME or --config FILE)")
	}
	target, err := resolve(f.Path)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(target)
	mode := fs.FileMode(0o644)
	var doc *yaml.Node
	switch {
	case errors.Is(err, fs.ErrNotExist):
		doc = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: commentLines(header)}}}
	case err != nil:
		return fmt.Errorf("%s: not written: %s", f.Path, unwrapPath(err))
	default:
		if fi, err := os.Stat(target); err == nil {
			mode = fi.Mode().Perm()
		}
		if doc, err = parse(f.Path, data); err != nil {
			return fmt.Errorf("not written (fix or remove it): %w", err)
		}
		if rootOf(doc) == nil {
			doc.Kind = yaml.DocumentNode
			doc.Content = []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}
		}
	}
	root := rootOf(doc)
	if root.Kind != yaml.MappingNode {
		return &Problem{Path: f.Path, Line: root.Line, Msg: "not written: want settings as `key: value` lines"}
	}
	vs := mapping(root, "views")
	if vs == nil {
		return &Problem{Path: f.Path, Line: get(root, "views").Line, Msg: "not written: views: want one `VIEW:` entry per view"}
	}
	entry := mapping(vs, view)
	if entry == nil {
		return &Problem{Path: f.Path, Line: get(vs, view).Line, Msg: "not written: view " + view + ": want `columns:` and `sort:`"}
	}
	if v.Columns == nil {
		del(entry, "columns")
	} else {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for _, c := range v.Columns {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: c})
		}
		set(entry, "columns", seq)
	}
	if v.Sort == "" {
		del(entry, "sort")
	} else {
		s := v.Sort
		if v.Desc {
			s = "-" + s
		}
		set(entry, "sort", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s})
	}
	if len(entry.Content) == 0 {
		del(vs, view)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("%s: not written: %v", f.Path, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("%s: not written: %v", f.Path, err)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return fmt.Errorf("%s: not written: %s", f.Path, unwrapPath(err))
	}
	if err := atomicwriter.WriteFile(target, buf.Bytes(), mode); err != nil {
		return fmt.Errorf("%s: not written: %v", f.Path, err)
	}
	if f.Views == nil {
		f.Views = map[string]View{}
	}
	if v.Columns == nil && v.Sort == "" {
		delete(f.Views, view)
	} else {
		f.Views[view] = v
	}
	return nil
}

// resolve follows a settings file that is a symbolic link (dotfiles kept
// in a repository) to the file it names, which is what gets replaced.
func resolve(path string) (string, error) {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return path, nil
	}
	t, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("%s: not written: %s", path, unwrapPath(err))
	}
	return t, nil
}

func commentLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("# "+l, " ")
	}
	return strings.Join(lines, "\n")
}

// get is the value node of key in a mapping, nil when absent.
func get(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// mapping is the mapping under key, added when absent; nil when key holds
// something else (a person's value that is not a mapping is not replaced).
func mapping(m *yaml.Node, key string) *yaml.Node {
	v := get(m, key)
	if v == nil {
		v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
		return v
	}
	if v.Kind != yaml.MappingNode {
		if v.Kind == yaml.ScalarNode && (v.Tag == "!!null" || v.Value == "") {
			// `views:` with nothing after it yet.
			*v = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: v.HeadComment, LineComment: v.LineComment, FootComment: v.FootComment}
			return v
		}
		return nil
	}
	return v
}

// set replaces the value of key, keeping the comments of the old value,
// or adds key at the end.
func set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			old := m.Content[i+1]
			v.HeadComment, v.LineComment, v.FootComment = old.HeadComment, old.LineComment, old.FootComment
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

// del removes key from a mapping.
func del(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i:i], m.Content[i+2:]...)
			return
		}
	}
}

// ParseDelay reads a refresh interval as -d and the file's `interval`
// take it: a bare number is milliseconds (csysdig's -d 500), anything
// else a Go duration (2s); from 100 ms to 24 h.
func ParseDelay(s string) (time.Duration, error) {
	var d time.Duration
	n, err := strconv.ParseFloat(s, 64)
	if err == nil {
		if n > float64(24*time.Hour/time.Millisecond) { // and time.Duration would overflow
			return 0, errors.New("must be at most 24 h in milliseconds")
		}
		d = time.Duration(n * float64(time.Millisecond))
	} else {
		d, err = time.ParseDuration(s)
		if err != nil {
			return 0, errors.New("want milliseconds (500) or a duration (2s)")
		}
	}
	if d < MinDelay {
		if n > 0 && err == nil {
			// top's -d 2 is two seconds; here a bare number is
			// milliseconds, as in csysdig.
			return 0, fmt.Errorf("a bare number is milliseconds and must be at least 100: did you mean %ss?", s)
		}
		return 0, errors.New("must be at least 100 ms")
	}
	return d, nil
}

// MinDelay is the shortest refresh interval.
const MinDelay = 100 * time.Millisecond

// hasColumn says whether the view has the column: its own, or a label's
// (label.team) where its rows carry labels.
func hasColumn(v *views.View, id string) bool {
	_, ok := v.Column(id)
	return ok
}
