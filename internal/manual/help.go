package manual

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// HelpWidth is the width --help is wrapped to: an 80-column terminal.
const HelpWidth = 80

// longFlag is the widest flag and value name that --help aligns the
// descriptions of its group at.
const longFlag = 28

// Help writes --help: the usage line, what the tool is, each group's flags
// as pflag lays them out (wrapped to width), then the examples.
func (m *Manual) Help(w io.Writer, width int) {
	fmt.Fprintf(w, "Usage: %s [flags]\n\n", m.Name)
	fmt.Fprintln(w, wrapText(m.Summary, width, ""))
	for _, g := range m.Groups {
		flags := m.inGroup(g.ID)
		if len(flags) == 0 {
			continue
		}
		// pflag aligns every description of a set at its longest flag;
		// a flag that would narrow them all (--orchestrator-interval
		// INTERVAL) is laid out alone, after the others.
		short := pflag.NewFlagSet(g.ID, pflag.ContinueOnError)
		short.SortFlags = false
		var long []*pflag.Flag
		for _, f := range flags {
			if len(flagNames(f))+len(valueName(f)) > longFlag {
				long = append(long, f)
			} else {
				short.AddFlag(f)
			}
		}
		fmt.Fprintf(w, "\n%s:\n", g.Title)
		fmt.Fprint(w, short.FlagUsagesWrapped(width))
		for _, f := range long {
			alone := pflag.NewFlagSet(f.Name, pflag.ContinueOnError)
			alone.AddFlag(f)
			fmt.Fprint(w, alone.FlagUsagesWrapped(width))
		}
	}
	if len(m.Examples) > 0 {
		fmt.Fprintln(w, "\nExamples:")
		for _, e := range m.Examples {
			fmt.Fprintf(w, "  %s\n", e.Command)
			fmt.Fprintln(w, wrapText(e.Does, width, "      "))
		}
	}
	fmt.Fprintf(w, "\n%s\n", wrapText("Every view's columns and units: "+m.Name+" -l. The whole manual: man "+m.Name+", or "+m.Name+" -l --markdown (docs/reference.md in the source).", width, ""))
}

// wrapText breaks s at spaces into lines of at most width cells, each
// starting with indent.
func wrapText(s string, width int, indent string) string {
	var b strings.Builder
	line := indent
	for _, word := range strings.Fields(s) {
		if line != indent && len(line)+1+len(word) > width {
			b.WriteString(line)
			b.WriteByte('\n')
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += word
	}
	b.WriteString(line)
	return b.String()
}
