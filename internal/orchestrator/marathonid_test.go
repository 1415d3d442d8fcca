package orchestrator

import "testing"

// TestMarathonAppOf: task ids as Marathon makes them, from the fixtures
// and Marathon's own TaskIdTest, give their app; ids of other frameworks
// give none that is wrong in a way the caller cannot check (it looks the
// app up among Marathon's).
func TestMarathonAppOf(t *testing.T) {
	for id, want := range map[string]string{
		"development_logging.a6f0bb45-c64b-11e6-9066-5a8a388c67a1":               "/development/logging", // pair A
		"hello.dc130e23-df88-11e4-b9ec-080027fc1312":                             "/hello",               // pair C
		"nginx.b70993db-d652-11e7-901d-70b3d5800001":                             "/nginx",               // Mesos 1.5 agent
		"test.92ed0e79-ed3c-11e8-841d-4a2ca8720df6":                              "/test",                // Mesos 1.8 master
		"app_682ebe64-0771-11e4-b05d-e0f84720c54e":                               "/app",                 // TaskIdTest: old ids
		"test_foo_bla_rest.instance-f1bbb4f5-1b05-11e8-8d0e-2e8a77b2c8f4._app.1": "/test/foo/bla/rest",
		"my.dotted.app.a6f0bb45-c64b-11e6-9066-5a8a388c67a1":                     "/my.dotted.app",
		"web.marathon-a6f0bb45-c64b-11e6-9066-5a8a388c67a1":                      "/web",
		"resident.a6f0bb45-c64b-11e6-9066-5a8a388c67a1.3":                        "/resident",
		"":              "",
		"nodelimiter":   "",
		"trailing.":     "",
		"_bad.a6f0bb45": "",
	} {
		if got := MarathonAppOf(id); got != want {
			t.Errorf("%q: %q, want %q", id, got, want)
		}
	}
}
