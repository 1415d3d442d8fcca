package main

import "runtime/debug"

// version is set by make build and make dist (-ldflags "-X
// main.version=$(git describe)"); a plain go build or go install leaves it
// empty and buildVersion reads the module's build information instead.
var version string

// buildVersion is the version --version prints: the stamped one, else
// what the Go toolchain recorded in the binary.
func buildVersion() string {
	if version != "" {
		return version
	}
	info, _ := debug.ReadBuildInfo()
	return versionOf(info)
}

// versionOf reads a version from build information: go install
// module@v1.2.3 records v1.2.3; a build in a git clone records the
// commit (a pseudo-version such as v0.0.0-20261207030456-8b141dcc8d85,
// and vcs.revision), and +dirty when the tree had changes. A build that
// recorded none (-buildvcs=false, a source tree without git, a git
// worktree: golang/go#58218) says so rather than claiming a version.
func versionOf(info *debug.BuildInfo) string {
	if info == nil {
		return "unknown (no build information)"
	}
	var rev, at string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	v := info.Main.Version
	switch {
	case v != "" && v != "(devel)":
		// A pseudo-version already names the commit; +dirty says the
		// tree had changes.
	case rev != "":
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v = rev
		if modified {
			v += "-dirty"
		}
	default:
		return "unknown (built without version control information: use make build)"
	}
	if at != "" {
		v += " (" + at + ")"
	}
	return v
}
