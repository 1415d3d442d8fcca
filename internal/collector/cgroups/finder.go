// Package cgroups finds the node's containers by their cgroups and reads
// their counters: the cgroup names every runtime makes (names.go), the v1
// and v2 hierarchies' files (v1.go, v2.go), kept open from one pass to
// the next (passes.go). What a container is called comes from its
// runtime's handler, not from here.
package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/ctop-like/ctop-like/internal/model"
)

// v1Controllers are the cgroup v1 hierarchies the finder reads; their
// presence also tells v1 from v2.
var v1Controllers = []string{"cpu", "cpuacct", "memory", "blkio", "pids", "freezer"}

// Finder walks the cgroup hierarchy and returns every container it
// recognises with its cgroup counters filled in (metadata comes from the
// container's runtime). Implementations: cgroup v1 and cgroup v2. A
// Finder keeps each container's files open from one pass to the next;
// Containers is called from one goroutine at a time.
type Finder interface {
	Containers() ([]model.ContainerSample, error)
	// SetClaim makes the finder recognise the cgroups claim names too.
	SetClaim(claim Claim)
	// SetNodeOOMKills gives the finder the node's count of OOM kills
	// (machine.Reader.OOMKills): on cgroup v1 a container's
	// memory.oom_control is then read only in the passes where it may
	// have moved (see cgroupPasses.oomDue); v2 does not read the count.
	SetNodeOOMKills(count func() (uint64, bool))
	// Close releases the files kept open.
	Close()
}

// NewFinder returns the finder of the hierarchies m locates (Locate) and
// its cgroup version: 1 where a v1 hierarchy of a controller it reads is
// mounted (a hybrid node's v2 tree holds no controller), else 2 where the
// v2 tree is. all also lists non-container cgroups that hold processes as
// runtime raw; hostMemory is the limit reported for containers without
// one.
func NewFinder(m Mounts, all bool, hostMemory uint64) (Finder, int, error) {
	ctrl := map[string]string{}
	for _, c := range v1Controllers {
		if mt, ok := m.Controller(c); ok {
			ctrl[c] = mt.Dir
		}
	}
	if len(ctrl) == 0 {
		if m.V2.Dir != "" {
			f := &v2Finder{root: m.V2.Dir, all: all, hostMemory: hostMemory}
			f.rarely = v2Rarely
			return f, 2, nil
		}
		return nil, 0, fmt.Errorf("cgroup root %s: neither cgroup v1 controllers (cpu, memory...) nor cgroup v2 (cgroup.controllers) found", m.root)
	}
	f := &v1Finder{dirs: ctrl, all: all, hostMemory: hostMemory}
	f.rarely = v1Rarely
	if mt, ok := m.Controller("hugetlb"); ok {
		f.dirs["hugetlb"] = mt.Dir
		f.hugeSizes = hugeSizesIn(mt.Dir, "usage_in_bytes")
	}
	for _, c := range []string{"memory", "cpuacct", "cpu", "pids", "blkio"} {
		if d, ok := ctrl[c]; ok {
			f.walk = d
			break
		}
	}
	return f, 1, nil
}

// walkCgroups calls visit for every cgroup below root (root itself
// excluded) with its path relative to root ("/docker/<id>"). visit returns
// true to skip the cgroup's children. Folders that vanish during the walk
// are skipped. (The finders' passes use a walker of their own, which
// keeps its buffers.)
func walkCgroups(root string, visit func(rel, dir string) (skip bool)) error {
	var w walker
	if err := w.walk(root, func(rel, dir []byte) bool { return visit(string(rel), string(dir)) }); err != nil {
		return fmt.Errorf("walk cgroups %s: %w", root, err)
	}
	return nil
}

// Claim recognises a cgroup that no path shape names, through the
// runtimes' handlers (containerd's `ctr run` cgroups); nil claims none.
type Claim func(rel string) (id, runtime string, ok bool)

// classify decides whether the cgroup at rel is listed, and how.
// procs is read lazily because only raw cgroups need it to decide.
func classify(rel string, all bool, claim Claim, procs func() int) (id, runtime string, ok bool) {
	if id, rt, ok := ContainerFromCgroup(rel); ok {
		return id, rt, true
	}
	if claim != nil {
		if id, rt, ok := claim(rel); ok {
			return id, rt, true
		}
	}
	if all && procs() > 0 {
		return rel, model.RuntimeRaw, true
	}
	return "", "", false
}

// visitCgroup is the walk step v1 and v2 share: recognise the cgroup,
// read its cgroup.procs with readProcs (a descriptor kept open by the
// finder) and its counters with read, which reports whether one of its
// reads failed. Only then is the folder checked: a cgroup removed while it
// is read fails the reads that follow (ENODEV on a kept descriptor, ENOENT
// on opening), and one removed after the last read is no different from
// one removed just after the check, which costs a stat per container and
// pass. skip says not to descend (a container's children are part of it).
// The container is written to *c (cgroupPasses.visit), which is left zero
// when ok is false.
func visitCgroup(rel, dir string, all bool, claim Claim, readProcs func() (first, n int, err error), read func(rel string, c *model.ContainerSample) (failed bool), c *model.ContainerSample) (ok, skip bool) {
	var (
		procsRead  bool
		pid, n     int
		procsError error
	)
	procs := func() int {
		if !procsRead {
			pid, n, procsError = readProcs()
			procsRead = true
		}
		return n
	}
	id, rt, ok := classify(rel, all, claim, procs)
	if !ok {
		return false, false
	}
	skip = rt != model.RuntimeRaw
	procs()
	if vanished(procsError) {
		return false, true
	}
	*c = model.ContainerSample{ID: id, Runtime: rt, State: "running", RuntimeFields: &model.RuntimeFields{Cgroup: rel, PID: pid}}
	if read(rel, c) {
		var st unix.Stat_t
		if unix.Stat(dir, &st) != nil { // removed while we read it
			*c = model.ContainerSample{}
			return false, true
		}
	}
	return true, skip
}

// vanished reports whether err means the cgroup was removed while being
// read: the file is gone (ENOENT) or its cgroup died under an open file
// (ENODEV).
func vanished(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENODEV)
}

// unlimitedMemory is where a memory limit means none: v1 says
// 9223372036854771712, v2 "max".
const unlimitedMemory = 1 << 62

// memLimit turns a kernel limit into what the views show: the host's
// memory when there is no limit or one above the host's memory.
func memLimit(limit, hostMemory uint64) uint64 {
	if limit == 0 || limit >= unlimitedMemory || hostMemory > 0 && limit > hostMemory {
		return hostMemory
	}
	return limit
}

// subFloor is a-b, never below 0 (counters read at slightly different
// moments can cross).
func subFloor(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}
