package orchestrator

import (
	"github.com/ctop-like/ctop-like/internal/httpapi"
)

// Marathon's answers are read as a stream too: an app's definition is
// 1-10 KB of which a few ids and counters are used, and with its tasks
// embedded a 100,000-task cluster's /v2/groups is over 100 MB. What is
// kept is bounded by maxTasks apps and maxTasks tasks in all; past them
// the rest is counted (marathonRead.dropped) and named.
type marathonRead struct {
	apps, tasks int
	dropped     int
	seen        int // objects read one by one; past 4 maxTasks skipped whole
}

func (r *marathonRead) over(s *httpapi.Stream) (bool, error) {
	r.seen++
	if r.seen <= 4*maxTasks {
		return false, nil
	}
	r.dropped++
	return true, s.Skip()
}

// group reads a /v2/groups node into g.
func (r *marathonRead) group(s *httpapi.Stream, g *marathonGroup, depth int) error {
	return s.EachMember(func(k []byte) error {
		var err error
		switch string(k) {
		case "id":
			g.ID, err = s.String()
		case "apps":
			err = r.appList(s, &g.Apps)
		case "groups":
			if depth >= maxGroupDepth {
				return s.Skip()
			}
			err = s.EachElement(func() error {
				var sg marathonGroup
				err := r.group(s, &sg, depth+1)
				g.Groups = append(g.Groups, sg)
				return err
			})
		default:
			err = s.Skip()
		}
		return err
	})
}

// maxGroupDepth bounds the nesting of groups (Marathon's ids are paths: a
// few levels in practice).
const maxGroupDepth = 64

func (r *marathonRead) appList(s *httpapi.Stream, out *[]marathonApp) error {
	if *out == nil {
		*out = []marathonApp{}
	}
	return s.EachElement(func() error {
		if over, err := r.over(s); over {
			return err
		}
		var a marathonApp
		err := r.app(s, &a)
		if a.ID == "" {
			return err
		}
		if r.apps >= maxTasks {
			r.dropped++
			return err
		}
		r.apps++
		*out = append(*out, a)
		return err
	})
}

func (r *marathonRead) app(s *httpapi.Stream, a *marathonApp) error {
	return s.EachMember(func(k []byte) error {
		var err error
		switch string(k) {
		case "id":
			a.ID, err = s.String()
		case "instances":
			var n *int
			n, err = intField(s, "instances")
			if n != nil {
				a.Instances = *n
			}
		case "tasksRunning":
			a.TasksRunning, err = intField(s, "tasksRunning")
		case "tasksHealthy":
			a.TasksHealthy, err = intField(s, "tasksHealthy")
		case "tasksStaged":
			a.TasksStaged, err = intField(s, "tasksStaged")
		case "tasksUnhealthy":
			a.TasksUnhealthy, err = intField(s, "tasksUnhealthy")
		case "labels":
			a.Labels, err = readMarathonLabels(s)
		case "tasks":
			err = s.EachElement(func() error {
				if over, err := r.over(s); over {
					return err
				}
				t, err := r.task(s)
				if t.ID == "" {
					return err
				}
				if r.tasks >= maxTasks {
					r.dropped++
					return err
				}
				r.tasks++
				a.Tasks = append(a.Tasks, t)
				return err
			})
		case "deployments":
			a.Deployments = []struct {
				ID string `json:"id"`
			}{}
			err = s.EachElement(func() error {
				var id string
				err := s.EachMember(func(k []byte) error {
					if string(k) != "id" {
						return s.Skip()
					}
					var err error
					id, err = s.String()
					return err
				})
				if len(a.Deployments) < 1024 {
					a.Deployments = append(a.Deployments, struct {
						ID string `json:"id"`
					}{id})
				}
				return err
			})
		case "lastTaskFailure":
			b, err := s.Peek()
			if err != nil || b != '{' {
				return s.Skip()
			}
			f := &lastFailure{}
			err = s.EachMember(func(k []byte) error {
				var err error
				switch string(k) {
				case "taskId":
					f.TaskID, err = s.String()
				case "state":
					f.State, err = s.String()
				case "message":
					f.Message, err = s.String()
				case "timestamp":
					f.Timestamp, err = s.String()
				default:
					err = s.Skip()
				}
				return err
			})
			a.LastTaskFailure = f
			return err
		default:
			err = a.def.member(s, k)
		}
		return err
	})
}

func (r *marathonRead) task(s *httpapi.Stream) (marathonTask, error) {
	var t marathonTask
	err := s.EachMember(func(k []byte) error {
		var err error
		switch string(k) {
		case "id":
			t.ID, err = s.String()
		case "state":
			t.State, err = s.String()
		case "healthCheckResults":
			err = s.EachElement(func() error {
				alive := false
				err := s.EachMember(func(k []byte) error {
					if string(k) != "alive" {
						return s.Skip()
					}
					var err error
					alive, err = readBool(s)
					return err
				})
				if len(t.HealthCheckResults) < 64 {
					t.HealthCheckResults = append(t.HealthCheckResults, struct {
						Alive bool `json:"alive"`
					}{alive})
				}
				return err
			})
		default:
			err = s.Skip()
		}
		return err
	})
	return t, err
}

// intField reads an integer member: nil for null, an error naming the
// member for a value that is no number (as encoding/json's would).
func intField(s *httpapi.Stream, name string) (*int, error) {
	b, err := s.Peek()
	if err != nil {
		return nil, err
	}
	switch {
	case b == 'n':
		return nil, s.Skip()
	case b == '-' || b >= '0' && b <= '9':
		f, err := s.Number()
		n := int(f)
		return &n, err
	}
	kind := map[byte]string{'"': "string", '{': "object", '[': "array", 't': "bool", 'f': "bool"}[b]
	if kind == "" {
		return nil, httpapi.ErrCapture
	}
	return nil, httpapi.Payloadf("unexpected JSON: %s is a %s, want a number", name, kind)
}
