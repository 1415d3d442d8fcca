package orchestrator

import (
	"context"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/redact"
)

// Summary is a master's /master/state-summary: its agents and frameworks
// with their task counts but no tasks, a few MB where the state is a
// hundred. It is how the poller finds this node's agent and Marathon, and
// the --cluster source its agents, without reading every task.
type Summary struct {
	Agents     []SummaryAgent
	Frameworks []model.Framework
}

// SummaryAgent is an agent as the summary lists it.
type SummaryAgent struct {
	ID, Hostname, PID string
	Active            bool
	CPUs, Mem         float64 // resources: cores, MB
	CPUsUsed, MemUsed float64
	Running           int // its TASK_RUNNING count
}

func (sm *Summary) read(s *httpapi.Stream) error {
	seen := 0
	over := func() bool { seen++; return seen > 4*maxTasks } // then skip whole: see maxSeen
	return s.EachMember(func(k []byte) error {
		switch string(k) {
		case "slaves":
			return s.EachElement(func() error {
				if over() {
					return s.Skip()
				}
				sl := SummaryAgent{Active: true}
				err := s.EachMember(func(k []byte) error {
					var err error
					switch string(k) {
					case "id":
						sl.ID, err = s.String()
					case "hostname":
						sl.Hostname, err = s.String()
					case "pid":
						sl.PID, err = s.String()
					case "active":
						sl.Active, err = readBool(s)
					case "TASK_RUNNING":
						var n float64
						n, err = s.Number()
						sl.Running = int(n)
					case "resources":
						err = readResources(s, &sl.CPUs, &sl.Mem)
					case "used_resources":
						err = readResources(s, &sl.CPUsUsed, &sl.MemUsed)
					default:
						err = s.Skip()
					}
					return err
				})
				if len(sm.Agents) < maxTasks {
					sm.Agents = append(sm.Agents, sl)
				}
				return err
			})
		case "frameworks":
			return s.EachElement(func() error {
				if over() {
					return s.Skip()
				}
				var fw model.Framework
				err := s.EachMember(func(k []byte) error {
					var err error
					switch string(k) {
					case "id":
						fw.ID, err = s.String()
					case "name":
						fw.Name, err = s.String()
					case "webui_url":
						fw.WebUIURL, err = s.String()
						fw.WebUIURL = redact.Text(fw.WebUIURL)
					case "active":
						fw.Active, err = readBool(s)
					case "TASK_RUNNING":
						var n float64
						n, err = s.Number()
						fw.TasksRunning = int(n)
					default:
						err = s.Skip()
					}
					return err
				})
				if len(sm.Frameworks) < maxInterned {
					sm.Frameworks = append(sm.Frameworks, fw)
				}
				return err
			})
		}
		return s.Skip()
	})
}

// readResources reads a resources object's cpus and mem.
func readResources(s *httpapi.Stream, cpus, mem *float64) error {
	return s.EachMember(func(k []byte) error {
		var err error
		switch string(k) {
		case "cpus":
			*cpus, err = s.Number()
		case "mem":
			*mem, err = s.Number()
		default:
			err = s.Skip()
		}
		return err
	})
}

// readBool reads true or false; anything else is false.
func readBool(s *httpapi.Stream) (bool, error) {
	b, err := s.Peek()
	if err != nil {
		return false, err
	}
	return b == 't', s.Skip()
}

// ReadSummary reads a master's /master/state-summary; a master without
// one (before Mesos 0.23) answers 404, which the caller sees.
func ReadSummary(ctx context.Context, c *httpapi.Client, e *httpapi.Endpoint) (*Summary, error) {
	sm := &Summary{}
	_, err := c.GetStream(ctx, e, "/master/state-summary", sm.read)
	if err != nil {
		return nil, err
	}
	return sm, nil
}
