package model_test

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/batch"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// TestContainerJSONUnchanged: a container's JSON (recordings, --listen)
// and batch output are byte for byte what they were before RuntimeFields
// went behind a pointer: the golden file was written by the code before
// (4224a75), from these very values, for a container with every runtime
// field set, a raw cgroup with none, and an executor on the shared
// NoRuntimeFields. An embedded pointer's fields flatten in place, so the
// order and the omitempty/omitzero of each are as before; a record read
// back is the same container.
func TestContainerJSONUnchanged(t *testing.T) {
	want, err := os.ReadFile("testdata/containers-json.golden")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	code := 137
	local := model.ContainerSample{
		ID: "0123456789abcdef", Name: "web", Image: "ctop-like/busybox:test", Runtime: model.RuntimeContainerd, State: "exited",
		RuntimeFields: &model.RuntimeFields{
			ContainerdNamespace: "k8s.io", Cgroup: "/k8s.io/0123456789abcdef",
			Labels: map[string]string{"app": "shop", "io.kubernetes.pod.name": "web-0"},
			Env:    model.EnvOf(map[string]string{"MESOS_TASK_ID": "shop_web.1", "PATH": "/bin"}),
			PID:    4242, NetworkMode: "bridge", RestartCount: 3, Health: "unhealthy", Created: t0.Add(-time.Hour),
			Ports: []string{"8080/tcp"}, Wants: []string{"8080/tcp"}, Mounts: []string{"/data:/data"},
			ExitCode: &code, OOMKilled: true, StateSince: t0.Add(-90 * time.Second), Pod: "web-0", Namespace: "shop", Sandbox: true,
			Listen: []string{"8080/tcp"},
		},
		Unmeasured: []string{"cpu"},
		CPU:        model.CgroupCPU{UsageNs: 5e9, UserNs: 3e9, SystemNs: 2e9}, Mem: model.CgroupMemory{Used: 1 << 20, Limit: 1 << 30},
		Cluster: model.ClusterFields{TaskID: "shop_web.1", App: "/shop/web"}, ClusterLabels: model.Labels{{Key: "team", Value: "shop"}},
	}
	empty := model.ContainerSample{ID: "/system.slice/cron.service", Runtime: model.RuntimeRaw, State: "running", RuntimeFields: &model.RuntimeFields{}}
	exec := model.ContainerSample{
		ID: "shop_api.1@S1/fw0", Name: "shop_api.1", Runtime: model.RuntimeMesos, State: "running", Agent: "node-1", AgentID: "S1",
		RuntimeFields: model.NoRuntimeFields,
		Unmeasured:    []string{"pids", "io"}, CPU: model.CgroupCPU{UsageNs: 7e9}, Net: &model.NetCounters{RxBytes: 100, SpeedMbps: -1},
		Cluster: model.ClusterFields{TaskID: "shop_api.1", FrameworkID: "fw0"}, SampledAt: t0.Add(-time.Second),
	}
	s := &model.Snapshot{Time: t0, Host: "node-1", Containers: []model.Container{
		{ContainerSample: &local}, {ContainerSample: &empty, HasRates: true, CPUPct: 1.5}, {ContainerSample: &exec, HasRates: true, CPUPct: 50},
	}}
	var out bytes.Buffer
	var lines [][]byte
	for _, c := range s.Containers {
		b, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, b)
		out.Write(b)
		out.WriteByte('\n')
	}
	for _, v := range []string{"containers", "attention"} {
		p := &batch.Printer{Out: &out, Format: "json", Query: views.Query{View: v}}
		if err := p.Print(s); err != nil {
			t.Fatal(err)
		}
	}
	if got := out.Bytes(); !bytes.Equal(got, want) {
		t.Errorf("JSON changed:\n got %s\nwant %s", got, want)
	}
	for i, b := range lines {
		var c model.Container
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		if c.RuntimeFields == nil || c.RuntimeFields == model.NoRuntimeFields {
			t.Fatalf("container %d read back without runtime fields of its own", i)
		}
		again, _ := json.Marshal(&c)
		if !bytes.Equal(again, b) {
			t.Errorf("container %d read back:\n got %s\nwant %s", i, again, b)
		}
	}
	if !reflect.DeepEqual(*model.NoRuntimeFields, model.RuntimeFields{}) {
		t.Errorf("the shared NoRuntimeFields was written to: %+v", *model.NoRuntimeFields)
	}
}
