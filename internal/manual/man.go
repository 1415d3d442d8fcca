package manual

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/cpuguy83/go-md2man/v2/md2man"
)

// ManPage writes the man page (section 1, roff): the same declarations as
// the reference, as man(7) lays them out. The Markdown is turned into roff
// by go-md2man (what cobra, Docker and Podman build their man pages with),
// which escapes roff's own characters; nothing here writes roff by hand.
func (m *Manual) ManPage(w io.Writer) error {
	_, err := w.Write(md2man.Render(m.manMarkdown()))
	return err
}

// manMarkdown is the man page in go-md2man's Markdown: a title line, one
// # heading per section, definition lists (term, then ":   text").
func (m *Manual) manMarkdown() []byte {
	var b bytes.Buffer
	upper := strings.ToUpper(m.Name)
	fmt.Fprintf(&b, "%s 1 \"\" %s \"User Commands\"\n%s\n\n", upper, m.Name, strings.Repeat("=", len(upper)+30))
	fmt.Fprintf(&b, "# NAME\n%s - %s\n\n", m.Name, md(strings.TrimSuffix(strings.ToLower(m.Summary[:1])+m.Summary[1:], ".")))
	fmt.Fprintf(&b, "# SYNOPSIS\n**%s** [*flags*]\n\n", m.Name)
	fmt.Fprintf(&b, "# DESCRIPTION\n%s\n\n", md(m.About))
	b.WriteString("# OPTIONS\n")
	for _, g := range m.Groups {
		fl := m.inGroup(g.ID)
		if len(fl) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n", md(g.Title))
		for _, f := range fl {
			term := "**--" + md(f.Name) + "**"
			if f.Shorthand != "" {
				term = "**-" + md(f.Shorthand) + "**, " + term
			}
			if v := valueName(f); v != "" {
				term += " *" + md(v) + "*"
			}
			text := md(usage(f))
			if d := defaultText(f); d != "" {
				text += " (default: " + md(d) + ")"
			}
			definition(&b, term, text)
		}
	}
	b.WriteString("\n# VIEWS\nColumn ids are stable: scripts depend on them. Numbers are in the unit named (JSON numbers with -o json); a value that does not apply is null in JSON and n/a on the screen, never 0. A column marked *table* is printed by -o table; JSON has every column.\n")
	for _, v := range m.Views {
		fmt.Fprintf(&b, "\n### %s\n%s. Default sort: %s. Scopes: %s.\n\n", v.ID, md(capital(rowIs(v))), md(strings.ReplaceAll(sortText(v), "`", "")), md(scopesText(v)))
		for _, c := range v.Columns {
			text := md(unitText(c)) + ", " + md(c.Title)
			if slices.Contains(v.Minimum, c.ID) {
				text += ", *table*"
			}
			if c.Null != "" {
				text += "; null " + md(c.Null)
			}
			definition(&b, "**"+md(c.ID)+"**", text)
		}
	}
	b.WriteString("\n# KEYS\nEvery function key has a plain twin; **?** on the screen lists the keys that apply where you are.\n\n")
	for _, k := range m.Keys {
		definition(&b, "**"+md(k.Name)+"**", md(k.Text))
	}
	b.WriteString("\n### The command line (:)\n\n")
	for _, k := range m.Commands {
		definition(&b, "**"+md(k.Name)+"**", md(k.Text))
	}
	b.WriteString("\n# EXIT STATUS\n")
	for _, e := range m.Exit {
		definition(&b, "**"+md(e.Name)+"**", md(e.Text))
	}
	b.WriteString("\n# ENVIRONMENT\n")
	for _, e := range m.Env {
		definition(&b, "**"+md(e.Name)+"**", md(e.Text))
	}
	b.WriteString("\n# EXAMPLES\n")
	for _, e := range m.Examples {
		definition(&b, "**"+md(e.Command)+"**", md(e.Does))
	}
	b.WriteString("\n# SEE ALSO\n**top**(1), **htop**(1), **docker-stats**(1)\n")
	return b.Bytes()
}

// definition writes one entry of a definition list.
func definition(b *bytes.Buffer, term, text string) {
	fmt.Fprintf(b, "%s\n:   %s\n\n", term, text)
}

// capital is s with its first letter upper case.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
