// Package clustergen makes Mesos and Marathon answers of production size
// in the shapes of the real ones (copies under shapes/: a Mesos 1.8
// master, agents of Mesos 0.22, 0.27 and 1.5, Marathon's groups), and
// serves them from loopback addresses — one per agent, as a real cluster
// has one host per agent — with agents that hang, fail or refuse, for the
// tests and benchmarks that need thousands of agents and a 100 MB master
// state. Nothing in it is the tool's own code: it plays the cluster.
package clustergen

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Spec is the size and shape of a generated cluster.
type Spec struct {
	// Agents is the number of Mesos agents; TasksPerAgent the running
	// Marathon tasks on each (one command executor each).
	Agents, TasksPerAgent int
	// Completed is the number of finished tasks the master remembers
	// (Marathon's and Metronome's, spread over the agents).
	Completed int
	// Apps is the number of Marathon apps the running tasks belong to
	// (0: one per 20 tasks, at least one), in Groups groups (0: 50).
	Apps, Groups int
	// AgentVersion is the shape of the agents' states: "1.5.0" (the
	// default), "0.27.0" or "0.22.0"; it also decides the endpoints an
	// agent answers (see Agent.Version).
	AgentVersion string
	// Seed makes the generated ids; the same Spec and Seed give the same
	// cluster.
	Seed uint64
}

// Cluster is a generated cluster: what its master, agents and Marathon
// answer is written from it on each request, so a test may change it
// (add a task, make an agent hang) before or while serving.
type Cluster struct {
	Spec
	// Net is the second octet of every address: the master at
	// 127.Net.0.1:5050, Marathon at 127.Net.0.2:8080, agent i at
	// 127.Net.(1+i/250).(1+i%250):5051. Serve picks one that is free.
	Net        int
	MasterID   string
	Marathon   Framework
	Metronome  Framework
	Agents     []*Agent
	Apps       []*App
	Completed  []Task // finished tasks (FrameworkID says whose)
	Start      time.Time
	marathonTm float64 // the framework's registration time
}

// Framework is a registered framework.
type Framework struct {
	ID, Name string
}

// Behaviour is how an agent answers.
type Behaviour int

// The behaviours of an agent.
const (
	Healthy Behaviour = iota
	Hang              // accepts connections and never answers
	Fail              // answers every request with HTTP 500
	Refuse            // nothing listens at its address
)

// Agent is one Mesos agent and its running tasks.
type Agent struct {
	Index    int
	ID       string
	Hostname string // its address, as DC/OS agents name themselves
	IP       string
	Version  string // "1.5.0", "0.27.0", "0.22.0"
	Tasks    []Task
	Mode     Behaviour
	// Busy is each executor's CPU use in cores: its counters in
	// /monitor/statistics grow by Busy seconds per second.
	Busy float64
}

// Addr is the agent's host:port (Mesos agents listen on 5051).
func (a *Agent) Addr() string { return a.IP + ":5051" }

// PID is the agent's libprocess pid, as the master lists it.
func (a *Agent) PID() string { return "slave(1)@" + a.Addr() }

// Task is a Mesos task with its command executor (whose id is the task's,
// as Marathon's command tasks have).
type Task struct {
	ID, Name    string
	AppID       string // Marathon's app id ("" for other frameworks)
	FrameworkID string
	AgentID     string
	ContainerID string
	State       string
	Started     float64 // unix seconds of TASK_RUNNING (or the final state)
}

// App is a Marathon app.
type App struct {
	ID    string
	Tasks []*Task
	// LastFailure is the message of its lastTaskFailure ("": none).
	LastFailure string
}

// New generates a cluster; its addresses are fixed by Serve.
func New(spec Spec) *Cluster {
	if spec.Apps <= 0 {
		spec.Apps = max(1, spec.Agents*spec.TasksPerAgent/20)
	}
	if spec.Groups <= 0 {
		spec.Groups = 50
	}
	if spec.AgentVersion == "" {
		spec.AgentVersion = "1.5.0"
	}
	if _, ok := agentShapes[spec.AgentVersion]; !ok {
		panic("clustergen: no agent shape for Mesos " + spec.AgentVersion)
	}
	r := rand.New(rand.NewPCG(spec.Seed, 0x5ca1e))
	c := &Cluster{Spec: spec, Start: time.Now().Add(-time.Hour)}
	c.MasterID = uuid(r)
	c.Marathon = Framework{ID: c.MasterID + "-0001", Name: "marathon"}
	c.Metronome = Framework{ID: c.MasterID + "-0002", Name: "metronome"}
	c.marathonTm = float64(c.Start.Unix())
	for k := 0; k < spec.Apps; k++ {
		c.Apps = append(c.Apps, &App{ID: fmt.Sprintf("/group%d/app%d", k%spec.Groups, k)})
	}
	started := float64(c.Start.Unix()) + 60
	for i := 0; i < spec.Agents; i++ {
		a := &Agent{Index: i, ID: fmt.Sprintf("%s-S%d", c.MasterID, i), Version: spec.AgentVersion, Busy: 0.25}
		for j := 0; j < spec.TasksPerAgent; j++ {
			app := c.Apps[(i*spec.TasksPerAgent+j)%spec.Apps]
			a.Tasks = append(a.Tasks, Task{
				ID: marathonTaskID(app.ID, r), Name: lastElem(app.ID), AppID: app.ID,
				FrameworkID: c.Marathon.ID, AgentID: a.ID, ContainerID: uuid(r),
				State: "TASK_RUNNING", Started: started + float64(i%600),
			})
		}
		c.Agents = append(c.Agents, a)
	}
	for _, a := range c.Agents {
		for j := range a.Tasks {
			t := &a.Tasks[j]
			app := c.appByID(t.AppID)
			app.Tasks = append(app.Tasks, t)
		}
	}
	for n := 0; n < spec.Completed && spec.Agents > 0; n++ {
		a := c.Agents[n%spec.Agents]
		fw, state, name, appID := c.Marathon.ID, "TASK_KILLED", "", ""
		if n%4 == 3 {
			fw, state, name = c.Metronome.ID, "TASK_FINISHED", fmt.Sprintf("job%d", n%97)
		} else {
			app := c.Apps[n%len(c.Apps)]
			name, appID = lastElem(app.ID), app.ID
			if n%10 == 0 {
				state = "TASK_FAILED"
			}
		}
		id := fmt.Sprintf("%s_%s", name, uuid(r))
		if appID != "" {
			id = marathonTaskID(appID, r)
		}
		c.Completed = append(c.Completed, Task{
			ID: id, Name: name, AppID: appID, FrameworkID: fw, AgentID: a.ID, ContainerID: uuid(r),
			State: state, Started: started - float64(n%3000),
		})
	}
	for k, app := range c.Apps {
		if k%7 == 0 {
			app.LastFailure = "Task was killed since health check failed. Reason: ConnectionAttemptFailedException"
		}
	}
	return c
}

func (c *Cluster) appByID(id string) *App {
	var k int
	fmt.Sscanf(lastElem(id), "app%d", &k)
	if k < len(c.Apps) && c.Apps[k].ID == id {
		return c.Apps[k]
	}
	for _, a := range c.Apps {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// Tasks is the number of running tasks.
func (c *Cluster) Tasks() int {
	n := 0
	for _, a := range c.Agents {
		n += len(a.Tasks)
	}
	return n
}

// MasterAddr, MarathonAddr and the agents' addresses follow Net.
func (c *Cluster) MasterAddr() string   { return fmt.Sprintf("127.%d.0.1:5050", c.Net) }
func (c *Cluster) MarathonAddr() string { return fmt.Sprintf("127.%d.0.2:8080", c.Net) }

// setNet places every address in 127.net/16.
func (c *Cluster) setNet(net int) {
	c.Net = net
	for _, a := range c.Agents {
		a.IP = fmt.Sprintf("127.%d.%d.%d", net, 1+a.Index/250, 1+a.Index%250)
		a.Hostname = a.IP
	}
}

// marathonTaskID is a task id as Marathon makes it: the app id's path
// with "/" as "_", a dot, a time-based UUID (Task.Id.forRunSpec).
func marathonTaskID(appID string, r *rand.Rand) string {
	safe := []byte(appID[1:])
	for i, b := range safe {
		if b == '/' {
			safe[i] = '_'
		}
	}
	return string(safe) + "." + uuid(r)
}

func lastElem(id string) string {
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '/' {
			return id[i+1:]
		}
	}
	return id
}

func uuid(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}
