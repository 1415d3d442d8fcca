package main

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/dockertest"
)

// TestLabelsOfARealContainerAndItsTask: a Docker container's labels,
// hostile ones included, with its Mesos task's (the real pair A state
// served as the master answers it), but Kubernetes' plumbing; -f and -s
// by label.KEY find and order it; JSON keeps the labels exact, a table
// shows them as text; a view without labels refuses label.KEY.
func TestLabelsOfARealContainerAndItsTask(t *testing.T) {
	dockertest.Require(t)
	const task = "development_logging.a6f0bb45-c64b-11e6-9066-5a8a388c67a1"
	mesos := serveAltered(t, map[string]string{"/master/state": "mesos/pairA_master_state_mesos-1.2.0.json"}, func(s string) string { return s })
	marathon := serveAltered(t, map[string]string{
		"/v2/groups": "marathon/pairA_v2_groups_embed-tasks.json",
		"/v2/info":   "marathon/marathon-docs_v2_info.json",
	}, func(s string) string { return s })
	team := fmt.Sprintf("team%d", rand.Intn(1e9))
	name := "ctl-labels-" + team
	evil := hostile("HLABEL")
	dockertest.Run(t, []string{"--name", name, "-e", "MESOS_TASK_ID=" + task,
		"--label", "team=" + team, "--label", "evil=" + evil, "--label", "io.kubernetes.pod.name=p"}, dockertest.Sleep...)

	// The container is listed before Mesos answers (a loaded machine):
	// its task's labels come with the first refresh that places it.
	out := runJSON(t, "-m", mesos.URL+","+marathon.URL, "-v", "containers", "-f", "label.team="+team, "-d", "500", "-n", "8")
	var row map[string]any
	for i := range out {
		if len(out[i].Rows) != 1 {
			t.Fatalf("-f label.team=%s: refresh %d: %+v", team, i, out[i].Rows)
		}
		if row = out[i].Rows[0]; row["task"] != nil {
			out = out[i:]
			break
		}
	}
	l, ok := row["labels"].(map[string]any)
	if !ok {
		t.Fatalf("labels %T %v", row["labels"], row["labels"])
	}
	if row["name"] != name || row["label.team"] != team || l["team"] != team || l["evil"] != evil ||
		l["DCOS_SPACE"] != "/development/logging" || l["io.kubernetes.pod.name"] != nil {
		t.Errorf("row %v (task %v, app %v): labels %v", row["name"], row["task"], row["app"], l)
	}
	if !strings.HasSuffix(out[0].Columns[len(out[0].Columns)-1], "label.team") {
		t.Errorf("the filter's label is a column: %v", out[0].Columns)
	}
	all := runJSON(t, "-m", mesos.URL+","+marathon.URL, "-v", "containers", "-d", "500", "-n", "1")
	for _, c := range all[0].Columns {
		if strings.HasPrefix(c, "label.") {
			t.Errorf("a label column nobody named: %s", c)
		}
	}

	stdout, stderr, code := runBinary(t, "-m", mesos.URL+","+marathon.URL, "-v", "mesos-tasks",
		"-f", "label.dcos_space=/development/logging", "-s", "-label.DCOS_SPACE", "-o", "table", "-d", "500", "-n", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	terminalSafe(t, "mesos-tasks table", stdout)
	if !strings.Contains(stdout, task) || !strings.Contains(stdout, "DCOS_SPACE") {
		t.Errorf("the tasks of /development/logging with their DCOS_SPACE:\n%s", stdout)
	}
	// The labels column and a label's, chosen in the settings file.
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("views:\n  containers:\n    columns: [name, label.evil, labels]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = runBinary(t, "--config", cfg, "-m", mesos.URL+","+marathon.URL, "-v", "containers", "-f", "name="+name, "-o", "table", "-d", "500", "-n", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	terminalSafe(t, "containers table", stdout)
	if !strings.Contains(stdout, "HLABEL") || !strings.Contains(stdout, "  DCOS_SPACE=/development/logging, ") {
		t.Errorf("the chosen label columns as text:\n%s", stdout)
	}
	_, stderr, code = runBinary(t, "-v", "marathon-groups", "-s", "label.team", "-o", "json", "-n", "1")
	if code != 2 || !strings.Contains(stderr, "no labels") {
		t.Errorf("marathon-groups -s label.team: exit %d: %s", code, stderr)
	}
}
