package redact

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"http://u:pw@h:1/x":                        "http://u:xxx@h:1/x",
		"get https://a:b@c@h/x?y=1: refused":       "get https://a:xxx@h/x?y=1: refused",
		"-m http://ops:p@ss@m:5050,http://o:q@n:1": "-m http://ops:xxx@m:5050,http://o:xxx@n:1",
		"http://ops:pa,ss@m:5050":                  "http://ops:xxx@m:5050",
		"no url here":                              "no url here",
		`"http://u@h" and "http://v:w@k:2"`:        `"http://u@h" and "http://v:xxx@k:2"`,
		"marathon http://10.0.0.5:8080: timeout":   "marathon http://10.0.0.5:8080: timeout",
		"mail root@host -s http://a:b/c":           "mail root@host -s http://a:b/c",
		"app --db-password hunter2 --port 80":      "app --db-password xxx --port 80",
		"API_TOKEN=abc123 ./run":                   "API_TOKEN=xxx ./run",
		"Authorization: Bearer abc.def":            "Authorization: xxx",
		"://u:p@h":                                 "://u:p@h",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Secrets("token=abc in x, abc again", "abc", ""); got != "token=xxx in x, xxx again" {
		t.Errorf("Secrets: %q", got)
	}
}

// TestJSONStaysValid: a password inside JSON strings is hidden and the
// document still decodes.
func TestJSONStaysValid(t *testing.T) {
	in := []byte(`{"a":"http://u:s3cret@h:1","b":["x://y:z\"@w"],"c":"https://k:p@ss@host/x"}`)
	out := JSON(in)
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	for _, s := range []string{"s3cret", "p@ss"} {
		if strings.Contains(string(out), s) {
			t.Errorf("%s holds %s", out, s)
		}
	}
}

func FuzzText(f *testing.F) {
	f.Add("http://u:p@ss@h/x")
	f.Add(`{"u":"https://a:b@c"}`)
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if json.Valid([]byte(s)) && !json.Valid(JSON([]byte(s))) {
			t.Fatalf("JSON(%q) = %q is not JSON", s, JSON([]byte(s)))
		}
		if !strings.Contains(s, "://") && !secretName.MatchString(s) && out != s {
			t.Fatalf("Text changed %q to %q", s, out)
		}
	})
}
