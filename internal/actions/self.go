package actions

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Self is this process and the operator's session around it: what an
// action on a cgroup must not freeze or end. Frozen, ctop-like can never
// thaw itself and its screen stops for good; a frozen or killed shell,
// sudo or sshd above it leaves the operator's terminal dead.
type Self struct {
	// PID is this process, as this process's /proc and the cgroup.procs
	// files it reads number it.
	PID int
	// Session are the processes it runs under: its ancestors up to init
	// (the shell, sudo, sshd's session processes…) and its session's
	// leader when that is not one of them.
	Session []Proc
}

// Proc is a process of Self, named for the refusal's sentence.
type Proc struct {
	PID  int
	Name string // its comm
}

// OwnSession is Self for this process, read from /proc: the cgroup.procs
// files an action reads number processes in this process's own PID
// namespace, so --proc-root does not apply.
func OwnSession() Self { return sessionOf("/proc", os.Getpid()) }

// sessionOf is Self for pid, read from the /proc at procRoot.
func sessionOf(procRoot string, pid int) Self {
	s := Self{PID: pid}
	seen := map[int]bool{pid: true}
	add := func(p int) {
		if p > 0 && !seen[p] {
			seen[p] = true
			s.Session = append(s.Session, Proc{PID: p, Name: procStat(procRoot, p).comm})
		}
	}
	st := procStat(procRoot, pid)
	for p, hops := st.ppid, 0; p > 0 && !seen[p] && hops < 4096; hops++ {
		add(p)
		p = procStat(procRoot, p).ppid
	}
	add(st.sid)
	return s
}

type stat struct {
	comm      string
	ppid, sid int
}

// procStat reads a process's name, parent and session from its stat file
// (the name may hold spaces and parentheses: the fields follow its last
// ')'); zeros when it cannot be read.
func procStat(procRoot string, pid int) stat {
	b, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "stat"))
	if err != nil {
		return stat{}
	}
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return stat{}
	}
	f := strings.Fields(s[end+1:]) // state ppid pgrp session …
	if len(f) < 4 {
		return stat{}
	}
	st := stat{comm: s[open+1 : end]}
	st.ppid, _ = strconv.Atoi(f[1])
	st.sid, _ = strconv.Atoi(f[3])
	return st
}

// Refuse says why verb (pause, stop, restart, or kill with sig) must not
// be done to the processes of the cgroup at path, nil when it may: the
// cgroup holds ctop-like itself or a process of its session. unpause and
// SIGCONT are always allowed; a cgroup that is gone is the action's own
// error.
func (c Cgroups) Refuse(path, verb string, sig syscall.Signal, self Self) error {
	if verb == "unpause" || verb == "kill" && sig == syscall.SIGCONT {
		return nil
	}
	pids, err := c.procs(path)
	if err != nil {
		return nil
	}
	in := make(map[int]bool, len(pids))
	for _, p := range pids {
		in[p] = true
	}
	var who, what string
	switch {
	case self.PID > 0 && in[self.PID]:
		who = fmt.Sprintf("ctop-like itself (pid %d)", self.PID)
		what = "ctop-like"
	default:
		for _, p := range self.Session {
			if in[p.PID] {
				who = fmt.Sprintf("%s (pid %d), which ctop-like runs under", p.Name, p.PID)
				what = "your session"
				break
			}
		}
	}
	if who == "" {
		return nil
	}
	var why string
	switch {
	case freezes(verb, sig) && what == "ctop-like":
		why = "frozen, ctop-like could never thaw it and the screen would stop for good"
	case freezes(verb, sig):
		why = "frozen, your terminal would stop answering for good"
	case verb == "kill":
		why = fmt.Sprintf("%s to its processes would end %s", sigName(sig), what)
	default:
		why = fmt.Sprintf("%s would end %s", verb, what)
	}
	return fmt.Errorf("refused: cgroup %s holds %s: %s; do it from another terminal", path, who, why)
}

// freezes says whether verb stops the processes rather than ending them.
func freezes(verb string, sig syscall.Signal) bool {
	return verb == "pause" || verb == "kill" && (sig == syscall.SIGSTOP || sig == syscall.SIGTSTP || sig == syscall.SIGTTIN || sig == syscall.SIGTTOU)
}
