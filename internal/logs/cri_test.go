package logs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// criLines is a log as containerd's CRI plugin and CRI-O write it: the
// format of the CRI's logging spec (kubelet's logs parser reads it the same
// way), with a line in two parts and an empty line.
const criLines = "2016-10-06T00:17:09.669794202Z stdout F first line\n" +
	"2016-10-06T00:17:09.669794203Z stderr F an error\n" +
	"2016-10-06T00:17:10.113242941Z stdout P a long line in \n" +
	"2016-10-06T00:17:10.113242942Z stdout P three \n" +
	"2016-10-06T00:17:10.113242943Z stdout F parts\n" +
	"2016-10-06T00:17:11.000000000Z stdout F \n"

// Issue 19 item 11: a CRI log reads as the lines its container wrote, with
// the runtime's times and streams, parts joined.
func TestCRILogLines(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "0.log")
	if err := os.WriteFile(path, []byte(criLines+"not the CRI's format\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, lines, done, _ := run(t, CRI{Path: path}, 100, false)
	got, err := drain(t, lines, done, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		stream, text, time string
	}{
		{Stdout, "first line", "2016-10-06T00:17:09.669794202Z"},
		{Stderr, "an error", "2016-10-06T00:17:09.669794203Z"},
		{Stdout, "a long line in three parts", "2016-10-06T00:17:10.113242941Z"},
		{Stdout, "", "2016-10-06T00:17:11Z"},
		{Stdout, "not the CRI's format", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("lines %q, want %d", texts(got), len(want))
	}
	for i, w := range want {
		l := got[i]
		at := ""
		if !l.Time.IsZero() {
			at = l.Time.UTC().Format(time.RFC3339Nano)
		}
		if l.Stream != w.stream || l.Text != w.text || at != w.time || l.Cut {
			t.Errorf("line %d: %s %q at %q cut %v, want %s %q at %q", i, l.Stream, l.Text, at, l.Cut, w.stream, w.text, w.time)
		}
	}
}

// A line longer than MaxLine, in the runtime's 16 KiB parts, keeps its
// start and is marked cut; the next line is whole.
func TestCRILogLongLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	part := strings.Repeat("x", 16384)
	body := "2024-01-01T00:00:00.000000001Z stdout P " + part + "\n" +
		"2024-01-01T00:00:00.000000002Z stdout P " + part + "\n" +
		"2024-01-01T00:00:00.000000003Z stdout F end\n" +
		"2024-01-01T00:00:00.000000004Z stdout F next\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	_, lines, done, _ := run(t, CRI{Path: path}, 100, false)
	got, err := drain(t, lines, done, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].Cut || len(got[0].Text) > MaxLine || strings.Trim(got[0].Text, "x") != "" || got[1].Text != "next" || got[1].Cut {
		t.Fatalf("%d lines; first cut %v, %d bytes; second %q", len(got), len(got) > 0 && got[0].Cut, len(got[0].Text), texts(got[1:]))
	}
}

// Followed, a line in parts comes once its end is written, and the log is
// followed across the kubelet's rotation (renamed, a new file made).
func TestCRILogFollowsPartsAndRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "0.log")
	if err := os.WriteFile(path, []byte("2024-01-01T00:00:00Z stdout F before\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, lines, _, stop := run(t, CRI{Path: path, Poll: 20 * time.Millisecond}, 10, true)
	defer stop()
	if got := collect(t, lines, 1, 10*time.Second); got[0].Text != "before" {
		t.Fatalf("first line %q", got[0].Text)
	}
	appendCRI(t, path, "2024-01-01T00:00:01Z stdout P hal")
	appendCRI(t, path, "f\n")
	time.Sleep(200 * time.Millisecond)
	select {
	case l := <-lines:
		t.Fatalf("a part came alone: %q", l.Text)
	default:
	}
	appendCRI(t, path, "2024-01-01T00:00:02Z stdout F  and the rest\n")
	if got := collect(t, lines, 1, 10*time.Second); got[0].Text != "half and the rest" {
		t.Fatalf("joined line %q", got[0].Text)
	}
	if err := os.Rename(path, path+".20240101-000003"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("2024-01-01T00:00:04Z stderr F after rotation\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := collect(t, lines, 1, 10*time.Second); got[0].Text != "after rotation" || got[0].Stream != Stderr {
		t.Fatalf("after rotation: %s %q", got[0].Stream, got[0].Text)
	}
}

func appendCRI(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// A link at the log's name is never followed, at the start or in place of
// the file being followed: the log ends with a message and nothing of the
// file it names.
func TestCRILogNeverFollowsALink(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "shadow")
	const secretText = "root-only secret of the host"
	if err := os.WriteFile(secret, []byte("2024-01-01T00:00:00Z stdout F "+secretText+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	linked := filepath.Join(dir, "1.log")
	if err := os.Symlink(secret, linked); err != nil {
		t.Fatal(err)
	}
	_, lines, done, _ := run(t, CRI{Path: linked}, 10, false)
	got, err := drain(t, lines, done, 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") || len(got) != 0 {
		t.Errorf("a link at the log's name: lines %q, error %v", texts(got), err)
	}

	path := filepath.Join(dir, "0.log")
	if err := os.WriteFile(path, []byte("2024-01-01T00:00:00Z stdout F mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, lines, done, _ = run(t, CRI{Path: path, Poll: 20 * time.Millisecond}, 10, true)
	collect(t, lines, 1, 10*time.Second)
	if err := os.Rename(path, path+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, path); err != nil {
		t.Fatal(err)
	}
	got, err = drain(t, lines, done, 10*time.Second)
	for _, l := range got {
		if strings.Contains(l.Text, secretText) {
			t.Fatalf("the linked file reached the log: %q", texts(got))
		}
	}
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("the followed log replaced by a link: error %v", err)
	}
}

// The kubelet's layout: the highest <n>.log of the container's folder
// (its current run), from the CRI labels; labels that would leave the
// folder are refused; a container without them is not the kubelet's.
func TestKubeletLog(t *testing.T) {
	root := t.TempDir()
	labels := map[string]string{labelPodNamespace: "shop", labelPodName: "web-0", labelPodUID: "1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", labelContainer: "nginx"}
	dir := filepath.Join(root, "shop_web-0_1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", "nginx")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"0.log", "2.log", "10.log", "10.log.20240101-000000", "11.log.gz", "x.log", "-1.log", "010.log"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path, ok, err := KubeletLog(root, labels)
	if err != nil || !ok || path != filepath.Join(dir, "10.log") {
		t.Errorf("KubeletLog = %q, %v, %v; want %s", path, ok, err, filepath.Join(dir, "10.log"))
	}
	if _, ok, err := KubeletLog(root, map[string]string{"app": "x"}); ok || err != nil {
		t.Errorf("a container without the kubelet's labels: ok %v, %v", ok, err)
	}
	bad := map[string]string{labelPodNamespace: "..", labelPodName: "web-0", labelPodUID: "u", labelContainer: "nginx"}
	if _, ok, err := KubeletLog(root, bad); !ok || err == nil {
		t.Errorf("a namespace of ..: ok %v, %v", ok, err)
	}
	bad[labelPodNamespace], bad[labelContainer] = "shop", "../../etc"
	if _, ok, err := KubeletLog(root, bad); !ok || err == nil {
		t.Errorf("a container name with /: ok %v, %v", ok, err)
	}
}
