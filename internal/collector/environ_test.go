package collector

import (
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/ctop-like/ctop-like/internal/model"
)

// mesosEnviron is the environment of a Marathon task's first process as
// Mesos and Marathon set it (the variables of Marathon's task builder and
// Mesos' executor), with the image's own and a secret of the app's; pad
// lengthens every value the placement does not read.
func mesosEnviron(task int, pad int) (string, map[string]string) {
	id := "shop_api." + strings.Repeat("0", 4) + "c0ffee-" + string(rune('a'+task%26)) + "-11f1-9d1c-0242ac110002"
	p := strings.Repeat("x", pad)
	vars := [][2]string{
		{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" + p},
		{"HOSTNAME", "agent-0042.dc1.example.com" + p},
		{"HOST", "agent-0042.dc1.example.com" + p},
		{"MESOS_TASK_ID", id},
		{"MESOS_EXECUTOR_ID", id},
		{"MESOS_FRAMEWORK_ID", "20261122-050000-16842879-5050-1-0000"},
		{"MESOS_AGENT_ENDPOINT", "10.0.0.42:5051" + p},
		{"MESOS_SANDBOX", "/mnt/mesos/sandbox" + p},
		{"MESOS_CONTAINER_NAME", "mesos-" + id + p},
		{"MESOS_ALLOCATION_ROLE", "*" + p},
		{"MARATHON_APP_ID", "/shop/api"},
		{"MARATHON_APP_VERSION", "2026-11-22T05:00:00.123Z" + p},
		{"MARATHON_APP_DOCKER_IMAGE", "registry.example.com/shop/api:1.42.0" + p},
		{"MARATHON_APP_RESOURCE_CPUS", "0.5" + p},
		{"MARATHON_APP_RESOURCE_MEM", "512.0" + p},
		{"MARATHON_APP_LABELS", "HAPROXY_GROUP HAPROXY_0_VHOST TEAM" + p},
		{"MARATHON_APP_LABEL_HAPROXY_0_VHOST", "api.shop.example.com" + p},
		{"PORTS", "31001,31002" + p},
		{"PORT0", "31001" + p},
		{"PORT1", "31002" + p},
		{"PORT_HTTP", "31001" + p},
		{"DATABASE_URL", "postgres://api:s3cr3t@db.shop.example.com:5432/shop?sslmode=require" + p},
		{"API_TOKEN", "s3cr3t-value" + p},
		{"JAVA_OPTS", "-Xmx384m -XX:+UseG1GC -Dfile.encoding=UTF-8" + p},
		{"EQ", "a=b" + p},
	}
	var b strings.Builder
	want := map[string]string{}
	for _, kv := range vars {
		b.WriteString(kv[0] + "=" + kv[1] + "\x00")
		want[kv[0]] = ""
	}
	want["MESOS_TASK_ID"], want["MESOS_EXECUTOR_ID"] = id, id
	want["MESOS_FRAMEWORK_ID"], want["MARATHON_APP_ID"] = "20261122-050000-16842879-5050-1-0000", "/shop/api"
	b.WriteString("NOEQUALS\x00=nokey\x00EMPTY=\x00MARATHON_APP_ID=/shop/api\x00")
	want["EMPTY"] = ""
	return b.String(), want
}

// A container's environment (read from its first process when its
// runtime does not give it) is kept for the container's life, but only
// the values of the variables that place it in the cluster are read: the
// details view and recordings show names. This test failed before:
// every value was kept (API_TOKEN's and DATABASE_URL's secrets among
// them). What it holds is what a split of the file gives, values emptied:
// the last of a repeated name wins, a value keeps its own '=', an entry
// without '=' or without a name is dropped; every container's names are
// one copy.
func TestReadEnvironKeepsNamesAndPlacementValues(t *testing.T) {
	dir := t.TempDir()
	var envs []model.Env
	for i := range 2 {
		text, want := mesosEnviron(i, 0)
		path := filepath.Join(dir, "environ"+string(rune('0'+i)))
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		got := readEnviron(path)
		if !maps.Equal(got.Map(), want) {
			t.Errorf("readEnviron:\n%v\nwant\n%v", got.Map(), want)
		}
		envs = append(envs, got)
	}
	n0, n1 := envs[0].Names(), envs[1].Names()
	if len(n0) != len(n1) || len(n0) == 0 || unsafe.SliceData(n0) != unsafe.SliceData(n1) {
		t.Errorf("two containers with the same names hold two lists of them")
	}
	if got := readEnviron(filepath.Join(dir, "none")); !got.IsZero() {
		t.Errorf("an unreadable environ: %v, want none", got.Map())
	}
}

// keptBytes is the heap that n environments read from text hold.
func keptBytes(t *testing.T, text string, n int) float64 {
	path := filepath.Join(t.TempDir(), "environ")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	readEnviron(path) // the names' shared copy
	kept := make([]any, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range kept {
		kept[i] = readEnviron(path)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
}

// What a kept environment costs does not grow with its values: 200
// containers whose 21 unread values are 1,000 bytes longer each hold
// about as much as with short ones. On the old code each held its whole
// environ file (21 KB more a container).
func TestKeptEnvironDoesNotGrowWithValues(t *testing.T) {
	short, _ := mesosEnviron(0, 0)
	long, _ := mesosEnviron(0, 1000)
	s, l := keptBytes(t, short, 200), keptBytes(t, long, 200)
	t.Logf("kept per container: %.0f bytes (environ of %d bytes), %.0f bytes (environ of %d bytes)", s, len(short), l, len(long))
	if grew := l - s; grew > float64(len(long)-len(short))/10 {
		t.Errorf("a container's kept environment grew by %.0f bytes with %d bytes more of values", grew, len(long)-len(short))
	}
}

// Containers of one app have the same variables: they share one list of
// the names, and each holds its placement values alone (the task, the
// executor, the framework, the app: 133 bytes here; 320 bytes kept). This
// test failed on the old code: each container held a map of its 26 names,
// 2,519 bytes.
func TestKeptEnvironIsThePlacementValues(t *testing.T) {
	text, want := mesosEnviron(0, 0)
	values := 0
	for k, v := range want {
		if model.PlacementEnv(k) {
			values += len(v)
		}
	}
	kept := keptBytes(t, text, 1000)
	t.Logf("kept per container: %.0f bytes for %d names, %d bytes of placement values", kept, len(want), values)
	if bound := float64(2*values + 256); kept > bound {
		t.Errorf("a container's kept environment holds %.0f bytes, want at most %.0f (twice its %d bytes of placement values, and 256)", kept, bound, values)
	}
}
