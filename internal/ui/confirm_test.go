package ui

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/actions"
	"github.com/ctop-like/ctop-like/internal/views"
)

// longIDActions plan a deed that names an app by an id of 5,000
// characters, as a Marathon answer (or a task's env) may carry.
type longIDActions struct {
	fakeActions
	id string
}

func (l *longIDActions) Marathon(ref views.MarathonRef, action string, n int) (actions.Deed, error) {
	return fakeDeed{&l.fakeActions, "Marathon will restart " + l.id, "restart " + l.id}, nil
}

var boxTitle = regexp.MustCompile(`lines (\d+)-(\d+) of (\d+)`)

// confirmPage reads the confirmation box on the screen: the lines of its
// question shown (numbered from 1, from its title when it scrolls), and
// its buttons' line.
func confirmPage(s string) (first int, text []string, buttons string, total int) {
	lines := strings.Split(s, "\n")
	top, bottom := -1, -1
	for i, l := range lines {
		if top < 0 && strings.ContainsAny(l, "╔┌") {
			top = i
		}
		if strings.ContainsAny(l, "╚└") {
			bottom = i
		}
	}
	if top < 0 || bottom <= top+2 {
		return 0, nil, "", 0
	}
	inside := func(l string) string {
		r := []rune(l)
		a, b := -1, -1
		for i, c := range r {
			if c == '║' || c == '│' {
				if a < 0 {
					a = i
				}
				b = i
			}
		}
		if a < 0 || b <= a {
			return ""
		}
		return strings.TrimSpace(string(r[a+1 : b]))
	}
	first = 1
	for i := top + 1; i < bottom-2; i++ {
		text = append(text, inside(lines[i]))
	}
	total = len(text)
	if m := boxTitle.FindStringSubmatch(lines[top]); m != nil {
		first, _ = strconv.Atoi(m[1])
		total, _ = strconv.Atoi(m[3])
	}
	return first, text, inside(lines[bottom-1]), total
}

// A confirmation never cuts an id: 5,000 characters on an 80×24 screen
// are wrapped whole over as many lines as they need, the box scrolls
// (PgDn) with its buttons always in view, and y still confirms. Before,
// the sentence was cut at 300 cells with "…", and tview's Modal grew
// past the screen's height.
func TestConfirmationShowsALongIDWhole(t *testing.T) {
	var b strings.Builder
	b.WriteString("/shop/")
	for i := 0; b.Len() < 5000; i++ {
		fmt.Fprintf(&b, "seg%04d-", i)
	}
	id := b.String()
	acts := &longIDActions{id: id}
	h := start(t, 80, 24, Options{Actions: acts, Feed: newFakeFeed(actSnapshot()), View: "marathon-apps"})
	h.waitText("/shop/web")
	h.runes(":restart")
	h.key(tcell.KeyEnter)
	h.waitText("Marathon will restart")
	got := map[int]string{}
	for page := 0; ; page++ {
		s := h.screen()
		first, text, buttons, total := confirmPage(s)
		if len(text) == 0 || !strings.Contains(buttons, "Cancel") || !strings.Contains(buttons, "restart") {
			t.Fatalf("page %d: no question or no buttons in the box:\n%s", page, s)
		}
		if strings.Contains(s, "…") {
			t.Fatalf("page %d: the question is cut:\n%s", page, s)
		}
		for i, l := range text {
			got[first+i] = l
		}
		if first+len(text)-1 >= total {
			var all strings.Builder
			for n := 1; n <= total; n++ {
				all.WriteString(got[n])
			}
			if want := "Marathon will restart" + id + "?"; strings.ReplaceAll(all.String(), " ", "") != strings.ReplaceAll(want, " ", "") {
				t.Fatalf("the question read over %d lines is\n%s\nwant\n%s", total, all.String(), want)
			}
			break
		}
		if page > 200 {
			t.Fatalf("no end after %d pages", page)
		}
		h.key(tcell.KeyPgDn)
		h.waitFor("the next page", func(s string) bool {
			f, _, _, _ := confirmPage(s)
			return f > first
		})
	}
	h.runes("y")
	h.waitText("restart: done")
	if c := acts.get(); len(c) != 1 || c[0] != "restart "+id {
		t.Errorf("calls %.80q", c)
	}
}
