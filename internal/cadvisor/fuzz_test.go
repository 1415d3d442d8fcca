package cadvisor

// FuzzDecode fuzzes what a cAdvisor (or whatever answers on --cadvisor)
// sends: /api/v1.3/machine, and as the second input each of
// /api/v1.3/subcontainers, /api/v2.0/stats, /api/v2.0/storage and
// /api/v2.0/ps, decoded as fetch does and turned into a sample.
//
// Run it longer with:
//
//	go test -run='^$' -fuzz='^FuzzDecode$' -fuzztime=1m ./cadvisor

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func FuzzDecode(f *testing.F) {
	for _, p := range [][2]string{
		{"dd-agent_api_v1.3_machine.json", "dd-agent_api_v1.3_subcontainers.json"},
		{"recorded_v0.60_api_v1.3_machine.json", "recorded_v0.60_api_v1.3_subcontainers_docker_last2.json"},
		{"recorded_v0.60_api_v1.3_machine.json", "recorded_v0.60_api_v1.3_subcontainers_docker_mesos-env_last2.json"},
		{"real-v0.60.5_machine.json", "real-v0.60.5_v2.0_stats_recursive_count2_t1.json"},
		{"real-v0.60.5_machine.json", "real-v0.60.5_v2.0_storage.json"},
		{"real-v0.60.5_machine.json", "real-v0.60.5_v2.0_ps_root.json"},
	} {
		m, err1 := os.ReadFile("testdata/" + p[0])
		s, err2 := os.ReadFile("testdata/" + p[1])
		if err1 != nil || err2 != nil {
			f.Fatal(err1, err2)
		}
		f.Add(m, s)
	}
	f.Add([]byte(`{}`), []byte(`[{"pid":1,"running_time":"-1:-2:-3"},{"pid":2,"running_time":"3-25:61:61"},{"running_time":"x-1"}]`))
	f.Add([]byte(`{"num_cores":-1,"memory_capacity":0}`), []byte(`[{"name":""},{"name":"/","stats":[{}]},{"name":"/docker/","stats":[{"memory":{"usage":1}}]},{"name":"/mesos/x","spec":{"envs":{"MESOS_TASK_ID":"t"}},"stats":[{"cpu":{"usage":{"total":5}}}]}]`))
	f.Fuzz(func(t *testing.T, machine, subcontainers []byte) {
		var mi machineInfo
		if json.Unmarshal(machine, &mi) != nil {
			return
		}
		var conts []containerInfo
		if json.Unmarshal(subcontainers, &conts) != nil {
			var stats map[string][]containerStats
			if json.Unmarshal(subcontainers, &stats) == nil {
				for name, st := range stats {
					conts = append(conts, containerInfo{Name: name, Stats: st})
				}
			}
		}
		var storage []storageInfo
		if json.Unmarshal(subcontainers, &storage) == nil {
			for _, f := range filesystems(storage) {
				if strings.HasPrefix(f.Device, "overlay") {
					t.Fatalf("overlay root listed: %+v", f)
				}
			}
		}
		var ps []processInfo
		if json.Unmarshal(subcontainers, &ps) == nil {
			for _, p := range processes(ps, nil) {
				if p.UserS < 0 {
					t.Fatalf("negative CPU time %+v", p)
				}
			}
		}
		for _, all := range []bool{false, true} {
			smp := build(&mi, conts, "node-1", all)
			for _, c := range smp.Containers {
				if c.ID == "" {
					t.Fatalf("container without an id: %+v", c)
				}
				if c.Mem.Used > c.Mem.Usage && c.Mem.Usage > 0 {
					t.Fatalf("memory used %d > usage %d", c.Mem.Used, c.Mem.Usage)
				}
			}
		}
	})
}
