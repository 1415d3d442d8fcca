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

// TestSecretNamesFoundFast: the scan that spares most strings the
// expression finds every name the expression finds, in any case, and
// leaves names without a secret word to the scan alone.
func TestSecretNamesFoundFast(t *testing.T) {
	for _, name := range []string{"API_TOKEN", "db-Password", "PASSWD", "x_pwd", "client_secret", "ApiKey", "api-key",
		"ACCESS_KEY", "aws.credentials", "Authorization", "x-auth-token", "to\u212aen", "DCOS_SERVICE_ACCOUNT_CREDENTIAL"} {
		if !IsSecretName(name) {
			t.Errorf("IsSecretName(%q) = false", name)
		}
	}
	for _, name := range []string{"DCOS_SPACE", "HAPROXY_GROUP", "com.docker.compose.project", "team", "", "passage", "tok en", "monkey business"} {
		got, want := IsSecretName(name), secretName.MatchString(name)
		if got != want {
			t.Errorf("IsSecretName(%q) = %v, the expression says %v", name, got, want)
		}
	}
	if mayNameSecret("DCOS_SPACE") || mayNameSecret("/development/logging") {
		t.Error("a plain name goes through the expression")
	}
}

func FuzzText(f *testing.F) {
	f.Add("http://u:p@ss@h/x")
	f.Add("Api_KeY=1")
	f.Add("to\u212aen=2")
	f.Add(`{"u":"https://a:b@c"}`)
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if json.Valid([]byte(s)) && !json.Valid(JSON([]byte(s))) {
			t.Fatalf("JSON(%q) = %q is not JSON", s, JSON([]byte(s)))
		}
		if !mayNameSecret(s) && secretName.MatchString(s) {
			t.Fatalf("%q names a secret, and the scan before the expression says it cannot", s)
		}
		if !strings.Contains(s, "://") && !secretName.MatchString(s) && out != s {
			t.Fatalf("Text changed %q to %q", s, out)
		}
	})
}
