package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/actions"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// shellActions are fakeActions that also open shells, as the wiring's
// local actuator does.
type shellActions struct {
	fakeActions
	shells []string
}

func (s *shellActions) Shell(_ context.Context, ref views.ContainerRef) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shells = append(s.shells, ref.Runtime+" "+ref.ID)
	return nil
}

func (s *shellActions) shellCalls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.shells...)
}

// actSnapshot is testSnapshot with a Mesos containerizer's container and
// a Marathon app.
func actSnapshot() *model.Snapshot {
	s := testSnapshot()
	s.Containers[2].Runtime, s.Containers[2].Can = model.RuntimeMesos, cgroupCan // job-1
	s.Containers[2].Cgroup = "/mesos/job-1"
	s.Cluster = &model.Cluster{
		HasMesos: true, HasMarathon: true,
		Frameworks: []model.Framework{{ID: "fw-1", Name: "marathon", Active: true}},
		Tasks:      []model.Task{{ID: "shop_web.1", Name: "web.1", State: "TASK_RUNNING", FrameworkID: "fw-1"}},
		Groups:     []model.Group{{ID: "/"}, {ID: "/shop", Parent: "/"}},
		Apps:       []model.App{{ID: "/shop/web", Group: "/shop", Instances: 3, TaskIDs: []string{"shop_web.1"}}},
	}
	return s
}

// --read-only offers no action anywhere: not in the hint bar, the menu,
// help, `e` or the `:` commands, on containers and Marathon apps alike.
func TestReadOnlyOffersNoActionsNorShell(t *testing.T) {
	acts := &shellActions{}
	h := start(t, 120, 40, Options{ReadOnly: true, Actions: acts, Feed: newFakeFeed(actSnapshot())})
	for _, view := range []string{"containers", "marathon-apps"} {
		h.runes(":" + view)
		h.key(tcell.KeyEnter)
		s := h.waitText("/shop")
		if strings.Contains(s, "F8") {
			t.Errorf("%s: hint bar offers actions in read-only:\n%s", view, s)
		}
		h.runes("a")
		h.runes("e")
		time.Sleep(100 * time.Millisecond)
		if s := h.screen(); strings.Contains(s, "Actions:") || strings.Contains(s, "Restart") {
			t.Errorf("%s: actions menu opened in read-only:\n%s", view, s)
		}
		h.runes("?")
		s = h.waitText("Help: ")
		for _, not := range []string{"F8", "a shell inside", "this row"} {
			if strings.Contains(s, not) {
				t.Errorf("%s: help offers %q in read-only:\n%s", view, not, s)
			}
		}
		h.key(tcell.KeyEscape)
		h.waitGone("Help: ")
		for _, cmd := range []string{"stop", "restart", "scale 2"} {
			h.runes(":" + cmd)
			h.key(tcell.KeyEnter)
			h.waitText("no actions are offered")
		}
	}
	if c, sh := acts.get(), acts.shellCalls(); len(c) != 0 || len(sh) != 0 {
		t.Errorf("read-only ran %v, shells %v", c, sh)
	}
}

// Help and the menu list exactly what the selected row offers: a Docker
// container restarts, a Mesos one does not; `:restart` on it says so and
// does nothing; `e` opens a shell in the selected container.
func TestActionsFollowTheSelectedRow(t *testing.T) {
	acts := &shellActions{}
	h := start(t, 120, 40, Options{Actions: acts, Feed: newFakeFeed(actSnapshot())})
	h.waitText("job-1")
	h.runes(`\`)
	h.runes("name=job-1")
	h.key(tcell.KeyEnter)
	h.waitGone("db-1")
	h.runes("?")
	s := h.waitText("Help: ")
	if !strings.Contains(s, "this row: Stop") || !strings.Contains(s, ":kill [SIGNAL]") || strings.Contains(s, "this row: Restart") {
		t.Errorf("help for a Mesos container:\n%s", s)
	}
	h.key(tcell.KeyEscape)
	h.waitGone("Help: ")
	h.runes(":restart")
	h.key(tcell.KeyEnter)
	h.waitText(":restart does not fit job-1")
	h.runes("a")
	s = h.waitText("Actions: job-1")
	if strings.Contains(s, "Restart") {
		t.Errorf("the menu offers Restart on a Mesos container:\n%s", s)
	}
	h.key(tcell.KeyEscape)
	h.runes(":kill TERM")
	h.key(tcell.KeyEnter)
	h.waitText("Kill container job-1")
	h.runes("y")
	h.waitText("kill: done")
	h.runes("e")
	h.waitText("shell in job-1 ended")
	if c, sh := acts.get(), acts.shellCalls(); len(c) != 1 || c[0] != "kill "+idJob || len(sh) != 1 || sh[0] != "mesos "+idJob {
		t.Errorf("calls %v, shells %v", c, sh)
	}

	// A Marathon app: scale asks for N, or takes it from :scale N.
	h.runes(":marathon-apps")
	h.key(tcell.KeyEnter)
	h.waitText("/shop/web")
	h.runes(`\`)
	h.runes("app=/shop/web")
	h.key(tcell.KeyEnter)
	h.waitGone("/shop/db")
	h.runes(":scale 5")
	h.key(tcell.KeyEnter)
	h.waitText("Marathon will scale /shop/web 5?")
	h.runes("y")
	h.waitText("scale: done")
	h.runes(":scale x")
	h.key(tcell.KeyEnter)
	h.waitText(`instances "x"`)
	h.runes(":stop")
	h.key(tcell.KeyEnter)
	h.waitText(":stop does not fit /shop/web (marathon-apps offers: :restart :scale :suspend)")
	if c := acts.get(); len(c) != 2 || c[1] != "scale /shop/web 5" {
		t.Errorf("calls %v", c)
	}
}

// hostileActions plan deeds whose sentence and error carry what an outside
// name or an API could send: escape sequences and tview style tags.
type hostileActions struct{ fakeActions }

func (h *hostileActions) Marathon(ref views.MarathonRef, action string, n int) (actions.Deed, error) {
	return hostileDeed{}, nil
}

type hostileDeed struct{}

func (hostileDeed) Describe() string { return "Marathon will restart /shop/[red]web\x1b[2J" }
func (hostileDeed) Do(context.Context) error {
	return fmt.Errorf("marathon: 409 Conflict: App is [::b]locked\x1b]0;pwned\x07")
}

// An action's sentence and an API's error are shown as text: tags as
// written, no escape sequence.
func TestActionTextFromOutsideIsShownAsText(t *testing.T) {
	h := start(t, 120, 40, Options{Actions: &hostileActions{}, Feed: newFakeFeed(actSnapshot()), View: "marathon-apps"})
	h.waitText("/shop/web")
	h.runes(":restart")
	h.key(tcell.KeyEnter)
	s := h.waitText("/shop/[red]web")
	if strings.Contains(s, "\x1b") {
		t.Errorf("an escape reached the screen:\n%q", s)
	}
	h.runes("y")
	s = h.waitText("409 Conflict: App is [::b]locked")
	if strings.Contains(s, "\x1b") || strings.Contains(s, "\x07") {
		t.Errorf("an escape reached the screen:\n%q", s)
	}
}
