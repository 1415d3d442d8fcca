package orchestrator

import (
	"strconv"
	"strings"

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
		case "constraints":
			err = readConstraints(s, &a.Constraints)
		case "portDefinitions":
			err = readPortDefinitions(s, &a.PortDefinitions)
		case "ports":
			err = s.EachElement(func() error {
				n, err := s.Number()
				if len(a.LegacyPorts) < maxAppPorts {
					a.LegacyPorts = append(a.LegacyPorts, int(n))
				}
				return err
			})
		case "requirePorts":
			a.RequirePorts, err = readBool(s)
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
			err = s.Skip()
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

// queue reads /v2/queue.
func (r *marathonRead) queue(s *httpapi.Stream, q *marathonQueue) error {
	return s.EachMember(func(k []byte) error {
		if string(k) != "queue" {
			return s.Skip()
		}
		q.Queue = []queueEntry{}
		return s.EachElement(func() error {
			var e queueEntry
			err := s.EachMember(func(k []byte) error {
				var err error
				switch string(k) {
				case "app":
					e.App = &struct {
						ID string `json:"id"`
					}{}
					err = s.EachMember(func(k []byte) error {
						if string(k) != "id" {
							return s.Skip()
						}
						var err error
						e.App.ID, err = s.String()
						return err
					})
				case "delay":
					e.Delay = &queueDelay{}
					err = s.EachMember(func(k []byte) error {
						var err error
						switch string(k) {
						case "timeLeftSeconds":
							e.Delay.TimeLeftSeconds, err = s.Number()
						case "overdue":
							e.Delay.Overdue, err = readBool(s)
						default:
							err = s.Skip()
						}
						return err
					})
				default:
					err = s.Skip()
				}
				return err
			})
			if len(q.Queue) < maxTasks {
				q.Queue = append(q.Queue, e)
			}
			return err
		})
	})
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

// maxAppPorts and maxConstraints bound what one app keeps of its ports
// and constraints (a few, in practice).
const (
	maxAppPorts    = 64
	maxConstraints = 32
)

// readConstraints reads an app's constraints, [["hostname","UNIQUE"],
// ["rack","GROUP_BY","3"]], each as "hostname:UNIQUE".
func readConstraints(s *httpapi.Stream, out *[]string) error {
	return s.EachElement(func() error {
		var parts []string
		err := s.EachElement(func() error {
			p, err := s.String()
			if p != "" && len(parts) < 3 { // ["hostname", "UNIQUE", ""]: no value
				parts = append(parts, p)
			}
			return err
		})
		if len(parts) > 0 && len(*out) < maxConstraints {
			*out = append(*out, strings.Join(parts, ":"))
		}
		return err
	})
}

// readPortDefinitions reads an app's portDefinitions, [{"port": 6379,
// "protocol": "tcp"}], as "6379/tcp" ("udp,tcp" gives both).
func readPortDefinitions(s *httpapi.Stream, out *[]string) error {
	return s.EachElement(func() error {
		port, proto := 0.0, "tcp"
		err := s.EachMember(func(k []byte) error {
			var err error
			switch string(k) {
			case "port":
				port, err = s.Number()
			case "protocol":
				proto, err = s.String()
			default:
				err = s.Skip()
			}
			return err
		})
		if port <= 0 || port > 65535 {
			return err // 0: Marathon picks one; nothing fixed to want
		}
		for _, p := range strings.Split(proto, ",") {
			if p = strings.TrimSpace(p); p != "" && len(*out) < maxAppPorts {
				*out = append(*out, strconv.Itoa(int(port))+"/"+p)
			}
		}
		return err
	})
}
