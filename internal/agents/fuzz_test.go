package agents

import (
	"bytes"
	"testing"

	"github.com/ctop-like/ctop-like/internal/httpapi"
)

// FuzzAgentStatistics reads an agent's /monitor/statistics and the
// master's /master/slaves, as --cluster does, and makes samples of them.
func FuzzAgentStatistics(f *testing.F) {
	for _, name := range []string{
		"mesos/agent_monitor_statistics_mesos-docs_network-port-mapping.json",
		"mesos/agent_monitor_statistics_mesos-docs_endpoint-example.json",
	} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"slaves":[{"id":"s","pid":"slave(1)@127.0.0.1:5051","hostname":"h","resources":{"cpus":-1,"mem":1e308}}]}`))
	f.Add([]byte(`[{"executor_id":"e","statistics":{"cpus_user_time_secs":-5,"cpus_system_time_secs":1e300,"mem_rss_bytes":-1}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var execs []execStats
		err := httpapi.DecodeStream(bytes.NewReader(data), func(s *httpapi.Stream) error {
			var err error
			execs, err = readStatistics(s, &answer{execs: make([]execStats, 2)})
			return err
		})
		if err == nil {
			a := &Source{}
			for i := range execs {
				cs := a.executorSample(agentInfo{ID: "s1", Name: "node-1"}, &execs[i], map[executorKey]string{{"s1", "", "e"}: "t"})
				if cs.ID == "" {
					t.Fatalf("executor %+v gave no container id", execs[i])
				}
			}
		}
		var ms masterSlaves
		_ = httpapi.Decode(bytes.NewReader(data), &ms)
	})
}
