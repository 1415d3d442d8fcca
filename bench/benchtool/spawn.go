package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// spawnCmd starts n `sleep` processes in one new process group and
// prints the group's id, then their pids, one a line; it leaves them
// running when it exits (bench/run kills the group). A bash loop forks
// bash for each: 12,000 sleepers took minutes on a loaded 2-CPU machine,
// longer than bench/run allowed; Go starts each with vfork and exec.
func spawnCmd(args []string) error {
	fs := flag.NewFlagSet("spawn", flag.ExitOnError)
	n := fs.Int("n", 1, "processes to start")
	seconds := fs.Int("seconds", 1800, "how long each sleeps")
	fs.Parse(args)
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		return err
	}
	pgid := 0
	pids := make([]int, 0, *n)
	for i := 0; i < *n; i++ {
		p, err := os.StartProcess(sleep, []string{"sleep", fmt.Sprint(*seconds)}, &os.ProcAttr{
			Files: []*os.File{nil, nil, nil},
			Sys:   &syscall.SysProcAttr{Setpgid: true, Pgid: pgid},
		})
		if err != nil {
			if pgid != 0 {
				syscall.Kill(-pgid, syscall.SIGKILL)
			}
			return fmt.Errorf("after %d: %w", i, err)
		}
		if pgid == 0 {
			pgid = p.Pid
		}
		pids = append(pids, p.Pid)
		p.Release()
		if i%500 == 499 {
			// 12,000 started at once took the load average of the
			// shared machine to 850 for a moment.
			time.Sleep(100 * time.Millisecond)
		}
	}
	fmt.Println(pgid)
	for _, pid := range pids {
		fmt.Println(pid)
	}
	return nil
}
