package clustergen

import (
	"fmt"
	"strings"
	"time"
)

// MasterState is the leading master's /master/state: every agent, and
// Marathon's and Metronome's running and completed tasks.
func (c *Cluster) MasterState() []byte {
	out := make([]byte, 0, 64<<10+len(c.Agents)*(700+c.TasksPerAgent*1300)+len(c.Completed)*1100)
	slaves := c.appendSlaves(nil, masterSlave)
	var fws []byte
	fws = append(fws, '[')
	for n, fw := range []Framework{c.Metronome, c.Marathon} {
		if n > 0 {
			fws = append(fws, ',')
		}
		var tasks, done []byte
		tasks = append(tasks, '[')
		first := true
		if fw.ID == c.Marathon.ID {
			for _, a := range c.Agents {
				for j := range a.Tasks {
					if !first {
						tasks = append(tasks, ',')
					}
					first = false
					tasks = appendMasterTask(tasks, &a.Tasks[j])
				}
			}
		}
		tasks = append(tasks, ']')
		done = append(done, '[')
		first = true
		for j := range c.Completed {
			t := &c.Completed[j]
			if t.FrameworkID != fw.ID {
				continue
			}
			if !first {
				done = append(done, ',')
			}
			first = false
			done = appendMasterTask(done, t)
		}
		done = append(done, ']')
		webui := ""
		if fw.ID == c.Marathon.ID {
			webui = "http://" + c.MarathonAddr()
		}
		fws = masterFramework.render(fws, fw.ID, fw.Name, webui, c.marathonTm, rawJSON(tasks), rawJSON(done), rawJSON("[]"))
	}
	fws = append(fws, ']')
	pid := "master@" + c.MasterAddr()
	host := strings.TrimSuffix(c.MasterAddr(), ":5050")
	return masterState.render(out, c.MasterID, pid, host, pid, c.MasterID, pid, host,
		len(c.Agents), float64(c.Start.Unix()), float64(c.Start.Unix())+3, rawJSON(slaves), rawJSON(fws))
}

func appendMasterTask(dst []byte, t *Task) []byte {
	var st []byte
	st = append(st, '[')
	if t.State == "TASK_RUNNING" {
		st = masterStatus.render(st, "TASK_STARTING", t.Started-0.002, t.ContainerID)
		st = append(st, ',')
	}
	st = masterStatus.render(st, t.State, t.Started, t.ContainerID)
	st = append(st, ']')
	return masterTask.render(dst, t.ID, t.Name, t.FrameworkID, t.AgentID, t.State, rawJSON(st), t.Name)
}

// appendSlaves writes every agent as the master lists it.
func (c *Cluster) appendSlaves(dst []byte, t *tmpl) []byte {
	dst = append(dst, '[')
	for i, a := range c.Agents {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = t.render(dst, a.ID, a.Hostname, a.PID(), float64(c.Start.Unix())+float64(i%100), 0.1*float64(len(a.Tasks)), 128.0*float64(len(a.Tasks)))
	}
	return append(dst, ']')
}

// Slaves is /master/slaves: {"slaves": [...], "recovered_slaves": []}.
func (c *Cluster) Slaves() []byte {
	out := []byte(`{"slaves":`)
	out = c.appendSlaves(out, masterSlave)
	return append(out, `,"recovered_slaves":[]}`...)
}

// StateSummary is /master/state-summary: agents and frameworks with their
// task counts, no tasks.
func (c *Cluster) StateSummary() []byte {
	done := map[string]map[string]int{} // agent → state → n
	fwDone := map[string]map[string]int{}
	for _, t := range c.Completed {
		if done[t.AgentID] == nil {
			done[t.AgentID] = map[string]int{}
		}
		done[t.AgentID][t.State]++
		if fwDone[t.FrameworkID] == nil {
			fwDone[t.FrameworkID] = map[string]int{}
		}
		fwDone[t.FrameworkID][t.State]++
	}
	var slaves, ids []byte
	slaves = append(slaves, '[')
	ids = append(ids, '[')
	for i, a := range c.Agents {
		if i > 0 {
			slaves = append(slaves, ',')
			ids = append(ids, ',')
		}
		ids = appendString(ids, a.ID)
		fws := rawJSON(`[]`)
		if len(a.Tasks) > 0 {
			fws = rawJSON(fmt.Sprintf("[%q]", c.Marathon.ID))
		}
		d := done[a.ID]
		slaves = summarySlave.render(slaves, a.ID, a.PID(), a.Hostname, 0.1*float64(len(a.Tasks)), 128.0*float64(len(a.Tasks)),
			len(a.Tasks), d["TASK_FINISHED"], d["TASK_KILLED"], d["TASK_FAILED"], fws)
	}
	slaves = append(slaves, ']')
	ids = append(ids, ']')
	var fws []byte
	fws = append(fws, '[')
	for n, fw := range []Framework{c.Metronome, c.Marathon} {
		if n > 0 {
			fws = append(fws, ',')
		}
		running, webui, on := 0, "", rawJSON("[]")
		if fw.ID == c.Marathon.ID {
			running, webui, on = c.Tasks(), "http://"+c.MarathonAddr(), rawJSON(ids)
		}
		d := fwDone[fw.ID]
		fws = summaryFramework.render(fws, fw.ID, fw.Name, webui, running, d["TASK_FINISHED"], d["TASK_KILLED"], d["TASK_FAILED"], on)
	}
	fws = append(fws, ']')
	return summary.render(nil, strings.TrimSuffix(c.MasterAddr(), ":5050"), rawJSON(slaves), rawJSON(fws))
}

// AgentState is agent a's state (/slave(1)/state or /state.json), in the
// shape of its Mesos version: its frameworks, one command executor per
// task with the container id and sandbox directory, and the tasks.
func (c *Cluster) AgentState(a *Agent) []byte {
	sh := agentShapes[a.Version]
	var fws []byte
	fws = append(fws, '[')
	byFw := map[string][]*Task{}
	var order []string
	for j := range a.Tasks {
		t := &a.Tasks[j]
		if byFw[t.FrameworkID] == nil {
			order = append(order, t.FrameworkID)
		}
		byFw[t.FrameworkID] = append(byFw[t.FrameworkID], t)
	}
	for n, fid := range order {
		if n > 0 {
			fws = append(fws, ',')
		}
		var execs []byte
		execs = append(execs, '[')
		for k, t := range byFw[fid] {
			if k > 0 {
				execs = append(execs, ',')
			}
			var st []byte
			st = append(st, '[')
			if sh.withContainerStatus {
				st = sh.status.render(st, t.Started, t.ContainerID)
			} else {
				st = sh.status.render(st, t.Started)
			}
			st = append(st, ']')
			vals := []any{t.ID, t.Name, t.FrameworkID, a.ID, rawJSON(st)}
			if len(sh.task.order) > 5 {
				vals = append(vals, t.Name)
			}
			if len(sh.task.order) > 6 {
				vals = append(vals, "MESOS_TASK_ID="+t.ID)
			}
			task := sh.task.render([]byte{'['}, vals...)
			task = append(task, ']')
			execs = sh.executor.render(execs, t.ID, "Command Executor (Task: "+t.ID+") (Command: NO EXECUTABLE)", t.ID, t.ContainerID,
				Sandbox(a.ID, fid, t.ID, t.ContainerID), rawJSON(task))
		}
		execs = append(execs, ']')
		name := "marathon"
		if fid == c.Metronome.ID {
			name = "metronome"
		}
		fws = sh.framework.render(fws, fid, name, rawJSON(execs))
	}
	fws = append(fws, ']')
	master := strings.TrimSuffix(c.MasterAddr(), ":5050")
	return sh.state.render(nil, a.ID, a.PID(), a.Hostname, master, float64(c.Start.Unix()), rawJSON(fws))
}

// Sandbox is an executor's sandbox directory on its agent, as Mesos makes
// it under --work_dir /var/lib/mesos/slave.
func Sandbox(agentID, frameworkID, executorID, containerID string) string {
	return "/var/lib/mesos/slave/slaves/" + agentID + "/frameworks/" + frameworkID + "/executors/" + executorID + "/runs/" + containerID
}

// Statistics is agent a's /monitor/statistics at now: each executor's
// counters have grown since the cluster started at Busy cores of CPU and
// 1000 bytes a second received.
func (c *Cluster) Statistics(a *Agent, now time.Time) []byte {
	el := now.Sub(c.Start).Seconds()
	ts := float64(now.UnixNano()) / 1e9
	out := make([]byte, 0, 16+len(a.Tasks)*900)
	out = append(out, '[')
	for j := range a.Tasks {
		t := &a.Tasks[j]
		if j > 0 {
			out = append(out, ',')
		}
		cpu := el * a.Busy
		rss := uint64(j+1) << 20
		out = statistics.render(out, t.ID, "Command Executor (Task: "+t.ID+") (Command: NO EXECUTABLE)", t.FrameworkID, t.ID,
			ts, round6(cpu*0.8), round6(cpu*0.2), uint64(el*10), uint64(el), round6(el/100),
			rss, rss+16384, rss, uint64(el*1000), uint64(el*10), uint64(el*500), uint64(el*5))
	}
	return append(out, ']')
}

func round6(f float64) float64 { return float64(int64(f*1e6)) / 1e6 }
