package main

import (
	"cmp"
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/ctop-like/ctop-like/internal/settings"
	"github.com/ctop-like/ctop-like/internal/views"
)

// readSettings reads the settings file where the run uses it (the screen,
// and -o table's columns; -o json prints every column whatever it says)
// and applies to the screen what the command line leaves open: the
// refresh interval, and the start view unless -v, -s, -f or --scope
// (which name the default view's columns) are given. Each problem is one
// line on stderr and on the screen's message line; the run goes on with
// what the file has right. Its crash-loop rule holds for every output.
func readSettings(o *options, stderr io.Writer) {
	path := o.config
	if path == "" {
		p, err := settings.DefaultPath()
		if err != nil {
			return // no home: nothing to read; the chooser keeps columns for the run
		}
		path = p
	} else if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		o.notes = append(o.notes, path+": no such file yet: the column chooser (c, then Enter) creates it")
	}
	f, errs := settings.Load(path)
	for _, err := range errs {
		warn(stderr, err.Error())
		o.notes = append(o.notes, err.Error())
	}
	if r := f.CrashLoop; r.Failures > 0 || r.Window > 0 {
		views.CrashLoop = views.CrashLoopRule{Failures: cmp.Or(r.Failures, views.CrashLoop.Failures), Window: cmp.Or(r.Window, views.CrashLoop.Window)}
	}
	if o.output == "json" {
		return // every column, whatever the file says
	}
	o.settings = f
	if o.output != "" {
		return
	}
	if f.Interval > 0 && !o.given("delay") {
		o.delay = f.Interval
	}
	if f.View != "" && !o.given("view") && !o.given("sort") && !o.given("filter") && !o.given("scope") {
		o.view = f.View
	}
}

// tableColumns are the columns -o table prints for a view: those chosen
// in the settings file, nil for the view's minimum.
func tableColumns(o *options, view string) []string {
	if o.settings == nil {
		return nil
	}
	return o.settings.Views[view].Columns
}

// keepSettings is the screen's Options.Keep: the column chooser's Enter
// writes the view's columns and sort into the settings file.
func keepSettings(o *options) func(view string, v settings.View) (string, error) {
	if o.settings == nil {
		return nil
	}
	return func(view string, v settings.View) (string, error) {
		return o.settings.Path, o.settings.Save(view, v)
	}
}

// settingsViews are the settings file's choices for the screen.
func settingsViews(o *options) map[string]settings.View {
	if o.settings == nil {
		return nil
	}
	return o.settings.Views
}
