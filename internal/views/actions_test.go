package views

import (
	"strings"
	"testing"
)

// A confirmation names its row by a whole id (the screen wraps it): two
// containers' ids may share their first 12 characters, and a Marathon id
// of any length is the app acted on.
func TestConfirmationTargetsKeepWholeIDs(t *testing.T) {
	long := "/shop/" + strings.Repeat("x", 5000)
	for _, tc := range []struct {
		view, key, name string
	}{
		{"containers", "aaaaaaaaaaaa1111111111111111111111111111111111111111111111111111", "web-1"},
		{"containers", "aaaaaaaaaaaa2222222222222222222222222222222222222222222222222222", "aaaaaaaaaaaa"},
		{"marathon-apps", long, ""},
		{"mesos-tasks", "shop_web." + strings.Repeat("7", 3000), ""},
	} {
		v := Get(tc.view)
		r := Row{Key: tc.key, Values: make([]any, len(v.Columns))}
		if i := v.Col("name"); i >= 0 && tc.name != "" {
			r.Values[i] = tc.name
		}
		if v.Target == nil {
			t.Fatalf("%s declares no confirmation target", tc.view)
		}
		if got := v.Target(v, r); !strings.Contains(got, tc.key) {
			t.Errorf("%s: target %.80q… lacks the whole id", tc.view, got)
		}
	}
}
