package orchestrator

import (
	"container/heap"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
)

// Bounds of what one Mesos state may make this tool hold, whatever the
// answer's size: a master of 5,000 agents answers 100-200 MB, of which the
// views need the tasks' ids, names, states and containers. Past a bound
// the rest is counted and named in the errors, never refused whole.
var (
	// maxTasks bounds the live tasks kept (about 330 bytes each); a
	// variable for the tests.
	maxTasks = 200000
	// maxLabelBytes bounds what the kept tasks' labels hold beyond the
	// lists they share (Marathon gives every task of an app the app's
	// labels: one list): past it tasks are kept without their labels,
	// and the errors say how many. A variable for the tests.
	maxLabelBytes int64 = 32 << 20
)

const (
	// maxStateBytes bounds what the kept tasks hold in all: their structs
	// and strings (a hostile answer's 64 KB names).
	maxStateBytes = 96 << 20
	// maxFinishedPerFramework bounds the finished tasks kept of each
	// framework (the newest): a master keeps up to 1000 by default, and a
	// view of thousands of old tasks helps nobody.
	maxFinishedPerFramework = 100
	// maxFinished bounds them over every framework.
	maxFinished = 20000
	// maxInterned bounds the table of repeated strings.
	maxInterned = 1 << 16
	// maxLabelLists bounds the table of label lists tasks share.
	maxLabelLists = 1 << 14
)

// mesosState is what this tool keeps of a Mesos state — a master's
// /master/state (or /state.json) or an agent's /slave(1)/state — read as a
// stream (readState): never more than the bounds above, however large
// the answer.
type mesosState struct {
	Version string
	PID     string // "master@10.0.5.220:5050", "slave(1)@10.0.3.46:5051"
	Leader  string // a master's
	// An agent's own: its id, host name and the master it follows
	// (master_hostname, and flags.master, which may be zk://...).
	ID, Hostname, MasterHostname, MasterFlag string

	Frameworks []stateFramework
	Slaves     []mesosSlave
	// Tasks are the live tasks (running, staging, killing...) in the
	// order of the answer; Finished the newest of each framework's
	// completed and unreachable ones.
	Tasks    []model.Task
	Finished []model.Task
	// Dropped counts the live tasks over maxTasks or maxStateBytes.
	Dropped int
	// Executors are the container ids of an agent's live executors
	// (frameworks[].executors[].container), whether or not they still
	// run a task: such a container is the agent's, not an orphan.
	Executors []string

	// LabelsDropped counts the tasks kept without their labels, over
	// maxLabelBytes.
	LabelsDropped int

	finished map[string]*newestTasks // by framework id, while reading
	kept     int64
	seen     int // objects read where a task or an agent is due
	expect   int // live tasks the same source had last time
	in       interner
	// ports are the ports lists read, by their resource's text: tasks
	// given the same ports share one (each clipped, so never appended to
	// in place).
	ports map[string][]string
	// hist and cids are the statuses and container ids of the task being
	// read, kept from task to task: a running task keeps no history, and
	// its container ids are copied out.
	hist   []model.TaskStatus
	cids   []string
	labels labelReader
	// prev are the live tasks of the same source's last state: a task
	// read again takes their strings and slices where equal (see share).
	prev    []model.Task
	prevAt  int              // where the next task is expected in prev
	prevIdx map[string]int32 // prev by id, made once the order differs
}

// maxSeen bounds the objects read one by one in a state; past it they
// are skipped whole, which is a few times faster: an answer of a billion
// empty tasks costs its bytes, not a billion parses.
func maxSeen() int { return 4 * maxTasks }

// skipOver says whether the next element is past maxSeen (and skips it).
func (st *mesosState) skipOver(s *httpapi.Stream) (bool, error) {
	st.seen++
	if st.seen <= maxSeen() {
		return false, nil
	}
	return true, s.Skip()
}

// stateFramework is a framework of a state, with its running tasks
// counted (those dropped over a bound too).
type stateFramework struct {
	ID, Name, WebUIURL string
	Active             bool
	Running            int
}

type mesosSlave struct {
	ID       string
	Hostname string
	PID      string
}

// isStandby says whether a master's answer is a non-leading master's: no
// frameworks, and a leader that is not itself.
func (st *mesosState) isStandby() bool {
	return len(st.Frameworks) == 0 && st.Leader != "" && st.Leader != st.PID
}

// decodeMesosState reads a master or agent state from r as the poller does.
func decodeMesosState(r io.Reader) (*mesosState, error) {
	st := newState()
	if err := httpapi.DecodeStream(r, st.read); err != nil {
		return nil, err
	}
	return st.done(), nil
}

func newState() *mesosState {
	return &mesosState{finished: map[string]*newestTasks{}, in: interner{m: map[string]string{}}, ports: map[string][]string{}, labels: labelReader{lists: map[string]*model.Labels{}, rawLists: map[string]*model.Labels{}}}
}

// read is the Stream reader of a whole state.
func (st *mesosState) read(s *httpapi.Stream) error {
	return s.EachMember(func(k []byte) error {
		var err error
		switch string(k) {
		case "version":
			st.Version, err = s.String()
		case "pid":
			st.PID, err = s.String()
		case "leader":
			st.Leader, err = s.String()
		case "id":
			st.ID, err = s.String()
		case "hostname":
			st.Hostname, err = s.String()
		case "master_hostname":
			st.MasterHostname, err = s.String()
		case "flags":
			err = s.EachMember(func(k []byte) error {
				if string(k) != "master" {
					return s.Skip()
				}
				var err error
				st.MasterFlag, err = s.String()
				return err
			})
		case "slaves":
			err = s.EachElement(func() error {
				if over, err := st.skipOver(s); over {
					return err
				}
				return st.readSlave(s)
			})
		case "frameworks":
			err = s.EachElement(func() error { return st.readFramework(s) })
		default:
			err = s.Skip()
		}
		return err
	})
}

func (st *mesosState) readSlave(s *httpapi.Stream) error {
	var sl mesosSlave
	err := s.EachMember(func(k []byte) error {
		var err error
		switch string(k) {
		case "id":
			sl.ID, err = st.in.str(s)
		case "hostname":
			sl.Hostname, err = st.in.str(s)
		case "pid":
			sl.PID, err = s.String()
		default:
			err = s.Skip()
		}
		return err
	})
	if len(st.Slaves) < maxTasks {
		st.Slaves = append(st.Slaves, sl)
	}
	return err
}

// readFramework reads one framework: a master's holds its tasks, an
// agent's its executors with theirs.
func (st *mesosState) readFramework(s *httpapi.Stream) error {
	var fw stateFramework
	start := len(st.Tasks)
	var finished []model.Task // read before the framework's id
	err := s.EachMember(func(k []byte) error {
		var err error
		switch string(k) {
		case "id":
			fw.ID, err = st.in.str(s)
		case "name":
			fw.Name, err = s.String()
		case "active":
			var b byte
			if b, err = s.Peek(); err == nil {
				fw.Active = b == 't'
				err = s.Skip()
			}
		case "webui_url":
			fw.WebUIURL, err = s.String()
		case "tasks":
			err = s.EachElement(func() error { return st.readLive(s, &fw) })
		case "completed_tasks", "unreachable_tasks":
			err = s.EachElement(func() error {
				if over, err := st.skipOver(s); over {
					return err
				}
				t, err := st.readTask(s, true)
				if t.ID != "" {
					finished = append(finished, t)
				}
				return err
			})
		case "executors":
			err = s.EachElement(func() error { return st.readExecutor(s, &fw, &finished) })
		case "completed_executors":
			err = s.EachElement(func() error {
				return s.EachMember(func(k []byte) error {
					if string(k) != "tasks" && string(k) != "completed_tasks" {
						return s.Skip()
					}
					return s.EachElement(func() error {
						t, err := st.readTask(s, true)
						if t.ID != "" {
							finished = append(finished, t)
						}
						return err
					})
				})
			})
		default:
			err = s.Skip()
		}
		return err
	})
	for i := start; i < len(st.Tasks); i++ {
		if st.Tasks[i].FrameworkID == "" {
			st.Tasks[i].FrameworkID = fw.ID
		}
	}
	for _, t := range finished {
		if t.FrameworkID == "" {
			t.FrameworkID = fw.ID
		}
		st.addFinished(t)
	}
	st.Frameworks = append(st.Frameworks, fw)
	return err
}

// readExecutor reads an agent's executor: its container and sandbox, and
// the tasks it runs.
func (st *mesosState) readExecutor(s *httpapi.Stream, fw *stateFramework, finished *[]model.Task) error {
	var id, container, dir string
	start := len(st.Tasks)
	err := s.EachMember(func(k []byte) error {
		var err error
		switch string(k) {
		case "id":
			id, err = s.String()
		case "container":
			container, err = s.String()
		case "directory":
			dir, err = s.String()
		case "tasks", "queued_tasks":
			err = s.EachElement(func() error { return st.readLive(s, fw) })
		case "completed_tasks":
			err = s.EachElement(func() error {
				t, err := st.readTask(s, true)
				if t.ID != "" {
					*finished = append(*finished, t)
				}
				return err
			})
		default:
			err = s.Skip()
		}
		return err
	})
	if container != "" && len(st.Executors) < maxTasks {
		st.Executors = append(st.Executors, container)
	}
	// Members may come in any order: the executor's own are set on its
	// tasks once it is read.
	for i := start; i < len(st.Tasks); i++ {
		t := &st.Tasks[i]
		if d := t.Detail(); d.ExecutorID == "" && id != "" || d.Sandbox != dir {
			if d.ExecutorID == "" {
				d.ExecutorID = id
			}
			d.Sandbox = dir
			t.SetDetail(d)
		}
		if container != "" && !contains(t.ContainerIDs, container) {
			t.ContainerIDs = append(t.ContainerIDs, container)
		}
	}
	return err
}

// readLive reads a live task and keeps it within the bounds.
func (st *mesosState) readLive(s *httpapi.Stream, fw *stateFramework) error {
	if over, err := st.skipOver(s); over {
		st.Dropped++
		return err
	}
	t, err := st.readTask(s, false)
	if t.ID == "" {
		return err
	}
	if t.State == "TASK_RUNNING" {
		fw.Running++
	}
	cost := taskCost(&t)
	if len(st.Tasks) >= maxTasks || st.kept+cost > maxStateBytes {
		st.Dropped++
		return err
	}
	st.kept += cost
	st.share(&t)
	if st.Tasks == nil && st.expect > 0 {
		// As many as last time: no array doubled and copied on the way.
		st.Tasks = make([]model.Task, 0, min(st.expect+st.expect/16, maxTasks))
	}
	st.Tasks = append(st.Tasks, t)
	return err
}

// share makes t hold the strings and slices of its previous read where
// they are equal, so that the copies just read are garbage at once: while
// a state is read the last one is still shown, and 100,000 tasks' ids,
// container ids and ports read again were 30 MB more at the peak of
// -v mesos-tasks. Strings are immutable and a shared slice is capped at
// its length, so an append makes a copy and the last state stays as it was.
func (st *mesosState) share(t *model.Task) {
	p := st.previous(t.ID)
	if p == nil {
		return
	}
	t.ID = p.ID
	same(&t.Name, p.Name)
	same(&t.FrameworkID, p.FrameworkID)
	same(&t.State, p.State)
	same(&t.AgentID, p.AgentID)
	t.ShareDetail(p)
	if len(t.ContainerIDs) > 0 && slices.Equal(t.ContainerIDs, p.ContainerIDs) {
		t.ContainerIDs = slices.Clip(p.ContainerIDs)
	}
	if len(t.Ports) > 0 && slices.Equal(t.Ports, p.Ports) {
		t.Ports = slices.Clip(p.Ports)
	}
	if t.Labels != nil && p.Labels != nil && t.Labels != p.Labels && slices.Equal(*t.Labels, *p.Labels) {
		t.Labels = p.Labels // the list is never changed once read
	}
}

func same(s *string, prev string) {
	if *s == prev {
		*s = prev
	}
}

// previous is the task of the last state with this id, nil if none. A
// master lists its tasks in about the same order each time: the next one
// in order (or the one after, a task having gone) is tried first, and
// only once neither is it an index of the last state made.
func (st *mesosState) previous(id string) *model.Task {
	for i := st.prevAt; i < len(st.prev) && i < st.prevAt+2; i++ {
		if st.prev[i].ID == id {
			st.prevAt = i + 1
			return &st.prev[i]
		}
	}
	if len(st.prev) == 0 {
		return nil
	}
	if st.prevIdx == nil {
		st.prevIdx = make(map[string]int32, len(st.prev))
		for i := range st.prev {
			st.prevIdx[st.prev[i].ID] = int32(i)
		}
	}
	i, ok := st.prevIdx[id]
	if !ok {
		return nil
	}
	st.prevAt = int(i) + 1
	return &st.prev[i]
}

// taskCost is about what a kept task holds.
func taskCost(t *model.Task) int64 {
	d := t.Detail()
	n := int64(unsafe.Sizeof(*t)) + int64(len(t.ID)+len(d.Message)+len(d.Reason)+len(d.Sandbox))
	if !d.IsZero() {
		n += int64(unsafe.Sizeof(d))
	}
	for _, c := range t.ContainerIDs {
		n += 16 + int64(len(c))
	}
	for _, p := range t.Ports {
		n += 16 + int64(len(p))
	}
	for _, h := range d.History {
		n += int64(unsafe.Sizeof(h)) + int64(len(h.Reason)+len(h.Message))
	}
	return n
}

// readTask reads one task object: its ids, name, state and statuses. A
// live task keeps the container ids of all its statuses (a nested
// container's parents too); a finished one only its latest status.
func (st *mesosState) readTask(s *httpapi.Stream, finished bool) (model.Task, error) {
	t := model.Task{Finished: finished}
	var d model.TaskDetail
	var latest float64
	seen := false
	history := st.hist[:0]
	err := s.EachMember(func(k []byte) error {
		var err error
		switch string(k) {
		case "id":
			t.ID, err = s.String()
		case "name":
			t.Name, err = st.in.str(s)
		case "framework_id":
			t.FrameworkID, err = st.in.str(s)
		case "executor_id":
			d.ExecutorID, err = s.String()
		case "slave_id":
			t.AgentID, err = st.in.str(s)
		case "state":
			t.State, err = st.in.str(s)
		case "labels":
			// The task's own labels; its statuses' (an executor's
			// Docker.NetworkSettings.IPAddress) and its discovery
			// info's are not the task's.
			t.Labels, err = st.readLabels(s)
		case "statuses":
			err = s.EachElement(func() error {
				ss, err := st.readStatus(s, !finished)
				if len(history) < maxHistory {
					history = append(history, model.TaskStatus{State: ss.state, At: unixTime(ss.timestamp), Reason: ss.reason, Message: ss.message, Source: ss.source})
				}
				if !seen || ss.timestamp >= latest {
					seen, latest = true, ss.timestamp
					d.Reason, d.Message = ss.reason, ss.message
					t.StateSince = unixTime(ss.timestamp)
				}
				for _, c := range ss.containers {
					if !contains(t.ContainerIDs, c) {
						t.ContainerIDs = append(t.ContainerIDs, c)
					}
				}
				st.cids = ss.containers[:0]
				return err
			})
		case "resources":
			err = s.EachMember(func(k []byte) error {
				if string(k) != "ports" {
					return s.Skip()
				}
				r, err := s.String()
				t.Ports = st.portList(r)
				return err
			})
		default:
			err = s.Skip()
		}
		return err
	})
	// A running task's statuses say only that it started: kept for the
	// others (the details of a failed or starting task), at most
	// maxHistory, oldest first.
	st.hist = history[:0]
	if t.State != "TASK_RUNNING" && len(history) > 0 {
		history = slices.Clone(history)
		sort.SliceStable(history, func(i, j int) bool { return history[i].At.Before(history[j].At) })
		d.History = history
	}
	t.SetDetail(d)
	return t, err
}

// maxHistory and maxTaskPorts bound what one task keeps of its statuses
// and of its ports resource.
const (
	maxHistory   = 8
	maxTaskPorts = 32
)

// portList is portRanges(r), the same list for the same r.
func (st *mesosState) portList(r string) []string {
	if l, ok := st.ports[r]; ok {
		return l
	}
	l := slices.Clip(portRanges(r, maxTaskPorts))
	if st.ports != nil && len(st.ports) < maxInterned && len(r) <= 256 {
		st.ports[r] = l
	}
	return l
}

// portRanges reads a ports resource, "[31000-31002, 31005-31005]", as
// "31000/tcp", "31001/tcp"…, at most max of them. Mesos gives a port no
// protocol: tcp is what a task's ports are almost always for.
func portRanges(r string, max int) []string {
	var out []string
	for _, part := range strings.Split(strings.Trim(strings.TrimSpace(r), "[]"), ",") {
		lo, hi, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			hi = lo
		}
		a, err1 := strconv.Atoi(strings.TrimSpace(lo))
		b, err2 := strconv.Atoi(strings.TrimSpace(hi))
		if err1 != nil || err2 != nil || a <= 0 || b > 65535 || a > b {
			continue
		}
		for p := a; p <= b && len(out) < max; p++ {
			out = append(out, strconv.Itoa(p)+"/tcp")
		}
	}
	return out
}

type statusRead struct {
	timestamp       float64
	state, source   string
	reason, message string
	containers      []string
}

func (st *mesosState) readStatus(s *httpapi.Stream, containers bool) (statusRead, error) {
	ss := statusRead{containers: st.cids[:0]}
	err := s.EachMember(func(k []byte) error {
		var err error
		switch string(k) {
		case "timestamp":
			ss.timestamp, err = s.Number()
		case "state":
			ss.state, err = st.in.str(s)
		case "source":
			ss.source, err = st.in.str(s)
		case "reason":
			ss.reason, err = st.in.str(s)
		case "message":
			ss.message, err = s.String()
		case "container_status":
			if !containers {
				return s.Skip()
			}
			err = s.EachMember(func(k []byte) error {
				if string(k) != "container_id" {
					return s.Skip()
				}
				return readContainerID(s, &ss.containers, 0)
			})
		default:
			err = s.Skip()
		}
		return err
	})
	return ss, err
}

// maxContainerDepth bounds a nested container's chain of parents.
const maxContainerDepth = 8

// readContainerID reads {"value": ..., "parent": {...}}: the container's
// id, then its parents'.
func readContainerID(s *httpapi.Stream, out *[]string, depth int) error {
	return s.EachMember(func(k []byte) error {
		switch string(k) {
		case "value":
			v, err := s.String()
			if v != "" && len(*out) < maxContainerDepth {
				*out = append(*out, v)
			}
			return err
		case "parent":
			if depth >= maxContainerDepth {
				return s.Skip()
			}
			return readContainerID(s, out, depth+1)
		}
		return s.Skip()
	})
}

// addFinished keeps t if it is among the newest of its framework.
func (st *mesosState) addFinished(t model.Task) {
	n := st.finished[t.FrameworkID]
	if n == nil {
		if len(st.finished) >= maxFinished/maxFinishedPerFramework {
			return
		}
		n = &newestTasks{}
		st.finished[t.FrameworkID] = n
	}
	if len(*n) < maxFinishedPerFramework {
		heap.Push(n, t)
		return
	}
	if t.StateSince.After((*n)[0].StateSince) {
		(*n)[0] = t
		heap.Fix(n, 0)
	}
}

// done moves the finished tasks, newest first per framework, into
// Finished, in the frameworks' order.
func (st *mesosState) done() *mesosState {
	for _, fw := range st.Frameworks {
		n := st.finished[fw.ID]
		if n == nil {
			continue
		}
		delete(st.finished, fw.ID)
		start := len(st.Finished)
		for n.Len() > 0 {
			st.Finished = append(st.Finished, heap.Pop(n).(model.Task))
		}
		mine := st.Finished[start:]
		for i, j := 0, len(mine)-1; i < j; i, j = i+1, j-1 {
			mine[i], mine[j] = mine[j], mine[i]
		}
	}
	st.finished = nil
	st.in = interner{}
	st.ports = nil
	st.labels = labelReader{}
	st.prev, st.prevIdx = nil, nil
	return st
}

// newestTasks is a min-heap by state time: its root is the oldest kept.
type newestTasks []model.Task

func (h newestTasks) Len() int           { return len(h) }
func (h newestTasks) Less(i, j int) bool { return h[i].StateSince.Before(h[j].StateSince) }
func (h newestTasks) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *newestTasks) Push(x any)        { *h = append(*h, x.(model.Task)) }
func (h *newestTasks) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// interner keeps one copy of strings that repeat in a state (framework
// and agent ids, states, task names): 100,000 tasks name a few hundred.
type interner struct {
	m   map[string]string
	buf []byte
}

func (in *interner) str(s *httpapi.Stream) (string, error) {
	b, err := s.Peek()
	if err != nil || b != '"' || in.m == nil {
		return s.String()
	}
	raw, err := s.RawString(in.buf)
	in.buf = raw
	if err != nil {
		return "", err
	}
	if v, ok := in.m[string(raw)]; ok {
		return v, nil
	}
	v, err := httpapi.Unquote(raw)
	if err != nil {
		return "", err
	}
	if len(in.m) < maxInterned && len(raw) <= 256 {
		in.m[string(raw)] = v
	}
	return v, nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// droppedError names the tasks a state had over the bounds, and those
// kept without their labels.
func droppedError(st *mesosState) string {
	var out []string
	if st.Dropped > 0 {
		out = append(out, fmt.Sprintf("%d tasks not listed: over the %d (or %d MB) this tool keeps of one state", st.Dropped, maxTasks, maxStateBytes>>20))
	}
	if st.LabelsDropped > 0 {
		out = append(out, fmt.Sprintf("%d tasks listed without their labels: over the %d MB of labels this tool keeps of one state", st.LabelsDropped, maxLabelBytes>>20))
	}
	return strings.Join(out, "; ")
}
