package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionFromBuildInformation(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: "2026-12-07T03:04:56Z"}, {Key: "vcs.modified", Value: modified}}
	}
	cases := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"go install module@version", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"},
		{"go build in a clone", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261207030456-8b141dcc8d85"}, Settings: vcs("8b141dcc8d859a57dfc17f347b128957a8e65dbe", "false")},
			"v0.0.0-20261207030456-8b141dcc8d85 (2026-12-07T03:04:56Z)"},
		{"an older go: (devel) and a dirty tree", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("8b141dcc8d859a57dfc17f347b128957a8e65dbe", "true")},
			"8b141dcc8d85-dirty (2026-12-07T03:04:56Z)"},
		{"-buildvcs=false", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "unknown (built without version control information: use make build)"},
	}
	for _, c := range cases {
		if got := versionOf(c.info); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// make build's binary is static (no ELF interpreter, no shared library:
// it needs no glibc, so CentOS 7's 2.17 runs it), starts in an empty root
// with nothing but itself, and prints the version make stamped in.
func TestMakeBuildIsStaticAndStamped(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("chroot needs root")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "ctop-like")
	// make build writes ./ctop-like in the repository: build it there
	// under another name instead, with make's own command line.
	out, err := exec.Command("make", "-n", "-s", "-C", filepath.Join("..", ".."), "build", "VERSION=v9.8.7-test").Output()
	if err != nil {
		t.Fatalf("make -n build: %v", err)
	}
	line := strings.TrimSpace(string(out))
	line = strings.Replace(line, "-o ctop-like", "-o "+bin, 1)
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v %s", line, err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary names an ELF interpreter: it is dynamically linked")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs %v", libs)
	}
	f.Close()
	root := t.TempDir()
	if err := os.Rename(bin, filepath.Join(root, "ctop-like")); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command("chroot", root, "/ctop-like", "--version").CombinedOutput()
	if err != nil || strings.TrimSpace(string(got)) != "ctop-like v9.8.7-test" {
		t.Errorf("in an empty root: %v %q, want ctop-like v9.8.7-test", err, got)
	}
}
