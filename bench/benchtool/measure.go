package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// measureResult is what `measure` writes. Per-window figures are CPU
// nanoseconds spent in one window (one refresh when -every is the
// command's refresh interval), or in one run with -repeat.
type measureResult struct {
	Label     string   `json:"label"`
	Command   []string `json:"command"`
	Windows   int      `json:"windows"`
	OwnCPUNs  stats    `json:"own_cpu_ns"`
	DaemonNs  stats    `json:"daemon_cpu_ns"`
	TotalNs   stats    `json:"total_cpu_ns"` // own + daemons, per window
	WallNs    stats    `json:"wall_ns"`      // -repeat only
	PeakRSS   int64    `json:"peak_rss_bytes"`
	ExitCPUNs int64    `json:"exit_cpu_ns"` // whole run, from wait4
	// DroppedWindows lost CPU time to an exiting thread.
	DroppedWindows int   `json:"dropped_windows,omitempty"`
	DaemonPIDs     []int `json:"daemon_pids"`
	// DaemonMeanNs is the daemons' CPU over the whole measurement divided
	// by the windows (runs): their ticks are too coarse for one window.
	DaemonMeanNs float64 `json:"daemon_mean_ns"`
	// SecondsPerWindow is the length of a window (a run with -repeat).
	SecondsPerWindow float64 `json:"seconds_per_window"`
}

// measureCmd runs a command and measures its CPU (and, with -daemons, the
// Docker daemons') per window of -every, skipping the first -skip windows
// (start-up), or with -repeat N runs it N times and measures each run.
// Without a command it measures the daemons alone (idle baseline).
func measureCmd(args []string) error {
	fs := flag.NewFlagSet("measure", flag.ExitOnError)
	out := fs.String("out", "", "result file (JSON)")
	label := fs.String("label", "", "what is measured")
	every := fs.Duration("every", time.Second, "window length")
	offset := fs.Duration("offset", 500*time.Millisecond, "first window starts this long after start")
	skip := fs.Int("skip", 2, "windows to drop at the start")
	idle := fs.Int("idle", 5, "windows to measure without a command")
	repeat := fs.Int("repeat", 0, "run the command this many times, one sample per run")
	daemons := fs.Bool("daemons", false, "also measure dockerd, containerd and the shims")
	fs.Parse(args)
	cmdArgs := fs.Args()

	r := measureResult{Label: *label, Command: cmdArgs}
	var dp []int
	if *daemons {
		dp = daemonPIDs()
		r.DaemonPIDs = dp
	}
	var own, dmn, tot, wall []float64
	first := daemonsCPU(dp)
	t0 := time.Now()
	var dFirst, dLast map[int]int64 // around the windows that count
	switch {
	case len(cmdArgs) == 0:
		prev := daemonsCPU(dp)
		dFirst = prev
		for i := 0; i < *idle; i++ {
			time.Sleep(*every)
			cur := daemonsCPU(dp)
			d := float64(deltaCPU(prev, cur))
			dmn, tot = append(dmn, d), append(tot, d)
			prev = cur
		}
		dLast = prev
	case *repeat > 0:
		for i := 0; i < *repeat; i++ {
			before := daemonsCPU(dp)
			t0 := time.Now()
			cmd := exec.Command(cmdArgs[0], cmdArgs[1:]...)
			cmd.Stdout, cmd.Stderr = nil, os.Stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("%v: %w", cmdArgs, err)
			}
			w := time.Since(t0)
			time.Sleep(300 * time.Millisecond) // let the daemons finish serving it
			d := float64(deltaCPU(before, daemonsCPU(dp)))
			ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			o := float64(ru.Utime.Nano() + ru.Stime.Nano())
			own, dmn, tot, wall = append(own, o), append(dmn, d), append(tot, o+d), append(wall, float64(w))
			if rss := ru.Maxrss * 1024; rss > r.PeakRSS {
				r.PeakRSS = rss
			}
			time.Sleep(700 * time.Millisecond)
		}
		dFirst, dLast = first, daemonsCPU(dp)
		r.SecondsPerWindow = time.Since(t0).Seconds() / float64(*repeat)
	default:
		cmd := exec.Command(cmdArgs[0], cmdArgs[1:]...)
		cmd.Stdout, cmd.Stderr = nil, os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		pid := cmd.Process.Pid
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		next := start.Add(*offset)
		var prevOwn int64
		var prevD map[int]int64
		n := 0
		var err error
	loop:
		for {
			select {
			case err = <-done:
				break loop
			case <-time.After(time.Until(next)):
			}
			next = next.Add(*every)
			o, ok := taskCPU(pid)
			if !ok {
				continue
			}
			d := daemonsCPU(dp)
			if h := vmHWM(pid); h > r.PeakRSS {
				r.PeakRSS = h
			}
			if n > *skip && o < prevOwn {
				// A thread exited with its time: this window cannot be
				// measured from the live threads.
				r.DroppedWindows++
			} else if n > *skip {
				do, dd := float64(o-prevOwn), float64(deltaCPU(prevD, d))
				own, dmn, tot = append(own, do), append(dmn, dd), append(tot, do+dd)
				dLast = d
			} else {
				dFirst = d
			}
			prevOwn, prevD = o, d
			n++
		}
		if err != nil {
			return fmt.Errorf("%v: %w", cmdArgs, err)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		r.ExitCPUNs = ru.Utime.Nano() + ru.Stime.Nano()
		if rss := ru.Maxrss * 1024; rss > r.PeakRSS {
			r.PeakRSS = rss
		}
	}
	r.Windows = len(tot)
	if r.SecondsPerWindow == 0 {
		r.SecondsPerWindow = every.Seconds()
	}
	if r.Windows > 0 && dFirst != nil && dLast != nil {
		r.DaemonMeanNs = float64(deltaCPU(dFirst, dLast)) / float64(r.Windows+r.DroppedWindows)
	}
	r.OwnCPUNs, r.DaemonNs, r.TotalNs, r.WallNs = summarise(own), summarise(dmn), summarise(tot), summarise(wall)
	return writeJSON(*out, r)
}
