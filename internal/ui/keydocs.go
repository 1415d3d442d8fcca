package ui

import "strings"

// KeyDoc is one line of the keys' documentation: the keys and what they do.
type KeyDoc struct{ Keys, Does string }

// KeyDocs lists every key of the screen for the manual, from the bindings
// the screen dispatches (the replay's last), so the manual cannot drift
// from the keys. Whether a key applies (a row with a log, actions, a
// replay) is said in its text, not decided here.
func KeyDocs() []KeyDoc {
	var out []KeyDoc
	for _, b := range defaultBindings() {
		does := b.desc
		if b.dangerous {
			does += " (not with --read-only)"
		}
		out = append(out, KeyDoc{b.keyNames(), does})
	}
	for _, n := range navigation(false) {
		out = append(out, KeyDoc{n[0], n[1]})
	}
	for _, b := range replayBindings() {
		does := b.desc
		if !strings.HasPrefix(does, "replay: ") {
			does = "replay: " + does
		}
		out = append(out, KeyDoc{b.keyNames(), does})
	}
	return out
}

// CommandDocs lists the `:` command line's commands for the manual.
func CommandDocs() []KeyDoc {
	return []KeyDoc{
		{":VIEW", "open a view by its id (:processes); Tab completes"},
		{":q :quit", "quit"},
		{":" + strings.Join(actionCommands, " :"), "the selected row's action of that name (:kill SIGNAL, :scale N), after the same confirmation as F8; one the row does not offer says so"},
	}
}
