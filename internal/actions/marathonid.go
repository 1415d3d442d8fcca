package actions

import (
	"fmt"
	"net/url"
	"strings"
)

// Marathon's app and task ids go into request paths (/v2/apps/{app},
// /v2/apps/{app}/tasks/{task}). A proxy on the way — DC/OS Admin Router,
// nginx, Jetty in front of Marathon — resolves dot segments and may
// decode %2e, %2f or %5c and turn a backslash into a slash before it
// does, so a hostile id reaches another app: "kill task .. of /victim"
// became DELETE /v2/apps/victim (the app deleted), and the app id
// /evil/../../v2/apps/victim restarted /victim. Marathon's own ids never
// hold such segments (its ids are lowercase letters, digits, '-' and
// '.'; its task ids add '_'), so an id that does is refused before any
// request, and every other id is escaped segment by segment.

// CheckAppID says why a Marathon app id ("/shop/api") cannot be put in a
// request path, nil when it can: an empty segment ("//", a trailing
// "/", the root "/"), a segment of dots (".", ".."), or a character a
// proxy may decode or normalise into another path.
func CheckAppID(id string) error {
	segs := strings.Split(strings.TrimPrefix(id, "/"), "/")
	for i, seg := range segs {
		if why := badSegment(seg); why != "" {
			return fmt.Errorf("refused: the Marathon app id %s (segment %d of %d); a proxy on the way to Marathon could send the request to another app", why, i+1, len(segs))
		}
	}
	return nil
}

// CheckTaskID says why a Marathon task id cannot be put in a request
// path, nil when it can: it is one path segment, under the rules of
// CheckAppID.
func CheckTaskID(id string) error {
	why := badSegment(id)
	if why == "" && strings.Contains(id, "/") {
		why = `holds "/"`
	}
	if why != "" {
		return fmt.Errorf("refused: the Marathon task id %s; a proxy on the way to Marathon could send the request to another app or task", why)
	}
	return nil
}

// badSegment says what is wrong with one segment of an id, "" when
// nothing is.
func badSegment(seg string) string {
	if seg == "" {
		return "has an empty segment"
	}
	if strings.Trim(seg, ".") == "" {
		return fmt.Sprintf("has a %q segment", seg)
	}
	for _, r := range seg {
		switch {
		case r == '%' || r == '\\' || r == ';':
			// Decoded (%2e%2e, %2f), turned into "/" (a backslash) or
			// cut off as a path parameter (;) by some proxies.
			return fmt.Sprintf("holds %q", r)
		case r < 0x20 || r == 0x7f:
			return "holds a control character"
		case r > 0x7e:
			// Unicode normalisation makes dots and slashes of some
			// (U+FF0E, U+2024, U+FF0F); Marathon's ids are ASCII.
			return fmt.Sprintf("holds %q (U+%04X), not ASCII", r, r)
		}
	}
	return ""
}

// appPath is /v2/apps followed by the app id's segments, each escaped, or
// why the id cannot be sent.
func appPath(id string) (string, error) {
	if err := CheckAppID(id); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("/v2/apps")
	for _, seg := range strings.Split(strings.TrimPrefix(id, "/"), "/") {
		b.WriteString("/" + url.PathEscape(seg))
	}
	return b.String(), nil
}

// taskPath is the path of one task of an app, or why it cannot be sent.
func taskPath(appID, taskID string) (string, error) {
	p, err := appPath(appID)
	if err != nil {
		return "", err
	}
	if err := CheckTaskID(taskID); err != nil {
		return "", err
	}
	return p + "/tasks/" + url.PathEscape(taskID), nil
}
