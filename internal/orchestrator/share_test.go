package orchestrator

import (
	"bytes"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/ctop-like/ctop-like/internal/clustergen"
	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
)

// readAgain reads a master's state as the poller does after a first poll
// whose live tasks were prev.
func readAgain(t *testing.T, body []byte, prev []model.Task) *mesosState {
	t.Helper()
	st := newState()
	st.expect, st.prev = len(prev), prev
	if err := httpapi.DecodeStream(bytes.NewReader(body), st.read); err != nil {
		t.Fatal(err)
	}
	return st.done()
}

func sameString(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }

// TestStateReadAgainSharesTheLast: while a master's state is read the last
// one is still shown, so 100,000 tasks were held twice with all their
// strings (-v mesos-tasks peaked at 237-289 MiB). A task read again holds
// the last read's strings and slices where they are equal, whatever the
// order the master lists them in this time, and exactly what it reads
// where they differ. (On the code before, no string was shared.)
func TestStateReadAgainSharesTheLast(t *testing.T) {
	body := clustergen.New(clustergen.Spec{Agents: 40, TasksPerAgent: 5, Completed: 10, Seed: 2}).MasterState()
	first, err := decodeMesosState(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := decodeMesosState(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Tasks) != 200 {
		t.Fatalf("%d live tasks, want 200", len(first.Tasks))
	}
	for _, order := range []string{"the same order", "another order"} {
		prev := slices.Clone(first.Tasks)
		if order == "another order" {
			slices.Reverse(prev)
		}
		// One task changed since: its state and ports are this read's.
		changed := &prev[7]
		changed.State, changed.Ports = "TASK_STAGING", []string{"1/tcp"}
		before := slices.Clone(prev)
		st := readAgain(t, body, prev)
		if !reflect.DeepEqual(st.Tasks, fresh.Tasks) {
			t.Fatalf("%s: tasks read again differ from a first read", order)
		}
		if !reflect.DeepEqual(prev, before) {
			t.Fatalf("%s: the last state's tasks were changed", order)
		}
		byID := map[string]*model.Task{}
		for i := range prev {
			byID[prev[i].ID] = &prev[i]
		}
		shared, ports, containers := 0, 0, 0
		for i := range st.Tasks {
			tk, p := &st.Tasks[i], byID[st.Tasks[i].ID]
			if sameString(tk.ID, p.ID) {
				shared++
			}
			if len(tk.Ports) > 0 && &tk.Ports[0] == &p.Ports[0] {
				ports++
				if cap(tk.Ports) != len(tk.Ports) {
					t.Errorf("%s: a shared ports slice can be appended to in place", order)
				}
			}
			if len(tk.ContainerIDs) > 0 && &tk.ContainerIDs[0] == &p.ContainerIDs[0] {
				containers++
			}
			if p == changed && (sameString(tk.State, p.State) || len(tk.Ports) > 0 && &tk.Ports[0] == &p.Ports[0]) {
				t.Errorf("%s: the changed task took the last state's values", order)
			}
		}
		if shared != len(st.Tasks) || containers != len(st.Tasks) || ports != len(st.Tasks)-1 {
			t.Errorf("%s: %d of %d ids shared, %d container ids, %d ports; want all (ports all but the changed task's)",
				order, shared, len(st.Tasks), containers, ports)
		}
	}
}

// TestTwoReadsHeld: while a master's state is read again the last one is
// still shown, so both reads' tasks are held at once: -v mesos-tasks's
// peak. Of a generated master (the 1.8 shape, Marathon's tasks), the
// two hold at most 600 bytes a task, strings, slices and labels
// included: 583 with 192-byte tasks and the first read's array cut to
// its size, 550 with tasks of the same ports sharing one list. (On the
// code before, 805: 272-byte tasks, the executor, reason,
// message, sandbox and history in each, and the first read's array as
// append grew it, 12,378 for 10,100 tasks.)
func TestTwoReadsHeld(t *testing.T) {
	body := clustergen.New(clustergen.Spec{Agents: 500, TasksPerAgent: 20, Completed: 100, Seed: 5}).MasterState()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	first, err := decodeMesosState(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	shown := buildMesos(first, "", nil)
	again := readAgain(t, body, shown.Tasks[:shown.Live])
	runtime.GC()
	runtime.ReadMemStats(&after)
	n := len(again.Tasks)
	if n != 10000 || shown.Live != n {
		t.Fatalf("%d and %d live tasks, want 10,000", shown.Live, n)
	}
	held := float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
	runtime.KeepAlive(shown)
	runtime.KeepAlive(again)
	runtime.KeepAlive(body)
	t.Logf("two reads of %d tasks hold %.0f bytes a task (arrays of %d and %d)", n, held, cap(shown.Tasks), cap(again.Tasks))
	if held > 600 {
		t.Errorf("two reads of a state hold %.0f bytes a task, want at most 600", held)
	}
}

// TestTasksShareTheirPorts: the tasks of one read given the same ports
// resource share one list, which an append copies. (On the code before,
// each of 100,000 tasks had its own: 3.2 MB of a read.)
func TestTasksShareTheirPorts(t *testing.T) {
	body := clustergen.New(clustergen.Spec{Agents: 20, TasksPerAgent: 5, Seed: 2}).MasterState()
	st, err := decodeMesosState(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	first := map[string]*model.Task{}
	shared := 0
	for i := range st.Tasks {
		tk := &st.Tasks[i]
		if len(tk.Ports) == 0 {
			continue
		}
		if cap(tk.Ports) != len(tk.Ports) {
			t.Fatalf("task %s: ports %v can be appended to in place", tk.ID, tk.Ports)
		}
		k := strings.Join(tk.Ports, ",")
		if f := first[k]; f == nil {
			first[k] = tk
		} else if &f.Ports[0] == &tk.Ports[0] {
			shared++
		}
	}
	if shared == 0 || shared != len(st.Tasks)-len(first) {
		t.Errorf("%d of %d tasks share the ports list of an earlier one, want %d", shared, len(st.Tasks), len(st.Tasks)-len(first))
	}
}

// TestStateReadGarbage: reading a master's state of 100,000 tasks while
// the last is shown is -v mesos-tasks' peak, and what the read allocates
// beyond what it keeps is what the collector must keep up with there,
// on a loaded machine. A running task's statuses (its history is not
// kept) and each status's container ids are read into buffers kept from
// task to task: 1,121 bytes allocated a task of a generated master.
// (On the code before, 1,425; 1,964 before Task.Detail.)
func TestStateReadGarbage(t *testing.T) {
	body := clustergen.New(clustergen.Spec{Agents: 100, TasksPerAgent: 20, Completed: 100, Seed: 5}).MasterState()
	var best float64
	for run := range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		st, err := decodeMesosState(bytes.NewReader(body))
		runtime.ReadMemStats(&after)
		if err != nil || len(st.Tasks) != 2000 {
			t.Fatalf("%v, %d tasks", err, len(st.Tasks))
		}
		if a := float64(after.TotalAlloc-before.TotalAlloc) / 2000; run == 0 || a < best {
			best = a
		}
	}
	t.Logf("a read allocates %.0f bytes a task", best)
	if best > 1300 {
		t.Errorf("a read allocates %.0f bytes a task, want at most 1,300", best)
	}
}
