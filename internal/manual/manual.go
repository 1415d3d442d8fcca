// Package manual writes what a user reads about the tool — the grouped
// --help, the reference page (docs/reference.md), the man page and the
// bash, zsh and fish completions — from the declarations the tool runs
// on: the flag set, the views and the screen's keys. Nothing in it is
// typed twice, so a flag, view or column added anywhere shows in all five.
package manual

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ctop-like/ctop-like/internal/views"
)

// Annotations a flag carries in the flag set (pflag.FlagSet.SetAnnotation).
const (
	// GroupKey names the help group a flag belongs to (one Group.ID).
	// Every flag needs one: Check fails naming a flag without.
	GroupKey = "ctop-like/group"
	// CompleteKey says what a flag's value completes to: its first value
	// is one of the Complete* kinds, the rest are the words of
	// CompleteWords. A flag without one completes to nothing.
	CompleteKey = "ctop-like/complete"
)

// What a flag's value completes to (CompleteKey).
const (
	CompleteViews   = "views"   // a view id
	CompleteColumns = "columns" // a column id of the view given with -v (containers without)
	CompleteSort    = "sort"    // a column id, or one with - before it (descending)
	CompleteScope   = "scope"   // KIND= of a scope
	CompleteFile    = "file"    // a file name
	CompleteWords   = "words"   // one of the words that follow
)

// Group is one section of --help and of the manual's command line.
type Group struct {
	ID    string // the GroupKey value of its flags
	Title string // "What to show and how often"
}

// Example is one command line the help and the manual show.
type Example struct {
	Command string // "ctop-like -o table"
	Does    string // "print the containers once, as top -b does"
}

// Entry is one line of a two-column list: a key and what it does, an exit
// status and what it means, an environment variable and what it is for.
type Entry struct {
	Name, Text string
}

// Manual is everything the help, the reference, the man page and the
// completions are written from.
type Manual struct {
	Name     string // the command: ctop-like
	Summary  string // one sentence: what the tool is
	About    string // a paragraph for the man page's and reference's description
	Flags    *pflag.FlagSet
	Groups   []Group
	Examples []Example
	Views    []*views.View
	Scopes   []string // the kinds --scope accepts
	Keys     []Entry  // the screen's keys
	Commands []Entry  // the screen's `:` commands
	Exit     []Entry  // exit statuses
	Env      []Entry  // environment variables
}

// Check reports a flag that belongs to no group, or to a group the manual
// does not list: the help would leave it out.
func (m *Manual) Check() error {
	var errs []string
	m.Flags.VisitAll(func(f *pflag.Flag) {
		g := groupOf(f)
		switch {
		case g == "":
			errs = append(errs, fmt.Sprintf("flag --%s belongs to no help group: declare it in one of flags.go's flagGroups", f.Name))
		case !slices.ContainsFunc(m.Groups, func(x Group) bool { return x.ID == g }):
			errs = append(errs, fmt.Sprintf("flag --%s: unknown help group %q", f.Name, g))
		}
	})
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// groupOf is a flag's GroupKey annotation, "" without one.
func groupOf(f *pflag.Flag) string {
	if g := f.Annotations[GroupKey]; len(g) > 0 {
		return g[0]
	}
	return ""
}

// completion is a flag's CompleteKey kind and words; "" without one.
func completion(f *pflag.Flag) (kind string, words []string) {
	c := f.Annotations[CompleteKey]
	if len(c) == 0 {
		return "", nil
	}
	return c[0], c[1:]
}

// inGroup returns the group's flags in their declaration order, hidden
// ones left out.
func (m *Manual) inGroup(id string) []*pflag.Flag {
	var out []*pflag.Flag
	m.Flags.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden && groupOf(f) == id {
			out = append(out, f)
		}
	})
	return out
}

// visible is every flag that is not hidden, in declaration order.
func (m *Manual) visible() []*pflag.Flag {
	var out []*pflag.Flag
	m.Flags.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			out = append(out, f)
		}
	})
	return out
}

// takesValue says whether a flag needs a value after it (a bool does not).
func takesValue(f *pflag.Flag) bool { return f.NoOptDefVal == "" }

// valueName is how the help names a flag's value: the `WORD` in its usage,
// as pflag reads it, or its type.
func valueName(f *pflag.Flag) string {
	name, _ := pflag.UnquoteUsage(f)
	return name
}

// usage is a flag's usage without the backquotes of its value name.
func usage(f *pflag.Flag) string {
	_, u := pflag.UnquoteUsage(f)
	return u
}

// defaultText is a flag's default as the help shows it, "" when it is its
// type's zero value (nothing worth saying).
func defaultText(f *pflag.Flag) string {
	switch f.DefValue {
	case "", "false", "0", "[]":
		return ""
	}
	return f.DefValue
}

// flagNames is "-v, --view" or "--scope".
func flagNames(f *pflag.Flag) string {
	if f.Shorthand != "" {
		return "-" + f.Shorthand + ", --" + f.Name
	}
	return "--" + f.Name
}

// columnsOf lists the ids of a view's columns.
func columnsOf(v *views.View) []string {
	out := make([]string, len(v.Columns))
	for i, c := range v.Columns {
		out[i] = c.ID
	}
	return out
}

// viewIDs lists the manual's view ids.
func (m *Manual) viewIDs() []string {
	out := make([]string, len(m.Views))
	for i, v := range m.Views {
		out[i] = v.ID
	}
	return out
}
